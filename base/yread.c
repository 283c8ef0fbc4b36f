#include "base/yread.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xstd.h"

/* One diagnostic line: a path of ordinary length and a message; longer ones are cut. */
#define YREAD_DIAG_MAX 2048

struct yread_diag {
	char *line;
	/* about the text itself (syntax, encoding, the cap): no part's suffix */
	bool text;
};

struct yread {
	yaml_parser_t parser;
	yaml_event_t ev;
	bool have_ev;
	/* the current event was already reported: callers skip it */
	bool bad_ev;
	const char *data;
	size_t len;
	const char *name;
	struct yread_limits lim;
	unsigned depth;
	/* syntax error, cap or out of memory: no more events are read */
	bool stop;
	bool nomem;
	enum kerr_code code;
	struct yread_diag *diags;
	size_t ndiags;
	/* yread_ctx_begin() was called: diagnostics from ctx_from on await a suffix */
	bool ctx_on;
	size_t ctx_from;
};

struct yread *yread_new(const char *name, const char *data, size_t len,
	const struct yread_limits *lim)
{
	struct yread *y = calloc(1, sizeof(*y));

	if (y == NULL) {
		return NULL;
	}
	y->diags = calloc(lim->diags_max, sizeof(*y->diags));
	if (y->diags == NULL || !yaml_parser_initialize(&y->parser)) {
		free(y->diags);
		free(y);
		errno = ENOMEM;
		return NULL;
	}
	/* the encoding is set, not guessed, so libyaml leaves a BOM to us: drop it */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	yaml_parser_set_input_string(&y->parser, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&y->parser, YAML_UTF8_ENCODING);
	y->data = data;
	y->len = len;
	y->name = name;
	y->lim = *lim;
	return y;
}

void yread_free(struct yread *y)
{
	size_t i;

	if (y == NULL) {
		return;
	}
	if (y->have_ev) {
		yaml_event_delete(&y->ev);
	}
	yaml_parser_delete(&y->parser);
	for (i = 0; i < y->ndiags; i++) {
		free(y->diags[i].line);
	}
	free(y->diags);
	free(y);
}

static struct yread_loc yread_mark(yaml_mark_t m)
{
	struct yread_loc at;

	at.line = m.line >= UINT32_MAX ? UINT32_MAX : (uint32_t)m.line + 1;
	at.col = m.column >= UINT32_MAX ? UINT32_MAX : (uint32_t)m.column + 1;
	return at;
}

struct yread_loc yread_here(const struct yread *y)
{
	return yread_mark(y->ev.start_mark);
}

void yread_stop(struct yread *y)
{
	y->stop = true;
}

void yread_nomem(struct yread *y)
{
	y->nomem = true;
	y->stop = true;
}

static void yread_add(struct yread *y, struct yread_loc at, const char *msg, bool text)
{
	char line[YREAD_DIAG_MAX];
	char *copy;

	/* truncation is harmless: see YREAD_DIAG_MAX */
	(void)snprintf(line, sizeof(line), "%s:%u:%u: %s", y->name, at.line, at.col, msg);
	copy = strdup(line);
	if (copy == NULL) {
		yread_nomem(y);
		return;
	}
	y->diags[y->ndiags].line = copy;
	y->diags[y->ndiags++].text = text;
}

static void yread_vfail(struct yread *y, enum kerr_code code, bool text, struct yread_loc at,
	const char *fmt, va_list ap) KS_PRINTF(5, 0);

static void yread_vfail(struct yread *y, enum kerr_code code, bool text, struct yread_loc at,
	const char *fmt, va_list ap)
{
	char msg[YREAD_DIAG_MAX];

	if (y->stop) {
		return;
	}
	if (y->code == KERR_OK) {
		y->code = code;
	}
	if (y->ndiags + 1 >= y->lim.diags_max) {
		yread_add(y, at, "too many errors, stopping here", true);
		y->stop = true;
		return;
	}
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	yread_add(y, at, msg, text);
}

void yread_err(struct yread *y, struct yread_loc at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yread_vfail(y, KERR_INPUT, false, at, fmt, ap);
	va_end(ap);
}

/* A problem with the text itself: it belongs to no part of the document. */
static void yread_text_err(struct yread *y, struct yread_loc at, const char *fmt, ...)
	KS_PRINTF(3, 4);

static void yread_text_err(struct yread *y, struct yread_loc at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yread_vfail(y, KERR_INPUT, true, at, fmt, ap);
	va_end(ap);
}

