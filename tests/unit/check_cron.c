/*
 * Unit tests for scanner/cron: crontab lines in both formats (schedules, @specials,
 * variables, comments, "%", malformed lines), the absolute paths of a command, and every
 * crontab of a root read in order with its user.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "scanner/probes/cron.h"
#include "base/limits.h"
#include "base/xstd.h"
#include "check_util.h"

struct line_case {
	const char *line;
	bool system;
	int rc;
	const char *user;
	const char *command;
};

static const struct line_case line_cases[] = {
	{"17 * * * * root cd / && run-parts --report /etc/cron.hourly", true, 1, "root",
		"cd / && run-parts --report /etc/cron.hourly"},
	{"* */4 * * * /opt/kav/5.5/kav4unix/bin/keepup2date -q", false, 1, NULL,
		"/opt/kav/5.5/kav4unix/bin/keepup2date -q"},
	{"\t0 3 1-15/2 jan,feb mon-fri\tkluser  /opt/x  ", true, 1, "kluser", "/opt/x  "},
	{"@reboot root /opt/kaspersky/kesl/bin/kesl-control --start-task 6", true, 1, "root",
		"/opt/kaspersky/kesl/bin/kesl-control --start-task 6"},
	{"@daily /usr/bin/true", false, 1, NULL, "/usr/bin/true"},
	{"-*/5 * * * * root /opt/x", true, 1, "root", "/opt/x"},
	{"0 0 * * * /bin/echo a\\%b%stdin%more", false, 1, NULL, "/bin/echo a\\%b"},
	{"", false, 0, NULL, NULL},
	{"   ", true, 0, NULL, NULL},
	{"# 0 * * * * root /opt/kav/5.5/x", true, 0, NULL, NULL},
	{"MAILTO=root", true, 0, NULL, NULL},
	{"PATH = /usr/bin:/opt/kav/bin", false, 0, NULL, NULL},
	{"@bogus /opt/x", false, -1, NULL, NULL},
	{"* * * * *", false, -1, NULL, NULL},
	{"* * * * * root", true, -1, NULL, NULL},
	{"* * * * * %stdin", false, -1, NULL, NULL},
	{"* * * *", false, -1, NULL, NULL},
	{"* * * * ! /opt/x", false, -1, NULL, NULL},
	{"run this", false, -1, NULL, NULL},
};

START_TEST(test_parse_line)
{
	const struct line_case *c = &line_cases[_i];
	struct cron_line cl;
	int rc = cron_parse_line(c->line, strlen(c->line), c->system, &cl);

	ck_assert_msg(rc == c->rc, "%s: got %d", c->line, rc);
	if (rc != 1) {
		return;
	}
	if (c->user != NULL) {
		ck_assert_uint_eq(cl.user_len, strlen(c->user));
		ck_assert_mem_eq(cl.user, c->user, cl.user_len);
	} else {
		ck_assert_ptr_null(cl.user);
	}
	ck_assert_uint_eq(cl.command_len, strlen(c->command));
	ck_assert_mem_eq(cl.command, c->command, cl.command_len);
}
END_TEST

START_TEST(test_parse_nul)
{
	struct cron_line cl;

	ck_assert_int_eq(cron_parse_line("* * * * * /opt/\0x", 17, false, &cl), -1);
}
END_TEST

static int add_path(void *ctx, const char *path)
{
	buf_addf(ctx, "[%s]", path);
	return 0;
}

START_TEST(test_command_paths)
{
	static const struct {
		const char *cmd;
		const char *paths;
	} cases[] = {
		{"cd / && /opt/kaspersky/kesl/bin/kesl-control --update >/dev/null 2>&1",
			"[/][/opt/kaspersky/kesl/bin/kesl-control][/dev/null]"},
		{"sh -c '/opt/kav/5.5/kav4unix/bin/keepup2date -q'",
			"[/opt/kav/5.5/kav4unix/bin/keepup2date]"},
		{"x --conf=/etc/opt/kaspersky/kesl.ini;/usr/bin/y|/bin/z",
			"[/etc/opt/kaspersky/kesl.ini][/usr/bin/y][/bin/z]"},
		{"PATH=/a:/b run", "[/a][/b]"},
		{"test -x \"/opt/x y\" && `/opt/q`", "[/opt/x][/opt/q]"},
		{"relative/path $HOME/x a/b", ""},
		{"(/opt/a)", "[/opt/a]"},
	};
	struct buf b;
	size_t i;

	buf_init(&b, 4096);
	for (i = 0; i < XSTD_COUNTOF(cases); i++) {
		buf_reset(&b);
		ck_assert_int_eq(cron_command_paths(cases[i].cmd, strlen(cases[i].cmd), add_path,
			&b), 0);
		ck_assert_msg(strcmp(buf_str(&b), cases[i].paths) == 0, "%s: got %s",
			cases[i].cmd, buf_str(&b));
	}
	buf_free(&b);
}
END_TEST

