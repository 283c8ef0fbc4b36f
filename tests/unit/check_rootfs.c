/*
 * Unit tests for scanner/rootfs: every lookup stays inside the scanned root.
 *
 * The tree is built once per test case in a mkdtemp directory. Every lookup test runs twice
 * (tcase_add_loop_test, _i % 2): pass 0 with openat2() RESOLVE_IN_ROOT, pass 1 with the
 * component-by-component fallback forced, and both must give the same answers.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/limits.h"
#include "scanner/sources/rootfs.h"
#include "base/xstd.h"
#include "check_util.h"

/* glibc before 2.32 has no SYS_openat2; the number is the same on every architecture. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* Directories of the deep tree: more than KS_PATH_COMPONENTS_MAX, well past PATH_MAX. */
#define DEEP_LEVELS 70
#define DEEP_NAME_LEN 100
/* A file sits at this level, so its path has exactly KS_PATH_COMPONENTS_MAX components. */
#define DEEP_FILE_LEVEL (KS_PATH_COMPONENTS_MAX - 1)

static bool have_devices;
static const char passwd_inside[] = "root:x:0:0:inside the fixture root:/root:/bin/sh\n";

/* Fixture building */

static void mk_dir(int dfd, const char *path)
{
	ck_assert_msg(mkdirat(dfd, path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
}

static void mk_file(int dfd, const char *path, const void *data, size_t n)
{
	int fd = openat(dfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
	ck_assert_int_eq(xstd_write_all(fd, data, n), 0);
	ck_assert_int_eq(close(fd), 0);
}

static void mk_text(int dfd, const char *path, const char *text)
{
	mk_file(dfd, path, text, strlen(text));
}

static void mk_link(int dfd, const char *target, const char *path)
{
	ck_assert_msg(symlinkat(target, dfd, path) == 0, "symlink %s: %s", path,
		strerror(errno));
}

/* chain/<p>0 -> <p>1 -> ... -> <p><n-1> -> /etc/x: @n links from the first name. */
static void mk_chain(int dfd, char prefix, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		char name[32], target[32];
		int k;

		ck_assert_int_gt(snprintf(name, sizeof(name), "chain/%c%u", prefix, i), 0);
		if (i + 1 < n) {
			k = snprintf(target, sizeof(target), "%c%u", prefix, i + 1);
		} else {
			k = snprintf(target, sizeof(target), "/etc/x");
		}
		ck_assert_int_gt(k, 0);
		mk_link(dfd, target, name);
	}
}

static void deep_name(unsigned level, char out[DEEP_NAME_LEN + 1])
{
	memset(out, 'a' + (int)(level % 26), DEEP_NAME_LEN);
	ck_assert_int_gt(snprintf(out, DEEP_NAME_LEN + 1, "%02u", level), 0);
	out[2] = '-';
	out[DEEP_NAME_LEN] = '\0';
}

/* Builds deep/<n0>/<n1>/... with mkdirat: no path string could name the bottom. */
static void mk_deep(int dfd)
{
	int fd = openat(dfd, "deep", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	unsigned level;

	ck_assert_int_ge(fd, 0);
	for (level = 1; level < DEEP_LEVELS; level++) {
		char name[DEEP_NAME_LEN + 1];
		int next;

		deep_name(level, name);
		mk_dir(fd, name);
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_ge(next, 0);
		close(fd);
		fd = next;
		if (level == DEEP_FILE_LEVEL - 1) {
			mk_text(fd, "f", "deep file\n");
		}
	}
	close(fd);
}

static void mk_socket(const char *path)
{
	struct sockaddr_un sa;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(s, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
}

static void mk_tree(int dfd)
{
	char hostpath[PATH_MAX + 16];
	char *big = malloc(100000);

	mk_dir(dfd, "etc");
	mk_text(dfd, "etc/passwd", passwd_inside);
	mk_text(dfd, "etc/hostname", "inside\n");
	mk_text(dfd, "etc/x", "x inside\n");
	mk_dir(dfd, "usr");
	mk_dir(dfd, "usr/lib");
	mk_dir(dfd, "usr/bin");
	mk_text(dfd, "usr/lib/libfoo.so", "libfoo\n");
	mk_text(dfd, "usr/bin/tool", "tool\n");
	mk_link(dfd, "usr/lib", "lib");
	mk_link(dfd, "/usr/bin", "bin");
	mk_link(dfd, "/etc/x", "abs");
	mk_dir(dfd, "a");
	mk_dir(dfd, "a/b");
	mk_dir(dfd, "a/b/c");
	mk_link(dfd, "../../../../etc/passwd", "a/b/c/up");
	mk_link(dfd, "../../../../../../../../../../../../etc/passwd", "a/b/c/uphost");
	mk_link(dfd, "../../../etc/x", "a/b/c/rel");
	mk_link(dfd, "..", "dotdot");
	mk_link(dfd, "/", "hostroot");
	mk_link(dfd, "loop2", "loop1");
	mk_link(dfd, "loop1", "loop2");
	mk_link(dfd, "self", "self");
	mk_link(dfd, "ldir/x", "ldir");
	mk_dir(dfd, "chain");
	mk_chain(dfd, 'l', KS_PATH_SYMLINKS_MAX);
	mk_chain(dfd, 'm', KS_PATH_SYMLINKS_MAX + 1);
	mk_link(dfd, "/proc/self/root", "escape");
	mk_dir(dfd, "proc");
	ck_assert_int_gt(snprintf(hostpath, sizeof(hostpath), "%s/etc/x", cu_tmp), 0);
	mk_link(dfd, hostpath, "selfpath");
	mk_link(dfd, "/nonexistent", "dangling");
	mk_dir(dfd, "dir");
	mk_dir(dfd, "dir/sub");
	mk_text(dfd, "dir/f", "f\n");
	mk_text(dfd, "dir/sub/g", "g\n");
	mk_link(dfd, "dir", "linkdir");
	mk_link(dfd, "/dir", "linkdirabs");
	mk_link(dfd, "dir/", "dirslash");
	mk_link(dfd, "/etc/x/", "fileslash");
	ck_assert_int_eq(mkfifoat(dfd, "fifo", 0644), 0);
	mk_link(dfd, "/fifo", "fifolink");
	ck_assert_int_gt(snprintf(hostpath, sizeof(hostpath), "%s/sock", cu_tmp), 0);
	mk_socket(hostpath);
	have_devices = mknodat(dfd, "null", S_IFCHR | 0666, makedev(1, 3)) == 0 &&
		       mknodat(dfd, "blk", S_IFBLK | 0600, makedev(7, 0)) == 0;
	ck_assert_ptr_nonnull(big);
	memset(big, 'B', 100000);
	mk_file(dfd, "big", big, 100000);
	free(big);
	mk_file(dfd, "empty", "", 0);
	mk_dir(dfd, "deep");
	mk_deep(dfd);
}

static void tree_setup(void)
{
	int dfd;

	cu_tmp_setup();
	dfd = open(cu_tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	mk_tree(dfd);
	close(dfd);
}

/* Modes */

static const char *const mode_names[] = { "openat2", "fallback" };

/* Sets the resolver for pass @i; says once if openat2 is not there to be tested. */
static const char *set_mode(int i)
{
	rootfs_force_fallback(i % 2 == 1);
	if (i % 2 == 0) {
		struct open_how_min {
			unsigned long long flags, mode, resolve;
		} how = { O_PATH, 0, 0 };
		long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

		if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
			fprintf(stderr, "note: openat2() unavailable (%s): pass 0 tests the "
				"fallback too\n", strerror(errno));
		} else if (fd >= 0) {
			close((int)fd);
		}
	}
	return mode_names[i % 2];
}

/*
 * Mount-namespace tests change the process they run in: only in a forked test (Check's
 * default), never in the runner itself (CK_FORK=no, for debugging).
 */
static bool may_unshare(const char *test)
{
	const char *fork_env = getenv("CK_FORK");

	if (fork_env != NULL && strcmp(fork_env, "no") == 0) {
		fprintf(stderr, "skip %s: needs CK_FORK\n", test);
		return false;
	}
	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		fprintf(stderr, "skip %s: no private mount namespace: %s\n", test,
			strerror(errno));
		return false;
	}
	return true;
}

/* Resolution table */

struct res_case {
	const char *path;
	int flags;
	int err;          /* expected errno, or 0 */
	const char *want; /* on success: the entry of the tree it must be ("." = the root) */
};

#define NOFOL ROOTFS_NOFOLLOW

static const struct res_case res_cases[] = {
	{ "/etc/passwd", 0, 0, "etc/passwd" },
	{ "etc/passwd", 0, 0, "etc/passwd" },
	{ "//etc///passwd", 0, 0, "etc/passwd" },
	{ "/./etc/./passwd", 0, 0, "etc/passwd" },
	{ "/../../../../etc/passwd", 0, 0, "etc/passwd" },
	{ "../etc/../../etc/passwd", 0, 0, "etc/passwd" },
	{ "/", 0, 0, "." },
	{ "", 0, 0, "." },
	{ ".", 0, 0, "." },
	{ "..", 0, 0, "." },
	{ "/..", NOFOL, 0, "." },
	/* absolute symlinks resolve inside the root */
	{ "/abs", 0, 0, "etc/x" },
	{ "/abs", NOFOL, 0, "abs" },
	{ "/hostroot/etc/x", 0, 0, "etc/x" },
	{ "/hostroot/../../etc/x", 0, 0, "etc/x" },
	{ "/linkdirabs/f", 0, 0, "dir/f" },
	/* ".." in a symlink stops at the root */
	{ "/a/b/c/up", 0, 0, "etc/passwd" },
	{ "/a/b/c/uphost", 0, 0, "etc/passwd" },
	{ "/a/b/c/rel", 0, 0, "etc/x" },
	{ "/dotdot/etc/x", 0, 0, "etc/x" },
	{ "/dotdot/dotdot/dotdot", 0, 0, "." },
	/* intermediate symlinked directories (usr-merge) */
	{ "/lib/libfoo.so", 0, 0, "usr/lib/libfoo.so" },
	{ "/lib/libfoo.so", NOFOL, 0, "usr/lib/libfoo.so" },
	{ "/bin/tool", 0, 0, "usr/bin/tool" },
	{ "/lib", NOFOL, 0, "lib" },
	{ "/lib", 0, 0, "usr/lib" },
	{ "/lib/../bin/tool", 0, 0, "usr/bin/tool" },
	{ "/bin/../etc/x", 0, ENOENT, NULL },
	{ "/linkdir/sub/../f", 0, 0, "dir/f" },
	/* a trailing slash asks for a directory, and follows a final symlink to get it */
	{ "/dir/", 0, 0, "dir" },
	{ "/lib/", NOFOL, 0, "usr/lib" },
	{ "/etc/x/", 0, ENOTDIR, NULL },
	{ "/abs/", NOFOL, ENOTDIR, NULL },
	{ "/etc/x/.", 0, ENOTDIR, NULL },
	{ "/etc/x/..", 0, ENOTDIR, NULL },
	{ "/dirslash", 0, 0, "dir" },
	{ "/fileslash", 0, ENOTDIR, NULL },
	/* loops and chains */
	{ "/loop1", 0, ELOOP, NULL },
	{ "/loop1/x", 0, ELOOP, NULL },
	{ "/loop1", NOFOL, 0, "loop1" },
	{ "/self", 0, ELOOP, NULL },
	{ "/self/", NOFOL, ELOOP, NULL },
	{ "/ldir", 0, ELOOP, NULL },
	{ "/chain/l0", 0, 0, "etc/x" },
	{ "/chain/l0", NOFOL, 0, "chain/l0" },
	{ "/chain/m1", 0, 0, "etc/x" },
	{ "/chain/m0", 0, ELOOP, NULL },
	/* the host's paths do not exist in here */
	{ "/escape/etc/passwd", 0, ENOENT, NULL },
	{ "/escape", NOFOL, 0, "escape" },
	{ "/selfpath", 0, ENOENT, NULL },
	{ "/dangling", 0, ENOENT, NULL },
	{ "/dangling", NOFOL, 0, "dangling" },
	{ "/dangling/", NOFOL, ENOENT, NULL },
	{ "/nonexistent", 0, ENOENT, NULL },
	{ "/etc/passwd/x", 0, ENOTDIR, NULL },
	{ "/abs/x", 0, ENOTDIR, NULL },
	/* special files resolve (O_PATH opens nothing); rootfs_open_regular refuses them */
	{ "/fifo", 0, 0, "fifo" },
	{ "/fifolink", 0, 0, "fifo" },
	{ "/sock", 0, 0, "sock" },
};

START_TEST(test_resolve)
{
	const struct res_case *c = &res_cases[_i / 2];
	const char *mode = set_mode(_i);
	struct rootfs *r = cu_open_root(cu_tmp);
	struct stat got, want;
	int fd;

	errno = 0;
	fd = rootfs_open_path(r, c->path, c->flags);
	if (c->err != 0) {
		ck_assert_msg(fd == -1, "%s: \"%s\": resolved, want %s", mode, c->path,
			strerror(c->err));
		ck_assert_msg(errno == c->err, "%s: \"%s\": %s, want %s", mode, c->path,
			strerror(errno), strerror(c->err));
		rootfs_close(r);
		return;
	}
	ck_assert_msg(fd >= 0, "%s: \"%s\": %s, want %s", mode, c->path, strerror(errno),
		c->want);
	ck_assert_int_eq(fstat(fd, &got), 0);
	ck_assert_int_eq(fstatat(rootfs_fd(r), c->want, &want, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_msg(got.st_dev == want.st_dev && got.st_ino == want.st_ino,
		"%s: \"%s\" is not %s", mode, c->path, c->want);
	/* an O_PATH descriptor, close-on-exec */
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_PATH, O_PATH);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
	rootfs_close(r);
}
END_TEST

/* Reads through every escape attempt get the fixture's file, never the host's. */
START_TEST(test_read_stays_inside)
{
	static const char *const to_passwd[] = { "/etc/passwd", "/a/b/c/up", "/a/b/c/uphost",
		"/../../etc/passwd", "/dotdot/etc/passwd", "/hostroot/etc/passwd" };
	const char *mode = set_mode(_i);
	struct rootfs *r = cu_open_root(cu_tmp);
	struct buf b;
	size_t i;

	buf_init(&b, KS_SMALL_FILE_MAX);
	for (i = 0; i < XSTD_COUNTOF(to_passwd); i++) {
		buf_reset(&b);
		ck_assert_msg(rootfs_read_file(r, to_passwd[i], KS_SMALL_FILE_MAX, &b) == 0,
			"%s: %s: %s", mode, to_passwd[i], strerror(errno));
		ck_assert_str_eq(buf_str(&b), passwd_inside);
	}
	buf_reset(&b);
	ck_assert_int_eq(rootfs_read_file(r, "/abs", 100, &b), 0);
	ck_assert_str_eq(buf_str(&b), "x inside\n");
	buf_reset(&b);
	ck_assert_int_eq(rootfs_read_file(r, "/lib/libfoo.so", 100, &b), 0);
	ck_assert_str_eq(buf_str(&b), "libfoo\n");
	buf_reset(&b);
	errno = 0;
	ck_assert_int_eq(rootfs_read_file(r, "/escape/etc/passwd", KS_SMALL_FILE_MAX, &b), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(buf_len(&b), 0);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

/*
 * A real magic link: procfs mounted inside the root (as in a live container's tree), and
 * /escape -> /proc/self/root. Resolving /proc/self/root in the root reaches procfs's magic
 * link, which the kernel would follow to the host's "/". Needs a private mount namespace.
 */
START_TEST(test_magic_link)
{
	static const char *const probes[] = { "/escape/etc/passwd", "/proc/self/root/etc/passwd",
		"/proc/self/cwd/etc/passwd", "/proc/1/root/etc/passwd" };
	const char *mode = set_mode(_i);
	char procdir[PATH_MAX + 8];
	struct rootfs *r;
	struct buf host, b;
	size_t i;
	int fd;

	if (!may_unshare("test_magic_link")) {
		return;
	}
	ck_assert_int_gt(snprintf(procdir, sizeof(procdir), "%s/proc", cu_tmp), 0);
	ck_assert_msg(mount("proc", procdir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0,
		"mount proc: %s", strerror(errno));
	/* the host's file, to be sure it is never what we read */
	buf_init(&host, KS_SMALL_FILE_MAX);
	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(xstd_read_fd(fd, KS_SMALL_FILE_MAX, &host), 0);
	close(fd);
	ck_assert_str_ne(buf_str(&host), passwd_inside);

	r = cu_open_root(cu_tmp);
	buf_init(&b, KS_SMALL_FILE_MAX);
	for (i = 0; i < XSTD_COUNTOF(probes); i++) {
		int rc;

		buf_reset(&b);
		errno = 0;
		rc = rootfs_read_file(r, probes[i], KS_SMALL_FILE_MAX, &b);
		ck_assert_msg(rc == -1, "%s: %s was read (%s)", mode, probes[i],
			strcmp(buf_str(&b), buf_str(&host)) == 0 ? "the HOST's file" : "inside");
		/* EACCES: the kernel checks ptrace access to pid 1 before it sees the magic link */
		ck_assert_msg(errno == ELOOP || errno == EXDEV || errno == EACCES,
			"%s: %s: %s, want ELOOP", mode, probes[i], strerror(errno));
		ck_assert_uint_eq(buf_len(&b), 0);
	}
	/* ordinary procfs symlinks ("self") are not magic and still resolve */
	buf_reset(&b);
	ck_assert_msg(rootfs_read_file(r, "/proc/self/comm", 100, &b) == 0, "%s: comm: %s", mode,
		strerror(errno));
	ck_assert_uint_gt(buf_len(&b), 0);
	rootfs_close(r);
	buf_free(&b);
	buf_free(&host);
	ck_assert_int_eq(umount2(procdir, MNT_DETACH), 0);
}
END_TEST

START_TEST(test_nofollow)
{
	const char *mode = set_mode(_i);
	struct rootfs *r = cu_open_root(cu_tmp);
	char target[PATH_MAX];
	char small[5];
	struct stat st;

	ck_assert_int_eq(rootfs_lstat(r, "/abs", &st), 0);
	ck_assert_msg(S_ISLNK(st.st_mode), "%s: /abs is not a link", mode);
	ck_assert_int_eq(st.st_size, 6);
	ck_assert_int_eq(rootfs_readlink(r, "/abs", target, sizeof(target)), 6);
	ck_assert_str_eq(target, "/etc/x");
	ck_assert_int_eq(rootfs_readlink(r, "/a/b/c/up", target, sizeof(target)), 22);
	ck_assert_str_eq(target, "../../../../etc/passwd");
	/* the link in the last component is itself; the ones before it resolve */
	ck_assert_int_eq(rootfs_lstat(r, "/lib", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(rootfs_lstat(r, "/lib/libfoo.so", &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, 7);
	ck_assert_int_eq(rootfs_lstat(r, "/loop1", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(rootfs_readlink(r, "/loop1", target, sizeof(target)), 5);
	ck_assert_str_eq(target, "loop2");
	ck_assert_int_eq(rootfs_readlink(r, "/dangling", target, sizeof(target)), 12);
	ck_assert_str_eq(target, "/nonexistent");
	ck_assert_int_eq(rootfs_lstat(r, "/fifo", &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(rootfs_lstat(r, "/sock", &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	errno = 0;
	ck_assert_int_eq(rootfs_lstat(r, "/loop1/x", &st), -1);
	ck_assert_int_eq(errno, ELOOP);
	/* too small a buffer: cut and terminated, and the full length is returned */
	memset(small, '#', sizeof(small));
	ck_assert_int_eq(rootfs_readlink(r, "/abs", small, sizeof(small)), 6);
	ck_assert_str_eq(small, "/etc");
	/* not a symlink */
	errno = 0;
	ck_assert_int_eq(rootfs_readlink(r, "/etc/x", target, sizeof(target)), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(rootfs_readlink(r, "/nonexistent", target, sizeof(target)), -1);
	ck_assert_int_eq(errno, ENOENT);
	rootfs_close(r);
}
END_TEST

/* Special files are refused by type, without opening them: a FIFO would block. */
START_TEST(test_open_regular)
{
	static const char *const not_regular[] = { "/fifo", "/fifolink", "/sock", "/null",
		"/blk" };
	const char *mode = set_mode(_i);
	struct rootfs *r = cu_open_root(cu_tmp);
	struct buf b;
	char c;
	size_t i;
	int fd;

	buf_init(&b, 1000);
	for (i = 0; i < XSTD_COUNTOF(not_regular); i++) {
		if (!have_devices && i >= 3) {
			fprintf(stderr, "skip %s: mknod not permitted here\n", not_regular[i]);
			continue;
		}
		errno = 0;
		fd = rootfs_open_regular(r, not_regular[i], 0);
		ck_assert_msg(fd == -1 && errno == EINVAL, "%s: %s: fd %d, %s", mode,
			not_regular[i], fd, strerror(errno));
		errno = 0;
		ck_assert_int_eq(rootfs_read_file(r, not_regular[i], 1000, &b), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	errno = 0;
	ck_assert_int_eq(rootfs_open_regular(r, "/dir", 0), -1);
	ck_assert_int_eq(errno, EISDIR);
	errno = 0;
	ck_assert_int_eq(rootfs_open_regular(r, "/", 0), -1);
	ck_assert_int_eq(errno, EISDIR);
	errno = 0;
	ck_assert_int_eq(rootfs_open_regular(r, "/linkdir", 0), -1);
	ck_assert_int_eq(errno, EISDIR);
	/* NOFOLLOW on a symlink: the link is not a regular file */
	errno = 0;
	ck_assert_int_eq(rootfs_open_regular(r, "/abs", ROOTFS_NOFOLLOW), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(rootfs_open_regular(r, "/nonexistent", 0), -1);
	ck_assert_int_eq(errno, ENOENT);

	fd = rootfs_open_regular(r, "/abs", 0);
	ck_assert_msg(fd >= 0, "%s: /abs: %s", mode, strerror(errno));
	/* an ordinary blocking read-only descriptor, close-on-exec */
	ck_assert_int_eq(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK | O_PATH), O_RDONLY);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	ck_assert_int_eq(c, 'x');
	close(fd);
	fd = rootfs_open_regular(r, "/etc/x", ROOTFS_NOFOLLOW);
	ck_assert_int_ge(fd, 0);
	close(fd);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

START_TEST(test_read_file_cap)
{
	const char *mode = set_mode(_i);
	struct rootfs *r = cu_open_root(cu_tmp);
	struct buf b;

	buf_init(&b, (size_t)1 << 20);
	ck_assert_msg(rootfs_read_file(r, "/big", 100000, &b) == 0, "%s: %s", mode,
		strerror(errno));
	ck_assert_uint_eq(buf_len(&b), 100000);
	ck_assert_int_eq(buf_str(&b)[99999], 'B');
	buf_reset(&b);
	errno = 0;
	ck_assert_int_eq(rootfs_read_file(r, "/big", 99999, &b), -1);
	ck_assert_int_eq(errno, E2BIG);
	buf_reset(&b);
	ck_assert_int_eq(rootfs_read_file(r, "/empty", 0, &b), 0);
	ck_assert_uint_eq(buf_len(&b), 0);
	ck_assert_int_eq(rootfs_read_file(r, "/etc/x", 9, &b), 0);
	ck_assert_str_eq(buf_str(&b), "x inside\n");
	buf_reset(&b);
	errno = 0;
	ck_assert_int_eq(rootfs_read_file(r, "/etc/x", 8, &b), -1);
	ck_assert_int_eq(errno, E2BIG);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

/* Lists the directory @path of the root: the names, sorted, joined by spaces. */
static void list_dir(const struct rootfs *r, const char *path, int flags, struct buf *out)
{
	char names[16][32];
	size_t n = 0, i, j;
	struct dirent *de;
	DIR *d;
	int fd = rootfs_open_dir(r, path, flags);

	ck_assert_msg(fd >= 0, "open_dir %s: %s", path, strerror(errno));
	d = fdopendir(fd);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.') {
			continue;
		}
		ck_assert_uint_lt(n, 16);
		ck_assert_uint_lt(len, sizeof(names[0]));
		memcpy(names[n++], de->d_name, len + 1);
	}
	closedir(d);
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char t[32];

			memcpy(t, names[j], sizeof(t));
			memcpy(names[j], names[j - 1], sizeof(t));
			memcpy(names[j - 1], t, sizeof(t));
		}
	}
	buf_reset(out);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(buf_addf(out, "%s%s", i > 0 ? " " : "", names[i]), 0);
	}
}

START_TEST(test_open_dir)
{
	const char *mode = set_mode(_i);
	struct rootfs *r = cu_open_root(cu_tmp);
	struct buf b;

	buf_init(&b, 4096);
	list_dir(r, "/dir", 0, &b);
	ck_assert_str_eq(buf_str(&b), "f sub");
	list_dir(r, "/linkdir", 0, &b);
	ck_assert_str_eq(buf_str(&b), "f sub");
	list_dir(r, "/linkdirabs/sub", 0, &b);
	ck_assert_str_eq(buf_str(&b), "g");
	list_dir(r, "/a/b/c", 0, &b);
	ck_assert_str_eq(buf_str(&b), "rel up uphost");
	list_dir(r, "/hostroot/usr", 0, &b);
	ck_assert_str_eq(buf_str(&b), "bin lib");
	errno = 0;
	ck_assert_int_eq(rootfs_open_dir(r, "/etc/x", 0), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	errno = 0;
	ck_assert_msg(rootfs_open_dir(r, "/linkdir", ROOTFS_NOFOLLOW) == -1 && errno == ENOTDIR,
		"%s: NOFOLLOW of a link to a directory: %s", mode, strerror(errno));
	errno = 0;
	ck_assert_int_eq(rootfs_open_dir(r, "/fifo", 0), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	errno = 0;
	ck_assert_int_eq(rootfs_open_dir(r, "/nonexistent", 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

/* Absurd paths fail with ENAMETOOLONG in both resolvers. */
START_TEST(test_name_too_long)
{
	const char *mode = set_mode(_i);
	struct rootfs *r = cu_open_root(cu_tmp);
	char name[NAME_MAX + 2];
	size_t huge = 100000, i;
	char *path = malloc(huge + 1);
	int fd;

	ck_assert_ptr_nonnull(path);
	/* one component one byte over NAME_MAX */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	errno = 0;
	ck_assert_int_eq(rootfs_open_path(r, name, 0), -1);
	ck_assert_msg(errno == ENAMETOOLONG, "%s: long name: %s", mode, strerror(errno));
	/* NAME_MAX itself is a name that may exist */
	name[NAME_MAX] = '\0';
	errno = 0;
	ck_assert_int_eq(rootfs_open_path(r, name, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* 100 KB of "a/" */
	for (i = 0; i < huge; i++) {
		path[i] = i % 2 ? '/' : 'a';
	}
	path[huge] = '\0';
	errno = 0;
	ck_assert_int_eq(rootfs_open_path(r, path, 0), -1);
	ck_assert_msg(errno == ENAMETOOLONG, "%s: 100 KB path: %s", mode, strerror(errno));
	/* 100 KB that would resolve to the root */
	for (i = 0; i < huge; i++) {
		path[i] = i % 2 ? '/' : '.';
	}
	errno = 0;
	ck_assert_int_eq(rootfs_open_path(r, path, 0), -1);
	ck_assert_msg(errno == ENAMETOOLONG, "%s: 100 KB of ./: %s", mode, strerror(errno));
	/* 5 KB, past PATH_MAX: still a path the walk can take one component at a time */
	memset(path, '/', 5000);
	memcpy(path + 5000, "etc/x", 6);
	fd = rootfs_open_path(r, path, 0);
	ck_assert_msg(fd >= 0, "%s: 5000 slashes and etc/x: %s", mode, strerror(errno));
	close(fd);
	free(path);
	rootfs_close(r);
}
END_TEST

/* "deep/<1>/<2>/.../<levels>" with the tree's 100-byte names, "/f" added if @file. */
static char *deep_path(unsigned levels, bool file)
{
	struct buf b;
	unsigned level;

	buf_init(&b, (size_t)1 << 20);
	ck_assert_int_eq(buf_adds(&b, "deep"), 0);
	for (level = 1; level <= levels; level++) {
		char name[DEEP_NAME_LEN + 1];

		deep_name(level, name);
		ck_assert_int_eq(buf_addf(&b, "/%s", name), 0);
	}
	if (file) {
		ck_assert_int_eq(buf_adds(&b, "/f"), 0);
	}
	return buf_take(&b, NULL);
}

/*
 * The deep tree is more than PATH_MAX deep, so no path string names its bottom. Paths of
 * up to KS_PATH_COMPONENTS_MAX components still resolve (the walk goes one directory
 * at a time), longer ones fail with ENAMETOOLONG.
 */
START_TEST(test_deep_tree)
{
	const char *mode = set_mode(_i);
	struct rootfs *r = cu_open_root(cu_tmp);
	unsigned cap = KS_PATH_COMPONENTS_MAX;
	struct stat st;
	struct buf b;
	char *p;
	int fd;

	/* "deep" + cap-1 levels = cap components */
	p = deep_path(cap - 1, false);
	ck_assert_uint_gt(strlen(p), PATH_MAX);
	fd = rootfs_open_path(r, p, 0);
	ck_assert_msg(fd >= 0, "%s: %zu bytes, %u components: %s", mode, strlen(p), cap,
		strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	close(fd);
	free(p);

	p = deep_path(cap - 2, true);
	buf_init(&b, 100);
	ck_assert_msg(rootfs_read_file(r, p, 100, &b) == 0, "%s: deep file: %s", mode,
		strerror(errno));
	ck_assert_str_eq(buf_str(&b), "deep file\n");
	buf_free(&b);
	free(p);

	p = deep_path(cap, false);
	errno = 0;
	ck_assert_int_eq(rootfs_open_path(r, p, 0), -1);
	ck_assert_msg(errno == ENAMETOOLONG, "%s: %u components: %s", mode, cap + 1,
		strerror(errno));
	free(p);
	p = deep_path(DEEP_LEVELS - 1, false);
	errno = 0;
	ck_assert_int_eq(rootfs_open_path(r, p, 0), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	free(p);
	rootfs_close(r);
}
END_TEST

/* Counts this process's open descriptors. */
static size_t count_fds(void)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir("/proc/self/fd");

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		n += de->d_name[0] != '.';
	}
	closedir(d);
	return n;
}

/* Every lookup of the table, failed ones too, leaves no descriptor behind. */
START_TEST(test_no_fd_leak)
{
	const char *mode = set_mode(_i);
	struct rootfs *r = cu_open_root(cu_tmp);
	struct buf b;
	struct stat st;
	char target[64];
	size_t before, i, k;
	char *deep;

	buf_init(&b, KS_SMALL_FILE_MAX);
	deep = deep_path(DEEP_LEVELS - 1, false);
	before = count_fds();
	for (k = 0; k < 3; k++) {
		for (i = 0; i < XSTD_COUNTOF(res_cases); i++) {
			const char *p = res_cases[i].path;
			int fd = rootfs_open_path(r, p, res_cases[i].flags);

			if (fd >= 0) {
				close(fd);
			}
			fd = rootfs_open_regular(r, p, 0);
			if (fd >= 0) {
				close(fd);
			}
			fd = rootfs_open_dir(r, p, 0);
			if (fd >= 0) {
				close(fd);
			}
			(void)rootfs_lstat(r, p, &st);
			(void)rootfs_readlink(r, p, target, sizeof(target));
			buf_reset(&b);
			(void)rootfs_read_file(r, p, 10, &b);
		}
		(void)rootfs_open_path(r, deep, 0);
	}
	ck_assert_msg(count_fds() == before, "%s: %zu descriptors before, %zu after", mode,
		before, count_fds());
	free(deep);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

/*
 * Without /proc (a minimal container), rootfs_open_regular() cannot reopen through
 * /proc/self/fd. With openat2 it reopens by name and compares inodes. The walk has no
 * such way yet: it must then fail cleanly (-1, nothing opened), never block or misread.
 */
START_TEST(test_no_proc)
{
	const char *mode = set_mode(_i);
	struct rootfs *r;
	struct buf b;
	int fd;

	if (!may_unshare("test_no_proc")) {
		return;
	}
	if (mount("tmpfs", "/proc", "tmpfs", 0, "size=4k") != 0) {
		fprintf(stderr, "skip test_no_proc: cannot hide /proc: %s\n", strerror(errno));
		return;
	}
	r = cu_open_root(cu_tmp);
	buf_init(&b, 100);
	errno = 0;
	fd = rootfs_open_regular(r, "/fifo", 0);
	ck_assert_msg(fd == -1 && errno == EINVAL, "%s: fifo: %d %s", mode, fd, strerror(errno));
	if (_i % 2 == 0) {
		ck_assert_msg(rootfs_read_file(r, "/abs", 100, &b) == 0, "%s: %s", mode,
			strerror(errno));
		ck_assert_str_eq(buf_str(&b), "x inside\n");
	} else {
		errno = 0;
		ck_assert_int_eq(rootfs_read_file(r, "/abs", 100, &b), -1);
		ck_assert_int_eq(errno, ENOENT);
		ck_assert_uint_eq(buf_len(&b), 0);
	}
	buf_free(&b);
	rootfs_close(r);
	ck_assert_int_eq(umount2("/proc", MNT_DETACH), 0);
}
END_TEST

/*
 * The classic ".." escape: while a lookup is inside <root>/a/b, b is renamed out of the
 * root (to <top>/b), so a ".." taken by name would land in <top>, whose etc/passwd is the
 * "host's". Resolving /a/b/../etc/passwd must never read it: inside the root that path is
 * /a/etc/passwd, which does not exist, and that is the only answer (openat2's EAGAIN for
 * a racing rename is not passed on as a failure).
 */
START_TEST(test_rename_race)
{
	const char *mode = set_mode(_i);
	char top[PATH_MAX + 16], inner[PATH_MAX + 32], outer[PATH_MAX + 32], root[PATH_MAX + 32];
	unsigned outcomes[4] = { 0, 0, 0, 0 };
	struct rootfs *r;
	struct kerr err;
	struct buf b;
	unsigned k;
	pid_t pid;
	int tfd;

	ck_assert_int_gt(snprintf(top, sizeof(top), "%s/race%d", cu_tmp, _i), 0);
	ck_assert_int_eq(mkdir(top, 0755), 0);
	tfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(tfd, 0);
	mk_dir(tfd, "etc");
	mk_text(tfd, "etc/passwd", "HOST\n");
	mk_dir(tfd, "root");
	mk_dir(tfd, "root/a");
	mk_dir(tfd, "root/a/b");
	close(tfd);
	ck_assert_int_gt(snprintf(root, sizeof(root), "%s/root", top), 0);
	ck_assert_int_gt(snprintf(inner, sizeof(inner), "%s/root/a/b", top), 0);
	ck_assert_int_gt(snprintf(outer, sizeof(outer), "%s/b", top), 0);

	r = rootfs_open(root, &err);
	ck_assert_ptr_nonnull(r);
	buf_init(&b, 100);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* no assertion may leave this loop running: it dies with the test */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			(void)rename(inner, outer);
			(void)rename(outer, inner);
		}
	}
	for (k = 0; k < 20000; k++) {
		int rc;

		buf_reset(&b);
		errno = 0;
		rc = rootfs_read_file(r, "/a/b/../etc/passwd", 100, &b);
		if (rc == 0) {
			break;
		}
		outcomes[errno == ENOENT ? 0 : errno == EAGAIN ? 1 : errno == EXDEV ? 2 : 3]++;
	}
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_msg(k == 20000, "%s: read \"%s\" through a renamed directory", mode,
		buf_str(&b));
	fprintf(stderr, "rename race, %s: ENOENT %u, EAGAIN %u, EXDEV %u, other %u\n", mode,
		outcomes[0], outcomes[1], outcomes[2], outcomes[3]);
	ck_assert_uint_eq(outcomes[1], 0);
	ck_assert_uint_eq(outcomes[2], 0);
	ck_assert_uint_eq(outcomes[3], 0);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

/* The root itself */

START_TEST(test_root_host)
{
	struct kerr err;
	struct rootfs *r;
	char canon[PATH_MAX], given[PATH_MAX + 32];

	r = rootfs_open("/", &err);
	ck_assert_ptr_nonnull(r);
	ck_assert(rootfs_is_host(r));
	ck_assert_str_eq(rootfs_path(r), "/");
	rootfs_close(r);
	r = rootfs_open("/usr/..", &err);
	ck_assert_ptr_nonnull(r);
	ck_assert(rootfs_is_host(r));
	rootfs_close(r);

	ck_assert_ptr_nonnull(realpath(cu_tmp, canon));
	r = cu_open_root(cu_tmp);
	ck_assert(!rootfs_is_host(r));
	ck_assert_str_eq(rootfs_path(r), canon);
	ck_assert_int_eq(fcntl(rootfs_fd(r), F_GETFL) & O_PATH, O_PATH);
	rootfs_close(r);
	/* the path is made canonical: dots and a symlinked component go */
	ck_assert_int_gt(snprintf(given, sizeof(given), "%s/./dir/../linkdir/..", cu_tmp), 0);
	r = rootfs_open(given, &err);
	ck_assert_msg(r != NULL, "%s: %s", given, err.msg);
	ck_assert_str_eq(rootfs_path(r), canon);
	ck_assert(!rootfs_is_host(r));
	rootfs_close(r);
	ck_assert_int_gt(snprintf(given, sizeof(given), "%s/linkdir", cu_tmp), 0);
	r = rootfs_open(given, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_gt(snprintf(given, sizeof(given), "%s/dir", canon), 0);
	ck_assert_str_eq(rootfs_path(r), given);
	rootfs_close(r);
	rootfs_close(NULL);
}
END_TEST

/* rootfs_open() of something that is not a directory fails and names it. */
START_TEST(test_root_errors)
{
	static const struct {
		const char *rel;
		int err;
	} bad[] = {
		{ "etc/x", ENOTDIR },
		{ "nonexistent", ENOENT },
		{ "fifo", ENOTDIR },
		{ "dangling", ENOENT },
		{ "loop1", ELOOP },
		{ "etc/x/y", ENOTDIR },
	};
	char given[PATH_MAX + 32];
	struct kerr err;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(bad); i++) {
		ck_assert_int_gt(snprintf(given, sizeof(given), "%s/%s", cu_tmp, bad[i].rel), 0);
		kerr_clear(&err);
		ck_assert_ptr_null(rootfs_open(given, &err));
		ck_assert_int_eq(err.code, KERR_IO);
		ck_assert_msg(err.sys_errno == bad[i].err, "%s: errno %d, want %d", given,
			err.sys_errno, bad[i].err);
		ck_assert_msg(strstr(err.msg, given) != NULL, "message \"%s\" does not name %s",
			err.msg, given);
		ck_assert_msg(strstr(err.msg, strerror(bad[i].err)) != NULL,
			"message \"%s\" does not say why", err.msg);
	}
	kerr_clear(&err);
	ck_assert_ptr_null(rootfs_open("", &err));
	ck_assert_int_eq(err.code, KERR_IO);
	/* without a place for the error, it fails all the same */
	ck_assert_ptr_null(rootfs_open("/nonexistent-kscan-root", NULL));
}
END_TEST

static Suite *rootfs_suite(void)
{
	Suite *s = suite_create("rootfs");
	TCase *tc;

	tc = tcase_create("resolve");
	tcase_add_unchecked_fixture(tc, tree_setup, cu_tmp_teardown);
	/* a FIFO opened by mistake would block: fail fast rather than at the default 60 s */
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, test_resolve, 0, 2 * (int)XSTD_COUNTOF(res_cases));
	tcase_add_loop_test(tc, test_read_stays_inside, 0, 2);
	tcase_add_loop_test(tc, test_magic_link, 0, 2);
	tcase_add_loop_test(tc, test_nofollow, 0, 2);
	tcase_add_loop_test(tc, test_open_regular, 0, 2);
	tcase_add_loop_test(tc, test_read_file_cap, 0, 2);
	tcase_add_loop_test(tc, test_open_dir, 0, 2);
	tcase_add_loop_test(tc, test_name_too_long, 0, 2);
	tcase_add_loop_test(tc, test_deep_tree, 0, 2);
	tcase_add_loop_test(tc, test_no_fd_leak, 0, 2);
	tcase_add_loop_test(tc, test_no_proc, 0, 2);
	tcase_add_loop_test(tc, test_rename_race, 0, 2);
	tcase_add_test(tc, test_root_host);
	tcase_add_test(tc, test_root_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rootfs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
