#include "base/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Start small: most buffers hold one line or one name. */
#define BUF_MIN_CAP 64

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	/* room for the NUL: max + 1 must not wrap, or a SIZE_MAX cap would clamp growth to 0 */
	b->max = max < SIZE_MAX ? max : SIZE_MAX - 1;
	b->err = 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void buf_wipe(struct buf *b)
{
	if (b->data != NULL) {
		explicit_bzero(b->data, b->cap);
	}
	buf_free(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data != NULL) {
		b->data[0] = '\0';
	}
}

static int buf_fail(struct buf *b, int err)
{
	b->err = err;
	errno = err;
	return -1;
}

/* Makes room for @n more bytes plus the NUL. */
static int buf_reserve(struct buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->err != 0) {
		errno = b->err;
		return -1;
	}
	if (n > b->max || b->len > b->max - n) {
		return buf_fail(b, E2BIG);
	}
	need = b->len + n + 1;
	if (need <= b->cap) {
		return 0;
	}
	cap = b->cap < BUF_MIN_CAP ? BUF_MIN_CAP : b->cap;
	while (cap < need) {
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	}
	if (cap > b->max + 1) {
		cap = b->max + 1;
	}
	p = realloc(b->data, cap);
	if (p == NULL) {
		return buf_fail(b, ENOMEM);
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) != 0) {
		return -1;
	}
	if (n > 0) {
		memcpy(b->data + b->len, p, n);
	}
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		return buf_fail(b, EINVAL);
	}
	if (buf_reserve(b, (size_t)n) != 0) {
		return -1;
	}
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int buf_error(const struct buf *b)
{
	return b->err;
}

const char *buf_str(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

size_t buf_len(const struct buf *b)
{
	return b->len;
}

char *buf_take(struct buf *b, size_t *len)
{
	char *p;

	if (b->err != 0) {
		errno = b->err;
		return NULL;
	}
	if (b->data == NULL && buf_reserve(b, 0) != 0) {
		return NULL;
	}
	b->data[b->len] = '\0';
	p = b->data;
	if (len != NULL) {
		*len = b->len;
	}
	buf_init(b, b->max);
	return p;
}
