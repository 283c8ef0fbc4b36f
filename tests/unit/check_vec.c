/* Unit tests for the growable-array helper (base/vec.c). */
#include "base/vec.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

struct item {
	uint64_t a;
	char b[24];
};

START_TEST(test_reserve_grows_and_keeps)
{
	struct item *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < 1000; i++) {
		ck_assert_int_eq(vec_reserve(&v, n, &cap, sizeof(*v), 100000), 0);
		ck_assert_uint_gt(cap, n);
		v[n].a = i;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(v[i].a, i);
	}
	ck_assert_uint_eq(cap, 1024);
	free(v);
}
END_TEST

START_TEST(test_reserve_cap_is_max)
{
	int *v = NULL;
	size_t n = 0, cap = 0;

	for (; n < 10; n++) {
		ck_assert_int_eq(vec_reserve(&v, n, &cap, sizeof(*v), 10), 0);
		v[n] = (int)n;
	}
	ck_assert_uint_eq(cap, 10);
	errno = 0;
	ck_assert_int_eq(vec_reserve(&v, n, &cap, sizeof(*v), 10), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_uint_eq(cap, 10);
	ck_assert_int_eq(v[9], 9);
	free(v);
}
END_TEST

START_TEST(test_reserve_overflow_is_enomem)
{
	char *v = NULL;
	size_t cap = 0;

	/* an element size whose product with the capacity overflows size_t */
	errno = 0;
	ck_assert_int_eq(vec_reserve(&v, 0, &cap, SIZE_MAX / 4, SIZE_MAX), -1);
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(cap, 0);
}
END_TEST

START_TEST(test_implied_grows_at_powers)
{
	long *v = NULL;
	size_t n;

	for (n = 0; n < 5000; n++) {
		ck_assert_int_eq(vec_reserve_implied(&v, n, sizeof(*v), 1u << 20), 0);
		v[n] = (long)n * 3;
	}
	for (n = 0; n < 5000; n++) {
		ck_assert_int_eq(v[n], (long)n * 3);
	}
	errno = 0;
	ck_assert_int_eq(vec_reserve_implied(&v, 1u << 20, sizeof(*v), 1u << 20), -1);
	ck_assert_int_eq(errno, E2BIG);
	free(v);
}
END_TEST

START_TEST(test_implied_odd_max)
{
	int *v = NULL;
	size_t n;

	/* max 20: capacities 8, 16, then 20, and the 21st element is refused */
	for (n = 0; n < 20; n++) {
		ck_assert_int_eq(vec_reserve_implied(&v, n, sizeof(*v), 20), 0);
		v[n] = (int)n;
	}
	ck_assert_int_eq(v[19], 19);
	ck_assert_int_eq(vec_reserve_implied(&v, 20, sizeof(*v), 20), -1);
	free(v);
}
END_TEST

static Suite *vec_suite(void)
{
	Suite *s = suite_create("vec");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_reserve_grows_and_keeps);
	tcase_add_test(tc, test_reserve_cap_is_max);
	tcase_add_test(tc, test_reserve_overflow_is_enomem);
	tcase_add_test(tc, test_implied_grows_at_powers);
	tcase_add_test(tc, test_implied_odd_max);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