void yread_fail(struct yread *y, enum kerr_code code, struct yread_loc at, const char *fmt,
	...)
{
	va_list ap;

	va_start(ap, fmt);
	yread_vfail(y, code, false, at, fmt, ap);
	va_end(ap);
}

struct yread_loc yread_loc_at(const char *data, size_t len, size_t off)
{
	struct yread_loc at = {1, 1};
	size_t i;

	for (i = 0; i < off && i < len; i++) {
		if (data[i] == '\n') {
			at.line++;
			at.col = 1;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			at.col++;
		}
	}
	return at;
}

static struct yread_loc yread_offset_loc(const struct yread *y, size_t off)
{
	return yread_loc_at(y->data, y->len, off);
}

void yread_lower(char *out, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i + 1 < size; i++) {
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	}
	out[i] = '\0';
}

static void yread_syntax(struct yread *y)
{
	const yaml_parser_t *p = &y->parser;
	char prob[128], ctx[128];

	if (p->error == YAML_MEMORY_ERROR) {
		yread_nomem(y);
		return;
	}
	yread_lower(prob, sizeof(prob), p->problem != NULL ? p->problem : "unknown error");
	if (p->error == YAML_READER_ERROR) {
		yread_text_err(y, yread_offset_loc(y, p->problem_offset),
			"not a valid utf-8 text file: %s", prob);
	} else if (p->context != NULL) {
		yread_lower(ctx, sizeof(ctx), p->context);
		yread_text_err(y, yread_mark(p->problem_mark),
			"syntax error: %s (%s that starts at %u:%u)", prob, ctx,
			yread_mark(p->context_mark).line, yread_mark(p->context_mark).col);
	} else {
		yread_text_err(y, yread_mark(p->problem_mark), "syntax error: %s", prob);
	}
	y->stop = true;
}

static void yread_check_node(struct yread *y, const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor != NULL) {
		yread_err(y, yread_here(y), "anchors are not allowed in %s", y->lim.what);
	}
	if (tag != NULL) {
		yread_err(y, yread_here(y), "tags are not allowed in %s", y->lim.what);
		y->bad_ev = true;
	}
}

static void yread_check(struct yread *y)
{
	const yaml_event_t *e = &y->ev;

	switch (e->type) {
	case YAML_ALIAS_EVENT:
		yread_err(y, yread_here(y), "aliases are not allowed in %s", y->lim.what);
		y->bad_ev = true;
		break;
	case YAML_SCALAR_EVENT:
		yread_check_node(y, e->data.scalar.anchor, e->data.scalar.tag);
		if (e->data.scalar.length > y->lim.scalar_max) {
			yread_fail(y, KERR_LIMIT, yread_here(y), "value longer than %zu bytes",
				y->lim.scalar_max);
			y->bad_ev = true;
		}
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (e->type == YAML_SEQUENCE_START_EVENT) {
			yread_check_node(y, e->data.sequence_start.anchor,
				e->data.sequence_start.tag);
		} else {
			yread_check_node(y, e->data.mapping_start.anchor,
				e->data.mapping_start.tag);
		}
		if (++y->depth > y->lim.depth_max) {
			yread_fail(y, KERR_LIMIT, yread_here(y), "nesting deeper than %u levels",
				y->lim.depth_max);
			y->stop = true;
		}
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		y->depth--;
		break;
	case YAML_NO_EVENT:
	case YAML_STREAM_START_EVENT:
	case YAML_STREAM_END_EVENT:
	case YAML_DOCUMENT_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	default:
		break;
	}
}

bool yread_next(struct yread *y)
{
	if (y->stop) {
		return false;
	}
	if (y->have_ev) {
		yaml_event_delete(&y->ev);
		y->have_ev = false;
	}
	if (!yaml_parser_parse(&y->parser, &y->ev)) {
		yread_syntax(y);
		return false;
	}
	y->have_ev = true;
	y->bad_ev = false;
	yread_check(y);
	return !y->stop;
}

bool yread_stopped(const struct yread *y)
{
	return y->stop;
}

const yaml_event_t *yread_event(const struct yread *y)
{
	return &y->ev;
}

bool yread_bad(const struct yread *y)
{
	return y->bad_ev;
}

