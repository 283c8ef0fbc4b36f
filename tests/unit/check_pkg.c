/* Unit tests for scanner/pkg (the package model) and scanner/kerr (error messages). */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/kerr.h"
#include "scanner/sources/pkg.h"

static struct pkg mk(const char *manager, const char *name, const char *arch, const char *ver)
{
	struct pkg p;

	memset(&p, 0, sizeof(p));
	p.manager = manager;
	p.name = (char *)(uintptr_t)name;
	p.arch = (char *)(uintptr_t)arch;
	p.version = (char *)(uintptr_t)ver;
	return p;
}

START_TEST(add_copies_and_sorts)
{
	struct pkg_list l;
	char name[] = "zlib1g";
	struct pkg p = mk("dpkg", name, "amd64", "1.2");

	pkg_list_init(&l);
	ck_assert_int_eq(pkg_list_add(&l, &p), 0);
	name[0] = 'X'; /* the list holds its own copy */
	p = mk("rpm", "bash", "x86_64", "5.1-1");
	ck_assert_int_eq(pkg_list_add(&l, &p), 0);
	p = mk("dpkg", "libc6", "i386", "2.36");
	ck_assert_int_eq(pkg_list_add(&l, &p), 0);
	p = mk("dpkg", "libc6", "amd64", "2.36");
	ck_assert_int_eq(pkg_list_add(&l, &p), 0);
	pkg_list_sort(&l);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.v[0].name, "libc6");
	ck_assert_str_eq(l.v[0].arch, "amd64");
	ck_assert_str_eq(l.v[1].arch, "i386");
	ck_assert_str_eq(l.v[2].name, "zlib1g");
	ck_assert_str_eq(l.v[3].manager, "rpm");
	/* NULL strings become "" so writers never see NULL */
	ck_assert_str_eq(l.v[0].status, "");
	ck_assert_str_eq(l.v[0].source, "");
	pkg_list_free(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.v);
}
END_TEST

START_TEST(state_names)
{
	ck_assert_str_eq(pkg_state_name(PKG_INSTALLED), "installed");
	ck_assert_str_eq(pkg_state_name(PKG_PARTIAL), "partial");
	ck_assert_str_eq(pkg_state_name(PKG_CONFIG_FILES), "config-files");
	ck_assert_str_eq(pkg_state_name(PKG_NOT_INSTALLED), "not-installed");
}
END_TEST

START_TEST(kerr_messages)
{
	struct kerr e;
	char big[3 * KS_ERR_MSG_MAX];

	kerr_clear(&e);
	ck_assert_int_eq(e.code, KERR_OK);
	ck_assert_str_eq(e.msg, "");
	ck_assert_int_eq(kerr_set(&e, KERR_INPUT, "%s:%d:%d: bad", "p.yaml", 3, 7), -1);
	ck_assert_str_eq(e.msg, "p.yaml:3:7: bad");
	ck_assert_int_eq(e.sys_errno, 0);
	ck_assert_int_eq(kerr_sys(&e, KERR_IO, ENOENT, "open %s", "/x"), -1);
	ck_assert_str_eq(e.msg, "open /x: No such file or directory");
	ck_assert_int_eq(e.sys_errno, ENOENT);
	ck_assert_int_eq(e.code, KERR_IO);
	kerr_prefix(&e, "dpkg: ");
	ck_assert_str_eq(e.msg, "dpkg: open /x: No such file or directory");
	/* over-long messages are cut, never overflow */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	kerr_set(&e, KERR_LIMIT, "%s", big);
	ck_assert_uint_eq(strlen(e.msg), KS_ERR_MSG_MAX - 1);
	kerr_prefix(&e, "p: ");
	ck_assert_uint_eq(strlen(e.msg), KS_ERR_MSG_MAX - 1);
	ck_assert(strncmp(e.msg, "p: aaa", 6) == 0);
	ck_assert_int_eq(kerr_set(NULL, KERR_IO, "x"), -1);
	ck_assert_str_eq(kerr_code_name(KERR_CORRUPT), "corrupt");
	ck_assert_str_eq(kerr_code_name(KERR_INPUT), "input");
}
END_TEST

static Suite *pkg_suite(void)
{
	Suite *s = suite_create("pkg");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, add_copies_and_sorts);
	tcase_add_test(tc, state_names);
	tcase_add_test(tc, kerr_messages);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pkg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
