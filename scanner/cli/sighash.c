#include "config.h"
#include "scanner/cli/sighash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scanner/deep/deep.h"
#include "scanner/deep/hash.h"
#include "base/limits.h"
#include "scanner/sources/rootfs.h"
#include "scanner/deep/walk.h"
#include "signatures/sigload.h"
#include "base/vec.h"
#include "base/xstd.h"

/* One file hashed. */
struct sh_file {
	/* which of the directories given, then the path inside it */
	size_t dir;
	char *path;
	uint64_t size;
	unsigned char sha256[32];
};

struct sh_worker {
	struct hash *hash;
	char path[KS_WALK_PATH_MAX + 1];
};

struct sh_ctx {
	size_t dir;
	struct sh_worker *w;
	pthread_mutex_t lock;
	struct sh_file *v;
	size_t n;
	size_t cap;
	struct sighash_counts *counts;
	/* the first failure, which fails the whole generation */
	int err;
	char *err_path;
};

static void sh_fail(struct sh_ctx *c, const char *path, int err)
{
	pthread_mutex_lock(&c->lock);
	if (c->err == 0) {
		c->err = err;
		c->err_path = xstd_strndup_max(path, strlen(path), KS_WALK_PATH_MAX);
	}
	pthread_mutex_unlock(&c->lock);
}

static void sh_error(void *ctx, unsigned worker, const char *path, size_t len, int err)
{
	(void)worker;
	(void)len;
	sh_fail(ctx, path, err);
}

