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

/* Macros texts and what they leave in struct rpmcfg. */
static const struct {
	const char *why, *text, *dbpath, *backend;
} cases[] = {
	{ "Debian 12's own macros: %_dbpath is a shell expansion (ignored)",
	  "%_var\t\t\t/var\n%_dbpath\t\t%(bash -c 'echo ~/.rpmdb')\n"
	  "%_dbpath_rebuild\t%{_dbpath}\n%_db_backend\t      sqlite\n", "", "sqlite" },
	{ "the directory macros distributions use are expanded; the last definition wins",
	  "%_dbpath %{_var}/lib/rpm\n%_dbpath\t%{_usr}/lib/sysimage/rpm\n%_db_backend ndb\n",
	  "/usr/lib/sysimage/rpm", "ndb" },
	{ "what cannot be used is ignored and the earlier value kept",
	  "%_dbpath /var/lib/rpm\r\n%_db_backend\tbdb_ro  \r\n"
	  "%_dbpath %{_localstatedir}/lib/%{name}\n%_dbpath relative/path\n"
	  "%_db_backend sqlite/x\n%_dbpathx /elsewhere\n%_dbpath\n", "/var/lib/rpm", "bdb_ro" },
};

START_TEST(test_cases)
{
	struct rpmcfg cfg;

	parse(cases[_i].text, &cfg);
	ck_assert_msg(strcmp(cfg.dbpath, cases[_i].dbpath) == 0, "%s: dbpath %s", cases[_i].why,
		cfg.dbpath);
	ck_assert_msg(strcmp(cfg.backend, cases[_i].backend) == 0, "%s: backend %s",
		cases[_i].why, cfg.backend);
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

	tcase_add_loop_test(tc, test_cases, 0, (int)(sizeof(cases) / sizeof(cases[0])));
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
