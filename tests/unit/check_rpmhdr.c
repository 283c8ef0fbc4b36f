/*
 * Unit tests for scanner/sources/rpmhdr (and rpmsql over memory): header blobs and a
 * Packages table the real rpm wrote (the fuzz seeds in tests/fuzz/rpmhdr and rpmsql), read
 * back tag by tag, then damaged, cut short and past the caps.
 */
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/kerr.h"
#include "base/limits.h"
#include "scanner/sources/rpmhdr.h"
#include "scanner/sources/rpmsql.h"
#include "check_util.h"

/* A seed file of tests/fuzz; free() it. */
static unsigned char *seed(const char *rel, size_t *n)
{
	const char *src = getenv("KSCAN_SRC");
	char path[PATH_MAX];

	ck_assert_msg(src != NULL, "KSCAN_SRC is not set: run through meson test");
	cu_fmt(path, sizeof(path), "%s/tests/fuzz/%s", src, rel);
	return (unsigned char *)cu_read(path, n);
}

/* The file walk's tally: how many, the first and the last. */
struct files {
	long n;
	char first[256];
	char last[256];
};

static int count_file(void *ctx, const char *path)
{
	struct files *f = ctx;

	if (f->n++ == 0) {
		cu_fmt(f->first, sizeof(f->first), "%s", path);
	}
	cu_fmt(f->last, sizeof(f->last), "%s", path);
	return 0;
}

