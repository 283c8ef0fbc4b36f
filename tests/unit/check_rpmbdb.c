/*
 * Unit tests for scanner/rpmbdb: a Berkeley DB Packages file written by the real rpm 4.16
 * (tests/lib/rpm-bdb.sh: overflow pages, an upgrade, an erase, a Kaspersky package), read
 * by rpmbdb_read() + rpmhdr and compared with what that rpm lists, in the file's own byte
 * order and byte-swapped (tests/lib/bdb-swap.py, checked by rpm itself); then the same file
 * truncated, with looping chains and with hostile meta and item fields: an error naming the
 * page, never a crash or a hang (Check's timeout would catch one).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "base/buf.h"
#include "base/kerr.h"
#include "scanner/sources/rpmbdb.h"
#include "scanner/sources/rpmfile.h"
#include "scanner/sources/rpmhdr.h"
#include "check_util.h"

#define P_OVERFLOW 7
#define P_HASH 13
#define H_OFFPAGE 3

/* The fixture made once by main(): <fx>/root, <fx>/rpm-qa.tsv, <fx>/swapped/... */
static char fx[PATH_MAX];

/* What one read gave. */
struct got {
	long rc;
	struct kerr err;
	struct buf lines;
	size_t max_blob;
	/* stop after this many headers (0: never) */
	long stop_after;
	long seen;
};

/* rpmhdr_blob_fn: one "name epochnum version release arch" line per header, as rpm -qa. */
static int collect(void *ctx, unsigned id, const void *blob, size_t n, struct kerr *err)
{
	struct got *g = ctx;
	struct rpmhdr h;
	uint32_t epoch = 0;

	if (g->stop_after != 0 && ++g->seen > g->stop_after) {
		return kerr_set(err, KERR_INTERNAL, "stopped by the callback at #%u", id);
	}
	if (rpmhdr_parse(&h, blob, n, err) != 0) {
		return -1;
	}
	if (rpmhdr_u32(&h, RPMHDR_TAG_EPOCH, &epoch) < 0) {
		return kerr_set(err, KERR_CORRUPT, "#%u: bad epoch", id);
	}
	g->max_blob = n > g->max_blob ? n : g->max_blob;
	ck_assert_int_eq(buf_addf(&g->lines, "%s\t%u\t%s\t%s\t%s\n",
		rpmhdr_str(&h, RPMHDR_TAG_NAME), epoch, rpmhdr_str(&h, RPMHDR_TAG_VERSION),
		rpmhdr_str(&h, RPMHDR_TAG_RELEASE), rpmhdr_str(&h, RPMHDR_TAG_ARCH)), 0);
	return 0;
}

static void got_init(struct got *g)
{
	memset(g, 0, sizeof(*g));
	buf_init(&g->lines, (size_t)1 << 24);
	kerr_clear(&g->err);
}

/* rpmbdb_read() over @n bytes at @p. */
static void read_mem(const void *p, size_t n, struct got *g)
{
	struct rpmfile f;

	rpmfile_mem(&f, p, n);
	g->rc = rpmbdb_read(&f, collect, g, &g->err);
}

/* The fixture's Packages file (@rel: "root" or "swapped/root") in memory. */
static unsigned char *packages(const char *rel, size_t *len)
{
	char path[PATH_MAX];

	cu_fmt(path, sizeof(path), "%s/%s/var/lib/rpm/Packages", fx, rel);
	return (unsigned char *)cu_read(path, len);
}

