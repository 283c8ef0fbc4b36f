#include "config.h"

#include "report/deliver/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if HAVE_GETRANDOM
#include <sys/random.h>
#endif

#include "base/xstd.h"

/* Temporary names tried before giving up: a clash needs someone creating our random names. */
#define OUTPUT_TMP_TRIES 16

/* Unpredictable enough that another user cannot pre-create the name; O_EXCL makes it safe. */
static uint64_t output_nonce(void)
{
	uint64_t v = 0;
	struct timespec ts;

#if HAVE_GETRANDOM
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v)) {
		return v;
	}
#endif
	/* without getrandom(2) a guessable name only costs a retry: O_EXCL refuses clashes */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	v = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 40;
	return v;
}

/* Splits @path into the directory to open and the name in it. */
static int output_split(const char *path, char **dir, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*dir = strdup(".");
		*base = path;
	} else {
		*dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
		*base = slash + 1;
	}
	if (*dir == NULL) {
		return -1;
	}
	if ((*base)[0] == '\0' || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0) {
		free(*dir);
		errno = EISDIR;
		return -1;
	}
	return 0;
}

/* Creates a fresh temporary file in @dirfd, its name in @tmp. @return the fd or -1. */
static int output_create_tmp(int dirfd, char tmp[64], mode_t mode)
{
	int i, fd;

	for (i = 0; i < OUTPUT_TMP_TRIES; i++) {
		/* a fixed short name ("." plus the target name could pass NAME_MAX); 27 bytes
		 * always fit, so snprintf cannot truncate */
		(void)snprintf(tmp, 64, ".kscan-%016llx.tmp", (unsigned long long)output_nonce());
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST) {
			return fd;
		}
	}
	return -1;
}

/* Fills the temporary file; the mode is set exactly, whatever the umask. */
static int output_fill(int fd, const char *data, size_t len, mode_t mode)
{
	if (fchmod(fd, mode) != 0 || xstd_write_all(fd, data, len) != 0) {
		return -1;
	}
	while (fsync(fd) != 0) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

static int output_stdout(const char *data, size_t len, struct kerr *err)
{
	if (xstd_write_all(STDOUT_FILENO, data, len) != 0) {
		return kerr_sys(err, KERR_IO, errno, "cannot write the report to standard output");
	}
	return 0;
}

/*
 * kscan runs as root: renaming over /dev/null, a FIFO a reader waits on, or a symlink such
 * as /dev/stdout would replace a device or a link the host relies on. Only a missing name
 * or a regular file is ever replaced.
 */
static int output_check_target(int dirfd, const char *path, const char *base, struct kerr *err)
{
	struct stat st;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT) {
			return 0;
		}
		return kerr_sys(err, KERR_IO, errno, "%s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		return kerr_sys(err, KERR_IO, EISDIR, "%s", path);
	}
	if (!S_ISREG(st.st_mode)) {
		return kerr_set(err, KERR_IO,
			"%s: not a regular file; kscan replaces only regular files (use '-' for "
			"standard output)",
			path);
	}
	return 0;
}

/* Writes the temporary file in @dirfd and renames it over @base. */
static int output_replace(int dirfd, const char *path, const char *base, const char *data,
	size_t len, mode_t mode, struct kerr *err)
{
	char tmp[64];
	int fd, rc;

	fd = output_create_tmp(dirfd, tmp, mode);
	if (fd < 0) {
		return kerr_sys(err, KERR_IO, errno, "%s: cannot create a temporary file", path);
	}
	if (output_fill(fd, data, len, mode) != 0) {
		kerr_sys(err, KERR_IO, errno, "%s: cannot write %s", path, tmp);
		goto unlink_tmp;
	}
	rc = close(fd);
	fd = -1;
	if (rc != 0) {
		kerr_sys(err, KERR_IO, errno, "%s: cannot write %s", path, tmp);
		goto unlink_tmp;
	}
	if (renameat(dirfd, tmp, dirfd, base) != 0) {
		kerr_sys(err, KERR_IO, errno, "%s: cannot rename %s over it", path, tmp);
		goto unlink_tmp;
	}
	return 0;

unlink_tmp:
	xstd_close_quietly(fd);
	(void)unlinkat(dirfd, tmp, 0);
	return -1;
}

int output_write(const char *path, const char *data, size_t len, mode_t mode, struct kerr *err)
{
	const char *base;
	char *dir;
	int dirfd, rc = -1;

	if (path == NULL || strcmp(path, "-") == 0) {
		return output_stdout(data, len, err);
	}
	if (output_split(path, &dir, &base) != 0) {
		return kerr_sys(err, KERR_IO, errno, "%s: cannot write the report there", path);
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		kerr_sys(err, KERR_IO, errno, "%s: cannot open directory %s", path, dir);
		goto free_dir;
	}
	if (output_check_target(dirfd, path, base, err) != 0 ||
	    output_replace(dirfd, path, base, data, len, mode, err) != 0) {
		goto close_dir;
	}
	/* the rename is only durable once the directory is; some filesystems cannot say */
	if (fsync(dirfd) != 0 && errno != EINVAL && errno != EROFS) {
		kerr_sys(err, KERR_IO, errno, "%s: written, but cannot sync directory %s", path,
			dir);
		goto close_dir;
	}
	rc = 0;

close_dir:
	xstd_close_quietly(dirfd);
free_dir:
	free(dir);
	return rc;
}
