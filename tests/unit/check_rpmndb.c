/*
 * The ndb Packages.db reader on databases the real rpm 4.20 wrote (tests/fuzz/rpmndb, made
 * by Debian 13's rpm with %_db_backend ndb: a, b and c installed, a upgraded, c erased; and
 * a fresh --initdb), and on copies damaged one field at a time.
 * The "fixture" case reads the larger database tests/integration/rpm-ndb.sh builds, named by
 * KSCAN_NDB_FIXTURE, against that rpm's own -qa list in KSCAN_NDB_ORACLE; it passes
 * trivially when they are unset.
 */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/kerr.h"
#include "base/limits.h"
#include "check_util.h"
#include "scanner/sources/rpmfile.h"
#include "scanner/sources/rpmhdr.h"
#include "scanner/sources/rpmndb.h"

/* What the seed's rpm -qa printed (NAME EPOCHNUM VERSION RELEASE ARCH), sorted. */
#define SEED_QA "a\t0\t1.1\t1\tnoarch\nb\t0\t2\t3\tnoarch\n"

/* Lines collected by the callback. */
struct seen {
	char out[1 << 16];
	size_t n;
	unsigned calls;
	int fail_at;
};

/* rpmhdr_blob_fn: parses the blob and appends the rpm -qa line it gives. */
static int collect(void *arg, unsigned id, const void *blob, size_t n, struct kerr *err)
{
	struct seen *s = arg;
	struct rpmhdr h;
	uint32_t epoch = 0;
	int w;

	(void)id;
	if (++s->calls == (unsigned)s->fail_at) {
		return kerr_set(err, KERR_INTERNAL, "stopped by the callback");
	}
	if (rpmhdr_parse(&h, blob, n, err) != 0) {
		return -1;
	}
	ck_assert_int_ge(rpmhdr_u32(&h, RPMHDR_TAG_EPOCH, &epoch), 0);
	w = snprintf(s->out + s->n, sizeof(s->out) - s->n, "%s\t%u\t%s\t%s\t%s\n",
		rpmhdr_str(&h, RPMHDR_TAG_NAME), (unsigned)epoch,
		rpmhdr_str(&h, RPMHDR_TAG_VERSION), rpmhdr_str(&h, RPMHDR_TAG_RELEASE),
		rpmhdr_str(&h, RPMHDR_TAG_ARCH));
	ck_assert(w > 0 && (size_t)w < sizeof(s->out) - s->n);
	s->n += (size_t)w;
	return 0;
}

static unsigned char *seed(const char *name, size_t *len)
{
	char path[4096];
	const char *src = getenv("KSCAN_SRC");

	ck_assert_ptr_nonnull(src);
	cu_fmt(path, sizeof(path), "%s/tests/fuzz/rpmndb/%s", src, name);
	return (unsigned char *)cu_read(path, len);
}

/* rpmndb_read over @n bytes at @p, the callback collecting into @s. */
static long read_mem(const unsigned char *p, size_t n, struct seen *s, struct kerr *err)
{
	struct rpmfile f;

	memset(s, 0, sizeof(*s));
	kerr_clear(err);
	rpmfile_mem(&f, p, n);
	return rpmndb_read(&f, collect, s, err);
}

static uint32_t le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
}

static void put_le(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* The file offset of the @i-th used slot of the seed (slot order). */
static size_t used_slot(const unsigned char *d, unsigned i)
{
	size_t o;

	for (o = 32; o < 4096; o += 16) {
		if (le(d + o + 8) != 0 && i-- == 0) {
			return o;
		}
	}
	ck_abort_msg("no used slot %u", i);
	return 0;
}

/* Expects the read of @d to fail as @code with @want in the message. */
static void expect_fail(const unsigned char *d, size_t n, enum kerr_code code, const char *want)
{
	struct seen *s = malloc(sizeof(*s));
	struct kerr err;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(read_mem(d, n, s, &err), -1);
	ck_assert_int_eq(err.code, code);
	ck_assert_msg(strstr(err.msg, want) != NULL, "'%s' lacks '%s'", err.msg, want);
	free(s);
}

START_TEST(test_seed_fd_and_mem)
{
	char path[4096];
	struct seen *s = malloc(sizeof(*s));
	struct rpmfile f;
	struct kerr err;
	unsigned char *d;
	char *sorted;
	size_t n;
	int fd;

	ck_assert_ptr_nonnull(s);
	d = seed("upgraded-erased.db", &n);
	ck_assert_int_eq(read_mem(d, n, s, &err), 2);
	sorted = cu_sorted_lines(s->out);
	ck_assert_str_eq(sorted, SEED_QA);
	free(sorted);

	cu_fmt(path, sizeof(path), "%s/tests/fuzz/rpmndb/upgraded-erased.db",
		getenv("KSCAN_SRC"));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rpmfile_fd(&f, fd), 0);
	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(rpmndb_read(&f, collect, s, &err), 2);
	sorted = cu_sorted_lines(s->out);
	ck_assert_str_eq(sorted, SEED_QA);
	free(sorted);
	close(fd);
	free(d);
	free(s);
}
END_TEST

