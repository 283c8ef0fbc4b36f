/* The rpm header parser: tags read, every offset and cap checked. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/xstd.h"
#include "scanner/deep/kitrpm.h"

#define BLOB_ENTRIES 16
#define BLOB_DATA 512

/* A header blob being built: count, size, index, data (the database form). */
struct blob {
	unsigned char index[16 * BLOB_ENTRIES];
	unsigned char data[BLOB_DATA];
	uint32_t nindex;
	uint32_t dsize;
	unsigned char out[8 + 16 * BLOB_ENTRIES + BLOB_DATA];
	size_t n;
};

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* An entry whose data is @len bytes of @data, appended to the store. */
static void entry(struct blob *b, uint32_t tag, uint32_t type, const void *data, size_t len)
{
	unsigned char *e = b->index + 16 * b->nindex++;

	ck_assert_uint_le(b->dsize + len, sizeof(b->data));
	be32(e, tag);
	be32(e + 4, type);
	be32(e + 8, b->dsize);
	be32(e + 12, 1);
	memcpy(b->data + b->dsize, data, len);
	b->dsize += (uint32_t)len;
}

static void str(struct blob *b, uint32_t tag, const char *s)
{
	entry(b, tag, 6, s, strlen(s) + 1);
}

static const unsigned char *finish(struct blob *b)
{
	be32(b->out, b->nindex);
	be32(b->out + 4, b->dsize);
	memcpy(b->out + 8, b->index, 16 * b->nindex);
	memcpy(b->out + 8 + 16 * b->nindex, b->data, b->dsize);
	b->n = 8 + 16 * b->nindex + b->dsize;
	return b->out;
}

/* The blob's length: finish() first, so argument order does not matter to callers. */
static size_t blob_len(const struct blob *b)
{
	return 8 + 16 * (size_t)b->nindex + b->dsize;
}

START_TEST(test_tags)
{
	struct blob b = {.nindex = 0};
	struct kitrpm_pkg p;
	const unsigned char epoch[4] = {0, 0, 0, 3};
	const char i18n[] = "Kaspersky Endpoint Security\0Kaspersky Endpoint Security (ru)";

	str(&b, 1000, "kesl");
	str(&b, 1001, "12.1.0");
	str(&b, 1002, "1297");
	entry(&b, 1003, 4, epoch, sizeof(epoch));
	entry(&b, 1004, 9, i18n, sizeof(i18n));
	str(&b, 1011, "AO Kaspersky Lab");
	str(&b, 1015, "support@kaspersky.com");
	str(&b, 1022, "x86_64");
	ck_assert_int_eq(kitrpm_parse(finish(&b), blob_len(&b), &p), 0);
	ck_assert_str_eq(p.name, "kesl");
	ck_assert_str_eq(p.version, "12.1.0");
	ck_assert_str_eq(p.release, "1297");
	ck_assert(p.has_epoch);
	ck_assert_uint_eq(p.epoch, 3);
	ck_assert_str_eq(p.summary, "Kaspersky Endpoint Security");
	ck_assert_str_eq(p.vendor, "AO Kaspersky Lab");
	ck_assert_str_eq(p.packager, "support@kaspersky.com");
	ck_assert_str_eq(p.arch, "x86_64");
	kitrpm_pkg_free(&p);
}
END_TEST

START_TEST(test_no_name)
{
	struct blob b = {.nindex = 0};
	struct kitrpm_pkg p;

	str(&b, 1001, "1.0");
	errno = 0;
	ck_assert_int_eq(kitrpm_parse(finish(&b), blob_len(&b), &p), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* An offset past the store, or a string without its NUL inside it: the tag is absent. */
START_TEST(test_bad_offsets)
{
	struct blob b = {.nindex = 0};
	struct kitrpm_pkg p;

	str(&b, 1000, "kesl");
	str(&b, 1004, "summary");
	str(&b, 1011, "vendor");
	finish(&b);
	/* the summary entry points far away; the vendor's string loses its NUL */
	be32(b.out + 8 + 16 + 8, 0x7fffffff);
	b.out[b.n - 1] = 'x';
	ck_assert_int_eq(kitrpm_parse(b.out, b.n, &p), 0);
	ck_assert_str_eq(p.name, "kesl");
	ck_assert_ptr_null(p.summary);
	ck_assert_ptr_null(p.vendor);
	kitrpm_pkg_free(&p);
}
END_TEST

/* Counts past the caps, or past the bytes given, are refused before anything is read. */
START_TEST(test_caps)
{
	struct blob b = {.nindex = 0};
	struct kitrpm_pkg p;

	str(&b, 1000, "kesl");
	finish(&b);
	ck_assert_int_eq(kitrpm_parse(b.out, b.n - 1, &p), -1);
	ck_assert_int_eq(kitrpm_parse(b.out, 7, &p), -1);
	be32(b.out, KS_KITRPM_INDEX_MAX + 1);
	ck_assert_int_eq(kitrpm_parse(b.out, b.n, &p), -1);
	be32(b.out, 0);
	ck_assert_int_eq(kitrpm_parse(b.out, b.n, &p), -1);
	be32(b.out, 1);
	be32(b.out + 4, 0xffffffffu);
	ck_assert_int_eq(kitrpm_parse(b.out, b.n, &p), -1);
}
END_TEST

/* Wrong types are not strings: an int32 NAME is no name. */
START_TEST(test_types)
{
	struct blob b = {.nindex = 0};
	struct kitrpm_pkg p;
	const unsigned char n[4] = {'a', 'b', 'c', 0};

	entry(&b, 1000, 4, n, sizeof(n));
	ck_assert_int_eq(kitrpm_parse(finish(&b), blob_len(&b), &p), -1);
}
END_TEST

START_TEST(test_intro)
{
	unsigned char intro[KITRPM_INTRO_SIZE] = {0x8e, 0xad, 0xe8, 0x01};
	const unsigned char lead[4] = {0xed, 0xab, 0xee, 0xdb};

	be32(intro + 8, 2);
	be32(intro + 12, 10);
	ck_assert_uint_eq(kitrpm_intro(intro), 42);
	be32(intro + 12, (uint32_t)KS_KITRPM_DATA_MAX + 1);
	ck_assert_uint_eq(kitrpm_intro(intro), 0);
	intro[0] = 0;
	be32(intro + 12, 10);
	ck_assert_uint_eq(kitrpm_intro(intro), 0);
	ck_assert(kitrpm_is_lead(lead, sizeof(lead)));
	ck_assert(!kitrpm_is_lead(lead, 3));
	ck_assert(!kitrpm_is_lead((const unsigned char *)"!<ar", 4));
}
END_TEST

static Suite *kitrpm_suite(void)
{
	Suite *s = suite_create("kitrpm");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tags);
	tcase_add_test(tc, test_no_name);
	tcase_add_test(tc, test_bad_offsets);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_intro);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(kitrpm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
