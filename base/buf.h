/** A growable byte buffer with a hard cap and a sticky error. */
#ifndef KSCAN_BUF_H
#define KSCAN_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "base/kerr.h"

/*
 * Writers append many small pieces; checking each append would bury the logic. So the
 * first failure (ENOMEM, or E2BIG past the cap) sticks: later appends do nothing and
 * buf_error() reports it once at the end. The contents stay NUL-terminated at all times.
 *
 * Members are private: use the functions.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	int err;
};

/** Prepares @b to hold at most @max bytes. Allocates nothing yet. */
void buf_init(struct buf *b, size_t max);

/** Frees the contents; @b can be reused after buf_init(). */
void buf_free(struct buf *b);

/** Zeroes then frees the contents, for secrets (tokens, keys); like buf_free() after. */
void buf_wipe(struct buf *b);

/** Empties @b, keeping its storage and clearing its error. */
void buf_reset(struct buf *b);

/** Appends @n bytes. @return 0, or -1 with the sticky error set (ENOMEM or E2BIG). */
int buf_add(struct buf *b, const void *p, size_t n);

/** Appends a NUL-terminated string. */
int buf_adds(struct buf *b, const char *s);

/** Appends one byte. */
int buf_addc(struct buf *b, char c);

/** Appends printf-style output. */
int buf_addf(struct buf *b, const char *fmt, ...) KS_PRINTF(2, 3);

/** va_list form of buf_addf(). */
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) KS_PRINTF(2, 0);

/** The sticky error: 0, ENOMEM or E2BIG. */
int buf_error(const struct buf *b);

/** The contents, always NUL-terminated ("" when empty). Valid until the next append. */
const char *buf_str(const struct buf *b);

/** The length of the contents, without the terminating NUL. */
size_t buf_len(const struct buf *b);

/**
 * Hands the contents to the caller (free() them) and empties @b.
 * @return the NUL-terminated contents, or NULL if the buffer is in error or allocation fails.
 */
char *buf_take(struct buf *b, size_t *len);

#endif
