#include "config.h"
#include "scanner/sources/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#if HAVE_OPENAT2_H
#include <linux/openat2.h>
#endif

#include "base/buf.h"
#include "base/xstd.h"

struct rootfs {
	int fd;
	char *path;
	bool host;
};

/* -1: not probed yet, 0: openat2 unusable here, 1: usable */
static int rootfs_have_openat2 = -1;
static bool rootfs_fallback_forced;

void rootfs_force_fallback(bool on)
{
	rootfs_fallback_forced = on;
}

/*
 * The root's name in the report: its real path, if that path leads to the directory opened
 * (@st). A magic link such as /proc/PID/root of a process in another mount namespace leads
 * somewhere its text does not ("/", or a mount point that is empty from here): then the path
 * as given, made absolute.
 */
static char *rootfs_name(const char *dir, const struct stat *st)
{
	char cwd[PATH_MAX], *real = realpath(dir, NULL);
	struct stat rst;
	struct buf b;
	char *out;

	if (real != NULL && stat(real, &rst) == 0 && rst.st_dev == st->st_dev &&
	    rst.st_ino == st->st_ino) {
		return real;
	}
	free(real);
	if (dir[0] == '/') {
		return strdup(dir);
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		return NULL;
	}
	buf_init(&b, PATH_MAX);
	buf_addf(&b, "%s/%s", cwd, dir);
	out = buf_error(&b) == 0 ? strdup(buf_str(&b)) : NULL;
	buf_free(&b);
	return out;
}

struct rootfs *rootfs_open(const char *dir, struct kerr *err)
{
	struct rootfs *r;
	struct stat st, hostst;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		kerr_set(err, KERR_NOMEM, "out of memory");
		return NULL;
	}
	/*
	 * Opened as given, not through realpath(): /proc/PID/root is a magic link that the
	 * kernel follows into the process's root (a container's), while its text reads "/".
	 */
	r->fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0) {
		kerr_sys(err, KERR_IO, errno, "root %s", dir);
		goto free_root;
	}
	if (fstat(r->fd, &st) != 0 || stat("/", &hostst) != 0) {
		kerr_sys(err, KERR_IO, errno, "root %s", dir);
		goto close_fd;
	}
	r->path = rootfs_name(dir, &st);
	if (r->path == NULL) {
		kerr_sys(err, KERR_IO, errno, "root %s", dir);
		goto close_fd;
	}
	/* the live host is "/" itself, not a bind mount of it somewhere else */
	r->host = strcmp(r->path, "/") == 0 && st.st_dev == hostst.st_dev &&
		  st.st_ino == hostst.st_ino;
	return r;

close_fd:
	xstd_close_quietly(r->fd);
free_root:
	free(r);
	return NULL;
}

void rootfs_close(struct rootfs *r)
{
	if (r == NULL) {
		return;
	}
	xstd_close_quietly(r->fd);
	free(r->path);
	free(r);
}

const char *rootfs_path(const struct rootfs *r)
{
	return r->path;
}

bool rootfs_is_host(const struct rootfs *r)
{
	return r->host;
}

int rootfs_fd(const struct rootfs *r)
{
	return r->fd;
}

/* Paths are given absolute inside the root; the resolvers want them relative to it. */
static const char *rootfs_rel(const char *path)
{
	while (*path == '/') {
		path++;
	}
	return *path == '\0' ? "." : path;
}

#if HAVE_OPENAT2_H
static int rootfs_openat2(int dirfd, const char *rel, int oflags)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(oflags | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}
#endif

/*
 * The fallback resolver: what RESOLVE_IN_ROOT does, in user space. It walks one component
 * at a time from the root with O_PATH|O_NOFOLLOW, keeping a stack of directory descriptors
 * so ".." pops (and stops at the root) without any string tricks, and splices the text of
 * each symlink into the components still to walk (an absolute target restarts at the root).
 * Every open is relative to a descriptor already checked, so a directory swapped for a
 * symlink mid-walk cannot lead outside.
 */
struct rootfs_walk {
	int stack[KS_PATH_COMPONENTS_MAX + 1];
	size_t depth;
	/* components still to resolve, '/'-separated, consumed from the front */
	char rest[PATH_MAX * 2];
	unsigned links;
};

static void rootfs_walk_pop_all(struct rootfs_walk *w)
{
	while (w->depth > 1) {
		xstd_close_quietly(w->stack[--w->depth]);
	}
}

/* Replaces the walk's remaining text with "<target>/<rest>". */
static int rootfs_walk_splice(struct rootfs_walk *w, const char *target, const char *rest)
{
	char tmp[sizeof(w->rest)];
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s%s%s", target, *rest != '\0' ? "/" : "", rest);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(w->rest, tmp, (size_t)n + 1);
	return 0;
}

