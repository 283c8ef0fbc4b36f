/* Unit tests for scanner/buf: growth, the hard cap and its sticky error, buf_take. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xstd.h"

/* Fills @b with @n copies of @c one byte at a time, so every growth step is crossed. */
static void fill_bytes(struct buf *b, size_t n, char c)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(buf_addc(b, c), 0);
	}
}

START_TEST(test_empty)
{
	struct buf b;

	buf_init(&b, 100);
	ck_assert_str_eq(buf_str(&b), "");
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_int_eq(buf_error(&b), 0);
	buf_free(&b);
	/* freeing twice must be harmless: buf_free leaves an initialised, empty buffer */
	buf_free(&b);
	ck_assert_str_eq(buf_str(&b), "");
}
END_TEST

START_TEST(test_growth)
{
	struct buf b;
	size_t i;

	buf_init(&b, 1 << 20);
	fill_bytes(&b, 100000, 'x');
	ck_assert_uint_eq(buf_len(&b), 100000);
	ck_assert_uint_eq(strlen(buf_str(&b)), 100000);
	for (i = 0; i < 100000; i++) {
		ck_assert_int_eq(buf_str(&b)[i], 'x');
	}
	ck_assert_int_eq(buf_adds(&b, "end"), 0);
	ck_assert_str_eq(buf_str(&b) + 100000, "end");
	ck_assert_int_eq(buf_error(&b), 0);
	buf_free(&b);
}
END_TEST

/* Appends in pieces of these sizes until the cap of 100 stops them. */
static const size_t piece_sizes[] = { 1, 3, 7, 50, 63, 64, 65, 99, 100, 101 };

