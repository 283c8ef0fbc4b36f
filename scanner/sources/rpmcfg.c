/*
 * rpm's own rules for where the database is and which backend reads it (rpmdb.c,
 * backend.c of rpm 4.16+): %_dbpath names the directory and %_db_backend the backend; when
 * the configured backend's file is missing rpm takes whichever database it finds there, in
 * the order sqlite, ndb, bdb. The macros are the root's own, read from its files: the host's
 * rpm (if any) says nothing about a mounted image.
 *
 * We read macro definitions, not rpm's macro language: a value is used only if, after the
 * few directory macros every distribution uses (%{_var}, %{_usr}...), it has no '%' left.
 * A value we cannot expand is ignored and the standard locations still get looked at.
 */
#include "scanner/sources/rpmcfg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/xstd.h"

/* The directory macros rpm's own macros file defines, with its values. */
static const char *const rpmcfg_dirs[][2] = {
	{ "%{_var}", "/var" },
	{ "%{_usr}", "/usr" },
	{ "%{_prefix}", "/usr" },
	{ "%{_localstatedir}", "/var" },
	{ "%{_usrlibrpm}", "/usr/lib/rpm" },
};

static const char *const rpmcfg_names[] = { "", "sqlite", "ndb", "bdb" };
static const char *const rpmcfg_files[] = { "", "rpmdb.sqlite", "Packages.db", "Packages" };

const char *rpmcfg_name(enum rpmcfg_backend b)
{
	return rpmcfg_names[b];
}

const char *rpmcfg_file(enum rpmcfg_backend b)
{
	return rpmcfg_files[b];
}

/* Expands the directory macros of @v (@n bytes) into @out. @return false if any '%' is left. */
static bool rpmcfg_expand(const char *v, size_t n, char *out, size_t cap)
{
	size_t j = 0, i = 0, k;

	while (i < n) {
		const char *rep = NULL;
		size_t used = 1;

		for (k = 0; k < XSTD_COUNTOF(rpmcfg_dirs) && v[i] == '%'; k++) {
			size_t ml = strlen(rpmcfg_dirs[k][0]);

			if (n - i >= ml && memcmp(v + i, rpmcfg_dirs[k][0], ml) == 0) {
				rep = rpmcfg_dirs[k][1];
				used = ml;
				break;
			}
		}
		if (rep == NULL && v[i] == '%') {
			return false;
		}
		if (rep == NULL) {
			if (j + 1 >= cap) {
				return false;
			}
			out[j++] = v[i];
		} else {
			if (j + strlen(rep) >= cap) {
				return false;
			}
			memcpy(out + j, rep, strlen(rep));
			j += strlen(rep);
		}
		i += used;
	}
	out[j] = '\0';
	return j > 0;
}

/* One line "%name value": sets @dst if it defines @name with a value we can use. */
static void rpmcfg_line(const char *l, size_t n, const char *name, char *dst, size_t cap,
	bool path)
{
	size_t nl = strlen(name);
	char tmp[128];

	if (n <= nl + 1 || l[0] != '%' || memcmp(l + 1, name, nl) != 0 ||
	    (l[nl + 1] != ' ' && l[nl + 1] != '\t')) {
		return;
	}
	l += nl + 1;
	n -= nl + 1;
	while (n > 0 && (*l == ' ' || *l == '\t')) {
		l++;
		n--;
	}
	while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r')) {
		n--;
	}
	if (!rpmcfg_expand(l, n, tmp, sizeof(tmp)) || strlen(tmp) >= cap ||
	    (path && tmp[0] != '/') || (!path && strcspn(tmp, "/ \t") != strlen(tmp))) {
		return;
	}
	memcpy(dst, tmp, strlen(tmp) + 1);
}

void rpmcfg_parse(const char *text, size_t n, struct rpmcfg *cfg)
{
	const char *end = text + n;

	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t len = nl != NULL ? (size_t)(nl - text) : (size_t)(end - text);

		rpmcfg_line(text, len, "_dbpath", cfg->dbpath, sizeof(cfg->dbpath), true);
		rpmcfg_line(text, len, "_db_backend", cfg->backend, sizeof(cfg->backend), false);
		text += len + (nl != NULL ? 1 : 0);
	}
}

static void rpmcfg_file_read(const struct rootfs *r, const char *path, struct rpmcfg *cfg)
{
	struct buf b;

	buf_init(&b, KS_RPMCFG_FILE_MAX);
	if (rootfs_read_file(r, path, KS_RPMCFG_FILE_MAX, &b) == 0) {
		rpmcfg_parse(buf_str(&b), buf_len(&b), cfg);
	}
	buf_free(&b);
}

static int rpmcfg_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads @dir's "macros.*" files in name order (rpm's glob sorts them). */
static void rpmcfg_glob(const struct rootfs *r, const char *dir, struct rpmcfg *cfg)
{
	char *names[KS_RPMCFG_GLOB_MAX], path[PATH_MAX];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;
	int fd;

	fd = rootfs_open_dir(r, dir, 0);
	if (fd < 0) {
		return;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		xstd_close_quietly(fd);
		return;
	}
	while ((de = readdir(d)) != NULL && n < KS_RPMCFG_GLOB_MAX) {
		if (strncmp(de->d_name, "macros.", 7) == 0 &&
		    (names[n] = strdup(de->d_name)) != NULL) {
			n++;
		}
	}
	(void)closedir(d);
	qsort(names, n, sizeof(names[0]), rpmcfg_cmp);
	for (i = 0; i < n; i++) {
		int w = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);

		if (w > 0 && (size_t)w < sizeof(path)) {
			rpmcfg_file_read(r, path, cfg);
		}
		free(names[i]);
	}
}

void rpmcfg_read(const struct rootfs *r, struct rpmcfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	rpmcfg_file_read(r, "/usr/lib/rpm/macros", cfg);
	rpmcfg_glob(r, "/usr/lib/rpm/macros.d", cfg);
	rpmcfg_glob(r, "/etc/rpm", cfg);
	rpmcfg_file_read(r, "/etc/rpm/macros", cfg);
}

/* True if @dirfd holds the file of backend @b (any type: the caller refuses non-regular). */
static bool rpmcfg_has(int dirfd, enum rpmcfg_backend b)
{
	struct stat st;

	return fstatat(dirfd, rpmcfg_files[b], &st, AT_SYMLINK_NOFOLLOW) == 0;
}

enum rpmcfg_backend rpmcfg_pick(const struct rpmcfg *cfg, int dirfd)
{
	enum rpmcfg_backend b = RPMCFG_NONE;
	int i;

	if (strcmp(cfg->backend, "sqlite") == 0) {
		b = RPMCFG_SQLITE;
	} else if (strcmp(cfg->backend, "ndb") == 0) {
		b = RPMCFG_NDB;
	} else if (strcmp(cfg->backend, "bdb") == 0 || strcmp(cfg->backend, "bdb_ro") == 0) {
		b = RPMCFG_BDB;
	}
	if (b != RPMCFG_NONE && rpmcfg_has(dirfd, b)) {
		return b;
	}
	for (i = RPMCFG_SQLITE; i <= RPMCFG_BDB; i++) {
		if (rpmcfg_has(dirfd, (enum rpmcfg_backend)i)) {
			return (enum rpmcfg_backend)i;
		}
	}
	return RPMCFG_NONE;
}