START_TEST(test_empty)
{
	struct seen *s = malloc(sizeof(*s));
	struct kerr err;
	unsigned char *d;
	size_t n;

	ck_assert_ptr_nonnull(s);
	d = seed("empty.db", &n);
	ck_assert_uint_eq(n, 4096);
	ck_assert_int_eq(read_mem(d, n, s, &err), 0);
	ck_assert_uint_eq(s->calls, 0);
	free(d);
	free(s);
}
END_TEST

/* Every cut of the file fails cleanly: never a crash, never a partial success. */
START_TEST(test_every_truncation)
{
	struct seen *s = malloc(sizeof(*s));
	struct kerr err;
	unsigned char *d;
	size_t n, cut;

	ck_assert_ptr_nonnull(s);
	d = seed("upgraded-erased.db", &n);
	for (cut = 0; cut < n; cut++) {
		ck_assert_int_eq(read_mem(d, cut, s, &err), -1);
		ck_assert_int_eq(err.code, KERR_CORRUPT);
	}
	expect_fail(d, n - 16, KERR_CORRUPT, "past the end of the file");
	expect_fail(d, 20, KERR_CORRUPT, "the header at offset 0");
	expect_fail(d, n - 1, KERR_CORRUPT, "not a multiple of 16");
	free(d);
	free(s);
}
END_TEST

START_TEST(test_header)
{
	unsigned char *d;
	size_t n;

	d = seed("upgraded-erased.db", &n);
	d[0] = 'r';
	expect_fail(d, n, KERR_CORRUPT, "no RpmP magic");
	d[0] = 'R';
	put_le(d + 4, 1);
	expect_fail(d, n, KERR_CORRUPT, "version 1");
	put_le(d + 4, 0);
	put_le(d + 12, 0);
	expect_fail(d, n, KERR_CORRUPT, "0 slot pages");
	put_le(d + 12, 3);
	expect_fail(d, n, KERR_CORRUPT, "3 slot pages at offset 12, the file holds 1");
	put_le(d + 12, 1);
	memcpy(d + 4096 - 16, "Slit", 4);
	expect_fail(d, n, KERR_CORRUPT, "slot 255 at offset 4080: no Slot magic");
	free(d);
}
END_TEST

/* More slot pages than KS_RPMDB_PACKAGES_MAX slots need: refused before any is read. */
START_TEST(test_slot_pages_cap)
{
	size_t n = ((size_t)KS_RPMNDB_SLOT_PAGES_MAX + 1) * 4096;
	unsigned char *d = calloc(1, n);

	ck_assert_ptr_nonnull(d);
	memcpy(d, "RpmP", 4);
	put_le(d + 12, KS_RPMNDB_SLOT_PAGES_MAX + 1);
	expect_fail(d, n, KERR_LIMIT, "slot pages, over");
	free(d);
}
END_TEST

START_TEST(test_slots)
{
	unsigned char *d;
	size_t n, o0, o1;

	d = seed("upgraded-erased.db", &n);
	o0 = used_slot(d, 0);
	o1 = used_slot(d, 1);
	/* a slot pointing past the end */
	put_le(d + o0 + 8, (uint32_t)(n / 16));
	expect_fail(d, n, KERR_CORRUPT, "past the end of the file");
	put_le(d + o0 + 8, 0xfffffff0u);
	expect_fail(d, n, KERR_CORRUPT, "past the end of the file");
	/* inside the slot pages */
	put_le(d + o0 + 8, 1);
	expect_fail(d, n, KERR_CORRUPT, "inside the slot pages");
	free(d);

	d = seed("upgraded-erased.db", &n);
	put_le(d + o0 + 4, 0);
	expect_fail(d, n, KERR_CORRUPT, "used with pkgidx 0");
	put_le(d + o0 + 4, le(d + o1 + 4));
	expect_fail(d, n, KERR_CORRUPT, "both hold pkgidx");
	free(d);

	d = seed("upgraded-erased.db", &n);
	/* two slots sharing blocks */
	put_le(d + o0 + 8, le(d + o1 + 8) + 1);
	expect_fail(d, n, KERR_CORRUPT, "overlaps");
	free(d);
}
END_TEST

