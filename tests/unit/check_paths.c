/* Unit tests for the paths source: lookups inside the root, globs, symlinks, errors. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "scanner/sources/paths.h"
#include "scanner/sources/rootfs.h"
#include "signatures/sig.h"
#include "signatures/sigload.h"
#include "check_util.h"

static char outside[PATH_MAX];

/* cu_tmp is the root; @outside is a second directory for symlinks that leave it. */
static void setup(void)
{
	cu_tmp_setup();
	cu_mkdtemp(outside, sizeof(outside), "paths-out");
}

static void teardown(void)
{
	cu_rmtree(outside);
	cu_tmp_teardown();
}

/* Collects hits as "path|ftype|target" lines. */
static int collect(
	void *ctx, const struct sig *sig, const struct sig_path *sp, const struct paths_hit *hit)
{
	struct buf *b = ctx;

	(void)sig;
	(void)sp;
	buf_addf(b, "%s|%s|%s\n", hit->path, hit->ftype, hit->target ? hit->target : "");
	return 0;
}

static struct sig_set *load(const char *paths_yaml)
{
	char yaml[8192];
	struct sig_set *s = sig_set_new();
	struct kerr e;
	int n;

	n = snprintf(yaml, sizeof(yaml),
		"schema: 1\n"
		"signatures:\n"
		"  - id: test.product\n"
		"    vendor: Test\n"
		"    product: Test product\n"
		"    paths:\n%s",
		paths_yaml);
	ck_assert_int_lt(n, (int)sizeof(yaml));
	ck_assert_ptr_nonnull(s);
	kerr_clear(&e);
	if (sigload_mem(s, "test.yaml", yaml, strlen(yaml), false, &e) != 0 ||
		sig_set_finish(s, &e) != 0) {
		ck_abort_msg("pack rejected: %s", e.msg);
	}
	return s;
}

/* Runs the paths source over @root and returns the collected hits. */
static int run(const char *paths_yaml, struct buf *out, struct paths_counts *c, struct kerr *e)
{
	struct paths_sink sink = {collect, out};
	struct sig_set *s = load(paths_yaml);
	struct rootfs *r;
	int rc;

	r = rootfs_open(cu_tmp, e);
	ck_assert_ptr_nonnull(r);
	rc = paths_scan(r, s, &sink, c, e);
	rootfs_close(r);
	sig_set_free(s);
	return rc;
}

START_TEST(literal_and_symlink)
{
	struct paths_counts c;
	struct kerr e;
	struct buf b;

	cu_sh("cd '%s' && mkdir -p opt/kaspersky/kesl/bin"
	   " var/opt/kaspersky/kesl/install_12.4.0.1225"
	   " && printf abc > opt/kaspersky/kesl/bin/kesl-control"
	   " && ln -s install_12.4.0.1225 var/opt/kaspersky/kesl/install-current"
	   " && mkdir -p opt/kasperskyfan/kesl/bin && touch opt/kasperskyfan/kesl/bin/kesl-control",
		cu_tmp);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(
		run("      - {path: /opt/kaspersky/kesl/bin/kesl-control, role: install}\n"
		    "      - {path: /var/opt/kaspersky/kesl/install-current, role: install}\n"
		    "      - {path: /opt/kaspersky/kesl/bin/kesl-missing, role: install}\n",
			&b, &c, &e),
		0);
	ck_assert_str_eq(buf_str(&b),
		"/opt/kaspersky/kesl/bin/kesl-control|file|\n"
		"/var/opt/kaspersky/kesl/install-current|symlink|install_12.4.0.1225\n");
	ck_assert_uint_eq(c.patterns, 3);
	ck_assert_uint_eq(c.lookups, 3);
	ck_assert_uint_eq(c.found, 2);
	ck_assert_uint_eq(c.errors, 0);
	buf_free(&b);
}
END_TEST

START_TEST(globs_sorted_and_specific)
{
	struct paths_counts c;
	struct kerr e;
	struct buf b;

	cu_sh("cd '%s' && mkdir -p var/opt/kaspersky/kesl/install_11.2.0.4528"
	   " var/opt/kaspersky/kesl/install_12.4.0.1225 var/opt/kaspersky/kesl/.install_hidden"
	   " var/opt/kaspersky/kesl/installer var/opt/kaspersky/kics/common "
	   "var/opt/kaspersky/kesl/common"
	   " && touch var/opt/kaspersky/kesl/common/kesl.ini var/opt/kaspersky/kics/common/kics.ini"
	   " var/opt/kaspersky/kics/common/notes.txt",
		cu_tmp);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(
		run("      - {path: '/var/opt/kaspersky/kesl/install_[0-9]*', role: install}\n"
		    "      - {path: '/var/opt/kaspersky/*/common/*.ini', role: remnant}\n"
		    "      - {path: '/var/opt/kaspersky/*', role: remnant}\n",
			&b, &c, &e),
		0);
	ck_assert_str_eq(buf_str(&b),
		"/var/opt/kaspersky/kesl/install_11.2.0.4528|dir|\n"
		"/var/opt/kaspersky/kesl/install_12.4.0.1225|dir|\n"
		"/var/opt/kaspersky/kesl/common/kesl.ini|file|\n"
		"/var/opt/kaspersky/kics/common/kics.ini|file|\n"
		"/var/opt/kaspersky/kesl|dir|\n"
		"/var/opt/kaspersky/kics|dir|\n");
	ck_assert_uint_eq(c.found, 6);
	buf_free(&b);
}
END_TEST

