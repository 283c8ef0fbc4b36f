#include "scanner/probes/sockets.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/lineread.h"
#include "base/vec.h"
#include "base/xstd.h"

/* The kernel's state numbers (include/net/tcp_states.h). */
#define SOCKETS_TCP_LISTEN 0x0Au
#define SOCKETS_TCP_CLOSE 0x07u

/* Parses exactly @n hex digits of @s into @out. */
static int sockets_hex(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (n == 0 || n > 8) {
		return -1;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9') {
			d = (unsigned)(c - '0');
		} else if (c >= 'A' && c <= 'F') {
			d = (unsigned)(c - 'A' + 10);
		} else if (c >= 'a' && c <= 'f') {
			d = (unsigned)(c - 'a' + 10);
		} else {
			return -1;
		}
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/*
 * "ADDR:PORT". The kernel prints each 32-bit word of the address as the number it is in
 * memory (%08X of a __be32), so storing the parsed number back in host order gives the
 * network-order bytes on any endianness. The port is printed after ntohs().
 */
static int sockets_endpoint(const char *s, size_t n, bool v6, unsigned char *addr,
	uint16_t *port)
{
	size_t alen = v6 ? 32 : 8, i;
	uint32_t w, p;

	if (n != alen + 5 || s[alen] != ':' || sockets_hex(s + alen + 1, 4, &p) != 0) {
		return -1;
	}
	for (i = 0; i < alen / 8; i++) {
		if (sockets_hex(s + i * 8, 8, &w) != 0) {
			return -1;
		}
		memcpy(addr + i * 4, &w, 4);
	}
	*port = (uint16_t)p;
	return 0;
}

/* The next space-separated token of @s[*i..n). @return its length (0 at the end). */
static size_t sockets_token(const char *s, size_t n, size_t *i, const char **tok)
{
	size_t start;

	while (*i < n && s[*i] == ' ') {
		(*i)++;
	}
	start = *i;
	while (*i < n && s[*i] != ' ') {
		(*i)++;
	}
	*tok = s + start;
	return *i - start;
}

/* "HEX:HEX" of the queue and timer columns: checked, not kept. */
static bool sockets_pair(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	uint32_t v;
	size_t a;

	if (colon == NULL) {
		return false;
	}
	a = (size_t)(colon - s);
	return a > 0 && a <= 8 && n - a - 1 > 0 && n - a - 1 <= 8 && sockets_hex(s, a, &v) == 0 &&
		sockets_hex(colon + 1, n - a - 1, &v) == 0;
}

int sockets_parse_line(const char *line, size_t n, bool udp, bool v6,
	struct sockets_entry *out)
{
	unsigned char rem[16];
	const char *t[10];
	size_t len[10], i = 0, k;
	uint32_t st, retr;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < 10; k++) {
		len[k] = sockets_token(line, n, &i, &t[k]);
		if (k == 0 && len[0] == 2 && memcmp(t[0], "sl", 2) == 0) {
			return 0;
		}
		if (len[k] == 0) {
			goto malformed;
		}
	}
	if (t[0][len[0] - 1] != ':' || xstd_strntou64(t[0], len[0] - 1, UINT64_MAX, &v) != 0 ||
	    sockets_endpoint(t[1], len[1], v6, out->addr, &out->port) != 0 ||
	    sockets_endpoint(t[2], len[2], v6, rem, &out->rem_port) != 0 ||
	    len[3] != 2 || sockets_hex(t[3], 2, &st) != 0 || !sockets_pair(t[4], len[4]) ||
	    !sockets_pair(t[5], len[5]) || sockets_hex(t[6], len[6], &retr) != 0 ||
	    xstd_strntou64(t[7], len[7], UINT32_MAX, &v) != 0) {
		goto malformed;
	}
	out->uid = (uint32_t)v;
	out->state = st;
	if (xstd_strntou64(t[8], len[8], UINT64_MAX, &v) != 0 ||
	    xstd_strntou64(t[9], len[9], UINT64_MAX, &out->inode) != 0) {
		goto malformed;
	}
	out->udp = udp;
	out->v6 = v6;
	return 1;

malformed:
	errno = EINVAL;
	return -1;
}

bool sockets_listening(const struct sockets_entry *e)
{
	if (e->udp) {
		return e->state == SOCKETS_TCP_CLOSE && e->rem_port == 0;
	}
	return e->state == SOCKETS_TCP_LISTEN;
}

void sockets_addr_str(const struct sockets_entry *e, char out[46])
{
	if (inet_ntop(e->v6 ? AF_INET6 : AF_INET, e->addr, out, 46) == NULL) {
		memcpy(out, "?", 2);
	}
}