START_TEST(test_blobs)
{
	unsigned char *d;
	size_t n, o, blob;

	d = seed("upgraded-erased.db", &n);
	o = used_slot(d, 0);
	blob = (size_t)le(d + o + 8) * 16;
	/* the slot and the blob disagree on the package */
	put_le(d + o + 4, 999);
	expect_fail(d, n, KERR_CORRUPT, "holds pkgidx");
	expect_fail(d, n, KERR_CORRUPT, "the slot says 999");
	free(d);

	d = seed("upgraded-erased.db", &n);
	memcpy(d + blob, "BlbX", 4);
	expect_fail(d, n, KERR_CORRUPT, "no BlbS magic");
	memcpy(d + blob, "BlbS", 4);
	/* a length the slot's blocks cannot hold, and one over the cap */
	put_le(d + blob + 12, le(d + blob + 12) + 64);
	expect_fail(d, n, KERR_CORRUPT, "blocks, the slot has");
	put_le(d + blob + 12, 0xffffffffu);
	expect_fail(d, n, KERR_LIMIT, "over");
	free(d);

	d = seed("upgraded-erased.db", &n);
	/* one bit of the header blob flipped: the Adler-32 catches it */
	d[blob + 40] ^= 1;
	expect_fail(d, n, KERR_CORRUPT, "fails its Adler-32");
	d[blob + 40] ^= 1;
	/* the trailer */
	o = blob + (size_t)le(d + o + 12) * 16 - 4;
	memcpy(d + o, "BlbF", 4);
	expect_fail(d, n, KERR_CORRUPT, "lacks BlbE");
	free(d);
}
END_TEST

START_TEST(test_callback_stops)
{
	struct seen *s = malloc(sizeof(*s));
	struct rpmfile f;
	struct kerr err;
	unsigned char *d;
	size_t n;

	ck_assert_ptr_nonnull(s);
	d = seed("upgraded-erased.db", &n);
	memset(s, 0, sizeof(*s));
	s->fail_at = 2;
	rpmfile_mem(&f, d, n);
	ck_assert_int_eq(rpmndb_read(&f, collect, s, &err), -1);
	ck_assert_int_eq(err.code, KERR_INTERNAL);
	ck_assert_uint_eq(s->calls, 2);
	free(d);
	free(s);
}
END_TEST

/* The integration test's database: rpmndb_read + rpmhdr against the real rpm -qa. */
START_TEST(test_fixture)
{
	const char *db = getenv("KSCAN_NDB_FIXTURE"), *qa = getenv("KSCAN_NDB_ORACLE");
	struct seen *s;
	struct rpmfile f;
	struct kerr err;
	char *want, *got;
	long n;
	int fd;

	if (db == NULL || qa == NULL) {
		return;
	}
	s = calloc(1, sizeof(*s));
	ck_assert_ptr_nonnull(s);
	fd = open(db, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rpmfile_fd(&f, fd), 0);
	n = rpmndb_read(&f, collect, s, &err);
	ck_assert_msg(n >= 0, "%s", err.msg);
	want = cu_read(qa, NULL);
	got = cu_sorted_lines(s->out);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	close(fd);
	free(s);
}
END_TEST

static Suite *rpmndb_suite(void)
{
	Suite *s = suite_create("rpmndb");
	TCase *tc = tcase_create("core");
	TCase *fx = tcase_create("fixture");

	tcase_add_test(tc, test_seed_fd_and_mem);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_every_truncation);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_slot_pages_cap);
	tcase_add_test(tc, test_slots);
	tcase_add_test(tc, test_blobs);
	tcase_add_test(tc, test_callback_stops);
	suite_add_tcase(s, tc);
	tcase_add_test(fx, test_fixture);
	suite_add_tcase(s, fx);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rpmndb_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
