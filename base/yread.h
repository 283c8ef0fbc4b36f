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
 * it is rather than guessed at. Above the events sit the pieces every document shares: a
 * table-driven mapping walker (yread_map), a sequence walker with a cap (yread_seq) and
 * typed value readers (yread_str, yread_bool, yread_scalar) that word their errors the
 * same way for the configuration and the signature packs. This module is the only one
 * that drives libyaml's parser.
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
	/** The documents in messages: "anchors are not allowed in <what>". */
	const char *what;
	/** One document in messages: "<doc> is one YAML document; found another here". */
	const char *doc;
	/** Its top in messages: "expected a mapping at the top of <top>, got ...". */
	const char *top;
};

/** User text quoted in a message is cut here: enough to recognise it, not to flood a line. */
#define YREAD_QUOTE_MAX 60u
/** Room for YREAD_QUOTE_MAX bytes each escaped to 4, the quotes, "..." and the NUL. */
#define YREAD_QUOTE_BUF (YREAD_QUOTE_MAX * 4u + 8u)

/** How a plain scalar resolves (YAML 1.1 and the 1.2 core schema both considered). */
enum yread_type {
	YREAD_STRING = 0,
	YREAD_NULL,
	YREAD_BOOL,
	YREAD_INT,
	YREAD_FLOAT,
};

/** A set of enum yread_type values, for yread_scalar(). */
#define YREAD_TYPES(t) (1u << (unsigned)(t))

/** yread_str() flags. */
enum {
	/** The value is an entry of the key's list: "in "key"" rather than "for "key"". */
	YREAD_ENTRY = 1,
	/** Free text: line breaks and tabs are allowed. */
	YREAD_MULTILINE = 2,
};

/**
 * One key of a mapping read by yread_map(). kind, off, min and max belong to the caller's
 * value reader: what the value is, where it goes in the object, its accepted range.
 */
struct yread_field {
	const char *key;
	unsigned kind;
	size_t off;
	/** Reported as missing when the mapping ends without it. */
	bool required;
	uint64_t min;
	uint64_t max;
};

/** Reads the value of @f (the current event starts it) into @obj; leaves its last event. */
typedef void yread_value_fn(void *ctx, const struct yread_field *f, void *obj);

/** Reads entry @index of a sequence (the current event starts it). */
typedef void yread_entry_fn(void *ctx, size_t index);

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

/** True once loading stopped (syntax error, a cap, out of memory): no more events come. */
bool yread_stopped(const struct yread *y);

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

/** Writes @s[0..n) quoted for a message (control characters escaped, cut). @return @out. */
const char *yread_quote(char out[YREAD_QUOTE_BUF], const char *s, size_t n);

/** Valid UTF-8 without control characters (C0, DEL, C1); @multi allows line breaks, tabs. */
bool yread_text_ok(const char *s, size_t n, bool multi);

/**
 * Reports that the current node is not @what: "expected @what for "@key", got a mapping".
 * @entry says "in "@key"" (an entry of its list); @key NULL is the document's top.
 */
void yread_wrong(struct yread *y, const char *what, const char *key, bool entry);

/**
 * @return true if the current event is of @type; otherwise reports it (unless it was
 * reported already) with yread_wrong(), skips the node and returns false.
 */
bool yread_want(struct yread *y, yaml_event_type_t type, const char *what, const char *key,
	bool entry);

/**
 * The current node as a non-empty string of text (yread_text_ok()), else reported.
 * *@s points into the event: copy it before the next yread_next(). @flags: YREAD_ENTRY,
 * YREAD_MULTILINE. @return false if it was reported.
 */
bool yread_str(struct yread *y, const char *key, unsigned flags, const char **s, size_t *n);

/**
 * The current node's text if it is a scalar of one of @types (YREAD_TYPES()), else NULL
 * (reported as "expected @what for "@key", got ..."). Valid until the next event.
 */
const char *yread_scalar(struct yread *y, const char *key, const char *what, unsigned types);

/** A boolean: only true or false, since YAML 1.1 and 1.2 disagree on yes, on and the rest. */
void yread_bool(struct yread *y, const char *key, bool *out);

/**
 * Reads the mapping whose MAPPING-START is current: each key must be one of @f (at most
 * 64), once; @value reads its value into @obj. @where places the mapping in messages:
 * " in collector", " at the top of the pack", or "".
 */
void yread_map(struct yread *y, const struct yread_field *f, size_t nf, const char *where,
	yread_value_fn *value, void *ctx, void *obj);

/**
 * Reads the sequence at the current event (@what names it if it is not one: "a
 * sequence"), calling @entry for each of its first @max entries; one past them is
 * reported, the rest skipped. @return how many entries it has (up to the first past @max).
 */
size_t yread_seq(struct yread *y, const char *key, const char *what, size_t max,
	yread_entry_fn *entry, void *ctx);

/**
 * Diagnostics from here until yread_ctx_end() are about one part of the document (a
 * signature): yread_ctx_end() appends @sfx to each, once it knows what to call the part.
 * Problems with the text itself (syntax, encoding, "too many errors") get no suffix.
 */
void yread_ctx_begin(struct yread *y);
void yread_ctx_end(struct yread *y, const char *sfx);

/** Records a problem at @at (KERR_INPUT, or @code for yread_fail()). */
void yread_err(struct yread *y, struct yread_loc at, const char *fmt, ...) KS_PRINTF(3, 4);
void yread_fail(struct yread *y, enum kerr_code code, struct yread_loc at, const char *fmt,
	...) KS_PRINTF(4, 5);

/** Stops the load where it is (a cap the caller counts): no more events are read. */
void yread_stop(struct yread *y);

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
