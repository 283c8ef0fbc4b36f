/** A line reader over a file descriptor or a memory block, with a cap on line length. */
#ifndef KSCAN_LINEREAD_H
#define KSCAN_LINEREAD_H

#include <stddef.h>

/*
 * Text databases (dpkg status, passwd, mountinfo...) are read line by line so memory stays
 * bounded by the longest line allowed, not by the file: a 100 MB line fails with E2BIG after
 * reading at most the cap, instead of being swallowed whole.
 */
struct lineread;

/** Reads from @fd (not owned: the caller closes it). Lines longer than @max fail. */
struct lineread *lineread_fd(int fd, size_t max);

/** Reads from @data[0..len) (not copied: it must outlive the reader). */
struct lineread *lineread_mem(const char *data, size_t len, size_t max);

/**
 * The next line without its '\n', NUL-terminated (a NUL inside shows in @len).
 * The pointer stays valid until the next call. A last line without '\n' is returned too.
 * @return 1 for a line, 0 at the end, -1 with errno (E2BIG: line too long; or read's errno).
 */
int lineread_next(struct lineread *lr, const char **line, size_t *len);

/** Number of the line last returned, from 1. */
size_t lineread_lineno(const struct lineread *lr);

/** Total bytes consumed so far. */
size_t lineread_offset(const struct lineread *lr);

void lineread_free(struct lineread *lr);

#endif