void sockets_list_free(struct sockets_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int sockets_keep(struct sockets_list *l, const struct sockets_entry *e)
{
	if (vec_reserve(&l->v, l->n, &l->cap, sizeof(*l->v), KS_SOCKETS_MAX) != 0) {
		return -1;
	}
	l->v[l->n++] = *e;
	return 0;
}

/* One /proc/net table and what its lines are. */
struct sockets_table {
	const char *name;
	bool udp;
	bool v6;
};

/* Notes a table problem: counted, the first one described. */
static void sockets_note(struct sockets_counts *c, struct kerr *err, int errnum,
	const char *name, size_t line)
{
	if (c->errors++ > 0) {
		return;
	}
	if (line > 0) {
		kerr_sys(err, KERR_CORRUPT, errnum, "/proc/%s:%zu", name, line);
	} else {
		kerr_sys(err, KERR_IO, errnum, "/proc/%s", name);
	}
}

/* Reads one table from @fd. @return 0, or -1 on a fatal error with @err set. */
static int sockets_table(int fd, const struct sockets_table *t, sockets_want_fn *want,
	void *ctx, struct sockets_list *out, struct sockets_counts *c, struct kerr *err)
{
	struct lineread *lr = lineread_fd(fd, KS_PROCNET_LINE_MAX);
	struct sockets_entry e;
	const char *line;
	size_t len;
	int r;

	if (lr == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	while ((r = lineread_next(lr, &line, &len)) == 1) {
		if (lineread_lineno(lr) > KS_PROCNET_LINES_MAX) {
			sockets_note(c, err, E2BIG, t->name, lineread_lineno(lr));
			break;
		}
		r = sockets_parse_line(line, len, t->udp, t->v6, &e);
		if (r < 0) {
			sockets_note(c, err, EINVAL, t->name, lineread_lineno(lr));
			continue;
		}
		if (r == 0 || !sockets_listening(&e)) {
			continue;
		}
		c->listening++;
		if (!want(ctx, e.udp, e.port)) {
			continue;
		}
		if (sockets_keep(out, &e) != 0) {
			lineread_free(lr);
			return kerr_sys(err, errno == ENOMEM ? KERR_NOMEM : KERR_LIMIT, errno,
				"/proc/%s: listening sockets", t->name);
		}
		c->kept++;
	}
	if (r < 0) {
		sockets_note(c, err, errno, t->name, 0);
	}
	lineread_free(lr);
	return 0;
}

int sockets_read(int procfd, sockets_want_fn *want, void *ctx, struct sockets_list *out,
	struct sockets_counts *c, struct kerr *err)
{
	static const struct sockets_table tables[] = {
		{"net/tcp", false, false},
		{"net/tcp6", false, true},
		{"net/udp", true, false},
		{"net/udp6", true, true},
	};
	size_t i;
	int fd, rc;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < XSTD_COUNTOF(tables); i++) {
		fd = openat(procfd, tables[i].name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			/* no IPv6 in this kernel or namespace: nothing to read there */
			if (errno != ENOENT) {
				sockets_note(c, err, errno, tables[i].name, 0);
			}
			continue;
		}
		c->tables++;
		rc = sockets_table(fd, &tables[i], want, ctx, out, c, err);
		xstd_close_quietly(fd);
		if (rc != 0) {
			return -1;
		}
	}
	return 0;
}

static int sockets_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The inode of a "socket:[N]" link text, or 0 for any other descriptor. */
static uint64_t sockets_link_inode(const char *s, size_t n)
{
	uint64_t v;

	if (n < 10 || memcmp(s, "socket:[", 8) != 0 || s[n - 1] != ']' ||
	    xstd_strntou64(s + 8, n - 9, UINT64_MAX, &v) != 0) {
		return 0;
	}
	return v;
}

/* Appends @v to *@inodes. */
static int sockets_add_inode(uint64_t **inodes, size_t *n, size_t *cap, uint64_t v)
{
	if (vec_reserve(inodes, *n, cap, sizeof(**inodes), SIZE_MAX) != 0) {
		return -1;
	}
	(*inodes)[(*n)++] = v;
	return 0;
}

int sockets_pid_inodes(int procfd, uint32_t pid, uint64_t **inodes, size_t *n)
{
	char path[64], link[64];
	size_t cap = 0, seen = 0;
	struct dirent *de;
	ssize_t len;
	uint64_t v;
	int fd, rc = 0;
	DIR *d;

	*inodes = NULL;
	*n = 0;
	(void)snprintf(path, sizeof(path), "%" PRIu32 "/fd", pid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0) {
			xstd_close_quietly(fd);
		}
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9') {
			continue;
		}
		if (++seen > KS_PROC_FDS_MAX) {
			errno = E2BIG;
			rc = -1;
			break;
		}
		len = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		/* a descriptor closed since readdir() is simply not there any more */
		if (len < 0) {
			continue;
		}
		v = sockets_link_inode(link, (size_t)len);
		if (v != 0) {
			rc = sockets_add_inode(inodes, n, &cap, v);
		}
	}
	(void)closedir(d);
	if (rc != 0) {
		free(*inodes);
		*inodes = NULL;
		*n = 0;
		return -1;
	}
	if (*n > 1) {
		xstd_qsort(*inodes, *n, sizeof(**inodes), sockets_u64_cmp);
	}
	return 0;
}
