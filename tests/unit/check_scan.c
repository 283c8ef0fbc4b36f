/* Unit tests for scanner/scan: one whole quick scan of small roots built in a scratch dir. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "scanner/scan.h"
#include "signatures/sig.h"
#include "check_util.h"

static const char pack[] = "schema: 1\n"
			   "signatures:\n"
			   "  - id: test.kesl\n"
			   "    vendor: Kaspersky\n"
			   "    product: Endpoint Security\n"
			   "    paths: [{path: /opt/kaspersky/kesl, role: install}]\n"
			   "    packages: [{name: kesl}]\n";

static const char dpkg_ok[] = "Package: bash\n"
			      "Status: install ok installed\n"
			      "Version: 5.2\n"
			      "Architecture: amd64\n\n";

static struct sig_set *load(void)
{
	return cu_load_pack(pack);
}

/* The quick scan of cu_tmp; fails the test when no report comes back. */
static struct report *scan_tmp(const struct sig_set *s)
{
	struct scan_opts o;
	struct report *rep;
	struct kerr e;

	memset(&o, 0, sizeof(o));
	o.root = cu_tmp;
	kerr_clear(&e);
	rep = scan_run(&o, s, &e);
	ck_assert_msg(rep != NULL, "scan_run: %s", e.msg);
	return rep;
}

static const struct report_source *source(const struct report *rep, const char *name)
{
	size_t i;

	for (i = 0; i < rep->nsources; i++) {
		if (strcmp(rep->sources[i].name, name) == 0) {
			return &rep->sources[i];
		}
	}
	ck_abort_msg("no source %s", name);
	return NULL;
}

START_TEST(clean_root_is_clean)
{
	struct sig_set *s = load();
	struct report *rep;

	cu_write_at(cu_tmp, "var/lib/dpkg/status", dpkg_ok, 0644);
	cu_write_at(cu_tmp, "etc/hostname", "web-3\n", 0644);
	rep = scan_tmp(s);
	ck_assert_int_eq(rep->verdict, REPORT_CLEAN);
	ck_assert_uint_eq(rep->nfindings, 0);
	ck_assert_str_eq(rep->mode, "quick");
	ck_assert_str_eq(rep->root, cu_tmp);
	/* the host facts come through scan.c into the report */
	ck_assert_str_eq(rep->hostname, "web-3");
	ck_assert_ptr_null(rep->machine_id);
	ck_assert(!rep->live);
	ck_assert_int_eq(source(rep, "dpkg")->status, REPORT_SRC_OK);
	ck_assert_int_eq(source(rep, "paths")->status, REPORT_SRC_OK);
	report_free(rep);
	sig_set_free(s);
}
END_TEST

START_TEST(kaspersky_path_is_a_finding)
{
	struct sig_set *s = load();
	const struct report_finding *f;
	struct report *rep;
	char dir[PATH_MAX];

	cu_write_at(cu_tmp, "var/lib/dpkg/status", dpkg_ok, 0644);
	cu_path(dir, sizeof(dir), cu_tmp, "opt/kaspersky/kesl/bin");
	cu_mkdirs(dir, 0755);
	rep = scan_tmp(s);
	ck_assert_int_eq(rep->verdict, REPORT_DETECTED);
	ck_assert_uint_eq(rep->nfindings, 1);
	f = rep->findings[0];
	ck_assert_str_eq(f->signature, "test.kesl");
	ck_assert_int_eq(f->state, REPORT_STATE_INSTALLED);
	ck_assert_uint_eq(f->nev, 1);
	ck_assert_int_eq(f->ev[0].kind, REPORT_EV_PATH);
	ck_assert_str_eq(f->ev[0].path, "/opt/kaspersky/kesl");
	ck_assert_str_eq(f->ev[0].ftype, "dir");
	report_free(rep);
	sig_set_free(s);
}
END_TEST

START_TEST(unreadable_dpkg_status_is_incomplete)
{
	struct sig_set *s = load();
	struct report *rep;
	char dir[PATH_MAX];

	/* a directory where the status file belongs: the database is there but unreadable */
	cu_path(dir, sizeof(dir), cu_tmp, "var/lib/dpkg/status");
	cu_mkdirs(dir, 0755);
	rep = scan_tmp(s);
	ck_assert_int_eq(rep->verdict, REPORT_INCOMPLETE);
	ck_assert_uint_eq(rep->nfindings, 0);
	ck_assert_int_eq(source(rep, "dpkg")->status, REPORT_SRC_FAILED);
	ck_assert_ptr_nonnull(source(rep, "dpkg")->error);
	report_free(rep);
	sig_set_free(s);
}
END_TEST

START_TEST(missing_root_fails)
{
	struct sig_set *s = load();
	struct scan_opts o;
	struct kerr e;
	char dir[PATH_MAX];

	cu_path(dir, sizeof(dir), cu_tmp, "no-such-root");
	memset(&o, 0, sizeof(o));
	o.root = dir;
	kerr_clear(&e);
	ck_assert_ptr_null(scan_run(&o, s, &e));
	ck_assert_int_ne(e.code, KERR_OK);
	sig_set_free(s);
}
END_TEST

static Suite *scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("roots");

	tcase_add_checked_fixture(tc, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(tc, clean_root_is_clean);
	tcase_add_test(tc, kaspersky_path_is_a_finding);
	tcase_add_test(tc, unreadable_dpkg_status_is_incomplete);
	tcase_add_test(tc, missing_root_fails);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