static int sh_push(struct sh_ctx *c, const char *path, uint64_t size, const unsigned char *sha)
{
	struct sh_file *f;
	int rc = -1;

	pthread_mutex_lock(&c->lock);
	if (vec_reserve(&c->v, c->n, &c->cap, sizeof(*c->v), SIZE_MAX) != 0) {
		goto unlock;
	}
	f = &c->v[c->n];
	f->path = xstd_strndup_max(path, strlen(path), KS_WALK_PATH_MAX);
	if (f->path != NULL) {
		f->dir = c->dir;
		f->size = size;
		memcpy(f->sha256, sha, 32);
		c->n++;
		c->counts->files++;
		rc = 0;
	}
unlock:
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static void sh_count(struct sh_ctx *c, uint64_t *what)
{
	pthread_mutex_lock(&c->lock);
	(*what)++;
	pthread_mutex_unlock(&c->lock);
}

static int sh_entry(void *ctx, unsigned worker, const struct walk_entry *e)
{
	struct sh_ctx *c = ctx;
	struct sh_worker *w = &c->w[worker];
	unsigned char sha[32];
	uint64_t bytes;
	struct stat st;
	int rc;

	if (e->type != DT_REG) {
		return 0;
	}
	if (walk_join(w->path, sizeof(w->path), e->dir, e->dirlen, e->name, e->namelen) < 0) {
		sh_fail(c, e->dir, ENAMETOOLONG);
		return 0;
	}
	if (fstatat(e->dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		sh_fail(c, w->path, errno);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		sh_count(c, &c->counts->changed);
		return 0;
	}
	if (st.st_size == 0) {
		sh_count(c, &c->counts->empty);
		return 0;
	}
	rc = hash_file_at(w->hash, e->dirfd, e->name, (uint64_t)st.st_size, sha, &bytes);
	if (rc < 0) {
		sh_fail(c, w->path, errno);
		return 0;
	}
	if (rc != HASH_OK) {
		sh_count(c, &c->counts->changed);
		return 0;
	}
	return sh_push(c, w->path, (uint64_t)st.st_size, sha);
}

/* Hashes every regular file under @dir into @c. */
static int sh_walk(struct sh_ctx *c, const char *dir, unsigned jobs, struct kerr *err)
{
	static const char *const top[] = {"/"};
	struct walk_stats ws;
	struct walk_args a;
	struct rootfs *r;
	int rc;

	r = rootfs_open(dir, err);
	if (r == NULL) {
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.root = r;
	a.paths = top;
	a.npaths = 1;
	a.jobs = jobs;
	a.ops.entry = sh_entry;
	a.ops.error = sh_error;
	a.ops.ctx = c;
	rc = walk_run(&a, &ws);
	rootfs_close(r);
	if (rc != 0) {
		return kerr_sys(err, errno == ENOMEM ? KERR_NOMEM : KERR_INTERNAL, errno,
			"%s: walk stopped", dir);
	}
	if (c->err != 0) {
		return kerr_sys(err, KERR_IO, c->err, "%s: cannot read %s", dir,
			c->err_path != NULL ? c->err_path : "a file");
	}
	return 0;
}

static int sh_by_sha(const void *a, const void *b)
{
	const struct sh_file *x = a, *y = b;
	int c = memcmp(x->sha256, y->sha256, 32);

	if (c != 0) {
		return c;
	}
	if (x->dir != y->dir) {
		return x->dir < y->dir ? -1 : 1;
	}
	return strcmp(x->path, y->path);
}

static int sh_by_path(const void *a, const void *b)
{
	const struct sh_file *x = a, *y = b;

	if (x->dir != y->dir) {
		return x->dir < y->dir ? -1 : 1;
	}
	return strcmp(x->path, y->path);
}

/* Keeps one file per content (the first by path); a list may not repeat a sha256. */
static size_t sh_dedupe(struct sh_file *v, size_t n)
{
	size_t i, k = 0;

	xstd_qsort(v, n, sizeof(*v), sh_by_sha);
	for (i = 0; i < n; i++) {
		if (k > 0 && memcmp(v[k - 1].sha256, v[i].sha256, 32) == 0) {
			free(v[i].path);
			continue;
		}
		v[k++] = v[i];
	}
	xstd_qsort(v, k, sizeof(*v), sh_by_path);
	return k;
}

/* YAML double-quoted scalar body of text the loader accepts (checked by the caller). */
static void sh_quoted(struct buf *out, const char *s)
{
	buf_addc(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			buf_addc(out, '\\');
		}
		buf_addc(out, *s);
	}
	buf_addc(out, '"');
}

/* A comment line that stays one line of UTF-8 whatever the path holds. */
static void sh_comment_path(struct buf *out, const char *dir, const char *path)
{
	const char *parts[] = {dir, path};
	size_t p, i, n;

	buf_adds(out, "      # ");
	for (p = 0; p < 2; p++) {
		const unsigned char *u = (const unsigned char *)parts[p];

		n = strlen(parts[p]);
		for (i = 0; i < n;) {
			size_t len = xstd_utf8_seq(u + i, n - i);

			if (len == 0 || u[i] < 0x20 || u[i] == 0x7f) {
				buf_addf(out, "\\x%02x", u[i]);
				i++;
			} else {
				buf_add(out, u + i, len);
				i += len;
			}
		}
	}
	buf_addc(out, '\n');
}

/* True if the base name of @path can be a hashes `name` (UTF-8, no control characters). */
static const char *sh_name(const char *path)
{
	const char *base = strrchr(path, '/') + 1;
	const unsigned char *u = (const unsigned char *)base;
	size_t n = strlen(base), i;

	if (n == 0 || n > 255 || !xstd_utf8_valid(base, n)) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 && i + 1 < n && u[i + 1] < 0xa0)) {
			return NULL;
		}
	}
	return base;
}

static void sh_yaml(struct buf *out, const struct sighash_opts *o, const char *const *dirs,
	size_t ndirs, const struct sh_file *v, size_t n)
{
	char hex[65];
	size_t i;

	buf_addf(out, "# Made by kscan %s: kscan signatures hash", KSCAN_VERSION);
	for (i = 0; i < ndirs; i++) {
		buf_adds(out, " ");
		buf_adds(out, xstd_utf8_valid(dirs[i], strlen(dirs[i])) &&
				      strpbrk(dirs[i], "\n\r") == NULL ? dirs[i] : "(unprintable)");
	}
	buf_addf(out, "\n# %zu distinct file(s) by sha256 and size.\nschema: 1\nsignatures:\n", n);
	buf_adds(out, "  - id: ");
	sh_quoted(out, o->id);
	buf_adds(out, "\n    vendor: ");
	sh_quoted(out, o->vendor != NULL ? o->vendor : "Kaspersky");
	buf_adds(out, "\n    product: ");
	sh_quoted(out, o->product);
	buf_adds(out, "\n    hashes:\n");
	for (i = 0; i < n; i++) {
		const char *name = sh_name(v[i].path);

		sh_comment_path(out, ndirs > 1 ? dirs[v[i].dir] : "", v[i].path);
		xstd_hex(v[i].sha256, 32, hex);
		buf_addf(out, "      - {sha256: \"%s\", size: %" PRIu64, hex, v[i].size);
		if (name != NULL) {
			buf_adds(out, ", name: ");
			sh_quoted(out, name);
		}
		buf_addf(out, ", role: %s}\n", sig_role_name(o->role));
	}
}

