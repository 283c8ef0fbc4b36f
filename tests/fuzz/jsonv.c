/*
 * A recursive-descent JSON checker, test code only: no dependency of kscan parses JSON, and
 * the fuzz targets must prove that what the writers emit is JSON whatever bytes went in.
 */
#include "tests/fuzz/jsonv.h"

#include <string.h>

#include "base/xstd.h"

/* The writers nest a few levels; anything deeper is a writer bug, not a valid report. */
#define JSONV_DEPTH_MAX 64

struct jsonv {
	const unsigned char *p;
	const unsigned char *end;
};

static bool jsonv_value(struct jsonv *v, int depth);

static void jsonv_ws(struct jsonv *v)
{
	while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' || *v->p == '\r')) {
		v->p++;
	}
}

static bool jsonv_lit(struct jsonv *v, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(v->end - v->p) < n || memcmp(v->p, lit, n) != 0) {
		return false;
	}
	v->p += n;
	return true;
}

static bool jsonv_hex4(struct jsonv *v)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (v->p >= v->end || !((*v->p >= '0' && *v->p <= '9') ||
		    (*v->p >= 'a' && *v->p <= 'f') || (*v->p >= 'A' && *v->p <= 'F'))) {
			return false;
		}
		v->p++;
	}
	return true;
}

static bool jsonv_string(struct jsonv *v)
{
	const unsigned char *start;

	if (v->p >= v->end || *v->p != '"') {
		return false;
	}
	start = ++v->p;
	while (v->p < v->end && *v->p != '"') {
		if (*v->p < 0x20) {
			return false;
		}
		if (*v->p == '\\') {
			v->p++;
			if (v->p >= v->end) {
				return false;
			}
			if (*v->p == 'u') {
				v->p++;
				if (!jsonv_hex4(v)) {
					return false;
				}
				continue;
			}
			if (strchr("\"\\/bfnrt", *v->p) == NULL || *v->p == '\0') {
				return false;
			}
		}
		v->p++;
	}
	if (v->p >= v->end) {
		return false;
	}
	if (!xstd_utf8_valid((const char *)start, (size_t)(v->p - start))) {
		return false;
	}
	v->p++;
	return true;
}

static bool jsonv_digits(struct jsonv *v)
{
	const unsigned char *s = v->p;

	while (v->p < v->end && *v->p >= '0' && *v->p <= '9') {
		v->p++;
	}
	return v->p > s;
}

static bool jsonv_number(struct jsonv *v)
{
	if (v->p < v->end && *v->p == '-') {
		v->p++;
	}
	if (v->p < v->end && *v->p == '0') {
		v->p++;
	} else if (!jsonv_digits(v)) {
		return false;
	}
	if (v->p < v->end && *v->p == '.') {
		v->p++;
		if (!jsonv_digits(v)) {
			return false;
		}
	}
	if (v->p < v->end && (*v->p == 'e' || *v->p == 'E')) {
		v->p++;
		if (v->p < v->end && (*v->p == '+' || *v->p == '-')) {
			v->p++;
		}
		if (!jsonv_digits(v)) {
			return false;
		}
	}
	return true;
}

/* Members of an object (@close '}') or elements of an array (']'), after the opener. */
static bool jsonv_items(struct jsonv *v, int depth, unsigned char close)
{
	jsonv_ws(v);
	if (v->p < v->end && *v->p == close) {
		v->p++;
		return true;
	}
	for (;;) {
		jsonv_ws(v);
		if (close == '}') {
			if (!jsonv_string(v)) {
				return false;
			}
			jsonv_ws(v);
			if (v->p >= v->end || *v->p++ != ':') {
				return false;
			}
		}
		if (!jsonv_value(v, depth + 1)) {
			return false;
		}
		jsonv_ws(v);
		if (v->p >= v->end) {
			return false;
		}
		if (*v->p == close) {
			v->p++;
			return true;
		}
		if (*v->p++ != ',') {
			return false;
		}
	}
}

static bool jsonv_value(struct jsonv *v, int depth)
{
	if (depth > JSONV_DEPTH_MAX) {
		return false;
	}
	jsonv_ws(v);
	if (v->p >= v->end) {
		return false;
	}
	switch (*v->p) {
	case '{':
	case '[':
		return jsonv_items(v, depth, *v->p++ == '{' ? '}' : ']');
	case '"':
		return jsonv_string(v);
	case 't':
		return jsonv_lit(v, "true");
	case 'f':
		return jsonv_lit(v, "false");
	case 'n':
		return jsonv_lit(v, "null");
	default:
		return jsonv_number(v);
	}
}

bool jsonv_valid(const char *s, size_t n)
{
	struct jsonv v = {(const unsigned char *)s, (const unsigned char *)s + n};

	if (!jsonv_value(&v, 0)) {
		return false;
	}
	jsonv_ws(&v);
	return v.p == v.end;
}