/* manyfiles-1:2.0-3, installed by rpm 4.18: what `rpm -q --qf` and `rpm -ql` say of it. */
START_TEST(test_installed_header)
{
	struct files f = { 0 };
	struct rpmhdr h;
	struct kerr err;
	uint32_t epoch = 0, t = 0;
	unsigned char *b;
	size_t n;

	b = seed("rpmhdr/installed-manyfiles", &n);
	kerr_clear(&err);
	ck_assert_msg(rpmhdr_parse(&h, b, n, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(rpmhdr_str(&h, RPMHDR_TAG_NAME), "manyfiles");
	ck_assert_str_eq(rpmhdr_str(&h, RPMHDR_TAG_VERSION), "2.0");
	ck_assert_str_eq(rpmhdr_str(&h, RPMHDR_TAG_RELEASE), "3");
	ck_assert_str_eq(rpmhdr_str(&h, RPMHDR_TAG_ARCH), "noarch");
	ck_assert_str_eq(rpmhdr_str(&h, RPMHDR_TAG_SUMMARY), "many files");
	ck_assert_int_eq(rpmhdr_u32(&h, RPMHDR_TAG_EPOCH, &epoch), 1);
	ck_assert_uint_eq(epoch, 1);
	ck_assert_int_eq(rpmhdr_u32(&h, RPMHDR_TAG_INSTALLTIME, &t), 1);
	ck_assert_uint_gt(t, 0);
	/* absent, and of the wrong type */
	ck_assert_ptr_null(rpmhdr_str(&h, RPMHDR_TAG_VENDOR));
	ck_assert_int_eq(rpmhdr_u32(&h, RPMHDR_TAG_NAME, &t), -1);
	ck_assert_ptr_null(rpmhdr_str(&h, RPMHDR_TAG_EPOCH));
	ck_assert_int_eq(rpmhdr_files(&h, count_file, &f, &err), 306);
	ck_assert_int_eq(f.n, 306);
	ck_assert_str_eq(f.first, "/opt/many");
	ck_assert_str_eq(f.last, "/opt/many/e/file-9");
	free(b);
}
END_TEST

/* Offset of the data of @tag's entry in the blob @b. */
static size_t data_of(const unsigned char *b, uint32_t tag)
{
	uint32_t il = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	uint32_t i;

	for (i = 0; i < il; i++) {
		const unsigned char *e = b + 8 + 16 * (size_t)i;

		if (((uint32_t)e[2] << 8 | e[3]) == (tag & 0xffff) && e[0] == 0 && e[1] == 0) {
			return 8 + 16 * (size_t)il + ((size_t)e[10] << 8 | e[11]);
		}
	}
	ck_abort_msg("tag %u not found", tag);
	return 0;
}

/* One letter of the name changed: the digest of the immutable region no longer matches. */
START_TEST(test_digest)
{
	struct rpmhdr h;
	struct kerr err;
	unsigned char *b;
	size_t n;

	b = seed("rpmhdr/installed-foo", &n);
	b[data_of(b, RPMHDR_TAG_NAME)] ^= 0x20;
	kerr_clear(&err);
	ck_assert_int_eq(rpmhdr_parse(&h, b, n, &err), -1);
	ck_assert_int_eq(err.code, KERR_CORRUPT);
	ck_assert_msg(strstr(err.msg, "header digest mismatch (SHA-256)") != NULL, "%s", err.msg);
	free(b);
}
END_TEST

/* A region trailer whose offset is INT32_MIN: refused, without negating it (UBSan). */
START_TEST(test_trailer_int_min)
{
	static const unsigned char int_min[4] = {0x80, 0, 0, 0};
	struct rpmhdr h;
	struct kerr err;
	unsigned char *b;
	size_t n;

	b = seed("rpmhdr/installed-foo", &n);
	/* tag 63, the immutable region: its 16-byte trailer sits where its data is */
	memcpy(b + data_of(b, 63) + 8, int_min, sizeof(int_min));
	kerr_clear(&err);
	ck_assert_int_eq(rpmhdr_parse(&h, b, n, &err), -1);
	ck_assert_int_eq(err.code, KERR_CORRUPT);
	ck_assert_str_eq(err.msg, "malformed immutable region trailer");
	free(b);
}
END_TEST

/* Cut short, or counts past the caps: refused before anything is read. */
START_TEST(test_bounds)
{
	struct rpmhdr h;
	struct kerr err;
	unsigned char *b;
	size_t n;

	b = seed("rpmhdr/installed-foo", &n);
	kerr_clear(&err);
	ck_assert_int_eq(rpmhdr_parse(&h, b, n - 1, &err), -1);
	ck_assert_int_eq(err.code, KERR_CORRUPT);
	ck_assert_int_eq(rpmhdr_parse(&h, b, 7, &err), -1);
	b[0] = 0x7f;
	ck_assert_int_eq(rpmhdr_parse(&h, b, n, &err), -1);
	ck_assert_int_eq(err.code, KERR_LIMIT);
	free(b);
}
END_TEST

static int count_blob(void *ctx, unsigned id, const void *blob, size_t n, struct kerr *err)
{
	struct rpmhdr h;

	(void)id;
	if (rpmhdr_parse(&h, blob, n, err) != 0) {
		return -1;
	}
	ck_assert_ptr_nonnull(rpmhdr_str(&h, RPMHDR_TAG_NAME));
	(*(int *)ctx)++;
	return 0;
}

/* The Packages table of rpm's schema, from memory; junk is corrupt, not a crash. */
START_TEST(test_sqlite_mem)
{
	struct kerr err;
	unsigned char *b;
	size_t n;
	int seen = 0;

	b = seed("rpmsql/two-headers.sqlite", &n);
	kerr_clear(&err);
	ck_assert_int_eq(rpmsql_read_mem(b, n, count_blob, &seen, &err), 2);
	ck_assert_int_eq(seen, 2);
	memset(b + 1024, 0xa5, n - 1024);
	ck_assert_int_eq(rpmsql_read_mem(b, n, count_blob, &seen, &err), -1);
	ck_assert_int_eq(err.code, KERR_CORRUPT);
	free(b);
}
END_TEST

static Suite *rpmhdr_suite(void)
{
	Suite *s = suite_create("rpmhdr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_installed_header);
	tcase_add_test(tc, test_digest);
	tcase_add_test(tc, test_trailer_int_min);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_sqlite_mem);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rpmhdr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