void yread_skip(struct yread *y)
{
	unsigned outer;

	if (y->ev.type != YAML_SEQUENCE_START_EVENT && y->ev.type != YAML_MAPPING_START_EVENT) {
		return;
	}
	outer = y->depth - 1;
	while (y->depth > outer) {
		if (!yread_next(y)) {
			return;
		}
	}
}

bool yread_begin(struct yread *y)
{
	/* stream start, then a document start or the end of an empty stream */
	if (!yread_next(y) || !yread_next(y) || y->ev.type == YAML_STREAM_END_EVENT) {
		return false;
	}
	return yread_next(y);
}

void yread_end(struct yread *y)
{
	if (!yread_next(y) || !yread_next(y)) {
		return;
	}
	if (y->ev.type != YAML_STREAM_END_EVENT) {
		yread_err(y, yread_here(y), "%s is one YAML document; found another here",
			y->lim.doc);
	}
}

static bool yread_one_of(const char *s, const char *const *words)
{
	for (; *words != NULL; words++) {
		if (strcmp(s, *words) == 0) {
			return true;
		}
	}
	return false;
}

static bool yread_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool yread_is_int(const char *s)
{
	const char *digits = "0123456789_";

	if (*s == '+' || *s == '-') {
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		digits = s[1] == 'x' ? "0123456789abcdefABCDEF_" :
			s[1] == 'o' ? "01234567_" : "01_";
		s += 2;
	} else if (!yread_digit(*s)) {
		return false;
	}
	return *s != '\0' && strspn(s, digits) == strlen(s);
}

static bool yread_is_float(const char *s)
{
	static const char *const special[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", NULL};
	size_t digits = 0;

	if (*s == '+' || *s == '-') {
		s++;
	}
	if (yread_one_of(s, special)) {
		return true;
	}
	for (; yread_digit(*s) || (*s == '_' && digits > 0); s++) {
		digits += *s != '_';
	}
	if (*s == '.') {
		for (s++; yread_digit(*s) || *s == '_'; s++) {
			digits += *s != '_';
		}
	}
	if (digits == 0) {
		return false;
	}
	if (*s == 'e' || *s == 'E') {
		s += s[1] == '+' || s[1] == '-' ? 2 : 1;
		if (!yread_digit(*s)) {
			return false;
		}
		s += strspn(s, "0123456789");
	}
	return *s == '\0';
}

enum yread_type yread_event_type(const yaml_event_t *e)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE",
		"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", NULL};
	const char *s = (const char *)e->data.scalar.value;

	if (e->type != YAML_SCALAR_EVENT || e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		return YREAD_STRING;
	}
	if (yread_one_of(s, nulls)) {
		return YREAD_NULL;
	}
	if (yread_one_of(s, bools)) {
		return YREAD_BOOL;
	}
	if (yread_is_int(s)) {
		return YREAD_INT;
	}
	return yread_is_float(s) ? YREAD_FLOAT : YREAD_STRING;
}

enum yread_type yread_scalar_type(const struct yread *y)
{
	return yread_event_type(&y->ev);
}

const char *yread_event_got(const yaml_event_t *e)
{
	if (e->type == YAML_MAPPING_START_EVENT) {
		return "a mapping";
	}
	if (e->type == YAML_SEQUENCE_START_EVENT) {
		return "a sequence";
	}
	if (e->type != YAML_SCALAR_EVENT) {
		return "something else";
	}
	switch (yread_event_type(e)) {
	case YREAD_NULL:
		return "null";
	case YREAD_BOOL:
		return "a boolean";
	case YREAD_INT:
		return "an integer";
	case YREAD_FLOAT:
		return "a number";
	case YREAD_STRING:
	default:
		return "a string";
	}
}

const char *yread_got(const struct yread *y)
{
	return yread_event_got(&y->ev);
}

bool yread_is(const struct yread *y, const char *s)
{
	return y->ev.type == YAML_SCALAR_EVENT && y->ev.data.scalar.length == strlen(s) &&
	       memcmp(y->ev.data.scalar.value, s, y->ev.data.scalar.length) == 0;
}

int yread_result(const struct yread *y, struct kerr *err)
{
	if (y->nomem) {
		return kerr_set(err, KERR_NOMEM, "%s: out of memory", y->name);
	}
	if (y->code == KERR_OK) {
		return 0;
	}
	return kerr_set(err, y->code, "%s", y->ndiags > 0 ? y->diags[0].line : y->name);
}

size_t yread_ndiags(const struct yread *y)
{
	return y->ndiags;
}

