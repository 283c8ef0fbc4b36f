/** Errors of the layers above the OS wrappers: a stable code and a message with context. */
#ifndef KSCAN_KERR_H
#define KSCAN_KERR_H

#include "base/limits.h"

/*
 * Stable codes: once shipped, a number keeps its meaning (scripts and reports use them).
 * The OS wrappers below this layer return -1 with errno instead; the layer that calls them
 * turns errno into one of these with a message naming the file and what it was doing.
 */
enum kerr_code {
	KERR_OK = 0,
	KERR_NOMEM = 1,       /* an allocation failed */
	KERR_IO = 2,          /* a read, open or write failed; sys_errno says why */
	KERR_INPUT = 3,       /* invalid signature pack or configuration (exit 65) */
	KERR_USAGE = 4,       /* invalid command line (exit 64) */
	KERR_LIMIT = 5,       /* input exceeds a cap in limits.h */
	KERR_CORRUPT = 6,     /* a database or file kscan reads is malformed */
	KERR_UNSUPPORTED = 7, /* a feature this build or kernel lacks */
	KERR_INTERNAL = 8,    /* a bug or a library failure (exit 70) */
};

/** An error: filled by the first failure, read by whoever reports it. */
struct kerr {
	enum kerr_code code;
	/** errno of the underlying OS failure, or 0. */
	int sys_errno;
	char msg[KS_ERR_MSG_MAX];
};

#if defined(__GNUC__)
#define KS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define KS_PRINTF(f, a)
#endif

/** Resets @e to KERR_OK with an empty message. */
void kerr_clear(struct kerr *e);

/**
 * Sets @e (if not NULL) to @code with a formatted message.
 * @return -1 always, so callers can write `return kerr_set(...)`.
 */
int kerr_set(struct kerr *e, enum kerr_code code, const char *fmt, ...) KS_PRINTF(3, 4);

/** Like kerr_set(), and appends ": <strerror(errnum)>" and records @errnum. */
int kerr_sys(struct kerr *e, enum kerr_code code, int errnum, const char *fmt, ...)
	KS_PRINTF(4, 5);

/** Puts context before the existing message: "<prefix><message>". */
void kerr_prefix(struct kerr *e, const char *fmt, ...) KS_PRINTF(2, 3);

/** The stable lower-case name of @code ("io", "input"...), for reports. */
const char *kerr_code_name(enum kerr_code code);

#endif