/* Follows the symlink @name found in the directory on top of the stack. */
static int rootfs_walk_link(struct rootfs_walk *w, const char *name, const char *rest)
{
	char target[PATH_MAX];
	ssize_t n;

	if (++w->links > KS_PATH_SYMLINKS_MAX) {
		errno = ELOOP;
		return -1;
	}
	n = readlinkat(w->stack[w->depth - 1], name, target, sizeof(target));
	if (n < 0) {
		return -1;
	}
	if ((size_t)n >= sizeof(target)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	target[n] = '\0';
	if (target[0] == '/') {
		rootfs_walk_pop_all(w);
	}
	return rootfs_walk_splice(w, target, rest);
}

/* procfs's root directory always has this inode number (PROC_ROOT_INO in the kernel). */
#define ROOTFS_PROC_ROOT_INO 1

/*
 * True if the symlink @link, found in the directory @parent, is a procfs magic link
 * (/proc/<pid>/root, cwd, exe, fd/<n>, ns/...): the kernel follows those to the object, not
 * to their text, and openat2 refuses them (RESOLVE_NO_MAGICLINKS); the walk must too, or
 * the two resolvers disagree. They all live below /proc/<pid>; the links in procfs's own
 * root ("self", "mounts") are ordinary. When in doubt, call it magic.
 */
static bool rootfs_is_magic(int parent, int link)
{
	struct statfs sfs;
	struct stat st;

	if (fstatfs(link, &sfs) != 0) {
		return true;
	}
	if (sfs.f_type != PROC_SUPER_MAGIC) {
		return false;
	}
	return fstat(parent, &st) != 0 || st.st_ino != ROOTFS_PROC_ROOT_INO;
}

/* Resolves one component; @last tells whether it ends the path. */
static int rootfs_walk_step(struct rootfs_walk *w, const char *name, const char *rest,
	bool last, int flags)
{
	struct stat st;
	int fd;

	if (strcmp(name, ".") == 0) {
		return 0;
	}
	if (strcmp(name, "..") == 0) {
		if (w->depth > 1) {
			xstd_close_quietly(w->stack[--w->depth]);
		}
		return 0;
	}
	fd = openat(w->stack[w->depth - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		xstd_close_quietly(fd);
		return -1;
	}
	if (S_ISLNK(st.st_mode) && !(last && (flags & ROOTFS_NOFOLLOW))) {
		bool magic = rootfs_is_magic(w->stack[w->depth - 1], fd);

		xstd_close_quietly(fd);
		if (magic) {
			errno = ELOOP;
			return -1;
		}
		return rootfs_walk_link(w, name, rest);
	}
	if (!last && !S_ISDIR(st.st_mode)) {
		xstd_close_quietly(fd);
		errno = ENOTDIR;
		return -1;
	}
	if (w->depth > KS_PATH_COMPONENTS_MAX) {
		xstd_close_quietly(fd);
		errno = ENAMETOOLONG;
		return -1;
	}
	w->stack[w->depth++] = fd;
	return 0;
}

static int rootfs_resolve_fallback(const struct rootfs *r, const char *rel, int flags)
{
	struct rootfs_walk w;
	int rc = -1;
	size_t n = strlen(rel);

	if (n >= sizeof(w.rest)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(w.rest, rel, n + 1);
	w.stack[0] = r->fd;
	w.depth = 1;
	w.links = 0;
	while (w.rest[0] != '\0') {
		char name[NAME_MAX + 1];
		char *slash = strchr(w.rest, '/');
		size_t len = slash != NULL ? (size_t)(slash - w.rest) : strlen(w.rest);
		const char *rest = slash != NULL ? slash + 1 : "";
		char restcopy[sizeof(w.rest)];

		while (*rest == '/') {
			rest++;
		}
		/* a trailing slash asks for a directory, as in the kernel: "x/" walks as "x/." */
		if (slash != NULL && *rest == '\0') {
			rest = ".";
		}
		if (len > NAME_MAX) {
			errno = ENAMETOOLONG;
			goto close_stack;
		}
		memcpy(name, w.rest, len);
		name[len] = '\0';
		/* through a copy: the rest overlaps w.rest, and the step may splice into it */
		memcpy(restcopy, rest, strlen(rest) + 1);
		memcpy(w.rest, restcopy, strlen(restcopy) + 1);
		if (len == 0) {
			continue;
		}
		if (rootfs_walk_step(&w, name, restcopy, restcopy[0] == '\0', flags) != 0) {
			goto close_stack;
		}
	}
	/* the top of the stack is the answer: hand it over, close the rest */
	if (w.depth > 1) {
		rc = w.stack[--w.depth];
	} else {
		rc = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
	}
close_stack:
	rootfs_walk_pop_all(&w);
	return rc;
}

int rootfs_open_path(const struct rootfs *r, const char *path, int flags)
{
	const char *rel = rootfs_rel(path);

#if HAVE_OPENAT2_H
	if (!rootfs_fallback_forced && rootfs_have_openat2 != 0) {
		int oflags = O_PATH | ((flags & ROOTFS_NOFOLLOW) ? O_NOFOLLOW : 0);
		int fd = rootfs_openat2(r->fd, rel, oflags);

		/*
		 * ENAMETOOLONG: past PATH_MAX for the kernel. EAGAIN: a rename anywhere on the
		 * host raced a ".." and the kernel cannot vouch for it. The walk takes the first
		 * a component at a time, and its ".." pops a held descriptor, which no rename
		 * can move: both are answered, not reported as errors.
		 */
		if (fd < 0 && (errno == ENAMETOOLONG || errno == EAGAIN)) {
			return rootfs_resolve_fallback(r, rel, flags);
		}
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) {
			rootfs_have_openat2 = 1;
			/* openat2 says ELOOP or EXDEV for magic links; refused either way */
			return fd;
		}
		/* ENOSYS: old kernel; EPERM: a seccomp filter that does not know openat2 */
		if (rootfs_have_openat2 == -1) {
			rootfs_have_openat2 = 0;
		}
	}
#endif
	return rootfs_resolve_fallback(r, rel, flags);
}

int rootfs_lstat(const struct rootfs *r, const char *path, struct stat *st)
{
	int fd = rootfs_open_path(r, path, ROOTFS_NOFOLLOW);
	int rc;

	if (fd < 0) {
		return -1;
	}
	rc = fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	xstd_close_quietly(fd);
	return rc;
}

ssize_t rootfs_readlink(const struct rootfs *r, const char *path, char *out, size_t n)
{
	/* a whole target fits (the kernel caps them below PATH_MAX), so its length is known */
	char target[PATH_MAX];
	int fd = rootfs_open_path(r, path, ROOTFS_NOFOLLOW);
	ssize_t len;

	if (fd < 0) {
		return -1;
	}
	len = readlinkat(fd, "", target, sizeof(target));
	xstd_close_quietly(fd);
	if (len < 0) {
		/* with an empty path the kernel says ENOENT for "not a symlink" */
		if (errno == ENOENT) {
			errno = EINVAL;
		}
		return -1;
	}
	if (n > 0) {
		size_t k = (size_t)len < n ? (size_t)len : n - 1;

		memcpy(out, target, k);
		out[k] = '\0';
	}
	return len;
}

/*
 * Reopens the O_PATH descriptor @pfd for reading. Through /proc/self/fd the kernel reopens
 * the very inode we checked, so no one can swap in a FIFO between the check and the open.
 * Without /proc (a minimal container), reopen by name in the parent and compare inodes:
 * O_NONBLOCK keeps a FIFO from blocking, and a changed inode is refused.
 */
static int rootfs_reopen(const struct rootfs *r, const char *path, int flags, int pfd,
	const struct stat *want)
{
	const int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	char proc[64];
	struct stat st;
	int fd;

	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, oflags);
#if HAVE_OPENAT2_H
	if (fd < 0 && errno == ENOENT && !rootfs_fallback_forced) {
		fd = rootfs_openat2(r->fd, rootfs_rel(path),
			oflags | ((flags & ROOTFS_NOFOLLOW) ? O_NOFOLLOW : 0));
	}
#else
	(void)r;
	(void)path;
	(void)flags;
#endif
	if (fd < 0) {
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		xstd_close_quietly(fd);
		return -1;
	}
	if (st.st_dev != want->st_dev || st.st_ino != want->st_ino || !S_ISREG(st.st_mode)) {
		xstd_close_quietly(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

int rootfs_open_regular(const struct rootfs *r, const char *path, int flags)
{
	struct stat st;
	int pfd, fd;

	pfd = rootfs_open_path(r, path, flags);
	if (pfd < 0) {
		return -1;
	}
	if (fstat(pfd, &st) != 0) {
		xstd_close_quietly(pfd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		xstd_close_quietly(pfd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	fd = rootfs_reopen(r, path, flags, pfd, &st);
	xstd_close_quietly(pfd);
	if (fd >= 0) {
		/* reading must not be slowed by the flag that kept FIFOs harmless */
		int fl = fcntl(fd, F_GETFL);

		if (fl >= 0) {
			(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		}
	}
	return fd;
}

int rootfs_open_dir(const struct rootfs *r, const char *path, int flags)
{
	int pfd, fd;

	pfd = rootfs_open_path(r, path, flags);
	if (pfd < 0) {
		return -1;
	}
	/* "." relative to an O_PATH directory descriptor opens that very directory */
	fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	xstd_close_quietly(pfd);
	return fd;
}

int rootfs_read_file(const struct rootfs *r, const char *path, size_t max, struct buf *out)
{
	int fd = rootfs_open_regular(r, path, 0);
	int rc;

	if (fd < 0) {
		return -1;
	}
	rc = xstd_read_fd(fd, max, out);
	xstd_close_quietly(fd);
	return rc;
}