const char *yread_diag(const struct yread *y, size_t i)
{
	return i < y->ndiags ? y->diags[i].line : NULL;
}

/* ---- Parts of a document: a suffix for the diagnostics about one of them. ---- */

void yread_ctx_begin(struct yread *y)
{
	y->ctx_on = true;
	y->ctx_from = y->ndiags;
}

void yread_ctx_end(struct yread *y, const char *sfx)
{
	size_t i, b = strlen(sfx);
	char *p;

	for (i = y->ctx_from; y->ctx_on && i < y->ndiags; i++) {
		size_t a = strlen(y->diags[i].line);

		if (y->diags[i].text) {
			continue;
		}
		p = realloc(y->diags[i].line, a + b + 1);
		if (p == NULL) {
			yread_nomem(y);
			break;
		}
		memcpy(p + a, sfx, b + 1);
		y->diags[i].line = p;
	}
	y->ctx_on = false;
	y->ctx_from = y->ndiags;
}

/* ---- Showing user text in messages. ---- */

static void yread_quote_byte(char *out, size_t *o, unsigned c)
{
	static const char hex[] = "0123456789abcdef";

	out[(*o)++] = '\\';
	if (c == '"' || c == '\\') {
		out[(*o)++] = (char)c;
		return;
	}
	out[(*o)++] = 'x';
	out[(*o)++] = hex[(c >> 4) & 0xf];
	out[(*o)++] = hex[c & 0xf];
}

/*
 * Cut after YREAD_QUOTE_MAX bytes on a character boundary, with quotes, backslashes and
 * control characters (C0, DEL, C1) escaped: messages go to terminals and logs one per line.
 */
const char *yread_quote(char out[YREAD_QUOTE_BUF], const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, k;

	out[o++] = '"';
	while (i < n && i < YREAD_QUOTE_MAX) {
		if (u[i] < 0x20 || u[i] == 0x7f || u[i] == '"' || u[i] == '\\') {
			yread_quote_byte(out, &o, u[i++]);
			continue;
		}
		k = xstd_utf8_seq(u + i, n - i);
		if (k == 0 || (k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)) {
			yread_quote_byte(out, &o, u[i++]);
			continue;
		}
		if (i + k > YREAD_QUOTE_MAX) {
			break;
		}
		memcpy(out + o, u + i, k);
		o += k;
		i += k;
	}
	if (i < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

bool yread_text_ok(const char *s, size_t n, bool multi)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (!xstd_utf8_valid(s, n)) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (multi && (u[i] == '\n' || u[i] == '\t')) {
			continue;
		}
		if (u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 && i + 1 < n && u[i + 1] < 0xa0)) {
			return false;
		}
	}
	return true;
}

/* ---- Typed values. ---- */

/* "for "key"" for a key's value, "in "key"" for an entry of a key's list. */
static const char *yread_prep(bool entry)
{
	return entry ? "in" : "for";
}

void yread_wrong(struct yread *y, const char *what, const char *key, bool entry)
{
	/* a plain yes, 1.0 or 12 was meant as text more often than not */
	bool hint = strcmp(what, "a string") == 0 && y->ev.type == YAML_SCALAR_EVENT &&
		yread_scalar_type(y) != YREAD_NULL;

	if (key == NULL) {
		yread_err(y, yread_here(y), "expected %s at the top of %s, got %s", what,
			y->lim.top, yread_got(y));
		return;
	}
	yread_err(y, yread_here(y), "expected %s %s \"%s\", got %s%s", what, yread_prep(entry),
		key, yread_got(y), hint ? " (quote it)" : "");
}

bool yread_want(struct yread *y, yaml_event_type_t type, const char *what, const char *key,
	bool entry)
{
	if (y->bad_ev) {
		yread_skip(y);
		return false;
	}
	if (y->ev.type == type) {
		return true;
	}
	yread_wrong(y, what, key, entry);
	yread_skip(y);
	return false;
}

bool yread_str(struct yread *y, const char *key, unsigned flags, const char **s, size_t *n)
{
	bool entry = (flags & YREAD_ENTRY) != 0;

	if (!yread_want(y, YAML_SCALAR_EVENT, "a string", key, entry)) {
		return false;
	}
	if (yread_scalar_type(y) != YREAD_STRING) {
		yread_wrong(y, "a string", key, entry);
		return false;
	}
	*s = (const char *)y->ev.data.scalar.value;
	*n = y->ev.data.scalar.length;
	if (*n == 0) {
		yread_err(y, yread_here(y), "empty string %s \"%s\"", yread_prep(entry), key);
		return false;
	}
	if (memchr(*s, '\0', *n) != NULL ||
	    !yread_text_ok(*s, *n, (flags & YREAD_MULTILINE) != 0)) {
		yread_err(y, yread_here(y), "control character in the value %s \"%s\"",
			yread_prep(entry), key);
		return false;
	}
	return true;
}