/* A symlink in the root that points at a host directory must resolve inside the root. */
START_TEST(never_leaves_the_root)
{
	struct paths_counts c;
	struct kerr e;
	struct buf b;

	cu_sh("mkdir -p '%s/kaspersky/kesl' && touch '%s/kaspersky/kesl/kesl.ini'",
		outside, outside);
	cu_sh("cd '%s' && mkdir -p var opt && ln -s '%s' var/opt"
	   " && ln -s ../../../../../../.. opt/up"
	   " && ln -s /proc/self/root opt/magic",
		cu_tmp, outside);
	buf_init(&b, 1 << 20);
	run("      - {path: /var/opt/kaspersky/kesl/kesl.ini, role: remnant}\n"
	    "      - {path: '/var/opt/kaspersky/*', role: remnant}\n"
	    "      - {path: '/opt/up/tmp/*/kaspersky/kesl/kesl.ini', role: remnant}\n"
	    "      - {path: '/opt/magic/tmp', role: remnant}\n",
		&b, &c, &e);
	ck_assert_str_eq(buf_str(&b), "");
	ck_assert_uint_eq(c.found, 0);
	buf_free(&b);
}
END_TEST

START_TEST(loop_is_an_error_not_a_hang)
{
	struct paths_counts c;
	struct kerr e;
	struct buf b;

	cu_sh("cd '%s' && mkdir -p opt/kaspersky && ln -s loop opt/kaspersky/loop"
	   " && touch opt/kaspersky/real",
		cu_tmp);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(run("      - {path: /opt/kaspersky/loop/bin, role: install}\n"
			     "      - {path: /opt/kaspersky/real, role: install}\n",
				 &b, &c, &e),
		1);
	ck_assert_str_eq(buf_str(&b), "/opt/kaspersky/real|file|\n");
	ck_assert_uint_eq(c.errors, 1);
	ck_assert_ptr_nonnull(strstr(e.msg, "/opt/kaspersky/loop/bin"));
	ck_assert_int_eq(e.sys_errno, ELOOP);
	buf_free(&b);
}
END_TEST

START_TEST(glob_expansion_is_capped)
{
	struct paths_counts c;
	struct kerr e;
	struct buf b;

	cu_sh("mkdir -p '%s/var/log/kaspersky' && cd '%s/var/log/kaspersky' && "
	   "seq -f 'log%%05g' 1 %u | xargs touch",
		cu_tmp, cu_tmp, KS_PATH_GLOB_MATCHES_MAX + 3);
	buf_init(&b, 8 << 20);
	ck_assert_int_eq(
		run("      - {path: '/var/log/kaspersky/log*', role: remnant}\n", &b, &c, &e), 0);
	ck_assert_uint_eq(c.found, KS_PATH_GLOB_MATCHES_MAX);
	ck_assert_uint_eq(c.truncated, 3);
	buf_free(&b);
}
END_TEST

START_TEST(fifo_is_reported_not_opened)
{
	struct paths_counts c;
	struct kerr e;
	struct buf b;

	cu_sh("mkdir -p '%s/opt/kaspersky' && mkfifo '%s/opt/kaspersky/fifo'", cu_tmp, cu_tmp);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(
		run("      - {path: /opt/kaspersky/fifo, role: install}\n", &b, &c, &e), 0);
	ck_assert_str_eq(buf_str(&b), "/opt/kaspersky/fifo|other|\n");
	buf_free(&b);
}
END_TEST

static void fallback(int on)
{
	rootfs_force_fallback(on != 0);
}

START_TEST(same_answers_with_fallback_resolver)
{
	struct paths_counts c;
	struct kerr e;
	struct buf b;

	fallback(1);
	cu_sh("mkdir -p '%s/kaspersky/kesl' && touch '%s/kaspersky/kesl/kesl.ini'",
		outside, outside);
	cu_sh("cd '%s' && mkdir -p usr/opt/kaspersky/kesl var && ln -s '%s' var/opt"
	   " && ln -s usr/opt opt && touch usr/opt/kaspersky/kesl/kesl.ini",
		cu_tmp, outside);
	buf_init(&b, 1 << 20);
	ck_assert_int_eq(run("      - {path: /var/opt/kaspersky/kesl/kesl.ini, role: remnant}\n"
			     "      - {path: '/opt/kaspersky/*/kesl.ini', role: remnant}\n",
				 &b, &c, &e),
		0);
	ck_assert_str_eq(buf_str(&b), "/opt/kaspersky/kesl/kesl.ini|file|\n");
	buf_free(&b);
	fallback(0);
}
END_TEST

static Suite *paths_suite(void)
{
	Suite *s = suite_create("paths");
	TCase *tc = tcase_create("lookups");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, literal_and_symlink);
	tcase_add_test(tc, globs_sorted_and_specific);
	tcase_add_test(tc, never_leaves_the_root);
	tcase_add_test(tc, loop_is_an_error_not_a_hang);
	tcase_add_test(tc, glob_expansion_is_capped);
	tcase_add_test(tc, fifo_is_reported_not_opened);
	tcase_add_test(tc, same_answers_with_fallback_resolver);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(paths_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
