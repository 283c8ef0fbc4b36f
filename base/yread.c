#include "base/yread.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xstd.h"

/* One diagnostic line: a path of ordinary length and a message; longer ones are cut. */
#define YREAD_DIAG_MAX 2048

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
	char **diags;
	size_t ndiags;
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
		free(y->diags[i]);
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

void yread_nomem(struct yread *y)
{
	y->nomem = true;
	y->stop = true;
}

static void yread_add(struct yread *y, struct yread_loc at, const char *msg)
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
	y->diags[y->ndiags++] = copy;
}

static void yread_vfail(struct yread *y, enum kerr_code code, struct yread_loc at,
	const char *fmt, va_list ap) KS_PRINTF(4, 0);

static void yread_vfail(struct yread *y, enum kerr_code code, struct yread_loc at,
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
		yread_add(y, at, "too many errors, stopping here");
		y->stop = true;
		return;
	}
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	yread_add(y, at, msg);
}

void yread_err(struct yread *y, struct yread_loc at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yread_vfail(y, KERR_INPUT, at, fmt, ap);
	va_end(ap);
}

void yread_fail(struct yread *y, enum kerr_code code, struct yread_loc at, const char *fmt,
	...)
{
	va_list ap;

	va_start(ap, fmt);
	yread_vfail(y, code, at, fmt, ap);
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
		yread_err(y, yread_offset_loc(y, p->problem_offset),
			"not a valid utf-8 text file: %s", prob);
	} else if (p->context != NULL) {
		yread_lower(ctx, sizeof(ctx), p->context);
		yread_err(y, yread_mark(p->problem_mark),
			"syntax error: %s (%s that starts at %u:%u)", prob, ctx,
			yread_mark(p->context_mark).line, yread_mark(p->context_mark).col);
	} else {
		yread_err(y, yread_mark(p->problem_mark), "syntax error: %s", prob);
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
			y->lim.what);
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
	return kerr_set(err, y->code, "%s", y->ndiags > 0 ? y->diags[0] : y->name);
}

size_t yread_ndiags(const struct yread *y)
{
	return y->ndiags;
}

const char *yread_diag(const struct yread *y, size_t i)
{
	return i < y->ndiags ? y->diags[i] : NULL;
}