const char *yread_scalar(struct yread *y, const char *key, const char *what, unsigned types)
{
	if (!yread_want(y, YAML_SCALAR_EVENT, what, key, false)) {
		return NULL;
	}
	if ((types & YREAD_TYPES(yread_scalar_type(y))) == 0) {
		yread_wrong(y, what, key, false);
		return NULL;
	}
	return (const char *)y->ev.data.scalar.value;
}

void yread_bool(struct yread *y, const char *key, bool *out)
{
	char q[YREAD_QUOTE_BUF];

	if (!yread_want(y, YAML_SCALAR_EVENT, "true or false", key, false)) {
		return;
	}
	if (yread_scalar_type(y) != YREAD_BOOL) {
		yread_wrong(y, "true or false", key, false);
	} else if (yread_is(y, "true") || yread_is(y, "false")) {
		*out = yread_is(y, "true");
	} else {
		yread_err(y, yread_here(y), "write true or false for \"%s\", not %s", key,
			yread_quote(q, (const char *)y->ev.data.scalar.value,
				y->ev.data.scalar.length));
	}
}

/* ---- Mappings and sequences. ---- */

/* Reads one key; @return its index in @f, or @nf if its value is to be skipped. */
static size_t yread_key(struct yread *y, const struct yread_field *f, size_t nf,
	uint64_t *seen, const char *where)
{
	char q[YREAD_QUOTE_BUF];
	size_t i;

	if (y->ev.type != YAML_SCALAR_EVENT || y->bad_ev) {
		if (!y->bad_ev) {
			yread_err(y, yread_here(y), "keys must be strings%s, got %s", where,
				yread_got(y));
		}
		yread_skip(y);
		return nf;
	}
	/* yread_is() compares lengths too: a quoted key can hold a NUL ("schema\0x") */
	for (i = 0; i < nf && !yread_is(y, f[i].key); i++) {
	}
	if (i == nf) {
		yread_err(y, yread_here(y), "unknown key %s%s", yread_quote(q,
			(const char *)y->ev.data.scalar.value, y->ev.data.scalar.length), where);
	} else if ((*seen & (UINT64_C(1) << i)) != 0) {
		yread_err(y, yread_here(y), "duplicate key \"%s\"%s", f[i].key, where);
		i = nf;
	} else {
		*seen |= UINT64_C(1) << i;
	}
	return i;
}

void yread_map(struct yread *y, const struct yread_field *f, size_t nf, const char *where,
	yread_value_fn *value, void *ctx, void *obj)
{
	struct yread_loc start = yread_here(y);
	uint64_t seen = 0;
	size_t i;

	for (;;) {
		if (!yread_next(y)) {
			return;
		}
		if (y->ev.type == YAML_MAPPING_END_EVENT) {
			break;
		}
		i = yread_key(y, f, nf, &seen, where);
		if (!yread_next(y)) {
			return;
		}
		if (i == nf) {
			yread_skip(y);
		} else {
			value(ctx, &f[i], obj);
		}
	}
	for (i = 0; i < nf; i++) {
		if (f[i].required && (seen & (UINT64_C(1) << i)) == 0) {
			yread_err(y, start, "missing key \"%s\"%s", f[i].key, where);
		}
	}
}

size_t yread_seq(struct yread *y, const char *key, const char *what, size_t max,
	yread_entry_fn *entry, void *ctx)
{
	size_t n = 0;

	if (!yread_want(y, YAML_SEQUENCE_START_EVENT, what, key, false)) {
		return 0;
	}
	for (;;) {
		if (!yread_next(y) || y->ev.type == YAML_SEQUENCE_END_EVENT) {
			return n;
		}
		if (n == max) {
			yread_fail(y, KERR_LIMIT, yread_here(y), "more than %zu entries in \"%s\"",
				max, key);
		}
		if (n++ >= max) {
			yread_skip(y);
		} else {
			entry(ctx, n - 1);
		}
	}
}
