#include "scanner/probes/procs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/xstd.h"

/* Fields of /proc/<pid>/stat counted after the name: state is field 3 (index 0). */
#define PROCS_STAT_FLAGS 6
#define PROCS_STAT_STARTTIME 19
/* include/linux/sched.h: the task is a kernel thread. */
#define PROCS_PF_KTHREAD 0x00200000u

int procs_open(const char *path, struct kerr *err)
{
	struct statfs sf;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		return kerr_sys(err, KERR_IO, errno, "%s", path);
	}
	if (fstatfs(fd, &sf) != 0) {
		kerr_sys(err, KERR_IO, errno, "%s", path);
		xstd_close_quietly(fd);
		return -1;
	}
	if (sf.f_type != PROC_SUPER_MAGIC) {
		xstd_close_quietly(fd);
		return kerr_set(err, KERR_IO, "%s is not the proc filesystem", path);
	}
	return fd;
}

/* Errors that mean the process is gone (or was never there), not that reading failed. */
static bool procs_gone(int errnum)
{
	return errnum == ENOENT || errnum == ESRCH;
}

/* Reads "<pid>/<name>" of @procfd into @out, at most @max bytes. @return 0 or -1. */
static int procs_read(int procfd, uint32_t pid, const char *name, size_t max, struct buf *out)
{
	char path[64];
	int fd, rc;

	(void)snprintf(path, sizeof(path), "%" PRIu32 "/%s", pid, name);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		return -1;
	}
	buf_reset(out);
	rc = xstd_read_fd(fd, max, out);
	xstd_close_quietly(fd);
	return rc;
}

/*
 * The name from "<pid>/comm" and its one trailing newline. A name may hold any byte but
 * NUL, a newline too (prctl(PR_SET_NAME) allows it), so only the last byte is stripped.
 */
static int procs_comm(int procfd, uint32_t pid, char comm[PROCS_NAME_MAX + 1])
{
	struct buf b;
	size_t len;

	buf_init(&b, PROCS_NAME_MAX + 2);
	if (procs_read(procfd, pid, "comm", PROCS_NAME_MAX + 2, &b) != 0) {
		buf_free(&b);
		return -1;
	}
	len = buf_len(&b);
	len -= len > 0 && buf_str(&b)[len - 1] == '\n';
	if (len > PROCS_NAME_MAX || memchr(buf_str(&b), '\0', len) != NULL) {
		buf_free(&b);
		errno = EINVAL;
		return -1;
	}
	memcpy(comm, buf_str(&b), len);
	comm[len] = '\0';
	buf_free(&b);
	return 0;
}

/* The last component of argv[0]: cmdline is NUL-separated, argv[0] first. */
static int procs_argv0(int procfd, uint32_t pid, char *out, size_t n)
{
	const char *a0, *slash;
	int fd;
	ssize_t got;
	size_t len;
	char path[64], raw[KS_PROC_CMDLINE_MAX + 1];

	(void)snprintf(path, sizeof(path), "%" PRIu32 "/cmdline", pid);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		return -1;
	}
	/* one read: only the start matters, and the kernel returns it whole */
	got = read(fd, raw, KS_PROC_CMDLINE_MAX);
	xstd_close_quietly(fd);
	if (got <= 0) {
		errno = got == 0 ? ENOENT : errno;
		return -1;
	}
	raw[got] = '\0';
	a0 = raw;
	slash = strrchr(a0, '/');
	a0 = slash != NULL ? slash + 1 : a0;
	len = strlen(a0);
	if (len == 0 || len >= n) {
		errno = EINVAL;
		return -1;
	}
	memcpy(out, a0, len + 1);
	return 0;
}

/* Notes a name or executable that could not be read for another reason than an exit. */
static void procs_unreadable(struct procs_counts *c, uint32_t pid, int errnum)
{
	if (c->unreadable++ == 0) {
		c->first_pid = pid;
		c->first_errno = errnum;
	}
}

/* Reads and parses "<pid>/stat". @return 0 or -1 with errno. */
static int procs_stat(int procfd, uint32_t pid, struct procs_stat *st)
{
	struct buf b;
	int rc;

	buf_init(&b, KS_PROC_FILE_MAX);
	rc = procs_read(procfd, pid, "stat", KS_PROC_FILE_MAX, &b);
	if (rc == 0) {
		rc = procs_parse_stat(buf_str(&b), buf_len(&b), st);
	}
	buf_free(&b);
	return rc;
}

