#include "scanner/probes/cron.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/lineread.h"
#include "base/vec.h"
#include "base/xstd.h"

/* What cron accepts in a schedule field: numbers, names (jan, mon), ranges, steps, lists. */
#define CRON_FIELD_CHARS "0123456789*/,-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
/* A path in a command ends at one of these (":" separates the entries of a PATH). */
#define CRON_PATH_END " \t\"'`;|&()<>:"
/* A path in a command starts after one of these (or at the start). */
#define CRON_PATH_AFTER " \t\"'`;|&()<>=:"

static bool cron_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next blank-separated word of @s[*i..n). @return its length (0 at the end). */
static size_t cron_word(const char *s, size_t n, size_t *i, const char **w)
{
	size_t start;

	while (*i < n && cron_blank(s[*i])) {
		(*i)++;
	}
	start = *i;
	while (*i < n && !cron_blank(s[*i])) {
		(*i)++;
	}
	*w = s + start;
	return *i - start;
}

static bool cron_special(const char *w, size_t n)
{
	static const char *const specials[] = {"@reboot", "@yearly", "@annually", "@monthly",
		"@weekly", "@daily", "@midnight", "@hourly"};
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(specials); i++) {
		if (n == strlen(specials[i]) && memcmp(w, specials[i], n) == 0) {
			return true;
		}
	}
	return false;
}

/* The schedule: "@daily" or five fields. @return false if it is not one. */
static bool cron_schedule(const char *s, size_t n, size_t *i)
{
	const char *w;
	size_t len, k, j;

	len = cron_word(s, n, i, &w);
	if (len > 0 && w[0] == '@') {
		return cron_special(w, len);
	}
	for (k = 0; k < 5; k++) {
		if (k > 0) {
			len = cron_word(s, n, i, &w);
		}
		if (len == 0) {
			return false;
		}
		for (j = 0; j < len; j++) {
			if (strchr(CRON_FIELD_CHARS, w[j]) == NULL) {
				return false;
			}
		}
	}
	return true;
}

int cron_parse_line(const char *line, size_t n, bool system, struct cron_line *out)
{
	size_t i = 0, end;
	char c;

	memset(out, 0, sizeof(*out));
	while (i < n && cron_blank(line[i])) {
		i++;
	}
	if (i == n || line[i] == '#') {
		return 0;
	}
	if (memchr(line, '\0', n) != NULL) {
		goto malformed;
	}
	c = line[i];
	/* cronie's "-" before a job turns its logging off */
	if (c == '-' && i + 1 < n) {
		c = line[++i];
	}
	if (!(c == '*' || c == '@' || (c >= '0' && c <= '9'))) {
		/* "NAME=value": a variable, which runs nothing */
		if (memchr(line + i, '=', n - i) != NULL) {
			return 0;
		}
		goto malformed;
	}
	if (!cron_schedule(line, n, &i)) {
		goto malformed;
	}
	if (system) {
		out->user_len = cron_word(line, n, &i, &out->user);
		if (out->user_len == 0) {
			goto malformed;
		}
	}
	while (i < n && cron_blank(line[i])) {
		i++;
	}
	/* "%" starts the job's standard input; "\%" is a literal percent sign */
	for (end = i; end < n && !(line[end] == '%' && (end == i || line[end - 1] != '\\'));
	     end++) {
	}
	if (end == i) {
		goto malformed;
	}
	out->command = line + i;
	out->command_len = end - i;
	return 1;

malformed:
	errno = EINVAL;
	return -1;
}

int cron_command_paths(const char *cmd, size_t n, int (*fn)(void *ctx, const char *path),
	void *ctx)
{
	char path[PATH_MAX];
	size_t i = 0, j;
	int rc;

	while (i < n) {
		if (cmd[i] != '/' || (i > 0 && strchr(CRON_PATH_AFTER, cmd[i - 1]) == NULL)) {
			i++;
			continue;
		}
		for (j = i; j < n && cmd[j] != '\0' && strchr(CRON_PATH_END, cmd[j]) == NULL; j++) {
		}
		if (j - i < sizeof(path)) {
			memcpy(path, cmd + i, j - i);
			path[j - i] = '\0';
			rc = fn(ctx, path);
			if (rc != 0) {
				return rc;
			}
		}
		i = j;
	}
	return 0;
}

/* One cron_scan() call. */
struct cron_run {
	const struct rootfs *r;
	const struct cron_sink *sink;
	struct cron_counts *c;
	struct kerr *err;
	/* the job's user and command, NUL-terminated for the sink */
	struct buf user;
	struct buf command;
	bool any;
};

/* Notes a problem: counted, the first one described. */
static void cron_note(struct cron_run *run, int errnum, const char *what)
{
	if (run->c->errors++ == 0) {
		kerr_sys(run->err, errnum == E2BIG ? KERR_LIMIT : KERR_IO, errnum, "%s", what);
	}
}

