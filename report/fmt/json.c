#include "report/fmt/json.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "base/xstd.h"

/* U+FFFD REPLACEMENT CHARACTER, written for each byte that is not part of valid UTF-8. */
static const char json_replacement[] = "\xef\xbf\xbd";

void json_init(struct json *j, struct buf *out, bool pretty)
{
	j->out = out;
	j->depth = 0;
	memset(j->first, 1, sizeof(j->first));
	j->pretty = pretty;
	j->overflow = false;
	j->key = NULL;
}

int json_error(const struct json *j)
{
	if (j->overflow) {
		return E2BIG;
	}
	return buf_error(j->out);
}

static void json_indent(struct json *j, unsigned depth)
{
	unsigned i;

	buf_addc(j->out, '\n');
	for (i = 0; i < depth; i++) {
		buf_addc(j->out, '\t');
	}
}

/* The comma and line break before a new value or member of the current container. */
static void json_separator(struct json *j)
{
	if (!j->first[j->depth]) {
		buf_addc(j->out, ',');
	}
	j->first[j->depth] = 0;
	if (j->pretty && j->depth > 0) {
		json_indent(j, j->depth);
	}
}

/* Before a value: a value that follows its key is already placed. */
static void json_before_value(struct json *j)
{
	if (j->key != NULL) {
		j->key = NULL;
		return;
	}
	json_separator(j);
}

static void json_begin(struct json *j, char open)
{
	if (j->overflow) {
		return;
	}
	if (j->depth + 1 >= sizeof(j->first)) {
		j->overflow = true;
		return;
	}
	json_before_value(j);
	buf_addc(j->out, open);
	j->depth++;
	j->first[j->depth] = 1;
}

static void json_end(struct json *j, char close)
{
	if (j->overflow) {
		return;
	}
	if (j->depth == 0) {
		j->overflow = true;
		return;
	}
	if (j->pretty && !j->first[j->depth]) {
		json_indent(j, j->depth - 1);
	}
	j->depth--;
	buf_addc(j->out, close);
}

void json_obj_begin(struct json *j)
{
	json_begin(j, '{');
}

void json_obj_end(struct json *j)
{
	json_end(j, '}');
}

void json_arr_begin(struct json *j)
{
	json_begin(j, '[');
}

void json_arr_end(struct json *j)
{
	json_end(j, ']');
}

void json_key(struct json *j, const char *key)
{
	if (j->overflow) {
		return;
	}
	json_separator(j);
	buf_addc(j->out, '"');
	(void)json_escape(j->out, key, strlen(key));
	buf_adds(j->out, j->pretty ? "\": " : "\":");
	j->key = key;
}

/* The escape for an ASCII byte that JSON (or our stricter rule for DEL) wants escaped. */
static void json_escape_ascii(struct buf *out, unsigned char c)
{
	switch (c) {
	case '"':
		buf_adds(out, "\\\"");
		break;
	case '\\':
		buf_adds(out, "\\\\");
		break;
	case '\b':
		buf_adds(out, "\\b");
		break;
	case '\f':
		buf_adds(out, "\\f");
		break;
	case '\n':
		buf_adds(out, "\\n");
		break;
	case '\r':
		buf_adds(out, "\\r");
		break;
	case '\t':
		buf_adds(out, "\\t");
		break;
	default:
		buf_addf(out, "\\u%04x", (unsigned)c);
		break;
	}
}

/* U+2028 and U+2029 are valid JSON but end a JavaScript string literal. */
static bool json_is_line_sep(const unsigned char *u, size_t len)
{
	return len == 3 && u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9);
}

bool json_escape(struct buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	bool valid = true;
	size_t i = 0, plain = 0;

	while (i < n) {
		unsigned char c = u[i];
		size_t len;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			continue;
		}
		len = c < 0x80 ? 1 : xstd_utf8_seq(u + i, n - i);
		if (len > 1 && !json_is_line_sep(u + i, len)) {
			i += len;
			continue;
		}
		/* copy the plain run in one piece: most names need no escape at all */
		buf_add(out, s + plain, i - plain);
		if (len == 0) {
			valid = false;
			buf_add(out, json_replacement, sizeof(json_replacement) - 1);
			len = 1;
		} else if (len == 1) {
			json_escape_ascii(out, c);
		} else {
			buf_adds(out, u[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
		}
		i += len;
		plain = i;
	}
	buf_add(out, s + plain, i - plain);
	return valid;
}

/* The four characters for the 24-bit group @v, of which the first @n (2 to 4) carry data. */
static void json_base64_quad(struct buf *out, uint32_t v, unsigned n)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	unsigned k;

	for (k = 0; k < 4; k++) {
		q[k] = k < n ? alphabet[v >> (18 - 6 * k) & 63] : '=';
	}
	buf_add(out, q, sizeof(q));
}

void json_base64(struct buf *out, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		json_base64_quad(out, (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2], 4);
	}
	if (n - i == 1) {
		json_base64_quad(out, (uint32_t)s[i] << 16, 2);
	} else if (n - i == 2) {
		json_base64_quad(out, (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8, 3);
	}
}

void json_strn(struct json *j, const char *s, size_t n)
{
	const char *key = j->key;
	bool valid;

	if (j->overflow) {
		return;
	}
	json_before_value(j);
	buf_addc(j->out, '"');
	valid = json_escape(j->out, s, n);
	buf_addc(j->out, '"');
	if (valid || key == NULL) {
		return;
	}
	json_separator(j);
	buf_addc(j->out, '"');
	(void)json_escape(j->out, key, strlen(key));
	buf_adds(j->out, j->pretty ? "_b64\": \"" : "_b64\":\"");
	json_base64(j->out, (const unsigned char *)s, n);
	buf_addc(j->out, '"');
}

void json_str(struct json *j, const char *s)
{
	json_strn(j, s, strlen(s));
}

void json_u64(struct json *j, uint64_t v)
{
	if (j->overflow) {
		return;
	}
	json_before_value(j);
	buf_addf(j->out, "%" PRIu64, v);
}

void json_i64(struct json *j, int64_t v)
{
	if (j->overflow) {
		return;
	}
	json_before_value(j);
	buf_addf(j->out, "%" PRId64, v);
}

void json_milli(struct json *j, int64_t ms)
{
	/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
	uint64_t m = ms < 0 ? 0 - (uint64_t)ms : (uint64_t)ms;

	if (j->overflow) {
		return;
	}
	json_before_value(j);
	buf_addf(j->out, "%s%" PRIu64 ".%03u", ms < 0 ? "-" : "", m / 1000, (unsigned)(m % 1000));
}

static void json_literal(struct json *j, const char *lit)
{
	if (j->overflow) {
		return;
	}
	json_before_value(j);
	buf_adds(j->out, lit);
}

void json_bool(struct json *j, bool v)
{
	json_literal(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
	json_literal(j, "null");
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	if (s == NULL) {
		return;
	}
	json_key(j, key);
	json_str(j, s);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_i64(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_i64(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
