/** Bounded reads from an rpm database file, or from memory (fuzz targets, tests). */
#ifndef KSCAN_RPMFILE_H
#define KSCAN_RPMFILE_H

#include <stddef.h>
#include <stdint.h>

/** A file being read (plain data): @mem if not NULL, else @fd; @size bytes either way. */
struct rpmfile {
	int fd;
	const unsigned char *mem;
	uint64_t size;
};

/** Sets @f over the open regular file @fd. @return 0, or -1 with errno (fstat). */
int rpmfile_fd(struct rpmfile *f, int fd);

/** Sets @f over @n bytes at @p. */
void rpmfile_mem(struct rpmfile *f, const void *p, size_t n);

/**
 * Reads exactly @n bytes at @off. pread(), never a mapping: a file cut short meanwhile
 * gives an error here, not SIGBUS.
 * @return 0, or -1 with errno (ENODATA past the end of the file, else pread's).
 */
int rpmfile_read(const struct rpmfile *f, uint64_t off, void *buf, size_t n);

#endif
