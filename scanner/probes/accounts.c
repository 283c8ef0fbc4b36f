#include "scanner/probes/accounts.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/lineread.h"
#include "base/xstd.h"

int accounts_parse_line(const char *line, size_t n, enum accounts_kind kind, char *name,
	uint32_t *id)
{
	size_t want = kind == ACCOUNTS_USER ? 7 : 4, fields = 1, i, start[8], end[8];
	uint64_t v;

	if (n == 0 || line[0] == '#' || line[0] == '+' || line[0] == '-') {
		return 0;
	}
	start[0] = 0;
	for (i = 0; i < n && fields <= want; i++) {
		if (line[i] == '\0') {
			goto malformed;
		}
		if (line[i] == ':') {
			end[fields - 1] = i;
			start[fields++] = i + 1;
		}
	}
	if (fields != want || i != n) {
		goto malformed;
	}
	end[fields - 1] = n;
	/* the id is field 3 in both files: name:password:id:... */
	if (end[0] == 0 || end[0] > ACCOUNTS_NAME_MAX ||
	    xstd_strntou64(line + start[2], end[2] - start[2], UINT32_MAX, &v) != 0) {
		goto malformed;
	}
	memcpy(name, line, end[0]);
	name[end[0]] = '\0';
	*id = (uint32_t)v;
	return 1;

malformed:
	errno = EINVAL;
	return -1;
}

/* Notes a file that cannot be read: counted, the first one described. */
static void accounts_note(struct accounts_counts *c, struct kerr *err, int errnum,
	const char *file)
{
	if (c->errors++ == 0) {
		kerr_sys(err, errnum == E2BIG ? KERR_LIMIT : KERR_IO, errnum, "%s", file);
	}
}

/* Reads the lines of @fd. @return 0, or -1 on a fatal error with @err set. */
static int accounts_lines(int fd, const char *file, enum accounts_kind kind,
	const struct accounts_sink *sink, struct accounts_counts *c, struct kerr *err)
{
	char name[ACCOUNTS_NAME_MAX + 1];
	struct accounts_entry a;
	struct lineread *lr = lineread_fd(fd, KS_ACCOUNTS_LINE_MAX);
	const char *line;
	size_t len;
	int r, rc = 0;

	if (lr == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	a.kind = kind;
	a.name = name;
	a.file = file;
	while (rc == 0 && (r = lineread_next(lr, &line, &len)) == 1) {
		r = accounts_parse_line(line, len, kind, name, &a.id);
		if (r < 0) {
			c->malformed++;
		}
		if (r <= 0) {
			continue;
		}
		*(kind == ACCOUNTS_USER ? &c->users : &c->groups) += 1;
		a.line = lineread_lineno(lr);
		rc = sink->entry(sink->ctx, &a);
	}
	if (rc == 0 && r < 0) {
		accounts_note(c, err, errno, file);
	}
	lineread_free(lr);
	return rc != 0 ? -1 : 0;
}

/* One file. @return 1 read (or failed: counted), 0 absent, -1 fatal. */
static int accounts_file(const struct rootfs *r, const char *file, enum accounts_kind kind,
	const struct accounts_sink *sink, struct accounts_counts *c, struct kerr *err)
{
	struct stat st;
	int fd, rc;

	fd = rootfs_open_regular(r, file, 0);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			return 0;
		}
		accounts_note(c, err, errno, file);
		return 1;
	}
	if (fstat(fd, &st) != 0) {
		accounts_note(c, err, errno, file);
		xstd_close_quietly(fd);
		return 1;
	}
	if ((size_t)st.st_size > KS_ACCOUNTS_FILE_MAX) {
		accounts_note(c, err, E2BIG, file);
		xstd_close_quietly(fd);
		return 1;
	}
	rc = accounts_lines(fd, file, kind, sink, c, err);
	xstd_close_quietly(fd);
	return rc != 0 ? -1 : 1;
}

int accounts_read(const struct rootfs *r, const struct accounts_sink *sink,
	struct accounts_counts *c, struct kerr *err)
{
	int a, b;

	memset(c, 0, sizeof(*c));
	a = accounts_file(r, "/etc/passwd", ACCOUNTS_USER, sink, c, err);
	if (a < 0) {
		return -1;
	}
	b = accounts_file(r, "/etc/group", ACCOUNTS_GROUP, sink, c, err);
	if (b < 0) {
		return -1;
	}
	return a > 0 || b > 0 ? 1 : 0;
}
