/* Unit tests for scanner/host: os-release parsing and facts read from a root. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanner/sources/host.h"
#include "scanner/sources/rootfs.h"
#include "check_util.h"

struct osr_case {
	const char *text;
	const char *key;
	const char *want; /* NULL: not found */
};

static const struct osr_case osr_cases[] = {
	{"ID=debian\n", "ID", "debian"},
	{"ID=\"debian\"\n", "ID", "debian"},
	{"ID='debian'\n", "ID", "debian"},
	{"VERSION_ID=\"12\"\nID=debian", "ID", "debian"},
	{"ID_LIKE=rhel\nID=rocky\n", "ID", "rocky"},
	{"XID=debian\n", "ID", NULL},
	{"ID =debian\n", "ID", NULL},
	{"", "ID", NULL},
	{"PRETTY_NAME=\"Say \\\"hi\\\" \\\\ \\$x\"\n", "PRETTY_NAME", "Say \"hi\" \\ $x"},
	{"PRETTY_NAME='a \\ b'\n", "PRETTY_NAME", "a \\ b"},
	{"ID=\n", "ID", ""},
	{"ID=\"unterminated\n", "ID", "unterminated"},
};

START_TEST(os_release_values)
{
	const struct osr_case *c = &osr_cases[_i];
	char out[64];
	int rc = host_os_release_value(c->text, c->key, out, sizeof(out));

	if (c->want == NULL) {
		ck_assert_int_eq(rc, -1);
	} else {
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(out, c->want);
	}
}
END_TEST

START_TEST(os_release_value_is_cut_to_fit)
{
	char out[5];

	ck_assert_int_eq(host_os_release_value("ID=abcdefgh\n", "ID", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "abcd");
}
END_TEST

/* The facts of the scratch root into @h. */
static void read_tmp_root(struct host_info *h)
{
	struct rootfs *r = cu_open_root(cu_tmp);

	host_read(r, h);
	rootfs_close(r);
}

START_TEST(facts_from_a_mounted_root)
{
	struct host_info h;

	cu_write_at(cu_tmp, "etc/hostname", "  db-07 \n\nignored\n", 0644);
	cu_write_at(cu_tmp, "etc/machine-id", "5f0c2f0a8d1c4a5d9e8f7a6b5c4d3e2f\n", 0644);
	/* os-release only in usr/lib, as on images that drop the etc/ link */
	cu_write_at(cu_tmp, "usr/lib/os-release",
		"NAME=Rocky\nID=rocky\nVERSION_ID=\"9.4\"\n"
		"PRETTY_NAME=\"Rocky Linux 9.4 (Blue Onyx)\"\n", 0644);
	read_tmp_root(&h);
	ck_assert_str_eq(h.hostname, "db-07");
	ck_assert_str_eq(h.machine_id, "5f0c2f0a8d1c4a5d9e8f7a6b5c4d3e2f");
	ck_assert_str_eq(h.os_id, "rocky");
	ck_assert_str_eq(h.os_version_id, "9.4");
	ck_assert_str_eq(h.os_pretty_name, "Rocky Linux 9.4 (Blue Onyx)");
	/* the kernel of a mounted image is not the one running */
	ck_assert_str_eq(h.kernel, "");
}
END_TEST

START_TEST(missing_facts_stay_empty)
{
	struct host_info h;

	/* a value left from an earlier read must not survive */
	memset(&h, 'x', sizeof(h));
	read_tmp_root(&h);
	ck_assert_str_eq(h.hostname, "");
	ck_assert_str_eq(h.machine_id, "");
	ck_assert_str_eq(h.os_id, "");
	ck_assert_str_eq(h.os_pretty_name, "");
}
END_TEST

START_TEST(live_host_has_a_kernel)
{
	struct host_info h;
	struct rootfs *r;

	r = cu_open_root("/");
	host_read(r, &h);
	ck_assert_str_ne(h.kernel, "");
	ck_assert_str_ne(h.hostname, "");
	rootfs_close(r);
}
END_TEST

static Suite *host_suite(void)
{
	Suite *s = suite_create("host");
	TCase *tc = tcase_create("facts");
	TCase *files = tcase_create("files");

	tcase_add_loop_test(
		tc, os_release_values, 0, (int)(sizeof(osr_cases) / sizeof(osr_cases[0])));
	tcase_add_test(tc, os_release_value_is_cut_to_fit);
	tcase_add_test(tc, live_host_has_a_kernel);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(files, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(files, facts_from_a_mounted_root);
	tcase_add_test(files, missing_facts_stay_empty);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(host_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
