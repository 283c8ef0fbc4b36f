/*
 * Unit tests for report/deliver/output: standard output, or a file replaced atomically with
 * an exact mode; what is refused (a symlink, a FIFO, a device, a directory in the way, a
 * missing or read-only directory) changes nothing and leaves no temporary file behind.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/deliver/output.h"
#include "base/xstd.h"
#include "check_util.h"

/* An unprivileged uid for the read-only directory test when the suite runs as root. */
#define NOBODY_UID 65534

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	}
	closedir(d);
	return n;
}

static void expect_file(const char *path, const char *want)
{
	char *got = cu_read(path, NULL);

	ck_assert_str_eq(got, want);
	free(got);
}

/* The old report is replaced by a rename, never rewritten in place: a reader holding the
 * old file still reads all of it, and the name now points to a new inode. */
START_TEST(test_atomic_replace)
{
	char path[PATH_MAX], *got;
	struct stat before, after;
	struct kerr err;
	size_t n;
	int fd;

	cu_path(path, sizeof(path), cu_tmp, "report.json");
	cu_write_at(cu_tmp, "report.json", "an older and longer report that must go whole\n", 0600);
	ck_assert_int_eq(stat(path, &before), 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	kerr_clear(&err);
	ck_assert_int_eq(output_write(path, "{\"new\":1}\n", 10, 0640, &err), 0);
	expect_file(path, "{\"new\":1}\n");
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert(before.st_ino != after.st_ino);
	ck_assert(S_ISREG(after.st_mode));
	got = calloc(1, 128);
	ck_assert_ptr_nonnull(got);
	n = (size_t)read(fd, got, 127);
	ck_assert_str_eq(got, "an older and longer report that must go whole\n");
	ck_assert_uint_eq(n, strlen(got));
	free(got);
	close(fd);
	/* no temporary file is left next to it */
	ck_assert_uint_eq(count_entries(cu_tmp), 1);
}
END_TEST

/* The mode is exactly the one asked for, whatever the umask and the old file's mode. */
static const mode_t umasks[] = {0, 022, 077, 0777};

START_TEST(test_mode_exact)
{
	char path[PATH_MAX];
	struct kerr err;
	struct stat st;
	mode_t old;

	cu_path(path, sizeof(path), cu_tmp, "report.json");
	cu_write_at(cu_tmp, "report.json", "old\n", 0666);
	old = umask(umasks[_i]);
	ck_assert_int_eq(output_write(path, "x\n", 2, 0640, &err), 0);
	ck_assert_int_eq(output_write(path, "y\n", 2, 0640, &err), 0);
	umask(old);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	expect_file(path, "y\n");
	ck_assert_uint_eq(count_entries(cu_tmp), 1);
}
END_TEST

START_TEST(test_relative_and_empty)
{
	char cwd[PATH_MAX], path[PATH_MAX];
	struct kerr err;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(cu_tmp), 0);
	ck_assert_int_eq(output_write("r.txt", "", 0, 0640, &err), 0);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_uint_eq(count_entries(cu_tmp), 1);
	cu_path(path, sizeof(path), cu_tmp, "r.txt");
	expect_file(path, "");
}
END_TEST

/*
 * Only a missing name or a regular file is replaced: a symlink (think /dev/stdout), a FIFO
 * or a device (think /dev/null) is refused, and neither it nor what it points to changes.
 */
