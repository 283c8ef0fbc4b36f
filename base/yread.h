/** A strict reader of small YAML documents over libyaml events, with FILE:LINE:COL errors. */
#ifndef KSCAN_YREAD_H
#define KSCAN_YREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "base/kerr.h"

/*
 * kscan reads YAML written by people and trusted by root, so it takes the safe subset
 * only: one document, no anchors, aliases or tags (an alias bomb is a few lines), bounded
 * nesting and scalar length, UTF-8. Every problem becomes a diagnostic
 * "NAME:LINE:COL: message"; the caller keeps reading after a bad value, so one pass shows
 * every mistake, and the first problem's code says how the load failed.
 *
 * A caller walks the events with yread_next() and checks each value's type with
 * yread_scalar_type(): a plain `yes`, `1.0` or `~` is not a string, and is reported as what
 * it is rather than guessed at.
 */
struct yread;

/** Where a node starts, 1-based. */
struct yread_loc {
	uint32_t line;
	uint32_t col;
};

/** Caps and wording for one kind of document. */
struct yread_limits {
	/** A longer scalar is reported and skipped. */
	size_t scalar_max;
	/** Deeper nesting stops the load. */
	unsigned depth_max;
	/** Diagnostics kept; the last slot says the load stopped there. */
	size_t diags_max;
	/** The document in messages: "anchors are not allowed in <what>". */
	const char *what;
};

/** How a plain scalar resolves (YAML 1.1 and the 1.2 core schema both considered). */
enum yread_type {
	YREAD_STRING = 0,
	YREAD_NULL,
	YREAD_BOOL,
	YREAD_INT,
	YREAD_FLOAT,
};

/**
 * A reader over @data[0..len) (not copied: keep it alive), named @name in messages.
 * A UTF-8 byte order mark is skipped. @return the reader, or NULL (ENOMEM).
 */
struct yread *yread_new(const char *name, const char *data, size_t len,
	const struct yread_limits *lim);

void yread_free(struct yread *y);

/**
 * Reads the stream start and the document start. @return true with the current event at
 * the document's root node; false for an empty stream (no document) or when loading stopped.
 */
bool yread_begin(struct yread *y);

/** After the root node: checks that the document and the stream end there. */
void yread_end(struct yread *y);

/**
 * Moves to the next event and checks it (aliases, anchors, tags, depth, scalar length).
 * @return false when loading stopped (syntax error, a cap, out of memory).
 */
bool yread_next(struct yread *y);

/** The current event (valid until the next yread_next()). */
const yaml_event_t *yread_event(const struct yread *y);

/** True when the current event was already reported (alias, tag, long scalar): skip it. */
bool yread_bad(const struct yread *y);

/** Where the current event starts. */
struct yread_loc yread_here(const struct yread *y);

/** Skips the node whose first event is current; leaves its last event current. */
void yread_skip(struct yread *y);

/** How the current scalar resolves; quoted and block scalars are always strings. */
enum yread_type yread_scalar_type(const struct yread *y);

/**
 * The same for any event: what a plain scalar means (quoted and block scalars, and
 * anything not a scalar, are YREAD_STRING). The signature loader shares it.
 */
enum yread_type yread_event_type(const yaml_event_t *e);

/** The current node for messages: "a mapping", "a sequence", "a string", "null"... */
const char *yread_got(const struct yread *y);

/** The same for any event. */
const char *yread_event_got(const yaml_event_t *e);

/**
 * Where byte @off of @data[0..len) is: libyaml's reader errors give a byte offset, not a
 * mark. Columns count characters (UTF-8 continuation bytes are not counted).
 */
struct yread_loc yread_loc_at(const char *data, size_t len, size_t off);

/** Copies libyaml's message @s (may be NULL) lower-cased into @out, so it reads as ours. */
void yread_lower(char *out, size_t size, const char *s);

/** True if the current event is a scalar whose bytes are exactly @s (no embedded NUL). */
bool yread_is(const struct yread *y, const char *s);

/** Records a problem at @at (KERR_INPUT, or @code for yread_fail()). */
void yread_err(struct yread *y, struct yread_loc at, const char *fmt, ...) KS_PRINTF(3, 4);
void yread_fail(struct yread *y, enum kerr_code code, struct yread_loc at, const char *fmt,
	...) KS_PRINTF(4, 5);

/** Marks the load as out of memory (the caller could not keep a value). */
void yread_nomem(struct yread *y);

/**
 * The outcome. @return 0 if nothing was reported, else -1 with @err holding the first
 * diagnostic and the code of the first problem (KERR_INPUT, KERR_LIMIT or KERR_NOMEM).
 */
int yread_result(const struct yread *y, struct kerr *err);

/** Diagnostics, each "NAME:LINE:COL: message". */
size_t yread_ndiags(const struct yread *y);
const char *yread_diag(const struct yread *y, size_t i);

#endif