/* Hands one parsed line to the sink. @return its value, or -1 with the error set. */
static int cron_emit(struct cron_run *run, const char *file, size_t line,
	const struct cron_line *cl, const char *user)
{
	struct cron_job j;

	buf_reset(&run->user);
	buf_reset(&run->command);
	if (cl->user != NULL) {
		buf_add(&run->user, cl->user, cl->user_len);
	} else {
		buf_adds(&run->user, user);
	}
	buf_add(&run->command, cl->command, cl->command_len);
	if (buf_error(&run->user) != 0 || buf_error(&run->command) != 0) {
		return kerr_set(run->err, KERR_NOMEM, "out of memory");
	}
	j.file = file;
	j.line = line;
	j.user = buf_str(&run->user);
	j.command = buf_str(&run->command);
	run->c->jobs++;
	return run->sink->job(run->sink->ctx, &j);
}

/* Reads one crontab. @user is the spool file's user, or NULL for a system crontab. */
static int cron_file(struct cron_run *run, const char *file, const char *user)
{
	struct cron_line cl;
	struct lineread *lr;
	const char *line;
	struct stat st;
	size_t len;
	int fd, r, rc = 0;

	fd = rootfs_open_regular(run->r, file, 0);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			run->any = true;
			cron_note(run, errno, file);
		}
		return 0;
	}
	run->any = true;
	if (fstat(fd, &st) != 0) {
		cron_note(run, errno, file);
		xstd_close_quietly(fd);
		return 0;
	}
	if ((size_t)st.st_size > KS_CRON_FILE_MAX) {
		cron_note(run, E2BIG, file);
		xstd_close_quietly(fd);
		return 0;
	}
	run->c->files++;
	lr = lineread_fd(fd, KS_CRON_LINE_MAX);
	if (lr == NULL) {
		xstd_close_quietly(fd);
		return kerr_set(run->err, KERR_NOMEM, "out of memory");
	}
	while (rc == 0 && (r = lineread_next(lr, &line, &len)) == 1) {
		r = cron_parse_line(line, len, user == NULL, &cl);
		run->c->malformed += r < 0;
		if (r > 0) {
			rc = cron_emit(run, file, lineread_lineno(lr), &cl, user);
		}
	}
	/* a line past the cap: what follows it cannot be read reliably */
	if (rc == 0 && r < 0) {
		cron_note(run, errno, file);
	}
	lineread_free(lr);
	xstd_close_quietly(fd);
	return rc != 0 ? -1 : 0;
}

static int cron_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void cron_free_names(char **v, size_t n)
{
	while (n > 0) {
		free(v[--n]);
	}
	free(v);
}

/* The names in @d, sorted (for the same order on every run), hidden ones left out. */
static int cron_names(DIR *d, char ***out, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	char **v = NULL;

	*n = 0;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.') {
			continue;
		}
		if (vec_reserve(&v, *n, &cap, sizeof(*v), KS_CRON_DIR_ENTRIES_MAX) != 0) {
			goto fail;
		}
		v[*n] = strdup(de->d_name);
		if (v[*n] == NULL) {
			goto fail;
		}
		(*n)++;
	}
	if (errno != 0) {
		goto fail;
	}
	xstd_qsort(v, *n, sizeof(*v), cron_name_cmp);
	*out = v;
	return 0;

fail:
	cron_free_names(v, *n);
	*n = 0;
	return -1;
}

/* Every regular file of the directory @dir; @spool: their names are their users. */
static int cron_dir(struct cron_run *run, const char *dir, bool spool)
{
	char path[PATH_MAX], **names;
	size_t n, i;
	struct stat st;
	int fd, rc = 0;
	DIR *d;

	fd = rootfs_open_dir(run->r, dir, 0);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			run->any = true;
			cron_note(run, errno, dir);
		}
		return 0;
	}
	run->any = true;
	d = fdopendir(fd);
	if (d == NULL) {
		cron_note(run, errno, dir);
		xstd_close_quietly(fd);
		return 0;
	}
	if (cron_names(d, &names, &n) != 0) {
		if (errno == ENOMEM) {
			rc = kerr_set(run->err, KERR_NOMEM, "out of memory");
		} else {
			cron_note(run, errno, dir);
		}
		(void)closedir(d);
		return rc;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path)) {
			cron_note(run, ENAMETOOLONG, dir);
			continue;
		}
		/* subdirectories (crontabs/ inside the Red Hat spool) are read on their own */
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode)) {
			continue;
		}
		rc = cron_file(run, path, spool ? names[i] : NULL);
	}
	cron_free_names(names, n);
	(void)closedir(d);
	return rc;
}

int cron_scan(const struct rootfs *r, const struct cron_sink *sink, struct cron_counts *c,
	struct kerr *err)
{
	struct cron_run run = {.r = r, .sink = sink, .c = c, .err = err};
	int rc;

	memset(c, 0, sizeof(*c));
	buf_init(&run.user, KS_CRON_LINE_MAX + 1);
	buf_init(&run.command, KS_CRON_LINE_MAX + 1);
	rc = cron_file(&run, "/etc/crontab", NULL);
	if (rc == 0) {
		rc = cron_dir(&run, "/etc/cron.d", false);
	}
	if (rc == 0) {
		rc = cron_dir(&run, "/var/spool/cron/crontabs", true);
	}
	if (rc == 0) {
		rc = cron_dir(&run, "/var/spool/cron", true);
	}
	buf_free(&run.user);
	buf_free(&run.command);
	if (rc != 0) {
		return -1;
	}
	return run.any ? 1 : 0;
}
