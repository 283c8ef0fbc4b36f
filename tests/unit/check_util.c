/*
 * Shared scaffolding for the Check unit tests (see check_util.h). Test code, not
 * production: a failed step asserts instead of reporting through struct kerr.
 */
#include "check_util.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xstd.h"
#include "scanner/sources/rootfs.h"
#include "signatures/sig.h"
#include "signatures/sigload.h"

/* Bounds what a test may read back: fixtures are small, a runaway output is a failure. */
#define CU_READ_MAX ((size_t)64 << 20)

char cu_tmp[PATH_MAX];

static const char *tmp_base(void)
{
	const char *base = getenv("TMPDIR");

	return base != NULL && base[0] == '/' ? base : "/tmp";
}

void cu_fmt(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	ck_assert_msg((size_t)n < size, "cu_fmt: %d bytes do not fit in %zu", n, size);
}

void cu_path(char *out, size_t size, const char *dir, const char *rel)
{
	cu_fmt(out, size, "%s/%s", dir, rel);
}

void cu_mkdtemp(char *out, size_t size, const char *tag)
{
	cu_fmt(out, size, "%s/kscan-%s.XXXXXX", tmp_base(), tag);
	ck_assert_msg(mkdtemp(out) != NULL, "mkdtemp %s: %s", out, strerror(errno));
}

void cu_tmp_setup(void)
{
	cu_mkdtemp(cu_tmp, sizeof(cu_tmp), program_invocation_short_name);
}

/*
 * rm -r with *at calls only: a test may build a tree deeper than PATH_MAX, where no path
 * string works, and may have taken a directory's read or search bit away.
 */
static void rm_at(int dfd, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(dfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM)) {
		return;
	}
	if (fchmodat(dfd, name, 0700, 0) != 0 && errno == ENOENT) {
		return;
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			rm_at(dirfd(d), de->d_name);
		}
	}
	closedir(d);
	(void)unlinkat(dfd, name, AT_REMOVEDIR);
}

void cu_rmtree(const char *dir)
{
	struct stat st;

	if (dir[0] == '\0') {
		return;
	}
	rm_at(AT_FDCWD, dir);
	ck_assert_msg(lstat(dir, &st) != 0 && errno == ENOENT, "%s was not removed", dir);
}

void cu_tmp_teardown(void)
{
	cu_rmtree(cu_tmp);
	cu_tmp[0] = '\0';
}

/* No ck_assert here: cu_sh_status may run outside a test (main() probing for a tool). */
static int vsh(const char *fmt, va_list ap)
{
	char cmd[8192];
	int n, st;

	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(cmd)) {
		return -1;
	}
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void cu_sh(const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	st = vsh(fmt, ap);
	va_end(ap);
	ck_assert_msg(st == 0, "shell step exited %d (-1: too long, or killed)", st);
}

int cu_sh_status(const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	st = vsh(fmt, ap);
	va_end(ap);
	return st;
}

void cu_mkdirs(const char *path, mode_t mode)
{
	char p[PATH_MAX];
	size_t i;

	cu_fmt(p, sizeof(p), "%s", path);
	for (i = 1; p[i] != '\0'; i++) {
		if (p[i] != '/') {
			continue;
		}
		p[i] = '\0';
		ck_assert_msg(mkdir(p, mode) == 0 || errno == EEXIST, "mkdir %s: %s", p,
			strerror(errno));
		p[i] = '/';
	}
	ck_assert_msg(mkdir(p, mode) == 0 || errno == EEXIST, "mkdir %s: %s", p, strerror(errno));
}

void cu_write(const char *path, const void *data, size_t len, mode_t mode)
{
	char parent[PATH_MAX];
	char *slash;
	int fd;

	cu_fmt(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash != NULL && slash != parent) {
		*slash = '\0';
		cu_mkdirs(parent, 0755);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(xstd_write_all(fd, data, len), 0);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
}

void cu_write_at(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char path[PATH_MAX];

	cu_path(path, sizeof(path), dir, rel);
	cu_write(path, text, strlen(text), mode);
}

char *cu_read(const char *path, size_t *len)
{
	struct buf b;
	char *s;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	buf_init(&b, CU_READ_MAX);
	ck_assert_int_eq(xstd_read_fd(fd, CU_READ_MAX, &b), 0);
	close(fd);
	s = buf_take(&b, len);
	ck_assert_ptr_nonnull(s);
	return s;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *cu_sorted_lines(const char *s)
{
	size_t n = 0, i, len = strlen(s);
	char *copy = strdup(s), **lines, *p, *out;

	ck_assert_ptr_nonnull(copy);
	lines = calloc(len + 1, sizeof(*lines));
	out = calloc(len + 2, 1);
	ck_assert_ptr_nonnull(lines);
	ck_assert_ptr_nonnull(out);
	for (p = copy; *p != '\0';) {
		char *nl = strchrnul(p, '\n');
		bool last = *nl == '\0';

		*nl = '\0';
		if (*p != '\0') {
			lines[n++] = p;
		}
		p = last ? nl : nl + 1;
	}
	qsort(lines, n, sizeof(*lines), line_cmp);
	for (i = 0, len = 0; i < n; i++) {
		size_t l = strlen(lines[i]);

		memcpy(out + len, lines[i], l);
		len += l;
		out[len++] = '\n';
	}
	free(lines);
	free(copy);
	return out;
}

struct rootfs *cu_open_root(const char *dir)
{
	struct kerr e;
	struct rootfs *r;

	kerr_clear(&e);
	r = rootfs_open(dir, &e);
	ck_assert_msg(r != NULL, "rootfs_open %s: %s", dir, e.msg);
	return r;
}

struct sig_set *cu_load_pack(const char *yaml)
{
	struct sig_set *s = sig_set_new();
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	kerr_clear(&e);
	if (sigload_mem(s, "t.yaml", yaml, strlen(yaml), false, &e) != 0 ||
		sig_set_finish(s, &e) != 0) {
		ck_abort_msg("pack rejected: %s", e.msg);
	}
	return s;
}

void cu_assert_url_msg(const char *have, const char *want)
{
	const char *url = strstr(want, "invalid collector URL \"");
	const char *reason = url != NULL ? strstr(url, "\": ") : NULL;
	size_t n = reason != NULL ? (size_t)(reason - want) + 3 : 0;

	if (n == 0) {
		ck_assert_str_eq(have, want);
		return;
	}
	ck_assert_msg(strncmp(have, want, n) == 0 && strlen(have) > n, "%s ~ %s", have, want);
}
