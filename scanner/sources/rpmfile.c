#include "scanner/sources/rpmfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rpmfile_fd(struct rpmfile *f, int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		return -1;
	}
	f->fd = fd;
	f->mem = NULL;
	f->size = (uint64_t)st.st_size;
	return 0;
}

void rpmfile_mem(struct rpmfile *f, const void *p, size_t n)
{
	f->fd = -1;
	f->mem = p;
	f->size = n;
}

int rpmfile_read(const struct rpmfile *f, uint64_t off, void *buf, size_t n)
{
	unsigned char *b = buf;
	size_t got = 0;

	if (off > f->size || f->size - off < n) {
		errno = ENODATA;
		return -1;
	}
	if (f->mem != NULL) {
		memcpy(buf, f->mem + off, n);
		return 0;
	}
	while (got < n) {
		ssize_t r = pread(f->fd, b + got, n - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return -1;
		}
		if (r == 0) {
			/* the file shrank since fstat() */
			errno = ENODATA;
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}
