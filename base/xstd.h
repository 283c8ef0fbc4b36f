/** Checked wrappers around the C library and the OS: -1/NULL with errno on failure. */
#ifndef KSCAN_XSTD_H
#define KSCAN_XSTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"

/** Number of elements of a true array. */
#define XSTD_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

/**
 * Parses all of @s (decimal digits only: no sign, no spaces, no base prefix) into @out.
 * @return 0, or -1 with errno EINVAL (not a number) or ERANGE (above @max).
 */
int xstd_strtou64(const char *s, uint64_t max, uint64_t *out);

/** Like xstd_strtou64() for @n bytes that need not be NUL-terminated. */
int xstd_strntou64(const char *s, size_t n, uint64_t max, uint64_t *out);

/**
 * qsort() that accepts an empty array: qsort(NULL, 0, ...) is undefined behaviour in C
 * (its pointer is declared non-null), and empty lists are the common case here.
 */
void xstd_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/** close() that keeps errno, for cleanup paths. */
void xstd_close_quietly(int fd);

/** Writes all of @p, retrying on EINTR and short writes. @return 0 or -1 with errno. */
int xstd_write_all(int fd, const void *p, size_t n);

/**
 * Reads @fd to its end and appends to @out.
 * @return 0, or -1 with errno (E2BIG if the content exceeds @max bytes).
 */
int xstd_read_fd(int fd, size_t max, struct buf *out);

/** True if @s[0..n) is well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF). */
bool xstd_utf8_valid(const char *s, size_t n);

/**
 * Length of the valid UTF-8 sequence at the start of @s (1 to 4), or 0 if the bytes there
 * are not one. @n is the number of bytes available.
 */
size_t xstd_utf8_seq(const unsigned char *s, size_t n);

/** Writes 2*@n lower-case hex digits and a NUL to @out (which holds 2*@n+1 bytes). */
void xstd_hex(const unsigned char *in, size_t n, char *out);

/** Parses exactly 2*@n hex digits (either case). @return 0 or -1 with errno EINVAL. */
int xstd_unhex(const char *hex, unsigned char *out, size_t n);

/** strdup() of at most @max bytes: NULL with E2BIG if @s is longer. */
char *xstd_strndup_max(const char *s, size_t n, size_t max);

/** True if @s contains an fnmatch(3) metacharacter (*, ?, [). */
bool xstd_has_glob(const char *s);

/** Milliseconds since the epoch, from CLOCK_REALTIME. */
int64_t xstd_now_ms(void);

/** Milliseconds from CLOCK_MONOTONIC, for durations. */
int64_t xstd_mono_ms(void);

/** Writes @ms since the epoch as RFC 3339 UTC with milliseconds ("2026-11-22T05:51:45.123Z"). */
void xstd_rfc3339(int64_t ms, char out[32]);

/**
 * Fills @p with @n bytes from the kernel's random source (getrandom(2), or /dev/urandom on
 * kernels without it). @return 0 or -1 with errno.
 */
int xstd_random(void *p, size_t n);

/** Sleeps @ms milliseconds, resuming after signals. */
void xstd_sleep_ms(uint64_t ms);

#endif
