#include "scanner/sources/paths.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/vec.h"
#include "base/xstd.h"

/* State of one paths_scan() call. */
struct paths_run {
	const struct rootfs *r;
	const struct paths_sink *sink;
	struct paths_counts *c;
	struct kerr *err;
	const struct sig *sig;
	const struct sig_path *sp;
	/* the pattern split into components (pointers into comp_buf) */
	char comp_buf[PATH_MAX];
	const char *comp[KS_PATH_COMPONENTS_MAX];
	size_t ncomp;
	/* hits so far for the current pattern, against KS_PATH_GLOB_MATCHES_MAX */
	size_t hits;
	bool any_error;
};

const char *paths_ftype(unsigned mode)
{
	if (S_ISREG(mode)) {
		return "file";
	}
	if (S_ISDIR(mode)) {
		return "dir";
	}
	if (S_ISLNK(mode)) {
		return "symlink";
	}
	return "other";
}

/* Notes a lookup error: counted, the first one kept, the scan goes on. */
static void paths_note_error(struct paths_run *run, const char *path, int errnum)
{
	run->c->errors++;
	if (!run->any_error) {
		kerr_sys(run->err, KERR_IO, errnum, "%s", path);
		run->any_error = true;
	}
}

/* Errors that mean "not there", which is the normal answer for most signature paths. */
static bool paths_absent_errno(int errnum)
{
	return errnum == ENOENT || errnum == ENOTDIR;
}

static int paths_report(struct paths_run *run, const char *path, const struct stat *st)
{
	char target[PATH_MAX];
	struct paths_hit hit;

	hit.path = path;
	hit.ftype = paths_ftype(st->st_mode);
	hit.target = NULL;
	hit.size = (uint64_t)st->st_size;
	hit.mtime_ms = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
	if (S_ISLNK(st->st_mode)) {
		if (rootfs_readlink(run->r, path, target, sizeof(target)) >= 0) {
			hit.target = target;
		} else {
			paths_note_error(run, path, errno);
		}
	}
	run->c->found++;
	return run->sink->hit(run->sink->ctx, run->sig, run->sp, &hit);
}

/* The last component: lstat, and report what is there. */
static int paths_lookup(struct paths_run *run, const char *path)
{
	struct stat st;

	if (run->hits >= KS_PATH_GLOB_MATCHES_MAX) {
		run->c->truncated++;
		return 0;
	}
	run->c->lookups++;
	if (rootfs_lstat(run->r, path, &st) != 0) {
		if (!paths_absent_errno(errno)) {
			paths_note_error(run, path, errno);
		}
		return 0;
	}
	run->hits++;
	return paths_report(run, path, &st);
}

static int paths_expand(struct paths_run *run, const char *prefix, size_t idx);

/* Appends "/<name>" to @prefix into @out. */
static int paths_join(char *out, size_t n, const char *prefix, const char *name)
{
	size_t a = strlen(prefix), b = strlen(name);

	if (a + 1 + b + 1 > n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, prefix, a);
	out[a] = '/';
	memcpy(out + a + 1, name, b + 1);
	return 0;
}

static int paths_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void paths_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
}

/*
 * Reads the directory @prefix and returns the sorted names matching the glob @pat.
 * Sorting keeps reports identical from run to run whatever order the filesystem uses.
 * @return 0 with *names (NULL if none), or -1 with errno.
 */
static int paths_glob_dir(struct paths_run *run, const char *prefix, const char *pat,
	char ***names, size_t *n)
{
	size_t cap = 0, seen = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	*names = NULL;
	*n = 0;
	fd = rootfs_open_dir(run->r, prefix[0] != '\0' ? prefix : "/", 0);
	if (fd < 0) {
		return -1;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		xstd_close_quietly(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL && ++seen <= KS_PATH_GLOB_DIR_MAX) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fnmatch(pat, de->d_name, FNM_PERIOD) != 0) {
			continue;
		}
		if (vec_reserve(names, *n, &cap, sizeof(**names), SIZE_MAX) != 0) {
			goto fail;
		}
		(*names)[*n] = strdup(de->d_name);
		if ((*names)[*n] == NULL) {
			goto fail;
		}
		(*n)++;
	}
	if (seen > KS_PATH_GLOB_DIR_MAX) {
		run->c->truncated++;
	}
	(void)closedir(d);
	if (*n > 1) {
		xstd_qsort(*names, *n, sizeof(**names), paths_name_cmp);
	}
	return 0;

