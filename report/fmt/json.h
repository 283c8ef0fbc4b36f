/** A small JSON emitter into a bounded buffer: always valid UTF-8 JSON, whatever the bytes. */
#ifndef KSCAN_JSON_H
#define KSCAN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/*
 * Names on Linux are bytes, not text. A JSON string must be valid UTF-8, so a byte string
 * that is not valid UTF-8 is written twice (docs/report.md, "Names that are not UTF-8"):
 *   "path": "<the bytes, each invalid byte replaced by U+FFFD>",
 *   "path_b64": "<standard base64 of the exact bytes>"
 * The first stays readable and searchable; the second gives the exact bytes back.
 * Valid UTF-8 is written once, with the escapes JSON requires plus \u007f, \u2028 and
 * \u2029 (so a report can be pasted into JavaScript or a terminal unchanged).
 *
 * Separators (commas) are tracked by the emitter: callers just open, write and close.
 */
struct json {
	struct buf *out;
	/** Nesting depth and, per level, whether a value was written (needs a comma). */
	unsigned depth;
	unsigned char first[64];
	/** Pretty-print with tabs and newlines. */
	bool pretty;
	/** Set when nesting exceeded the cap (or closed past the top); nothing more is written. */
	bool overflow;
	/** The key just written, until its value is: names the `<key>_b64` sibling. */
	const char *key;
};

void json_init(struct json *j, struct buf *out, bool pretty);

/** The first failure: 0, ENOMEM or E2BIG from the buffer, or E2BIG for nesting overflow. */
int json_error(const struct json *j);

void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);

/** Writes the key of the next member of the current object. */
void json_key(struct json *j, const char *key);

/**
 * A string value (any bytes; json_str() stops at NUL). Not UTF-8 and just after a key: the
 * `<key>_b64` member follows (see the note above). In an array only the lossy string.
 */
void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t n);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
/** Milliseconds as a decimal number of seconds: 1763790706357 is 1763790706.357. */
void json_milli(struct json *j, int64_t ms);
void json_null(struct json *j);

/** Members: key plus value. json_kv_str() with s == NULL writes nothing. */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_i64(struct json *j, const char *key, int64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

/**
 * Writes @s[0..n) as a JSON string body (no quotes), invalid UTF-8 bytes as U+FFFD.
 * @return true if @s was valid UTF-8.
 */
bool json_escape(struct buf *out, const char *s, size_t n);

/** Appends standard base64 (RFC 4648, with padding) of @s[0..n). */
void json_base64(struct buf *out, const unsigned char *s, size_t n);

#endif
