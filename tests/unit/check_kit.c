/* Kits by content: the never-a-kit endings, the magic, and a makeself bundle's payload. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xstd.h"
#include "scanner/deep/kit.h"

#define TAR_BLOCK 512

START_TEST(test_name_candidate)
{
	static const char *const never[] = {
		"libc.so", "libz.so.1.3", "stdio.h", "x.py", "ls.1.gz", "ext4.ko.xz", "ext4.ko.zst",
		"Makefile.in", "index.html", "grep.info.gz", "a.tar.c", "kesl.service", "copyright",
		"LICENSE", "changelog.Debian.gz", "NEWS.gz", "macros",
	};
	static const char *const maybe[] = {
		"kesl.deb", "download.bin", "kit.tar.gz", "kit.zip", "installer.run", "ls",
		"kesl.sh", "x.xz", ".hidden", "README.run", "kit.tgz",
	};
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(never); i++) {
		ck_assert_msg(!kit_name_candidate(never[i]), "%s", never[i]);
	}
	for (i = 0; i < XSTD_COUNTOF(maybe); i++) {
		ck_assert_msg(kit_name_candidate(maybe[i]), "%s", maybe[i]);
	}
}
END_TEST

/* A makeself 2.4 header: skip="N" says how many lines come before the payload. */
static const char bundle_head[] = "#!/bin/sh\n"
				  "# This script was generated using Makeself 2.4.5\n"
				  "skip=\"4\"\n"
				  "MS_Printf() { :; }\n";

START_TEST(test_magic)
{
	static const char deb[] = "!<arch>\ndebian-binary   1700000000  0     0     100644  4  ";
	static const char zip[] = "PK\3\4rest";
	static const char script[] = "#!/bin/sh\necho not a bundle\n";

	ck_assert_int_eq(kit_magic((const unsigned char *)deb, sizeof(deb) - 1), KIT_DEB);
	ck_assert_int_eq(kit_magic((const unsigned char *)zip, sizeof(zip) - 1), KIT_ZIP);
	ck_assert_int_eq(kit_magic((const unsigned char *)bundle_head, sizeof(bundle_head) - 1),
		KIT_SH);
	ck_assert_int_eq(kit_magic((const unsigned char *)script, sizeof(script) - 1), KIT_NONE);
	ck_assert_int_eq(kit_magic((const unsigned char *)"", 0), KIT_NONE);
}
END_TEST

/* One ustar header for a regular file @name of @size bytes. */
static void tar_header(unsigned char *h, const char *name, size_t size)
{
	unsigned sum = 0;
	size_t i;

	memset(h, 0, TAR_BLOCK);
	memcpy(h, name, strlen(name));
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	(void)snprintf((char *)h + 124, 12, "%011zo", size);
	memcpy(h + 136, "00000000000", 11);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < TAR_BLOCK; i++) {
		sum += h[i];
	}
	(void)snprintf((char *)h + 148, 8, "%06o", sum & 0777777u);
}

/* A scratch file holding @n bytes of @p, open for reading at offset 0. */
static int scratch(const void *p, size_t n)
{
	char path[] = "/tmp/check_kit.XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(xstd_write_all(fd, p, n), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

struct seen {
	char names[4][64];
	size_t n;
};

static int seen_member(void *ctx, const char *name)
{
	struct seen *s = ctx;

	if (s->n < 4) {
		(void)snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
	}
	return 0;
}

START_TEST(test_bundle_listed)
{
	static unsigned char buf[sizeof(bundle_head) + 4 * TAR_BLOCK];
	size_t off = sizeof(bundle_head) - 1;
	struct kit_meta m;
	struct seen s = {.n = 0};
	int fd;

	memcpy(buf, bundle_head, off);
	tar_header(buf + off, "./kesl_12.1.0-1297_amd64.deb", 3);
	memcpy(buf + off + TAR_BLOCK, "deb", 3);
	fd = scratch(buf, off + 4 * TAR_BLOCK);
	ck_assert_int_eq(kit_read(fd, KIT_SH, &m, seen_member, &s), KIT_OK);
	ck_assert_str_eq(m.format, "sh");
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.names[0], "./kesl_12.1.0-1297_amd64.deb");
	kit_meta_free(&m);
	xstd_close_quietly(fd);
}
END_TEST

START_TEST(test_bundle_corrupt)
{
	static const char no_skip[] = "#!/bin/sh\n# This script was generated using Makeself\n";
	static const char short_file[] = "#!/bin/sh\n# Makeself\nskip=\"900\"\n";
	static const char garbage[] = "#!/bin/sh\n# Makeself\nskip=\"3\"\nnot a tarball at all\n";
	const char *const cases[] = {no_skip, short_file, garbage};
	struct seen s = {.n = 0};
	struct kit_meta m;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(cases); i++) {
		int fd = scratch(cases[i], strlen(cases[i]));

		ck_assert_int_eq(kit_read(fd, KIT_SH, &m, seen_member, &s), KIT_CORRUPT);
		kit_meta_free(&m);
		xstd_close_quietly(fd);
	}
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

static Suite *kit_suite(void)
{
	Suite *s = suite_create("kit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_name_candidate);
	tcase_add_test(tc, test_magic);
	tcase_add_test(tc, test_bundle_listed);
	tcase_add_test(tc, test_bundle_corrupt);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
