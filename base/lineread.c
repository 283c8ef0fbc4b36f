#include "base/lineread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read size for fd input: a few syscalls for a multi-megabyte status file. */
#define LINEREAD_CHUNK ((size_t)64 << 10)

struct lineread {
	int fd;           /* -1 for memory input */
	const char *mem;  /* memory input, or NULL */
	size_t memlen;
	char *buf;        /* fd input: holds [start, end) unread bytes */
	size_t cap;
	size_t start;
	size_t end;
	size_t max;
	size_t lineno;
	size_t offset;
	int eof;
	char *line;       /* memory input: copy of the current line (NUL-terminated) */
	size_t linecap;
};

static struct lineread *lineread_new(size_t max)
{
	struct lineread *lr = calloc(1, sizeof(*lr));

	if (lr == NULL) {
		return NULL;
	}
	lr->fd = -1;
	lr->max = max;
	return lr;
}

struct lineread *lineread_fd(int fd, size_t max)
{
	struct lineread *lr = lineread_new(max);

	if (lr == NULL) {
		return NULL;
	}
	lr->fd = fd;
	lr->cap = max < LINEREAD_CHUNK ? LINEREAD_CHUNK : max;
	/* one byte more than a maximal line, plus its '\n' and the NUL we write */
	if (lr->cap < max + 2) {
		lr->cap = max + 2;
	}
	lr->buf = malloc(lr->cap);
	if (lr->buf == NULL) {
		free(lr);
		return NULL;
	}
	return lr;
}

struct lineread *lineread_mem(const char *data, size_t len, size_t max)
{
	struct lineread *lr = lineread_new(max);

	if (lr == NULL) {
		return NULL;
	}
	lr->mem = data;
	lr->memlen = len;
	return lr;
}

static int lineread_fill(struct lineread *lr)
{
	ssize_t r;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	do {
		r = read(lr->fd, lr->buf + lr->end, lr->cap - 1 - lr->end);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		return -1;
	}
	if (r == 0) {
		lr->eof = 1;
	}
	lr->end += (size_t)r;
	return 0;
}

static int lineread_next_fd(struct lineread *lr, const char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		char *nl = memchr(lr->buf + lr->start + scanned, '\n',
			lr->end - lr->start - scanned);
		size_t n;

		if (nl != NULL || (lr->eof && lr->end > lr->start)) {
			n = nl != NULL ? (size_t)(nl - (lr->buf + lr->start)) : lr->end - lr->start;
			if (n > lr->max) {
				errno = E2BIG;
				return -1;
			}
			*line = lr->buf + lr->start;
			*len = n;
			lr->buf[lr->start + n] = '\0';
			lr->start += n + (nl != NULL);
			lr->offset += n + (nl != NULL);
			return 1;
		}
		if (lr->eof) {
			return 0;
		}
		scanned = lr->end - lr->start;
		if (scanned > lr->max) {
			errno = E2BIG;
			return -1;
		}
		if (lineread_fill(lr) != 0) {
			return -1;
		}
	}
}

static int lineread_next_mem(struct lineread *lr, const char **line, size_t *len)
{
	const char *p = lr->mem + lr->offset;
	size_t left = lr->memlen - lr->offset;
	const char *nl;
	size_t n;

	if (left == 0) {
		return 0;
	}
	nl = memchr(p, '\n', left);
	n = nl != NULL ? (size_t)(nl - p) : left;
	if (n > lr->max) {
		errno = E2BIG;
		return -1;
	}
	/* copy so the line can be NUL-terminated without writing to the caller's memory */
	if (n + 1 > lr->linecap) {
		char *q = realloc(lr->line, n + 1);

		if (q == NULL) {
			return -1;
		}
		lr->line = q;
		lr->linecap = n + 1;
	}
	memcpy(lr->line, p, n);
	lr->line[n] = '\0';
	lr->offset += n + (nl != NULL);
	*line = lr->line;
	*len = n;
	return 1;
}

int lineread_next(struct lineread *lr, const char **line, size_t *len)
{
	int rc = lr->mem != NULL || lr->fd < 0 ? lineread_next_mem(lr, line, len)
					       : lineread_next_fd(lr, line, len);

	if (rc == 1) {
		lr->lineno++;
	}
	return rc;
}

size_t lineread_lineno(const struct lineread *lr)
{
	return lr->lineno;
}

size_t lineread_offset(const struct lineread *lr)
{
	return lr->offset;
}

void lineread_free(struct lineread *lr)
{
	if (lr == NULL) {
		return;
	}
	free(lr->buf);
	free(lr->line);
	free(lr);
}