/*
 * Why a process has no executable to read. @return 1 if it is to be handed on without
 * one (a kernel thread, or unreadable: counted), 0 if it is to be skipped (it exited, or
 * is a zombie).
 */
static int procs_no_exe(int procfd, struct procs_info *p, struct procs_counts *c)
{
	struct procs_stat st;

	/* kernel threads have no exe: ENOENT on most kernels, EACCES under some LSMs */
	if (procs_stat(procfd, p->pid, &st) != 0) {
		if (procs_gone(errno)) {
			c->vanished++;
			return 0;
		}
		procs_unreadable(c, p->pid, p->exe_errno);
		return 1;
	}
	if (st.flags & PROCS_PF_KTHREAD) {
		p->kernel_thread = true;
		c->kernel_threads++;
		return 1;
	}
	if (st.state == 'Z' || st.state == 'X' || p->exe_errno == ENOENT) {
		c->vanished++;
		return 0;
	}
	procs_unreadable(c, p->pid, p->exe_errno);
	return 1;
}

/* Reads one process and hands it on. @return the sink's value, or 0. */
static int procs_one(int procfd, uint32_t pid, const struct procs_sink *sink,
	struct procs_counts *c)
{
	char comm[PROCS_NAME_MAX + 1], exe[PATH_MAX], argv0[NAME_MAX + 1], path[64];
	struct procs_info p;
	ssize_t len;

	if (procs_comm(procfd, pid, comm) != 0) {
		if (procs_gone(errno)) {
			c->vanished++;
		} else {
			c->processes++;
			procs_unreadable(c, pid, errno);
		}
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.comm = comm;
	(void)snprintf(path, sizeof(path), "%" PRIu32 "/exe", pid);
	len = readlinkat(procfd, path, exe, sizeof(exe));
	if (len >= 0 && (size_t)len < sizeof(exe)) {
		exe[len] = '\0';
		p.exe = exe;
	} else {
		p.exe_errno = len < 0 ? errno : ENAMETOOLONG;
		if (procs_no_exe(procfd, &p, c) == 0) {
			return 0;
		}
	}
	c->processes++;
	if (strlen(comm) == PROCS_COMM_MAX && procs_argv0(procfd, pid, argv0, sizeof(argv0)) == 0) {
		p.argv0 = argv0;
	}
	return sink->proc(sink->ctx, &p);
}

/* A /proc entry that names a process: decimal digits without a leading zero. */
static bool procs_pid_name(const char *name, uint32_t *pid)
{
	uint64_t v;

	if (name[0] < '1' || name[0] > '9' || xstd_strtou64(name, UINT32_MAX, &v) != 0) {
		return false;
	}
	*pid = (uint32_t)v;
	return true;
}

int procs_scan(int procfd, const struct procs_sink *sink, struct procs_counts *c,
	struct kerr *err)
{
	struct dirent *de;
	size_t seen = 0;
	uint32_t pid;
	int fd, rc = 0;
	DIR *d;

	memset(c, 0, sizeof(*c));
	fd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		kerr_sys(err, KERR_IO, errno, "/proc");
		if (fd >= 0) {
			xstd_close_quietly(fd);
		}
		return -1;
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (!procs_pid_name(de->d_name, &pid)) {
			continue;
		}
		if (++seen > KS_PROCS_MAX) {
			rc = kerr_set(err, KERR_LIMIT, "/proc: more than %u processes",
				KS_PROCS_MAX);
			break;
		}
		rc = procs_one(procfd, pid, sink, c);
		if (rc != 0 && err->code == KERR_OK) {
			kerr_set(err, KERR_INTERNAL, "/proc: the walk was stopped");
		}
	}
	if (rc == 0 && errno != 0) {
		rc = kerr_sys(err, KERR_IO, errno, "/proc");
	}
	(void)closedir(d);
	return rc != 0 ? -1 : 0;
}

/* Text after the last ")" of stat, split on single spaces: the @idx-th field. */
static int procs_stat_field(const char *s, size_t n, size_t idx, uint64_t *out)
{
	size_t i = 0, start = 0, field = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != ' ' && s[i] != '\n') {
			continue;
		}
		if (field == idx) {
			return xstd_strntou64(s + start, i - start, UINT64_MAX, out);
		}
		field++;
		start = i + 1;
		if (i < n && s[i] == '\n') {
			break;
		}
	}
	errno = EINVAL;
	return -1;
}

