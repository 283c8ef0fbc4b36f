/*
 * Unit tests for scanner/walk: hostile trees built at test time. Every walk test runs with
 * one worker and with four (tcase_add_loop_test, jobs = 1 + 3 * _i) and must give the same
 * counts: the walker's results may not depend on threads.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "scanner/sources/rootfs.h"
#include "scanner/deep/walk.h"
#include "base/xstd.h"
#include "check_util.h"

/* Nesting for the deep test: 300 levels of 30-byte names is 9300 bytes, past PATH_MAX. */
#define DEEP_LEVELS 300
#define DEEP_NAME "d0123456789012345678901234567"

static void teardown(void)
{
	/* nftw cannot descend past PATH_MAX: the deep test removes its own tree */
	cu_sh("umount -l '%s/a/loop' 2>/dev/null || true", cu_tmp);
	cu_tmp_teardown();
}

/* What a walk saw: every entry path (one per line, sorted at the end), errors. */
struct seen {
	pthread_mutex_t lock;
	struct buf entries;
	struct buf errors;
	size_t maxlen;
	/* the deep test: the file at the bottom */
	bool found_bottom;
	/* the replace test: what to do when the trigger file is seen */
	const char *on_trigger;
};

static int seen_entry(void *ctx, unsigned worker, const struct walk_entry *e)
{
	struct seen *s = ctx;
	char path[KS_WALK_PATH_MAX + 1];
	ssize_t n;

	ck_assert_uint_lt(worker, KS_WALK_JOBS_MAX);
	n = walk_join(path, sizeof(path), e->dir, e->dirlen, e->name, e->namelen);
	ck_assert_int_gt(n, 0);
	pthread_mutex_lock(&s->lock);
	if ((size_t)n > s->maxlen) {
		s->maxlen = (size_t)n;
	}
	if (strcmp(e->name, "bottom") == 0) {
		s->found_bottom = true;
	} else {
		buf_add(&s->entries, path, (size_t)n);
		buf_addf(&s->entries, "|%u\n", e->type);
	}
	if (strcmp(e->name, "trigger") == 0 && s->on_trigger != NULL) {
		cu_sh("%s", s->on_trigger);
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void seen_error(void *ctx, unsigned worker, const char *path, size_t len, int err)
{
	struct seen *s = ctx;

	(void)worker;
	pthread_mutex_lock(&s->lock);
	buf_add(&s->errors, path, len);
	buf_addf(&s->errors, ":%d\n", err);
	pthread_mutex_unlock(&s->lock);
}

static void seen_init(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	buf_init(&s->entries, 1 << 24);
	buf_init(&s->errors, 1 << 20);
}

static void seen_free(struct seen *s)
{
	buf_free(&s->entries);
	buf_free(&s->errors);
	pthread_mutex_destroy(&s->lock);
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries, sorted, one per line: the walk order is not defined. */
static char *sorted(const struct buf *b)
{
	char *copy = strdup(buf_str(b)), *lines[4096], *p;
	struct buf out;
	size_t n = 0, i;

	ck_assert_ptr_nonnull(copy);
	for (p = copy; *p != '\0' && n < 4096;) {
		char *nl = strchr(p, '\n');

		lines[n++] = p;
		*nl = '\0';
		p = nl + 1;
	}
	qsort(lines, n, sizeof(*lines), line_cmp);
	buf_init(&out, 1 << 24);
	for (i = 0; i < n; i++) {
		buf_addf(&out, "%s\n", lines[i]);
	}
	free(copy);
	p = buf_take(&out, NULL);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Walks @paths of the fixture root with @jobs workers. */
static int run(struct seen *s, const char *const *paths, size_t npaths, unsigned jobs,
	unsigned max_fds, struct walk_stats *st)
{
	struct walk_args a;
	struct rootfs *r;
	struct kerr e;
	int rc;

	r = rootfs_open(cu_tmp, &e);
	ck_assert_ptr_nonnull(r);
	memset(&a, 0, sizeof(a));
	a.root = r;
	a.paths = paths;
	a.npaths = npaths;
	a.jobs = jobs;
	a.max_fds = max_fds;
	a.ops.entry = seen_entry;
	a.ops.error = seen_error;
	a.ops.ctx = s;
	rc = walk_run(&a, st);
	rootfs_close(r);
	return rc;
}

static const char *const top[] = {"/"};

START_TEST(test_basic_counts)
{
	struct walk_stats st;
	struct seen s;
	char *got;

	cu_sh("cd '%s' && mkdir -p a/b/c d && echo 1 >a/f1 && echo 2 >a/b/f2 && : >a/b/c/empty"
	   " && ln -s f1 a/link && ln -s / a/rootlink && ln -s loop a/loop && mkfifo d/fifo"
	   " && python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(\"d/sock\")'",
		cu_tmp);
	seen_init(&s);
	ck_assert_int_eq(run(&s, top, 1, 1 + 3 * (unsigned)_i, 0, &st), 0);
	ck_assert_uint_eq(st.dirs, 5);
	ck_assert_uint_eq(st.files, 3);
	ck_assert_uint_eq(st.symlinks, 3);
	ck_assert_uint_eq(st.special, 2);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_uint_eq(st.loops, 0);
	got = sorted(&s.entries);
	/* symlinks are entries, never followed: nothing of / shows up */
	ck_assert_str_eq(got, "/a/b/c/empty|8\n/a/b/f2|8\n/a/f1|8\n/a/link|10\n/a/loop|10\n"
			      "/a/rootlink|10\n/d/fifo|1\n/d/sock|12\n");
	free(got);
	seen_free(&s);
}
END_TEST

START_TEST(test_devices)
{
	struct walk_stats st;
	struct seen s;

	if (mknod("/tmp/kscan-walk-probe", S_IFCHR | 0600, makedev(1, 3)) != 0) {
		return; /* not root: device nodes cannot be made here */
	}
	unlink("/tmp/kscan-walk-probe");
	cu_sh("cd '%s' && mknod null c 1 3 && mknod blk b 7 0 && mknod zero c 1 5", cu_tmp);
	seen_init(&s);
	ck_assert_int_eq(run(&s, top, 1, 1 + 3 * (unsigned)_i, 0, &st), 0);
	ck_assert_uint_eq(st.special, 3);
	ck_assert_uint_eq(st.files, 0);
	seen_free(&s);
}
END_TEST

START_TEST(test_odd_names)
{
	struct walk_stats st;
	struct seen s;
	char *got;

	cu_sh("cd '%s' && mkdir \"$(printf 'dir\\nwith newline')\" && "
	   "touch \"$(printf 'dir\\nwith newline/bad\\377\\300name')\" && "
	   "touch \"$(printf 'esc\\033[2J')\"",
		cu_tmp);
	seen_init(&s);
	ck_assert_int_eq(run(&s, top, 1, 1 + 3 * (unsigned)_i, 0, &st), 0);
	ck_assert_uint_eq(st.files, 2);
	ck_assert_uint_eq(st.dirs, 2);
	got = sorted(&s.entries);
	/* the exact bytes, newline and all (the newline splits this line list in two) */
	ck_assert_str_eq(got, "/dir\n/esc\x1b[2J|8\nwith newline/bad\xff\xc0name|8\n");
	free(got);
	seen_free(&s);
}
END_TEST

/* Builds DEEP_LEVELS nested directories fd-relative (mkdir -p cannot, past PATH_MAX). */
static void make_deep(void)
{
	int fd = open(cu_tmp, O_RDONLY | O_DIRECTORY), i, nfd;

	ck_assert_int_ge(fd, 0);
	for (i = 0; i < DEEP_LEVELS; i++) {
		ck_assert_int_eq(mkdirat(fd, DEEP_NAME, 0755), 0);
		nfd = openat(fd, DEEP_NAME, O_RDONLY | O_DIRECTORY);
		ck_assert_int_ge(nfd, 0);
		close(fd);
		fd = nfd;
	}
	nfd = openat(fd, "bottom", O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(nfd, 0);
	close(nfd);
	close(fd);
}

/* Removes the deep tree bottom-up, fd-relative. */
static void remove_deep(void)
{
	int fds[DEEP_LEVELS + 1], i;

	fds[0] = open(cu_tmp, O_RDONLY | O_DIRECTORY);
	for (i = 1; i <= DEEP_LEVELS; i++) {
		fds[i] = openat(fds[i - 1], DEEP_NAME, O_RDONLY | O_DIRECTORY);
	}
	unlinkat(fds[DEEP_LEVELS], "bottom", 0);
	for (i = DEEP_LEVELS; i >= 1; i--) {
		close(fds[i]);
		unlinkat(fds[i - 1], DEEP_NAME, AT_REMOVEDIR);
	}
	close(fds[0]);
}

START_TEST(test_deeper_than_path_max)
{
	struct walk_stats st;
	struct seen s;

	make_deep();
	seen_init(&s);
	ck_assert_int_eq(run(&s, top, 1, 1 + 3 * (unsigned)_i, 0, &st), 0);
	remove_deep();
	ck_assert_uint_eq(st.dirs, DEEP_LEVELS + 1);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert(s.found_bottom);
	ck_assert_uint_eq(s.maxlen, DEEP_LEVELS * (sizeof(DEEP_NAME)) + strlen("/bottom"));
	ck_assert_uint_gt(s.maxlen, PATH_MAX);
	seen_free(&s);
}
END_TEST

/*
 * A comb: every level has four leaf directories and the next level. Whenever the next
 * level is read before the last leaf (almost always, over 30 levels), its ancestors keep
 * children pending and their fds open; with a budget of 2 the walker must evict them and
 * reopen them later, and still see everything.
 */
START_TEST(test_fd_budget)
{
	struct walk_stats st;
	struct seen s;

	cu_sh("cd '%s' && p=. && for i in $(seq 1 30); do mkdir -p $p/l1 $p/l2 $p/l3 $p/l4 $p/n; "
	   "echo $i >$p/l1/f; p=$p/n; done",
		cu_tmp);
	seen_init(&s);
	ck_assert_int_eq(run(&s, top, 1, 1 + 3 * (unsigned)_i, 2, &st), 0);
	ck_assert_uint_eq(st.dirs, 151);
	ck_assert_uint_eq(st.files, 30);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_uint_eq(st.changed + st.vanished, 0);
	ck_assert_uint_gt(st.evictions, 0);
	ck_assert_uint_gt(st.reopens, 0);
	seen_free(&s);
}
END_TEST

START_TEST(test_bind_loop)
{
	struct walk_stats st;
	struct seen s;
	char dir[128], loop[128];

	cu_sh("mkdir -p '%s/a/loop' && echo x >'%s/a/f'", cu_tmp, cu_tmp);
	cu_fmt(dir, sizeof(dir), "%s/a", cu_tmp);
	cu_fmt(loop, sizeof(loop), "%s/a/loop", cu_tmp);
	if (mount(dir, loop, NULL, MS_BIND, NULL) != 0) {
		return; /* no privilege to mount: the loop cannot be built here */
	}
	seen_init(&s);
	ck_assert_int_eq(run(&s, top, 1, 1 + 3 * (unsigned)_i, 0, &st), 0);
	umount2(loop, MNT_DETACH);
	/* a/loop is a itself: seen once, not entered */
	ck_assert_uint_eq(st.loops, 1);
	ck_assert_uint_eq(st.files, 1);
	ck_assert_uint_eq(st.dirs, 2);
	seen_free(&s);
}
END_TEST

/* A directory swapped for a symlink to / between the directory read and its open. */
START_TEST(test_replaced_during_walk)
{
	char cmd[256];
	struct walk_stats st;
	struct seen s;
	char *got;

	cu_sh("cd '%s' && mkdir -p x/sub x/gone && echo t >x/trigger && echo s >x/sub/secret",
		cu_tmp);
	cu_fmt(cmd, sizeof(cmd), "cd '%s/x' && mv sub sub.old && ln -s / sub && rm -r gone",
		cu_tmp);
	seen_init(&s);
	s.on_trigger = cmd;
	ck_assert_int_eq(run(&s, top, 1, 1 + 3 * (unsigned)_i, 0, &st), 0);
	ck_assert_uint_eq(st.changed, 1);
	ck_assert_uint_eq(st.vanished, 1);
	ck_assert_uint_eq(st.errors, 0);
	got = sorted(&s.entries);
	ck_assert_str_eq(got, "/x/trigger|8\n");
	free(got);
	seen_free(&s);
}
END_TEST

/* As an unprivileged user, an unreadable directory is an error with its path. */
START_TEST(test_unreadable_as_user)
{
	struct walk_stats st;
	struct seen s;
	pid_t pid;
	int status;

	if (geteuid() != 0) {
		return; /* setuid needs root; as a user the test below is the normal case */
	}
	cu_sh("cd '%s' && mkdir -p pub priv && echo x >pub/f && echo y >priv/f && chmod 700 priv"
	   " && chmod 755 '%s'",
		cu_tmp, cu_tmp);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0) {
			_exit(90);
		}
		seen_init(&s);
		if (run(&s, top, 1, 1 + 3 * (unsigned)_i, 0, &st) != 0) {
			_exit(91);
		}
		if (st.errors != 1 || st.files != 1 || st.dirs != 2) {
			_exit(92);
		}
		_exit(strcmp(buf_str(&s.errors), "/priv:13\n") == 0 ? 0 : 93);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(test_start_paths)
{
	static const char *const two[] = {"/a", "/missing"};
	struct walk_stats st;
	struct seen s;
	char *got;

	cu_sh("cd '%s' && mkdir -p a b && echo 1 >a/f && echo 2 >b/g", cu_tmp);
	seen_init(&s);
	ck_assert_int_eq(run(&s, two, 2, 1 + 3 * (unsigned)_i, 0, &st), 0);
	got = sorted(&s.entries);
	ck_assert_str_eq(got, "/a/f|8\n");
	/* a start path that is not there is counted as gone, not walked */
	ck_assert_uint_eq(st.vanished, 1);
	free(got);
	seen_free(&s);
}
END_TEST

START_TEST(test_deadline)
{
	struct walk_args a;
	struct walk_stats st;
	struct rootfs *r;
	struct kerr e;

	cu_sh("cd '%s' && mkdir -p a/b/c", cu_tmp);
	r = rootfs_open(cu_tmp, &e);
	ck_assert_ptr_nonnull(r);
	memset(&a, 0, sizeof(a));
	a.root = r;
	a.paths = top;
	a.npaths = 1;
	a.jobs = 1 + 3 * (unsigned)_i;
	/* long past: the walk stops before the first directory and says so */
	a.deadline_ms = 1;
	ck_assert_int_eq(walk_run(&a, &st), 1);
	ck_assert_uint_eq(st.dirs, 0);
	rootfs_close(r);
}
END_TEST

START_TEST(test_join)
{
	char out[8];

	ck_assert_int_eq(walk_join(out, sizeof(out), "/", 1, "x", 1), 2);
	ck_assert_str_eq(out, "/x");
	ck_assert_int_eq(walk_join(out, sizeof(out), "/ab", 3, "cd", 2), 6);
	ck_assert_str_eq(out, "/ab/cd");
	ck_assert_int_eq(walk_join(out, sizeof(out), "/ab", 3, "cde", 3), 7);
	ck_assert_int_eq(walk_join(out, sizeof(out), "/ab", 3, "cdef", 4), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

static Suite *walk_suite(void)
{
	Suite *s = suite_create("walk");
	TCase *tc = tcase_create("trees");

	tcase_add_checked_fixture(tc, cu_tmp_setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_basic_counts, 0, 2);
	tcase_add_loop_test(tc, test_devices, 0, 2);
	tcase_add_loop_test(tc, test_odd_names, 0, 2);
	tcase_add_loop_test(tc, test_deeper_than_path_max, 0, 2);
	tcase_add_loop_test(tc, test_fd_budget, 0, 2);
	tcase_add_loop_test(tc, test_bind_loop, 0, 2);
	tcase_add_loop_test(tc, test_replaced_during_walk, 0, 2);
	tcase_add_loop_test(tc, test_unreadable_as_user, 0, 2);
	tcase_add_loop_test(tc, test_start_paths, 0, 2);
	tcase_add_loop_test(tc, test_deadline, 0, 2);
	tcase_add_test(tc, test_join);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(walk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