START_TEST(test_refuses_non_regular)
{
	char path[PATH_MAX], victim[PATH_MAX], fifo[PATH_MAX];
	struct kerr err;
	struct stat st;

	cu_path(path, sizeof(path), cu_tmp, "report.json");
	cu_path(victim, sizeof(victim), cu_tmp, "victim");
	cu_path(fifo, sizeof(fifo), cu_tmp, "fifo");
	cu_write(victim, "keep\n", 5, 0644);
	ck_assert_int_eq(symlink("victim", path), 0);
	kerr_clear(&err);
	ck_assert_int_eq(output_write(path, "new\n", 4, 0640, &err), -1);
	ck_assert_int_eq(err.code, KERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	expect_file(victim, "keep\n");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(output_write(fifo, "new\n", 4, 0640, &err), -1);
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(output_write("/dev/null", "new\n", 4, 0640, &err), -1);
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	/* nothing but the three fixtures is left behind */
	ck_assert_uint_eq(count_entries(cu_tmp), 3);
}
END_TEST

/* A dangling symlink is not followed: the file it names is not created. */
START_TEST(test_dangling_symlink_not_followed)
{
	char path[PATH_MAX], outside[PATH_MAX], target[PATH_MAX];
	struct kerr err;

	cu_mkdtemp(outside, sizeof(outside), "output-out");
	cu_path(target, sizeof(target), outside, "created-through-link");
	cu_path(path, sizeof(path), cu_tmp, "report.json");
	ck_assert_int_eq(symlink(target, path), 0);
	kerr_clear(&err);
	ck_assert_int_eq(output_write(path, "new\n", 4, 0640, &err), -1);
	ck_assert_int_eq(err.code, KERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	ck_assert_int_eq(access(target, F_OK), -1);
	ck_assert_uint_eq(count_entries(outside), 0);
	ck_assert_uint_eq(count_entries(cu_tmp), 1);
	cu_rmtree(outside);
}
END_TEST

START_TEST(test_missing_dir)
{
	char path[PATH_MAX];
	struct kerr err;

	cu_path(path, sizeof(path), cu_tmp, "no/such/report.json");
	kerr_clear(&err);
	ck_assert_int_eq(output_write(path, "x", 1, 0640, &err), -1);
	ck_assert_int_eq(err.code, KERR_IO);
	ck_assert_int_eq(err.sys_errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	ck_assert_uint_eq(count_entries(cu_tmp), 0);
}
END_TEST

/* A directory in the way is refused, and no temporary file is left. */
START_TEST(test_target_is_dir)
{
	char path[PATH_MAX];
	struct kerr err;

	cu_path(path, sizeof(path), cu_tmp, "report.json");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	kerr_clear(&err);
	ck_assert_int_eq(output_write(path, "x", 1, 0640, &err), -1);
	ck_assert_int_eq(err.code, KERR_IO);
	ck_assert_int_eq(err.sys_errno, EISDIR);
	ck_assert_uint_eq(count_entries(cu_tmp), 1);
	ck_assert_uint_eq(count_entries(path), 0);
	cu_fmt(path, sizeof(path), "%s/", cu_tmp);
	ck_assert_int_eq(output_write(path, "x", 1, 0640, &err), -1);
	ck_assert_int_eq(err.code, KERR_IO);
	ck_assert_uint_eq(count_entries(cu_tmp), 1);
}
END_TEST

/*
 * Writes into @dir as the caller would and exits with the errno output_write reported (0 on
 * success, 250 + for an unexpected kerr code). Runs in a child so root can drop to nobody.
 */
static int write_in_child(const char *dir, bool drop)
{
	char path[PATH_MAX];
	struct kerr err;
	int status;
	pid_t pid;

	cu_path(path, sizeof(path), dir, "report.json");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (drop && (setgid(NOBODY_UID) != 0 || setuid(NOBODY_UID) != 0)) {
			_exit(251);
		}
		kerr_clear(&err);
		if (output_write(path, "x\n", 2, 0640, &err) == 0) {
			_exit(0);
		}
		_exit(err.code != KERR_IO ? 250 : strstr(err.msg, path) == NULL ? 252 :
			err.sys_errno & 0xff);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A directory the writer may not write to: EACCES, and nothing is created. */
START_TEST(test_dir_not_writable)
{
	char dir[PATH_MAX];
	bool root = geteuid() == 0;

	/* nobody may search the scratch directory: only "ro" itself refuses the write */
	ck_assert_int_eq(chmod(cu_tmp, 0755), 0);
	cu_path(dir, sizeof(dir), cu_tmp, "ro");
	cu_mkdirs(dir, 0755);
	if (!root) {
		ck_assert_int_eq(chmod(dir, 0555), 0);
	}
	ck_assert_int_eq(write_in_child(dir, root), EACCES);
	ck_assert_uint_eq(count_entries(dir), 0);
	/* the same directory made writable: the same call succeeds (the test can fail) */
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(write_in_child(dir, root), 0);
	ck_assert_uint_eq(count_entries(dir), 1);
}
END_TEST

START_TEST(test_stdout)
{
	char path[PATH_MAX];
	struct kerr err;
	int saved, fd;

	cu_path(path, sizeof(path), cu_tmp, "stdout");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	ck_assert_int_eq(output_write(NULL, "one\n", 4, 0640, &err), 0);
	ck_assert_int_eq(output_write("-", "two\n", 4, 0640, &err), 0);
	ck_assert_int_eq(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	close(fd);
	expect_file(path, "one\ntwo\n");
	ck_assert_uint_eq(count_entries(cu_tmp), 1);
}
END_TEST

/* Standard output that cannot be written (here: open read-only) is an error, not silence. */
START_TEST(test_stdout_fails)
{
	struct kerr err;
	int saved, fd;
	int rc;

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	kerr_clear(&err);
	rc = output_write("-", "lost\n", 5, 0640, &err);
	ck_assert_int_eq(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	close(fd);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err.code, KERR_IO);
	ck_assert_int_eq(err.sys_errno, EBADF);
	ck_assert_ptr_nonnull(strstr(err.msg, "standard output"));
}
END_TEST

static Suite *output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(tc, test_atomic_replace);
	tcase_add_loop_test(tc, test_mode_exact, 0, (int)XSTD_COUNTOF(umasks));
	tcase_add_test(tc, test_relative_and_empty);
	tcase_add_test(tc, test_refuses_non_regular);
	tcase_add_test(tc, test_dangling_symlink_not_followed);
	tcase_add_test(tc, test_missing_dir);
	tcase_add_test(tc, test_target_is_dir);
	tcase_add_test(tc, test_dir_not_writable);
	tcase_add_test(tc, test_stdout);
	tcase_add_test(tc, test_stdout_fails);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(output_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