/* The read's lines, sorted, equal what rpm listed in <fx>/@tsv. */
static void assert_same_as_rpm(struct got *g, const char *tsv)
{
	char path[PATH_MAX];
	char *want, *sorted_want, *sorted_got;

	ck_assert_msg(g->rc > 0, "rpmbdb_read: %ld: %s", g->rc, g->err.msg);
	cu_fmt(path, sizeof(path), "%s/%s", fx, tsv);
	want = cu_read(path, NULL);
	sorted_want = cu_sorted_lines(want);
	sorted_got = cu_sorted_lines(buf_str(&g->lines));
	ck_assert_str_eq(sorted_got, sorted_want);
	/* big, upg, kesl and the subpackages; gone erased, upg's old header freed */
	ck_assert_ptr_nonnull(strstr(sorted_got, "kesl\t0\t11.4.0\t1\tnoarch\n"));
	ck_assert_ptr_nonnull(strstr(sorted_got, "upg\t2\t1.1\t2\tnoarch\n"));
	ck_assert_ptr_null(strstr(sorted_got, "gone\t"));
	ck_assert_ptr_null(strstr(sorted_got, "upg\t1\t1.0"));
	free(sorted_got);
	free(sorted_want);
	free(want);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* The fixture was written on this (little-endian) test host; the tests patch it so. */
static uint32_t pagesize_of(const unsigned char *db)
{
	ck_assert_uint_eq(le32(db + 12), 0x061561);
	return le32(db + 20);
}

/* The offset in @db of the first off-page (overflow) data item of a hash page. */
static size_t first_offpage_item(const unsigned char *db, size_t len)
{
	uint32_t ps = pagesize_of(db);
	size_t pg, i;

	for (pg = 1; (pg + 1) * ps <= len; pg++) {
		const unsigned char *p = db + pg * ps;

		if (p[25] != P_HASH) {
			continue;
		}
		for (i = 1; i < le16(p + 20); i += 2) {
			uint32_t off = le16(p + 26 + 2 * i);

			if (p[off] == H_OFFPAGE) {
				return pg * ps + off;
			}
		}
	}
	ck_abort_msg("no off-page item in the fixture");
	return 0;
}

static void assert_corrupt(struct got *g, enum kerr_code code, const char *says)
{
	ck_assert_int_eq(g->rc, -1);
	ck_assert_msg(g->err.code == code, "code %d, want %d: %s", g->err.code, code,
		g->err.msg);
	ck_assert_msg(strstr(g->err.msg, says) != NULL, "'%s' does not say '%s'", g->err.msg,
		says);
}

START_TEST(test_same_as_rpm_qa)
{
	char path[PATH_MAX];
	struct rpmfile f;
	struct got g;
	FILE *fp;

	/* through a descriptor, as rpmdb.c reads it */
	got_init(&g);
	cu_fmt(path, sizeof(path), "%s/root/var/lib/rpm/Packages", fx);
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(rpmfile_fd(&f, fileno(fp)), 0);
	g.rc = rpmbdb_read(&f, collect, &g, &g.err);
	fclose(fp);
	assert_same_as_rpm(&g, "rpm-qa.tsv");
	/* big's 600 files: a header larger than a page, read from its overflow pages */
	ck_assert_uint_gt(g.max_blob, 4096);
	buf_free(&g.lines);
}
END_TEST

START_TEST(test_swapped_same_as_rpm_qa)
{
	unsigned char *db;
	struct got g;
	size_t len;

	got_init(&g);
	db = packages("swapped/root", &len);
	ck_assert_uint_eq(db[12], 0x00);
	ck_assert_uint_eq(db[15], 0x61);
	read_mem(db, len, &g);
	assert_same_as_rpm(&g, "swapped/rpm-qa.tsv");
	/* and the same as the file it came from */
	assert_same_as_rpm(&g, "rpm-qa.tsv");
	free(db);
	buf_free(&g.lines);
}
END_TEST

/* Cut at every page boundary and a few bytes past each: an error, never a partial list. */
START_TEST(test_truncated)
{
	unsigned char *db;
	size_t len, cut;
	uint32_t ps;

	db = packages("root", &len);
	ps = pagesize_of(db);
	for (cut = 0; cut < len; cut += cut % ps == 0 ? 100 : ps - cut % ps) {
		struct got g;

		got_init(&g);
		read_mem(db, cut, &g);
		ck_assert_msg(g.rc == -1 && g.err.code == KERR_CORRUPT,
			"cut at %zu: rc %ld, %s", cut, g.rc, g.err.msg);
		buf_free(&g.lines);
	}
	free(db);
}
END_TEST

/* An overflow chain a -> b -> c made to loop b -> a. */
START_TEST(test_overflow_loop)
{
	unsigned char *db;
	uint32_t ps, a, b;
	struct got g;
	size_t len;

	db = packages("root", &len);
	ps = pagesize_of(db);
	for (a = 1; (size_t)(a + 1) * ps <= len; a++) {
		unsigned char *pa = db + (size_t)a * ps;

		b = le32(pa + 16);
		if (pa[25] == P_OVERFLOW && b != 0 && db[(size_t)b * ps + 25] == P_OVERFLOW &&
		    le32(db + (size_t)b * ps + 16) != 0) {
			break;
		}
	}
	ck_assert_msg((size_t)(a + 1) * ps <= len, "no chain of 3 overflow pages");
	put_le32(db + (size_t)b * ps + 16, a);
	got_init(&g);
	read_mem(db, len, &g);
	assert_corrupt(&g, KERR_CORRUPT, "reached twice");
	free(db);
	buf_free(&g.lines);
}
END_TEST

/* Bucket 0's page (spares[0] + 0) made its own successor. */
START_TEST(test_bucket_loop)
{
	unsigned char *db;
	uint32_t ps, first;
	struct got g;
	size_t len;

	db = packages("root", &len);
	ps = pagesize_of(db);
	first = le32(db + 96);
	ck_assert_uint_eq(db[(size_t)first * ps + 25], P_HASH);
	put_le32(db + (size_t)first * ps + 16, first);
	got_init(&g);
	read_mem(db, len, &g);
	assert_corrupt(&g, KERR_CORRUPT, "reached twice");
	free(db);
	buf_free(&g.lines);
}
END_TEST

/*
 * A page libdb allocated with a doubling of the table but never wrote is all zeros: an
 * empty bucket at the head of a bucket's chain, corruption in the middle of one.
 */
START_TEST(test_zero_page)
{
	unsigned char *db;
	uint32_t ps, first, z;
	struct got g;
	size_t len;

	db = packages("root", &len);
	ps = pagesize_of(db);
	first = le32(db + 96);
	/* a freed page (the erased package's, the upgraded one's old header) */
	for (z = 1; (size_t)(z + 1) * ps <= len && db[(size_t)z * ps + 25] != 0; z++) {
	}
	ck_assert_msg((size_t)(z + 1) * ps <= len, "no freed page");
	memset(db + (size_t)z * ps, 0, ps);
	put_le32(db + (size_t)first * ps + 16, z);
	got_init(&g);
	read_mem(db, len, &g);
	assert_corrupt(&g, KERR_CORRUPT, "not a hash page");
	buf_free(&g.lines);
	/* bucket 0 itself zeroed: its headers are gone, the others still read */
	put_le32(db + (size_t)first * ps + 16, 0);
	memset(db + (size_t)first * ps, 0, ps);
	got_init(&g);
	read_mem(db, len, &g);
	ck_assert_msg(g.rc >= 0, "%s", g.err.msg);
	buf_free(&g.lines);
	free(db);
}
END_TEST

/* Hostile meta page fields, by offset and value, and what the error must say. */
static const struct {
	size_t off;
	uint32_t value;
	enum kerr_code code;
	const char *says;
} metas[] = {
	{ 12, 0, KERR_CORRUPT, "not a Berkeley DB hash" },
	{ 12, 0x053162, KERR_CORRUPT, "btree" },
	{ 20, 1000, KERR_CORRUPT, "page size 1000" },
	{ 20, 1u << 20, KERR_CORRUPT, "page size" },
	{ 16, 99, KERR_CORRUPT, "hash version 99" },
	{ 32, 0xffffffffu, KERR_CORRUPT, "truncated" },
	{ 72, 0xfffffffeu, KERR_CORRUPT, "buckets in a file" },
	{ 96, 0x7fffffffu, KERR_CORRUPT, "maps to page" },
	{ 36, 4, KERR_UNSUPPORTED, "partitioned" },
};

START_TEST(test_hostile_meta)
{
	unsigned char *db;
	struct got g;
	size_t len;

	db = packages("root", &len);
	put_le32(db + metas[_i].off, metas[_i].value);
	got_init(&g);
	read_mem(db, len, &g);
	assert_corrupt(&g, metas[_i].code, metas[_i].says);
	free(db);
	buf_free(&g.lines);
}
END_TEST

/* Hostile off-page items: at the first one, offset in the item, value, the error. */
static const struct {
	size_t off;
	uint32_t value;
	enum kerr_code code;
	const char *says;
} items[] = {
	{ 8, 0xfffffff0u, KERR_LIMIT, "over the" },
	{ 8, 1u << 24, KERR_CORRUPT, "off-page item of" },
	{ 8, 1, KERR_CORRUPT, "not one of its overflow pages" },
	{ 8, 0, KERR_CORRUPT, "off-page item of 0 bytes" },
	{ 4, 0, KERR_CORRUPT, "chain ends after 0 of" },
	{ 4, 0x7fffffffu, KERR_CORRUPT, "past the last page" },
	{ 4, 1, KERR_CORRUPT, "reached twice" },
};

START_TEST(test_hostile_item)
{
	unsigned char *db;
	struct got g;
	size_t len, at;

	db = packages("root", &len);
	at = first_offpage_item(db, len);
	put_le32(db + at + items[_i].off, items[_i].value);
	got_init(&g);
	read_mem(db, len, &g);
	assert_corrupt(&g, items[_i].code, items[_i].says);
	free(db);
	buf_free(&g.lines);
}
END_TEST

/* Items libdb has but rpm never writes (duplicates: type 2) are refused, not guessed at. */
START_TEST(test_duplicate_refused)
{
	unsigned char *db;
	struct got g;
	size_t len;

	db = packages("root", &len);
	db[first_offpage_item(db, len)] = 2;
	got_init(&g);
	read_mem(db, len, &g);
	assert_corrupt(&g, KERR_CORRUPT, "not one rpm writes");
	free(db);
	buf_free(&g.lines);
}
END_TEST

/* The callback's error stops the read and is what the caller sees. */
START_TEST(test_callback_stops)
{
	unsigned char *db;
	struct got g;
	size_t len;

	db = packages("root", &len);
	got_init(&g);
	g.stop_after = 2;
	read_mem(db, len, &g);
	assert_corrupt(&g, KERR_INTERNAL, "stopped by the callback");
	free(db);
	buf_free(&g.lines);
}
END_TEST

/* Every byte of the first pages flipped in turn: any answer, in bounded time. */
START_TEST(test_flipped_bytes)
{
	unsigned char *db;
	size_t len, i;

	db = packages("root", &len);
	for (i = 0; i < 3u * pagesize_of(db) && i < len; i += 7) {
		struct got g;

		db[i] ^= 0xff;
		got_init(&g);
		read_mem(db, len, &g);
		ck_assert(g.rc >= -1);
		buf_free(&g.lines);
		db[i] ^= 0xff;
	}
	free(db);
}
END_TEST

static Suite *rpmbdb_suite(void)
{
	Suite *s = suite_create("rpmbdb");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_same_as_rpm_qa);
	tcase_add_test(tc, test_swapped_same_as_rpm_qa);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_overflow_loop);
	tcase_add_test(tc, test_bucket_loop);
	tcase_add_test(tc, test_zero_page);
	tcase_add_loop_test(tc, test_hostile_meta, 0, (int)(sizeof(metas) / sizeof(metas[0])));
	tcase_add_loop_test(tc, test_hostile_item, 0, (int)(sizeof(items) / sizeof(items[0])));
	tcase_add_test(tc, test_duplicate_refused);
	tcase_add_test(tc, test_callback_stops);
	tcase_add_test(tc, test_flipped_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	const char *src = getenv("KSCAN_SRC");
	const char *tmp;
	SRunner *sr;
	int failed, rc;

	if (src == NULL) {
		fprintf(stderr, "run through meson test (KSCAN_SRC)\n");
		return 77;
	}
	/* outside a test: mkdtemp, not cu_mkdtemp, whose ck_assert needs a running test */
	tmp = getenv("TMPDIR");
	if (snprintf(fx, sizeof(fx), "%s/kscan-rpmbdb.XXXXXX", tmp ? tmp : "/tmp") >=
	    (int)sizeof(fx) || mkdtemp(fx) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	/* 40 subpackages: bucket pages of many items, in a few seconds */
	rc = cu_sh_status("'%s/tests/lib/rpm-bdb.sh' '%s' 40 >&2", src, fx);
	if (rc != 0) {
		fprintf(stderr, "rpm-bdb.sh: exit %d: %s\n", rc, rc == 77 ? "skipped" : "failed");
		cu_sh_status("rm -rf '%s'", fx);
		return rc == 77 ? 77 : EXIT_FAILURE;
	}
	sr = srunner_create(rpmbdb_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cu_sh_status("rm -rf '%s'", fx);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