/* Loads @yaml back, so a pack that would be refused is never printed. */
static int sh_check(const struct buf *yaml, struct kerr *err)
{
	struct sig_set *s = sig_set_new();
	int rc;

	if (s == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	rc = sigload_mem(s, "(generated)", buf_str(yaml), buf_len(yaml), false, err);
	if (rc == 0) {
		rc = sig_set_finish(s, err);
	}
	sig_set_free(s);
	return rc;
}

static int sh_workers(struct sh_ctx *c, unsigned jobs, struct kerr *err)
{
	unsigned i;

	c->w = calloc(jobs, sizeof(*c->w));
	if (c->w == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	for (i = 0; i < jobs; i++) {
		c->w[i].hash = hash_new();
		if (c->w[i].hash == NULL) {
			return kerr_set(err, KERR_NOMEM, "out of memory");
		}
	}
	return 0;
}

static void sh_free(struct sh_ctx *c, unsigned jobs)
{
	size_t i;

	for (i = 0; c->w != NULL && i < jobs; i++) {
		hash_free(c->w[i].hash);
	}
	free(c->w);
	for (i = 0; i < c->n; i++) {
		free(c->v[i].path);
	}
	free(c->v);
	free(c->err_path);
	pthread_mutex_destroy(&c->lock);
}

static int sh_collect(struct sh_ctx *c, const char *const *dirs, size_t ndirs, unsigned jobs,
	struct kerr *err)
{
	for (c->dir = 0; c->dir < ndirs; c->dir++) {
		if (sh_walk(c, dirs[c->dir], jobs, err) != 0) {
			return -1;
		}
	}
	c->n = sh_dedupe(c->v, c->n);
	c->counts->hashes = c->n;
	if (c->n == 0) {
		return kerr_set(err, KERR_INPUT, "no regular file with content to hash");
	}
	if (c->n > KS_SIG_LIST_MAX) {
		return kerr_set(err, KERR_LIMIT,
			"%zu distinct files: a signature holds at most %u hashes; split the tree",
			c->n, KS_SIG_LIST_MAX);
	}
	return 0;
}

int sighash_generate(const char *const *dirs, size_t ndirs, const struct sighash_opts *o,
	struct buf *out, struct sighash_counts *n, struct kerr *err)
{
	unsigned jobs = deep_jobs(o->jobs);
	struct sh_ctx c;
	struct buf yaml;
	int rc = -1;

	memset(n, 0, sizeof(*n));
	memset(&c, 0, sizeof(c));
	c.counts = n;
	if (pthread_mutex_init(&c.lock, NULL) != 0) {
		return kerr_set(err, KERR_INTERNAL, "cannot create a mutex");
	}
	buf_init(&yaml, KS_SIG_FILE_MAX);
	if (sh_workers(&c, jobs, err) != 0 || sh_collect(&c, dirs, ndirs, jobs, err) != 0) {
		goto free_ctx;
	}
	sh_yaml(&yaml, o, dirs, ndirs, c.v, c.n);
	if (buf_error(&yaml) != 0) {
		kerr_sys(err, buf_error(&yaml) == E2BIG ? KERR_LIMIT : KERR_NOMEM, buf_error(&yaml),
			"the signature does not fit a pack");
		goto free_ctx;
	}
	if (sh_check(&yaml, err) != 0) {
		kerr_prefix(err, "the generated signature would not load: ");
		goto free_ctx;
	}
	rc = buf_add(out, buf_str(&yaml), buf_len(&yaml));
	if (rc != 0) {
		kerr_set(err, KERR_NOMEM, "out of memory");
	}

free_ctx:
	buf_free(&yaml);
	sh_free(&c, jobs);
	return rc;
}
