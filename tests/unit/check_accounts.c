/*
 * Unit tests for scanner/accounts: passwd and group lines (NIS entries, comments,
 * malformed lines), and the two files read from a root (missing, unreadable, lines).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scanner/probes/accounts.h"
#include "base/buf.h"
#include "base/xstd.h"
#include "check_util.h"

struct line_case {
	const char *line;
	enum accounts_kind kind;
	int rc;
	const char *name;
	uint32_t id;
};

static const struct line_case line_cases[] = {
	{"root:x:0:0:root:/root:/bin/bash", ACCOUNTS_USER, 1, "root", 0},
	{"kluser:x:1001:1001::/var/db/kav:/bin/false", ACCOUNTS_USER, 1, "kluser", 1001},
	{"nobody:x:4294967295:65534::/:/usr/sbin/nologin", ACCOUNTS_USER, 1, "nobody",
		UINT32_MAX},
	{"klusers:x:1001:kluser,other", ACCOUNTS_GROUP, 1, "klusers", 1001},
	{"kesladmin:x:999:", ACCOUNTS_GROUP, 1, "kesladmin", 999},
	{"", ACCOUNTS_USER, 0, NULL, 0},
	{"# a comment", ACCOUNTS_USER, 0, NULL, 0},
	{"+", ACCOUNTS_USER, 0, NULL, 0},
	{"+@netgroup::::::", ACCOUNTS_USER, 0, NULL, 0},
	{"-kluser::::::", ACCOUNTS_USER, 0, NULL, 0},
	{"root:x:0:0:root:/root", ACCOUNTS_USER, -1, NULL, 0},
	{"root:x:0:0:root:/root:/bin/sh:extra", ACCOUNTS_USER, -1, NULL, 0},
	{":x:0:0:root:/root:/bin/sh", ACCOUNTS_USER, -1, NULL, 0},
	{"root:x:zero:0:root:/root:/bin/sh", ACCOUNTS_USER, -1, NULL, 0},
	{"root:x::0:root:/root:/bin/sh", ACCOUNTS_USER, -1, NULL, 0},
	{"root:x:4294967296:0:root:/root:/bin/sh", ACCOUNTS_USER, -1, NULL, 0},
	{"root:x:-1:0:root:/root:/bin/sh", ACCOUNTS_USER, -1, NULL, 0},
	{"klusers:x:1001", ACCOUNTS_GROUP, -1, NULL, 0},
	{"klusers:x:1001:a:b", ACCOUNTS_GROUP, -1, NULL, 0},
	{"klusers:x:1001:kluser,other", ACCOUNTS_USER, -1, NULL, 0},
};

START_TEST(test_parse_line)
{
	const struct line_case *c = &line_cases[_i];
	char name[ACCOUNTS_NAME_MAX + 1];
	uint32_t id = 7;
	int rc = accounts_parse_line(c->line, strlen(c->line), c->kind, name, &id);

	ck_assert_msg(rc == c->rc, "%s: got %d", c->line, rc);
	if (rc == 1) {
		ck_assert_str_eq(name, c->name);
		ck_assert_uint_eq(id, c->id);
	}
}
END_TEST

START_TEST(test_parse_long_and_nul)
{
	char line[600], name[ACCOUNTS_NAME_MAX + 1];
	uint32_t id;

	memset(line, 'a', 256);
	memcpy(line + 256, ":x:1:1::/:/bin/sh", 18);
	ck_assert_int_eq(accounts_parse_line(line, strlen(line), ACCOUNTS_USER, name, &id), -1);
	memcpy(line + 255, ":x:1:1::/:/bin/sh", 18);
	ck_assert_int_eq(accounts_parse_line(line, strlen(line), ACCOUNTS_USER, name, &id), 1);
	ck_assert_uint_eq(strlen(name), 255);
	ck_assert_int_eq(accounts_parse_line("ro\0t:x:0:0::/:/bin/sh", 21, ACCOUNTS_USER, name,
		&id), -1);
}
END_TEST

/* Collects accounts as "kind name id file:line" lines. */
static int collect(void *ctx, const struct accounts_entry *a)
{
	buf_addf(ctx, "%s %s %u %s:%zu\n", a->kind == ACCOUNTS_USER ? "user" : "group", a->name,
		a->id, a->file, a->line);
	return 0;
}

START_TEST(test_read)
{
	struct accounts_sink sink = {collect, NULL};
	struct accounts_counts c;
	struct rootfs *r;
	struct kerr e;
	struct buf b;

	cu_sh("mkdir -p '%s/etc' && printf '%%s\\n' 'root:x:0:0:root:/root:/bin/sh' "
		"'kluser:x:1001:1001::/var/db/kav:/bin/false' 'broken' "
		"'klusteradm:x:1002:1002::/home/k:/bin/sh' > '%s/etc/passwd' && printf '%%s\\n' "
		"'root:x:0:' 'kesladmin:x:999:' 'klusers:x:1001:kluser' > '%s/etc/group'",
		cu_tmp, cu_tmp, cu_tmp);
	r = cu_open_root(cu_tmp);
	buf_init(&b, 1 << 16);
	sink.ctx = &b;
	kerr_clear(&e);
	ck_assert_int_eq(accounts_read(r, &sink, &c, &e), 1);
	ck_assert_str_eq(buf_str(&b),
		"user root 0 /etc/passwd:1\n"
		"user kluser 1001 /etc/passwd:2\n"
		"user klusteradm 1002 /etc/passwd:4\n"
		"group root 0 /etc/group:1\n"
		"group kesladmin 999 /etc/group:2\n"
		"group klusers 1001 /etc/group:3\n");
	ck_assert_uint_eq(c.users, 3);
	ck_assert_uint_eq(c.groups, 3);
	ck_assert_uint_eq(c.malformed, 1);
	ck_assert_uint_eq(c.errors, 0);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

START_TEST(test_read_missing_and_unreadable)
{
	struct accounts_sink sink = {collect, NULL};
	struct accounts_counts c;
	struct rootfs *r = cu_open_root(cu_tmp);
	struct kerr e;
	struct buf b;

	buf_init(&b, 1 << 16);
	sink.ctx = &b;
	kerr_clear(&e);
	/* a root without either file: nothing to read, not a failure */
	ck_assert_int_eq(accounts_read(r, &sink, &c, &e), 0);
	ck_assert_uint_eq(c.errors, 0);
	/* a passwd that is a directory cannot be read: counted and described */
	cu_sh("mkdir -p '%s/etc/passwd' && echo 'g:x:5:' > '%s/etc/group'", cu_tmp, cu_tmp);
	ck_assert_int_eq(accounts_read(r, &sink, &c, &e), 1);
	ck_assert_uint_eq(c.errors, 1);
	ck_assert_uint_eq(c.groups, 1);
	ck_assert_str_eq(e.msg, "/etc/passwd: Is a directory");
	ck_assert_str_eq(buf_str(&b), "group g 5 /etc/group:1\n");
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

static Suite *accounts_suite(void)
{
	Suite *s = suite_create("accounts");
	TCase *parse = tcase_create("parse");
	TCase *files = tcase_create("files");

	tcase_add_loop_test(parse, test_parse_line, 0, (int)XSTD_COUNTOF(line_cases));
	tcase_add_test(parse, test_parse_long_and_nul);
	suite_add_tcase(s, parse);
	tcase_add_checked_fixture(files, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(files, test_read);
	tcase_add_test(files, test_read_missing_and_unreadable);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(accounts_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
