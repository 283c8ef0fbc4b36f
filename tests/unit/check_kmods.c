/*
 * Unit tests for scanner/kmods: /proc/modules lines, module file names and their suffixes,
 * the walk of lib/modules (never through the build and source links, a merged /usr read
 * once), and loaded modules read from a tree laid out like /proc.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "scanner/probes/kmods.h"
#include "scanner/sources/rootfs.h"
#include "base/xstd.h"
#include "check_util.h"

static char outside[PATH_MAX];

/* cu_tmp is the root; @outside is a second directory for symlinks that leave it. */
static void setup(void)
{
	cu_tmp_setup();
	cu_mkdtemp(outside, sizeof(outside), "kmods-out");
}

static void teardown(void)
{
	cu_rmtree(outside);
	cu_tmp_teardown();
}

START_TEST(test_parse_line)
{
	static const char *const bad[] = {
		"", "kvm", "kvm ", "kvm x 0 - Live 0x0", "bad!name 16384 0 - Live 0x0",
		" kvm 16384 0 - Live 0x0", "kvm.ko 16384 0 - Live 0x0",
	};
	char name[KMODS_NAME_MAX + 1];
	size_t i;

	ck_assert_int_eq(kmods_parse_line("kvm_intel 372736 0 - Live 0x0000000000000000", 44,
		name), 0);
	ck_assert_str_eq(name, "kvm_intel");
	ck_assert_int_eq(kmods_parse_line("kav4fs_oas 12 1 redirfs, Live 0xffffffffc0a00000 (OE)",
		53, name), 0);
	ck_assert_str_eq(name, "kav4fs_oas");
	for (i = 0; i < XSTD_COUNTOF(bad); i++) {
		errno = 0;
		ck_assert_msg(kmods_parse_line(bad[i], strlen(bad[i]), name) == -1, "accepted: %s",
			bad[i]);
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

START_TEST(test_file_name)
{
	static const struct {
		const char *file;
		const char *name;
	} cases[] = {
		{"kav4fs_oas.ko", "kav4fs_oas"}, {"kav4fs-oas.ko.xz", "kav4fs_oas"},
		{"redirfs.ko.zst", "redirfs"}, {"kvm.ko.gz", "kvm"}, {"x.ko.bz2", NULL},
		{"x.txt", NULL}, {".ko", NULL}, {"kvm.ko.xz.orig", NULL}, {"a b.ko", NULL},
		{"modules.dep", NULL},
	};
	char name[KMODS_NAME_MAX + 1];
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(cases); i++) {
		bool is = kmods_file_name(cases[i].file, name);

		ck_assert_msg(is == (cases[i].name != NULL), "%s", cases[i].file);
		if (is) {
			ck_assert_str_eq(name, cases[i].name);
		}
	}
	memcpy(name, "a-b-c", 6);
	kmods_normalize(name);
	ck_assert_str_eq(name, "a_b_c");
}
END_TEST

/* Collects "loaded NAME" and "file NAME PATH RELEASE" lines. */
static int on_loaded(void *ctx, const char *name)
{
	buf_addf(ctx, "loaded %s\n", name);
	return 0;
}

static int on_file(void *ctx, const char *name, const char *path, const char *release)
{
	buf_addf(ctx, "file %s %s %s\n", name, path, release);
	return 0;
}

START_TEST(test_scan_files)
{
	struct kmods_sink sink = {on_loaded, on_file, NULL};
	struct kmods_counts c;
	struct rootfs *r;
	struct kerr e;
	struct buf b;
	char *got;

	cu_sh("cd '%s' && mkdir -p lib/modules/6.1.0-a/kernel/arch/x86/kvm "
		"lib/modules/6.1.0-a/extra lib/modules/6.1.0-a/misc lib/modules/5.10.0-b/updates "
		"usr/lib/modules/6.2.0/extra && "
		"echo x > lib/modules/6.1.0-a/kernel/arch/x86/kvm/kvm.ko && "
		"echo x > lib/modules/6.1.0-a/extra/kav4fs_oas.ko.zst && "
		"echo x > lib/modules/6.1.0-a/misc/notes.txt && "
		"echo x > lib/modules/6.1.0-a/modules.dep && "
		"echo x > lib/modules/5.10.0-b/updates/redir-fs.ko.gz && "
		"echo x > usr/lib/modules/6.2.0/extra/kesl.ko.xz && "
		"mkdir -p '%s/src/drivers' && echo x > '%s/src/drivers/evil.ko' && "
		"ln -s '%s/src' lib/modules/6.1.0-a/build && "
		"ln -s /lib/modules/6.1.0-a/kernel lib/modules/6.1.0-a/loop && "
		"echo x > lib/modules/6.1.0-a/linked.ko.tmp && ln -s linked.ko.tmp "
		"lib/modules/6.1.0-a/linked.ko && ln -s 6.1.0-a lib/modules/latest",
		cu_tmp, outside, outside, outside);
	r = cu_open_root(cu_tmp);
	buf_init(&b, 1 << 16);
	sink.ctx = &b;
	memset(&c, 0, sizeof(c));
	kerr_clear(&e);
	ck_assert_int_eq(kmods_scan_files(r, &sink, &c, &e), 1);
	got = cu_sorted_lines(buf_str(&b));
	ck_assert_str_eq(got,
		"file kav4fs_oas /lib/modules/6.1.0-a/extra/kav4fs_oas.ko.zst 6.1.0-a\n"
		"file kesl /usr/lib/modules/6.2.0/extra/kesl.ko.xz 6.2.0\n"
		"file kvm /lib/modules/6.1.0-a/kernel/arch/x86/kvm/kvm.ko 6.1.0-a\n"
		"file redir_fs /lib/modules/5.10.0-b/updates/redir-fs.ko.gz 5.10.0-b\n");
	ck_assert_uint_eq(c.kernels, 3);
	ck_assert_uint_eq(c.files, 4);
	ck_assert_uint_eq(c.errors, 0);
	free(got);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

/* With a merged /usr, lib is a link to usr/lib: its modules are counted once. */
START_TEST(test_scan_merged_usr)
{
	struct kmods_sink sink = {on_loaded, on_file, NULL};
	struct kmods_counts c;
	struct rootfs *r;
	struct kerr e;
	struct buf b;

	cu_sh("cd '%s' && mkdir -p usr/lib/modules/6.1.0/extra && ln -s usr/lib lib && "
		"echo x > usr/lib/modules/6.1.0/extra/kav4fs_oas.ko", cu_tmp);
	r = cu_open_root(cu_tmp);
	buf_init(&b, 1 << 16);
	sink.ctx = &b;
	memset(&c, 0, sizeof(c));
	kerr_clear(&e);
	ck_assert_int_eq(kmods_scan_files(r, &sink, &c, &e), 1);
	ck_assert_str_eq(buf_str(&b),
		"file kav4fs_oas /lib/modules/6.1.0/extra/kav4fs_oas.ko 6.1.0\n");
	ck_assert_uint_eq(c.kernels, 1);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

START_TEST(test_scan_none)
{
	struct kmods_sink sink = {on_loaded, on_file, NULL};
	struct kmods_counts c;
	struct rootfs *r = cu_open_root(cu_tmp);
	struct kerr e;

	memset(&c, 0, sizeof(c));
	kerr_clear(&e);
	ck_assert_int_eq(kmods_scan_files(r, &sink, &c, &e), 0);
	ck_assert_uint_eq(c.kernels + c.files + c.errors, 0);
	rootfs_close(r);
}
END_TEST

START_TEST(test_read_loaded)
{
	struct kmods_sink sink = {on_loaded, on_file, NULL};
	struct kmods_counts c;
	struct kerr e;
	struct buf b;
	int fd;

	fd = open(cu_tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	buf_init(&b, 1 << 16);
	sink.ctx = &b;
	memset(&c, 0, sizeof(c));
	kerr_clear(&e);
	/* a kernel without loadable modules has no /proc/modules */
	ck_assert_int_eq(kmods_read_loaded(fd, &sink, &c, &e), 0);
	cu_sh("printf '%%s\\n' 'kav4fs_oas 40960 1 redirfs, Live 0x0 (OE)' 'redirfs 53248 1 "
		"kav4fs_oas, Live 0x0 (OE)' 'broken line here' 'kvm 1142784 0 - Live 0x0' > "
		"'%s/modules'", cu_tmp);
	ck_assert_int_eq(kmods_read_loaded(fd, &sink, &c, &e), 1);
	ck_assert_str_eq(buf_str(&b), "loaded kav4fs_oas\nloaded redirfs\nloaded kvm\n");
	ck_assert_uint_eq(c.loaded, 3);
	ck_assert_uint_eq(c.errors, 1);
	ck_assert_str_eq(e.msg, "/proc/modules:3: Invalid argument");
	buf_free(&b);
	close(fd);
}
END_TEST

static Suite *kmods_suite(void)
{
	Suite *s = suite_create("kmods");
	TCase *parse = tcase_create("parse");
	TCase *files = tcase_create("files");

	tcase_add_test(parse, test_parse_line);
	tcase_add_test(parse, test_file_name);
	suite_add_tcase(s, parse);
	tcase_add_checked_fixture(files, setup, teardown);
	tcase_add_test(files, test_scan_files);
	tcase_add_test(files, test_scan_merged_usr);
	tcase_add_test(files, test_scan_none);
	tcase_add_test(files, test_read_loaded);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kmods_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