START_TEST(test_cap_pieces)
{
	const size_t max = 100;
	size_t piece = piece_sizes[_i];
	char chunk[128];
	size_t fit = max / piece * piece;
	struct buf b;
	char *p;

	memset(chunk, 'a' + (int)(_i % 26), sizeof(chunk));
	buf_init(&b, max);
	while (buf_len(&b) + piece <= max) {
		ck_assert_int_eq(buf_add(&b, chunk, piece), 0);
	}
	ck_assert_uint_eq(buf_len(&b), fit);
	errno = 0;
	ck_assert_int_eq(buf_add(&b, chunk, piece), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(buf_error(&b), E2BIG);
	/* the failed append changed nothing */
	ck_assert_uint_eq(buf_len(&b), fit);
	ck_assert_uint_eq(strlen(buf_str(&b)), fit);
	/* sticky: even appends that would fit are refused now */
	errno = 0;
	ck_assert_int_eq(buf_add(&b, chunk, 0), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(buf_addc(&b, 'z'), -1);
	ck_assert_int_eq(buf_adds(&b, ""), -1);
	ck_assert_int_eq(buf_addf(&b, "%d", 1), -1);
	ck_assert_uint_eq(buf_len(&b), fit);
	errno = 0;
	p = buf_take(&b, NULL);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(errno, E2BIG);
	buf_free(&b);
}
END_TEST

START_TEST(test_cap_exact)
{
	struct buf b;
	char big[201];

	memset(big, 'q', sizeof(big));
	buf_init(&b, 200);
	ck_assert_int_eq(buf_add(&b, big, 200), 0);
	ck_assert_uint_eq(buf_len(&b), 200);
	ck_assert_uint_eq(strlen(buf_str(&b)), 200);
	errno = 0;
	ck_assert_int_eq(buf_addc(&b, 'q'), -1);
	ck_assert_int_eq(errno, E2BIG);
	buf_free(&b);

	/* max+1 in a single append into an empty buffer */
	buf_init(&b, 200);
	ck_assert_int_eq(buf_add(&b, big, 201), -1);
	ck_assert_int_eq(buf_error(&b), E2BIG);
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_str_eq(buf_str(&b), "");
	buf_free(&b);
}
END_TEST

START_TEST(test_cap_zero)
{
	struct buf b;
	size_t len = 99;
	char *p;

	buf_init(&b, 0);
	ck_assert_int_eq(buf_add(&b, "", 0), 0);
	ck_assert_int_eq(buf_addf(&b, "%s", ""), 0);
	ck_assert_int_eq(buf_addc(&b, 'a'), -1);
	ck_assert_int_eq(buf_error(&b), E2BIG);
	buf_reset(&b);
	p = buf_take(&b, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "");
	ck_assert_uint_eq(len, 0);
	free(p);
	buf_free(&b);
}
END_TEST

/* A cap of SIZE_MAX means "no cap of our own": appends must still work. */
START_TEST(test_cap_unbounded)
{
	struct buf b;
	char *p;

	buf_init(&b, SIZE_MAX);
	ck_assert_int_eq(buf_adds(&b, "hello, "), 0);
	fill_bytes(&b, 1000, 'w');
	ck_assert_uint_eq(buf_len(&b), 1007);
	ck_assert_uint_eq(strlen(buf_str(&b)), 1007);
	ck_assert_int_eq(strncmp(buf_str(&b), "hello, www", 10), 0);
	errno = 0;
	ck_assert_int_eq(buf_add(&b, "x", SIZE_MAX), -1);
	ck_assert_int_eq(errno, E2BIG);
	buf_free(&b);

	buf_init(&b, SIZE_MAX);
	p = buf_take(&b, NULL);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "");
	free(p);
}
END_TEST

START_TEST(test_reset)
{
	struct buf b;

	buf_init(&b, 10);
	ck_assert_int_eq(buf_adds(&b, "0123456789"), 0);
	ck_assert_int_eq(buf_addc(&b, 'x'), -1);
	buf_reset(&b);
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_str_eq(buf_str(&b), "");
	ck_assert_int_eq(buf_adds(&b, "abc"), 0);
	ck_assert_str_eq(buf_str(&b), "abc");
	/* the cap still holds after a reset */
	ck_assert_int_eq(buf_adds(&b, "defghij"), 0);
	ck_assert_int_eq(buf_addc(&b, 'k'), -1);
	ck_assert_int_eq(buf_error(&b), E2BIG);
	buf_free(&b);
}
END_TEST

START_TEST(test_nul_inside)
{
	struct buf b;
	size_t len = 0;
	char *p;

	buf_init(&b, 64);
	ck_assert_int_eq(buf_add(&b, "a\0b", 3), 0);
	ck_assert_uint_eq(buf_len(&b), 3);
	ck_assert_mem_eq(buf_str(&b), "a\0b\0", 4);
	p = buf_take(&b, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(p, "a\0b\0", 4);
	free(p);
	buf_free(&b);
}
END_TEST

START_TEST(test_addf)
{
	struct buf b;
	char *longstr = malloc(5001);
	char *want = malloc(6000);
	size_t i;

	ck_assert_ptr_nonnull(longstr);
	ck_assert_ptr_nonnull(want);
	for (i = 0; i < 5000; i++) {
		longstr[i] = (char)('a' + i % 26);
	}
	longstr[5000] = '\0';

	buf_init(&b, 1 << 16);
	ck_assert_int_eq(buf_addf(&b, "[%d]", -42), 0);
	ck_assert_str_eq(buf_str(&b), "[-42]");
	/* one formatted piece far longer than the first allocation */
	ck_assert_int_eq(buf_addf(&b, "<%s|%05u>", longstr, 7u), 0);
	ck_assert_int_ge(snprintf(want, 6000, "[-42]<%s|%05u>", longstr, 7u), 0);
	ck_assert_str_eq(buf_str(&b), want);
	ck_assert_uint_eq(buf_len(&b), strlen(want));
	buf_free(&b);

	/* formatted output that would cross the cap is refused whole */
	buf_init(&b, 5005);
	ck_assert_int_eq(buf_adds(&b, "12345"), 0);
	ck_assert_int_eq(buf_addf(&b, "%s", longstr), 0);
	ck_assert_uint_eq(buf_len(&b), 5005);
	buf_reset(&b);
	ck_assert_int_eq(buf_adds(&b, "123456"), 0);
	errno = 0;
	ck_assert_int_eq(buf_addf(&b, "%s", longstr), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_str_eq(buf_str(&b), "123456");
	buf_free(&b);
	free(longstr);
	free(want);
}
END_TEST

START_TEST(test_take)
{
	struct buf b;
	size_t len = 99;
	char *p;

	/* an empty buffer that never allocated still hands out a real "" */
	buf_init(&b, 100);
	p = buf_take(&b, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "");
	ck_assert_uint_eq(len, 0);
	free(p);

	ck_assert_int_eq(buf_adds(&b, "first"), 0);
	p = buf_take(&b, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "first");
	ck_assert_uint_eq(len, 5);
	/* the buffer is empty and reusable, with the same cap */
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_str_eq(buf_str(&b), "");
	ck_assert_int_eq(buf_adds(&b, "second"), 0);
	ck_assert_str_eq(buf_str(&b), "second");
	ck_assert_str_eq(p, "first");
	free(p);
	buf_reset(&b);
	fill_bytes(&b, 100, 'c');
	ck_assert_int_eq(buf_addc(&b, 'c'), -1);
	buf_free(&b);
}
END_TEST

static Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_growth);
	tcase_add_loop_test(tc, test_cap_pieces, 0, (int)XSTD_COUNTOF(piece_sizes));
	tcase_add_test(tc, test_cap_exact);
	tcase_add_test(tc, test_cap_zero);
	tcase_add_test(tc, test_cap_unbounded);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_nul_inside);
	tcase_add_test(tc, test_addf);
	tcase_add_test(tc, test_take);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(buf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