int procs_parse_stat(const char *s, size_t n, struct procs_stat *out)
{
	const char *open = memchr(s, '(', n), *close = NULL, *rest;
	size_t i, len, rlen;

	for (i = n; i > 0; i--) {
		if (s[i - 1] == ')') {
			close = s + i - 1;
			break;
		}
	}
	if (open == NULL || close == NULL || close < open || close + 3 > s + n ||
	    close[1] != ' ') {
		errno = EINVAL;
		return -1;
	}
	len = (size_t)(close - open - 1);
	if (len > PROCS_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	memcpy(out->comm, open + 1, len);
	out->comm[len] = '\0';
	rest = close + 2;
	rlen = (size_t)(s + n - rest);
	out->state = rest[0];
	if (rlen < 2 || rest[1] != ' ' ||
	    procs_stat_field(rest, rlen, PROCS_STAT_FLAGS, &out->flags) != 0 ||
	    procs_stat_field(rest, rlen, PROCS_STAT_STARTTIME, &out->start_ticks) != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* The value of "KEY<sep>" on a line of its own in @s, as a pointer and length to its end. */
static const char *procs_line_value(const char *s, size_t n, const char *key, size_t *vlen)
{
	size_t klen = strlen(key), i = 0;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t len = nl != NULL ? (size_t)(nl - (s + i)) : n - i;

		if (len > klen && memcmp(s + i, key, klen) == 0) {
			*vlen = len - klen;
			return s + i + klen;
		}
		i += len + 1;
	}
	return NULL;
}

int procs_parse_status_uid(const char *s, size_t n, uint32_t *uid)
{
	size_t len, skip, digits;
	uint64_t v;
	const char *p = procs_line_value(s, n, "Uid:", &len);

	if (p == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (skip = 0; skip < len && (p[skip] == '\t' || p[skip] == ' '); skip++) {
	}
	for (digits = 0; skip + digits < len && p[skip + digits] >= '0' &&
	     p[skip + digits] <= '9'; digits++) {
	}
	if (skip == 0 || xstd_strntou64(p + skip, digits, UINT32_MAX, &v) != 0) {
		errno = EINVAL;
		return -1;
	}
	*uid = (uint32_t)v;
	return 0;
}

int procs_parse_btime(const char *s, size_t n, int64_t *btime_s)
{
	size_t len;
	uint64_t v;
	const char *p = procs_line_value(s, n, "btime ", &len);

	if (p == NULL || xstd_strntou64(p, len, INT64_MAX / 1000, &v) != 0) {
		errno = EINVAL;
		return -1;
	}
	*btime_s = (int64_t)v;
	return 0;
}

int procs_btime(int procfd, int64_t *btime_s)
{
	struct buf b;
	int fd, rc;

	fd = openat(procfd, "stat", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		return -1;
	}
	buf_init(&b, KS_PROC_FILE_MAX);
	rc = xstd_read_fd(fd, KS_PROC_FILE_MAX, &b);
	xstd_close_quietly(fd);
	if (rc == 0) {
		rc = procs_parse_btime(buf_str(&b), buf_len(&b), btime_s);
	}
	buf_free(&b);
	return rc;
}

/* Clock ticks to ms: USER_HZ is 100 on every Linux, but ask rather than assume. */
static int64_t procs_ticks_ms(uint64_t ticks)
{
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0) {
		hz = 100;
	}
	return (int64_t)(ticks / (uint64_t)hz) * 1000 +
		(int64_t)((ticks % (uint64_t)hz) * 1000 / (uint64_t)hz);
}

int procs_detail(int procfd, uint32_t pid, const char *comm, int64_t btime_s,
	struct procs_detail *d)
{
	struct procs_stat st;
	struct buf b;
	int rc = -1;

	buf_init(&b, KS_PROC_FILE_MAX);
	if (procs_stat(procfd, pid, &st) != 0) {
		goto free_buf;
	}
	if (st.start_ticks > (uint64_t)INT64_MAX / 1000) {
		errno = EINVAL;
		goto free_buf;
	}
	/* a pid reused since the walk names another process */
	if (strcmp(st.comm, comm) != 0 || st.state == 'Z' || st.state == 'X') {
		errno = ESRCH;
		goto free_buf;
	}
	if (procs_read(procfd, pid, "status", KS_PROC_FILE_MAX, &b) != 0 ||
	    procs_parse_status_uid(buf_str(&b), buf_len(&b), &d->uid) != 0) {
		goto free_buf;
	}
	d->started_ms = btime_s < 0 ? -1 : btime_s * 1000 + procs_ticks_ms(st.start_ticks);
	rc = 0;

free_buf:
	buf_free(&b);
	if (rc != 0 && procs_gone(errno)) {
		errno = ESRCH;
	}
	return rc;
}