fail:
	paths_free_names(*names, *n);
	*names = NULL;
	*n = 0;
	(void)closedir(d);
	errno = ENOMEM;
	return -1;
}

static int paths_expand_glob(struct paths_run *run, const char *prefix, size_t idx)
{
	char path[PATH_MAX];
	char **names;
	size_t n, i;
	int rc = 0;

	if (paths_glob_dir(run, prefix, run->comp[idx], &names, &n) != 0) {
		if (errno == ENOMEM) {
			return kerr_set(run->err, KERR_NOMEM, "out of memory");
		}
		if (!paths_absent_errno(errno)) {
			paths_note_error(run, prefix[0] != '\0' ? prefix : "/", errno);
		}
		return 0;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (paths_join(path, sizeof(path), prefix, names[i]) != 0) {
			paths_note_error(run, prefix, errno);
			continue;
		}
		rc = paths_expand(run, path, idx + 1);
	}
	paths_free_names(names, n);
	return rc;
}

/* Expands components [idx, ncomp) below @prefix ("" is the root). */
static int paths_expand(struct paths_run *run, const char *prefix, size_t idx)
{
	char path[PATH_MAX];
	size_t i;

	if (idx == run->ncomp) {
		return paths_lookup(run, prefix);
	}
	if (xstd_has_glob(run->comp[idx])) {
		return paths_expand_glob(run, prefix, idx);
	}
	/* literal components go straight into the path: one lookup, no directory reads */
	(void)memcpy(path, prefix, strlen(prefix) + 1);
	for (i = idx; i < run->ncomp && !xstd_has_glob(run->comp[i]); i++) {
		char tmp[PATH_MAX];

		if (paths_join(tmp, sizeof(tmp), path, run->comp[i]) != 0) {
			paths_note_error(run, path, errno);
			return 0;
		}
		memcpy(path, tmp, strlen(tmp) + 1);
	}
	return paths_expand(run, path, i);
}

/* Splits an absolute pattern into components. The loader has validated its shape. */
static int paths_split(struct paths_run *run, const char *pattern)
{
	size_t len = strlen(pattern);
	char *p, *save = NULL;

	if (len >= sizeof(run->comp_buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(run->comp_buf, pattern, len + 1);
	run->ncomp = 0;
	for (p = run->comp_buf; *p != '\0'; p = save) {
		while (*p == '/') {
			p++;
		}
		if (*p == '\0') {
			break;
		}
		save = strchr(p, '/');
		if (run->ncomp == KS_PATH_COMPONENTS_MAX) {
			errno = ENAMETOOLONG;
			return -1;
		}
		run->comp[run->ncomp++] = p;
		if (save == NULL) {
			break;
		}
		*save++ = '\0';
	}
	return 0;
}

int paths_scan(const struct rootfs *r, const struct sig_set *s, const struct paths_sink *sink,
	struct paths_counts *c, struct kerr *err)
{
	struct paths_run *run;
	size_t i, j;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	run = calloc(1, sizeof(*run));
	if (run == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	run->r = r;
	run->sink = sink;
	run->c = c;
	run->err = err;
	for (i = 0; i < sig_set_count(s) && rc == 0; i++) {
		run->sig = sig_set_get(s, i);
		for (j = 0; j < run->sig->npaths && rc == 0; j++) {
			run->sp = &run->sig->paths[j];
			run->hits = 0;
			c->patterns++;
			if (paths_split(run, run->sp->path) != 0) {
				paths_note_error(run, run->sp->path, errno);
				continue;
			}
			rc = paths_expand(run, "", 0);
		}
	}
	if (rc == 0 && run->any_error) {
		rc = 1;
	}
	free(run);
	return rc;
}
