/*
 * Unit tests for scanner/cli/cli_table: the table is consistent (every option a command
 * takes has a row it sees, every row is taken by some command, names are unique in the
 * getopt table), and the help and synopsis made from it are whole and within 100 columns.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/cli/cli_opt.h"
#include "scanner/cli/cli_table.h"

/* Writes @fn's output into a string; checks every line is at most 100 columns. */
static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL, *line, *save;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	fn(f, arg);
	ck_assert_int_eq(fclose(f), 0);
	line = buf;
	while (line != NULL && *line != '\0') {
		save = strchr(line, '\n');
		ck_assert_msg((save != NULL ? (size_t)(save - line) : strlen(line)) <= 100,
			"line over 100 columns: %.120s", line);
		line = save != NULL ? save + 1 : NULL;
	}
	return buf;
}

static void help_of(FILE *f, const void *cmd)
{
	ck_assert_int_eq(cli_table_help(f, cmd), 0);
}

static void synopsis_of(FILE *f, const void *cmd)
{
	cli_table_synopsis(f, "", cmd, 92);
}

START_TEST(test_every_option_has_a_row)
{
	const struct cli_table_cmd *cmds;
	size_t i, n = cli_table_cmds(&cmds);
	const char *c;

	for (i = 0; i < n; i++) {
		for (c = cmds[i].accepts; *c != '\0'; c++) {
			ck_assert_msg(cli_table_opt(cmds[i].name, *c) != NULL,
				"%s: no row for '%c'", cmds[i].name, *c);
		}
	}
}
END_TEST

START_TEST(test_every_row_is_taken)
{
	const struct cli_table_cmd *cmds;
	const struct cli_table_opt *opts;
	size_t i, j, nc = cli_table_cmds(&cmds), no = cli_table_opts(&opts);
	bool taken;

	for (i = 0; i < no; i++) {
		taken = strchr(CLI_TABLE_EVERY, opts[i].code) != NULL;
		for (j = 0; j < nc && !taken; j++) {
			taken = strchr(cmds[j].accepts, opts[i].code) != NULL &&
				cli_table_opt(cmds[j].name, opts[i].code) == &opts[i];
		}
		ck_assert_msg(taken, "row --%s (%s) is no command's", opts[i].name,
			opts[i].only != NULL ? opts[i].only : "shared");
	}
}
END_TEST

START_TEST(test_getopt_names_unique)
{
	const struct option *t = cli_table_getopt();
	size_t i, j;

	for (i = 0; t[i].name != NULL; i++) {
		for (j = i + 1; t[j].name != NULL; j++) {
			ck_assert_str_ne(t[i].name, t[j].name);
			ck_assert_int_ne(t[i].val, t[j].val);
		}
	}
	ck_assert_uint_ge(i, 30);
}
END_TEST

START_TEST(test_help)
{
	static const char *const families[] = {"scan", "send", "packages", "signatures"};
	const struct option *t = cli_table_getopt();
	char *h, needle[64];
	size_t i, k;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		h = capture(help_of, families[i]);
		ck_assert_msg(strncmp(h, "Usage: kscan ", 13) == 0, "%s", h);
		/* every option the family's commands take is explained */
		for (k = 0; t[k].name != NULL; k++) {
			if (strcmp(families[i], "scan") == 0 &&
			    strchr(cli_table_accepts("scan"), t[k].val) != NULL) {
				(void)snprintf(needle, sizeof(needle), "--%s ", t[k].name);
				ck_assert_msg(strstr(h, needle) != NULL, "scan help lacks %s",
					needle);
			}
		}
		free(h);
	}
	ck_assert_int_eq(cli_table_help(stdout, "nope"), -1);
	h = capture(help_of, "scan");
	ck_assert_ptr_nonnull(strstr(h, "  kscan signatures hash "));
	ck_assert_ptr_nonnull(strstr(h, "\nDeep sweep:"));
	free(h);
}
END_TEST

START_TEST(test_synopsis)
{
	char *s = capture(synopsis_of, cli_table_cmd("scan"));

	ck_assert_msg(strncmp(s, "kscan [scan] [--root DIR] [--signatures PATH]... ", 49) == 0,
		"%s", s);
	ck_assert_ptr_nonnull(strstr(s, "[--quiet | --verbose]"));
	ck_assert_ptr_nonnull(strstr(s, "[--deep [--jobs N]"));
	ck_assert_ptr_nonnull(strstr(s, "[--no-low-priority]]\n"));
	free(s);
	s = capture(synopsis_of, cli_table_cmd("signatures hash"));
	ck_assert_ptr_nonnull(strstr(s, "--id ID --product NAME [--vendor NAME]"));
	ck_assert_ptr_nonnull(strstr(s, " DIR...\n"));
	free(s);
}
END_TEST

START_TEST(test_per_command_rows)
{
	ck_assert_str_eq(cli_table_opt("packages", CLI_OPT_FORMAT)->words, "tsv|json");
	ck_assert_ptr_nonnull(strstr(cli_table_opt("scan", CLI_OPT_FORMAT)->words, "ocsf"));
	ck_assert_ptr_null(cli_table_opt("scan", CLI_OPT_FORMAT)->only);
	ck_assert_str_eq(cli_table_accepts("nope"), "");
	ck_assert_ptr_null(cli_table_cmd("nope"));
}
END_TEST

static Suite *cli_table_suite(void)
{
	Suite *s = suite_create("cli_table");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_option_has_a_row);
	tcase_add_test(tc, test_every_row_is_taken);
	tcase_add_test(tc, test_getopt_names_unique);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_synopsis);
	tcase_add_test(tc, test_per_command_rows);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cli_table_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
