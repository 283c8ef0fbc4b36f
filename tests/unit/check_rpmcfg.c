/* Unit tests for scanner/sources/rpmcfg: macros text in, %_dbpath and %_db_backend out. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/sources/rpmcfg.h"
#include "check_util.h"

static void parse(const char *text, struct rpmcfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	rpmcfg_parse(text, strlen(text), cfg);
}

/* Debian 12's own macros: %_dbpath is a shell expansion (ignored), the backend sqlite. */
START_TEST(test_debian)
{
	struct rpmcfg cfg;

	parse("%_var\t\t\t/var\n%_dbpath\t\t%(bash -c 'echo ~/.rpmdb')\n"
	      "%_dbpath_rebuild\t%{_dbpath}\n%_db_backend\t      sqlite\n", &cfg);
	ck_assert_str_eq(cfg.dbpath, "");
	ck_assert_str_eq(cfg.backend, "sqlite");
}
END_TEST

/* The directory macros distributions use are expanded; the last definition wins. */
START_TEST(test_expand_last_wins)
{
	struct rpmcfg cfg;

	parse("%_dbpath %{_var}/lib/rpm\n%_dbpath\t%{_usr}/lib/sysimage/rpm\n"
	      "%_db_backend ndb\n", &cfg);
	ck_assert_str_eq(cfg.dbpath, "/usr/lib/sysimage/rpm");
	ck_assert_str_eq(cfg.backend, "ndb");
}
END_TEST

/* What cannot be used is ignored and the earlier value kept. */
START_TEST(test_rejects)
{
	struct rpmcfg cfg;

	parse("%_dbpath /var/lib/rpm\r\n%_db_backend\tbdb_ro  \r\n"
	      "%_dbpath %{_localstatedir}/lib/%{name}\n%_dbpath relative/path\n"
	      "%_db_backend sqlite/x\n%_dbpathx /elsewhere\n%_dbpath\n", &cfg);
	ck_assert_str_eq(cfg.dbpath, "/var/lib/rpm");
	ck_assert_str_eq(cfg.backend, "bdb_ro");
}
END_TEST

/* A value longer than its field is ignored, never cut. */
START_TEST(test_too_long)
{
	char text[512];
	struct rpmcfg cfg;

	memset(text, 'a', sizeof(text));
	memcpy(text, "%_dbpath /", 10);
	text[sizeof(text) - 1] = '\0';
	parse(text, &cfg);
	ck_assert_str_eq(cfg.dbpath, "");
}
END_TEST

static Suite *rpmcfg_suite(void)
{
	Suite *s = suite_create("rpmcfg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_debian);
	tcase_add_test(tc, test_expand_last_wins);
	tcase_add_test(tc, test_rejects);
	tcase_add_test(tc, test_too_long);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rpmcfg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
