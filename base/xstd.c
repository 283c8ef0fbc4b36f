#include "config.h"
#include "base/xstd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if HAVE_GETRANDOM
#include <sys/random.h>
#endif

int xstd_strntou64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9') {
			errno = EINVAL;
			return -1;
		}
		d = (unsigned)(s[i] - '0');
		/* d > max first: max - d would wrap and let any digit through */
		if (d > max || v > (max - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int xstd_strtou64(const char *s, uint64_t max, uint64_t *out)
{
	return xstd_strntou64(s, strlen(s), max, out);
}

void xstd_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1) {
		qsort(base, n, size, cmp);
	}
}

void xstd_close_quietly(int fd)
{
	int saved = errno;

	if (fd >= 0) {
		(void)close(fd);
	}
	errno = saved;
}

int xstd_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads in pieces of this size: big enough for few syscalls on status files. */
#define XSTD_READ_CHUNK ((size_t)64 << 10)

int xstd_read_fd(int fd, size_t max, struct buf *out)
{
	char chunk[XSTD_READ_CHUNK];
	size_t total = 0;

	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		if (r == 0) {
			return 0;
		}
		if ((size_t)r > max - total) {
			errno = E2BIG;
			return -1;
		}
		total += (size_t)r;
		if (buf_add(out, chunk, (size_t)r) != 0) {
			return -1;
		}
	}
}

size_t xstd_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c;
	size_t len, i;
	uint32_t cp;

	if (n == 0) {
		return 0;
	}
	c = s[0];
	if (c < 0x80) {
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len) {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	/* overlong forms, UTF-16 surrogates and values past Unicode are not UTF-8 */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff)) {
		return 0;
	}
	return len;
}

bool xstd_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t l = xstd_utf8_seq(u + i, n - i);

		if (l == 0) {
			return false;
		}
		i += l;
	}
	return true;
}

void xstd_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static int xstd_hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

int xstd_unhex(const char *hex, unsigned char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int hi = xstd_hexval(hex[2 * i]);
		int lo = hi < 0 ? -1 : xstd_hexval(hex[2 * i + 1]);

		if (lo < 0) {
			errno = EINVAL;
			return -1;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	if (hex[2 * n] != '\0') {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

char *xstd_strndup_max(const char *s, size_t n, size_t max)
{
	char *p;

	if (n > max) {
		errno = E2BIG;
		return NULL;
	}
	p = malloc(n + 1);
	if (p == NULL) {
		return NULL;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

bool xstd_has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int64_t xstd_clock_ms(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0) {
		return 0;
	}
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t xstd_now_ms(void)
{
	return xstd_clock_ms(CLOCK_REALTIME);
}

int64_t xstd_mono_ms(void)
{
	return xstd_clock_ms(CLOCK_MONOTONIC);
}

void xstd_rfc3339(int64_t ms, char out[32])
{
	/* floor, not truncation: -1 ms is 23:59:59.999 of the day before, not 00:00:00 */
	int64_t frac = ms % 1000 < 0 ? ms % 1000 + 1000 : ms % 1000;
	time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm tm;
	size_t n;

	if (gmtime_r(&t, &tm) == NULL) {
		memcpy(out, "1970-01-01T00:00:00.000Z", 25);
		return;
	}
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	(void)snprintf(out + n, 32 - n, ".%03uZ", (unsigned)frac);
}

int xstd_random(void *p, size_t n)
{
	unsigned char *b = p;
	size_t got = 0;
	int fd;

#if HAVE_GETRANDOM
	while (got < n) {
		ssize_t r = getrandom(b + got, n - got, 0);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			break;
		}
		got += (size_t)r;
	}
	if (got == n) {
		return 0;
	}
	if (errno != ENOSYS) {
		return -1;
	}
#endif
	/* kernels before 3.17 have no getrandom(2) */
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	for (got = 0; got < n;) {
		ssize_t r = read(fd, b + got, n - got);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			errno = r == 0 ? EIO : errno;
			xstd_close_quietly(fd);
			return -1;
		}
		got += (size_t)r;
	}
	xstd_close_quietly(fd);
	return 0;
}

void xstd_sleep_ms(uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	/* a signal cuts the sleep short: sleep the rest */
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}