static int stop_first(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
	return 9;
}

START_TEST(test_command_paths_stop)
{
	ck_assert_int_eq(cron_command_paths("/a /b", 5, stop_first, NULL), 9);
}
END_TEST

/* Collects jobs as "file:line user command" lines. */
static int collect(void *ctx, const struct cron_job *j)
{
	buf_addf(ctx, "%s:%zu %s %s\n", j->file, j->line, j->user, j->command);
	return 0;
}

START_TEST(test_scan)
{
	struct cron_sink sink = {collect, NULL};
	struct cron_counts c;
	struct rootfs *r;
	struct kerr e;
	struct buf b;

	cu_sh("cd '%s' && mkdir -p etc/cron.d/sub var/spool/cron/crontabs && "
		"printf '%%s\\n' 'SHELL=/bin/sh' '# m h dom mon dow user command' "
		"'17 * * * * root cd / && run-parts /etc/cron.hourly' > etc/crontab && "
		"printf '%%s\\n' '@daily root /opt/kaspersky/kesl/bin/kesl-control --update' "
		"'not a job' > etc/cron.d/kesl && "
		"echo '* * * * * root /opt/hidden' > etc/cron.d/.placeholder && "
		"echo '* * * * * root /opt/sub' > etc/cron.d/sub/x && "
		"echo '* */4 * * * /opt/kav/5.5/kav4unix/bin/keepup2date' > "
		"var/spool/cron/crontabs/kluser && "
		"echo '30 2 * * * /opt/kaspersky/klnagent64/bin/klnagchk' > var/spool/cron/root",
		cu_tmp);
	r = cu_open_root(cu_tmp);
	buf_init(&b, 1 << 16);
	sink.ctx = &b;
	kerr_clear(&e);
	ck_assert_int_eq(cron_scan(r, &sink, &c, &e), 1);
	ck_assert_str_eq(buf_str(&b),
		"/etc/crontab:3 root cd / && run-parts /etc/cron.hourly\n"
		"/etc/cron.d/kesl:1 root /opt/kaspersky/kesl/bin/kesl-control --update\n"
		"/var/spool/cron/crontabs/kluser:1 kluser /opt/kav/5.5/kav4unix/bin/keepup2date\n"
		"/var/spool/cron/root:1 root /opt/kaspersky/klnagent64/bin/klnagchk\n");
	ck_assert_uint_eq(c.files, 4);
	ck_assert_uint_eq(c.jobs, 4);
	ck_assert_uint_eq(c.malformed, 1);
	ck_assert_uint_eq(c.errors, 0);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

START_TEST(test_scan_none_and_errors)
{
	struct cron_sink sink = {collect, NULL};
	struct cron_counts c;
	struct rootfs *r = cu_open_root(cu_tmp);
	struct kerr e;
	struct buf b;
	FILE *f;
	char path[128];
	size_t i;

	buf_init(&b, 1 << 16);
	sink.ctx = &b;
	kerr_clear(&e);
	ck_assert_int_eq(cron_scan(r, &sink, &c, &e), 0);
	ck_assert_uint_eq(c.files + c.errors, 0);
	/* a line past KS_CRON_LINE_MAX: the rest of the file cannot be read reliably */
	cu_sh("mkdir -p '%s/etc' && echo '* * * * * root /opt/first' > '%s/etc/crontab'", cu_tmp,
		cu_tmp);
	cu_fmt(path, sizeof(path), "%s/etc/crontab", cu_tmp);
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs("* * * * * root /opt/", f), 0);
	for (i = 0; i < KS_CRON_LINE_MAX; i++) {
		ck_assert_int_ne(fputc('x', f), EOF);
	}
	ck_assert_int_ge(fputs("\n* * * * * root /opt/after\n", f), 0);
	ck_assert_int_eq(fclose(f), 0);
	kerr_clear(&e);
	ck_assert_int_eq(cron_scan(r, &sink, &c, &e), 1);
	ck_assert_uint_eq(c.errors, 1);
	ck_assert_str_eq(e.msg, "/etc/crontab: Argument list too long");
	ck_assert_str_eq(buf_str(&b), "/etc/crontab:1 root /opt/first\n");
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

static Suite *cron_suite(void)
{
	Suite *s = suite_create("cron");
	TCase *parse = tcase_create("parse");
	TCase *files = tcase_create("files");

	tcase_add_loop_test(parse, test_parse_line, 0, (int)XSTD_COUNTOF(line_cases));
	tcase_add_test(parse, test_parse_nul);
	tcase_add_test(parse, test_command_paths);
	tcase_add_test(parse, test_command_paths_stop);
	suite_add_tcase(s, parse);
	tcase_add_checked_fixture(files, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(files, test_scan);
	tcase_add_test(files, test_scan_none_and_errors);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cron_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
