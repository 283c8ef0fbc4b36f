/*
 * Unit tests for scanner/sandbox: after sandbox_restrict(), writes outside the allowed
 * directories fail, writes inside work, reading anything still works, and the temporary
 * directory's parent allows removing empty directories only. Each case runs in a forked
 * child (Check's default), since a Landlock restriction cannot be undone.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scanner/sandbox.h"
#include "check_util.h"

/* As in sandbox.c: headers older than Linux 5.13 lack it; the number is fixed. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif

static char allowed[PATH_MAX], other[PATH_MAX], tmpd[PATH_MAX];

static void setup(void)
{
	cu_tmp_setup();
	cu_path(allowed, sizeof(allowed), cu_tmp, "allowed");
	cu_path(other, sizeof(other), cu_tmp, "other");
	cu_path(tmpd, sizeof(tmpd), cu_tmp, "tmp");
	ck_assert_int_eq(mkdir(allowed, 0700), 0);
	ck_assert_int_eq(mkdir(other, 0700), 0);
	ck_assert_int_eq(mkdir(tmpd, 0700), 0);
}

static int create(const char *dir, const char *name)
{
	char p[512];
	int fd;

	cu_path(p, sizeof(p), dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		return -errno;
	}
	close(fd);
	return 0;
}

static bool landlock_here(void)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0, 1U) > 0;
}

START_TEST(writes_confined)
{
	const char *w[] = {allowed};
	struct sandbox_status st;
	char p[512], q[512];
	struct kerr e;
	char buf[16];
	int fd;

	/* made before the restriction, to try to change it after */
	ck_assert_int_eq(create(other, "existing"), 0);
	kerr_clear(&e);
	ck_assert_int_eq(sandbox_restrict(w, 1, NULL, &st, &e), 0);
	ck_assert(st.no_new_privs);
	ck_assert_int_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	if (!landlock_here()) {
		ck_assert_int_eq(st.landlock_abi, 0);
		ck_assert_ptr_nonnull(strstr(st.why, "landlock unavailable"));
		return;
	}
	ck_assert_int_ge(st.landlock_abi, 1);
	ck_assert_str_eq(st.why, "");
	/* inside: create, write, rename, remove */
	ck_assert_int_eq(create(allowed, "report.tmp"), 0);
	cu_path(p, sizeof(p), allowed, "report.tmp");
	cu_path(q, sizeof(q), allowed, "report.json");
	ck_assert_int_eq(rename(p, q), 0);
	ck_assert_int_eq(unlink(q), 0);
	/* outside: every kind of write fails */
	ck_assert_int_eq(create(other, "x"), -EACCES);
	cu_path(p, sizeof(p), other, "existing");
	ck_assert_int_eq(open(p, O_WRONLY | O_CLOEXEC), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(unlink(p), -1);
	ck_assert_int_eq(errno, EACCES);
	cu_path(q, sizeof(q), other, "d");
	ck_assert_int_eq(mkdir(q, 0700), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(symlink("/etc/passwd", q), -1);
	ck_assert_int_eq(create("/tmp", "kscan-sandbox-escape"), -EACCES);
	/* reading is the job: still works */
	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(read(fd, buf, sizeof(buf)), 0);
	close(fd);
}
END_TEST

START_TEST(tmp_parent_allows_rmdir_only)
{
	char priv[512], p[512];
	const char *w[1];
	struct sandbox_status st;
	struct kerr e;

	cu_path(priv, sizeof(priv), tmpd, "kscan.private");
	ck_assert_int_eq(mkdir(priv, 0700), 0);
	w[0] = priv;
	ck_assert_int_eq(sandbox_restrict(w, 1, tmpd, &st, &e), 0);
	if (st.landlock_abi == 0) {
		return;
	}
	ck_assert_int_eq(create(priv, "rpmdb.sqlite"), 0);
	cu_path(p, sizeof(p), priv, "rpmdb.sqlite");
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(create(tmpd, "planted"), -EACCES);
	cu_path(p, sizeof(p), tmpd, "newdir");
	ck_assert_int_eq(mkdir(p, 0700), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(rmdir(priv), 0);
}
END_TEST

START_TEST(missing_writable_dir_is_an_error)
{
	const char *w[] = {"/nonexistent/kscan-spool"};
	struct sandbox_status st;
	struct kerr e;

	kerr_clear(&e);
	if (!landlock_here()) {
		return;
	}
	ck_assert_int_eq(sandbox_restrict(w, 1, NULL, &st, &e), -1);
	ck_assert_int_eq(e.code, KERR_IO);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/kscan-spool"));
}
END_TEST

START_TEST(std_fds_made_valid)
{
	struct stat st;

	ck_assert_int_eq(close(STDIN_FILENO), 0);
	ck_assert_int_eq(close(STDOUT_FILENO), 0);
	ck_assert_int_eq(sandbox_std_fds(), 0);
	ck_assert_int_eq(fstat(STDIN_FILENO, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_int_eq(fstat(STDOUT_FILENO, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	/* not close-on-exec: a child inherits them like real standard streams */
	ck_assert_int_eq(fcntl(STDOUT_FILENO, F_GETFD) & FD_CLOEXEC, 0);
}
END_TEST

static Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("restrict");

	/* in the parent: a restricted child could not clean up */
	tcase_add_unchecked_fixture(tc, setup, cu_tmp_teardown);
	tcase_add_test(tc, writes_confined);
	tcase_add_test(tc, tmp_parent_allows_rmdir_only);
	tcase_add_test(tc, missing_writable_dir_is_an_error);
	tcase_add_test(tc, std_fds_made_valid);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sandbox_suite());
	int failed;

	/* every case must run in its own child: a restriction cannot be undone */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
