#include "config.h"
#include "scanner/deep/deep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report/fscov.h"
#include "base/buf.h"
#include "scanner/deep/hash.h"
#include "scanner/deep/hashidx.h"
#include "base/limits.h"
#include "scanner/deep/mounts.h"
#include "scanner/deep/walk.h"
#include "base/vec.h"
#include "base/xstd.h"

/* ioprio_set(2) has no glibc wrapper and no uapi header in older systems. */
#define DEEP_IOPRIO_WHO_PROCESS 1
#define DEEP_IOPRIO_CLASS_IDLE 3
#define DEEP_IOPRIO_CLASS_SHIFT 13

/* The nice value of a low-priority sweep: below interactive work, above batch jobs. */
#define DEEP_NICE 10

/* Hits kept on the stack per file; more (one digest in many signatures) go to the heap. */
#define DEEP_HITS 16

/* Errors counted by kind; the last is everything else. */
static const struct {
	int err;
	const char *name;
} deep_kinds[] = {
	{EACCES, "EACCES"}, {EPERM, "EPERM"}, {EIO, "EIO"}, {ELOOP, "ELOOP"},
	{ENAMETOOLONG, "ENAMETOOLONG"}, {EMFILE, "EMFILE"}, {ENFILE, "ENFILE"},
	{ENOMEM, "ENOMEM"}, {EOVERFLOW, "EOVERFLOW"}, {ENOTCONN, "ENOTCONN"},
	{ETIMEDOUT, "ETIMEDOUT"}, {EPROTO, "EPROTO"}, {0, "other"},
};
#define DEEP_NKINDS (sizeof(deep_kinds) / sizeof(deep_kinds[0]))

/* A failed path kept for the report. */
struct deep_failed {
	char *path;
	int err;
};

/* A mount not entered. */
struct deep_mount {
	char *path;
	char *fstype;
	const char *reason;
};

/* An --exclude path, split so files can be compared by directory and name. */
struct deep_excl {
	char *path;
	size_t dirlen;
	const char *base;
};

/* What the sweep counts, per worker and in total. */
struct deep_counts {
	uint64_t files_hashed;
	uint64_t bytes_hashed;
	uint64_t too_large;
	uint64_t vanished;
	uint64_t changed;
	uint64_t excluded;
	struct fscov_archives archives;
	uint64_t kinds[DEEP_NKINDS];
	/* the sum of kinds (totals only) */
	uint64_t errors;
};

/* Per worker: no locks on the counting path. */
struct deep_worker {
	struct hash *hash;
	struct deep_counts n;
	/* the smallest failed paths, sorted: deterministic whatever the thread timing */
	struct deep_failed failed[KS_DEEP_ERRORS_LISTED];
	size_t nfailed;
	/* scratch: a path inside the root, and the same on the host (root prefix + path) */
	char *path;
	char *host;
};

struct deep_ctx {
	const struct deep_opts *o;
	struct hashidx *idx;
	struct mounts *mounts;
	const char *rootpath;
	size_t rootlen;
	uint64_t max_file_size;
	struct deep_excl *excl;
	size_t nexcl;
	struct deep_worker *w;
	unsigned jobs;
	/* guards the sink, the report, the mount list and the counters below */
	pthread_mutex_t lock;
	const struct deep_sink *sink;
	struct report *rep;
	uint64_t matched;
	uint64_t mounts_skipped;
	struct deep_mount *mnts;
	size_t nmnts;
};

unsigned deep_jobs(unsigned jobs)
{
	long n;

	if (jobs == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n > 0 ? (unsigned)(n < (long)KS_WALK_JOBS_MAX ? n : (long)KS_WALK_JOBS_MAX)
			     : 1u;
	}
	return jobs > KS_WALK_JOBS_MAX ? KS_WALK_JOBS_MAX : jobs;
}

int deep_lower_priority(struct kerr *err)
{
	int cur;

	errno = 0;
	cur = getpriority(PRIO_PROCESS, 0);
	if (cur == -1 && errno != 0) {
		return kerr_sys(err, KERR_IO, errno, "cannot read the CPU priority");
	}
	/* a cron job already at nice 19 stays there: only ever lower the priority */
	if (cur < DEEP_NICE && setpriority(PRIO_PROCESS, 0, DEEP_NICE) != 0) {
		return kerr_sys(err, KERR_IO, errno, "cannot lower the CPU priority");
	}
	if (syscall(SYS_ioprio_set, DEEP_IOPRIO_WHO_PROCESS, 0,
		    DEEP_IOPRIO_CLASS_IDLE << DEEP_IOPRIO_CLASS_SHIFT) != 0) {
		return kerr_sys(err, KERR_IO, errno, "cannot set the idle I/O class");
	}
	return 0;
}

/* ---- paths given on the command line ---- */

/*
 * @in as an absolute path inside the root: "//a/./b/" is refused (no "." or ".."), repeated
 * and trailing slashes go. @return a new string, or NULL with @err set.
 */
static char *deep_norm(const char *in, const char *what, struct kerr *err)
{
	size_t n = strlen(in), i = 0, o = 0;
	char *out;

	if (in[0] != '/') {
		kerr_set(err, KERR_USAGE, "%s '%s' is not an absolute path", what, in);
		return NULL;
	}
	out = malloc(n + 1);
	if (out == NULL) {
		kerr_set(err, KERR_NOMEM, "out of memory");
		return NULL;
	}
	while (i < n) {
		size_t len;

		while (in[i] == '/') {
			i++;
		}
		len = strcspn(in + i, "/");
		if (len == 0) {
			break;
		}
		if ((len == 1 && in[i] == '.') || (len == 2 && in[i] == '.' && in[i + 1] == '.')) {
			kerr_set(err, KERR_USAGE, "%s '%s' has a . or .. component", what, in);
			free(out);
			return NULL;
		}
		out[o++] = '/';
		memcpy(out + o, in + i, len);
		o += len;
		i += len;
	}
	if (o == 0) {
		out[o++] = '/';
	}
	out[o] = '\0';
	return out;
}

/* True if @p is @q or lies under it. */
static bool deep_under(const char *p, const char *q)
{
	size_t n = strlen(q);

	if (strcmp(q, "/") == 0) {
		return true;
	}
	return strncmp(p, q, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

static int deep_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The trees to sweep, normalized and sorted, without any that lies inside another. */
static int deep_start_paths(const struct deep_opts *o, char ***out, size_t *nout,
	struct kerr *err)
{
	size_t n = o->npaths > 0 ? o->npaths : 1, i, k = 0;
	char **v = calloc(n, sizeof(*v));

	if (v == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		v[i] = deep_norm(o->npaths > 0 ? o->paths[i] : "/", "--path", err);
		if (v[i] == NULL) {
			goto fail;
		}
	}
	xstd_qsort(v, n, sizeof(*v), deep_strcmp);
	for (i = 0; i < n; i++) {
		/* sorted, so a tree holding v[i] comes before it */
		if (k > 0 && deep_under(v[i], v[k - 1])) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	*out = v;
	*nout = k;
	return 0;

fail:
	while (i-- > 0) {
		free(v[i]);
	}
	free(v);
	return -1;
}

static int deep_excludes(struct deep_ctx *c, struct kerr *err)
{
	size_t i;

	c->excl = calloc(c->o->nexcludes + 1, sizeof(*c->excl));
	if (c->excl == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	for (i = 0; i < c->o->nexcludes; i++) {
		struct deep_excl *e = &c->excl[i];
		char *slash;

		e->path = deep_norm(c->o->excludes[i], "--exclude", err);
		if (e->path == NULL) {
			return -1;
		}
		c->nexcl++;
		slash = strrchr(e->path, '/');
		e->dirlen = slash == e->path ? 1 : (size_t)(slash - e->path);
		e->base = slash + 1;
	}
	return 0;
}

static bool deep_excluded_dir(const struct deep_ctx *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->nexcl; i++) {
		if (strcmp(c->excl[i].path, path) == 0) {
			return true;
		}
	}
	return false;
}

static bool deep_excluded_file(const struct deep_ctx *c, const struct walk_entry *e)
{
	size_t i;

	for (i = 0; i < c->nexcl; i++) {
		const struct deep_excl *x = &c->excl[i];

		if (strcmp(x->base, e->name) == 0 && x->dirlen == e->dirlen &&
		    memcmp(x->path, e->dir, e->dirlen) == 0) {
			return true;
		}
	}
	return false;
}

/* ---- errors ---- */

static size_t deep_kind(int err)
{
	size_t i;

	for (i = 0; i + 1 < DEEP_NKINDS; i++) {
		if (deep_kinds[i].err == err) {
			return i;
		}
	}
	return DEEP_NKINDS - 1;
}

/* Keeps @path among the worker's smallest failed paths. */
static void deep_keep_failed(struct deep_worker *w, const char *path, int err)
{
	size_t at = w->nfailed, i;
	char *copy;

	while (at > 0 && strcmp(w->failed[at - 1].path, path) > 0) {
		at--;
	}
	if (at >= KS_DEEP_ERRORS_LISTED) {
		return;
	}
	/* out of memory here loses a listed path, never a count */
	copy = xstd_strndup_max(path, strlen(path), KS_WALK_PATH_MAX);
	if (copy == NULL) {
		return;
	}
	if (w->nfailed == KS_DEEP_ERRORS_LISTED) {
		free(w->failed[--w->nfailed].path);
	}
	for (i = w->nfailed; i > at; i--) {
		w->failed[i] = w->failed[i - 1];
	}
	w->failed[at].path = copy;
	w->failed[at].err = err;
	w->nfailed++;
}

static void deep_error(void *ctx, unsigned worker, const char *path, size_t len, int err)
{
	struct deep_ctx *c = ctx;
	struct deep_worker *w = &c->w[worker];

	(void)len;
	w->n.kinds[deep_kind(err)]++;
	deep_keep_failed(w, path, err);
}

/* ---- mounts ---- */

static int deep_record_mount(struct deep_ctx *c, const char *path, const char *fstype,
	const char *reason)
{
	struct deep_mount *v;
	int rc = -1;

	pthread_mutex_lock(&c->lock);
	c->mounts_skipped++;
	if (vec_reserve_implied(&c->mnts, c->nmnts, sizeof(*c->mnts), SIZE_MAX) == 0) {
		v = c->mnts;
		v[c->nmnts].reason = reason;
		v[c->nmnts].path = xstd_strndup_max(path, strlen(path), KS_WALK_PATH_MAX);
		v[c->nmnts].fstype = xstd_strndup_max(fstype, strlen(fstype), KS_WALK_PATH_MAX);
		if (v[c->nmnts].path != NULL && v[c->nmnts].fstype != NULL) {
			c->nmnts++;
			rc = 0;
		} else {
			free(v[c->nmnts].path);
			free(v[c->nmnts].fstype);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* The mount-table entry visible at @path (inside the root), or NULL. */
static const struct mounts_entry *deep_mount_at(struct deep_ctx *c, struct deep_worker *w,
	const char *path, size_t len)
{
	if (c->mounts == NULL) {
		return NULL;
	}
	memcpy(w->host, c->rootpath, c->rootlen);
	memcpy(w->host + c->rootlen, path, len + 1);
	return mounts_at(c->mounts, w->host);
}

/* Why a sweep does not enter a filesystem of class @cls, or NULL to enter it. */
static const char *deep_mount_reason(const struct deep_ctx *c, enum mounts_class cls)
{
	if (cls == MOUNTS_PSEUDO) {
		return "pseudo";
	}
	if (cls == MOUNTS_REMOTE && !c->o->include_remote) {
		return "remote";
	}
	return NULL;
}

/* Before a directory is opened: excluded paths, and mounts the table knows about. */
static int deep_enter(void *ctx, unsigned worker, const char *path, size_t len)
{
	struct deep_ctx *c = ctx;
	struct deep_worker *w = &c->w[worker];
	const struct mounts_entry *m;
	const char *reason;

	if (c->nexcl > 0 && deep_excluded_dir(c, path)) {
		w->n.excluded++;
		return WALK_SKIP;
	}
	m = deep_mount_at(c, w, path, len);
	if (m == NULL) {
		return WALK_ENTER;
	}
	reason = deep_mount_reason(c, mounts_classify(m->fstype));
	if (reason == NULL && c->o->one_file_system) {
		reason = "other_fs";
	}
	if (reason == NULL) {
		return WALK_ENTER;
	}
	return deep_record_mount(c, path, m->fstype, reason) == 0 ? WALK_SKIP : -1;
}

/* A mount the table did not list (it came later, or there is no table): statfs says. */
static int deep_mount(void *ctx, unsigned worker, const char *path, size_t len, int fd)
{
	struct deep_ctx *c = ctx;
	struct deep_worker *w = &c->w[worker];
	struct statfs sf;
	const char *reason;
	char fstype[48];

	if (deep_mount_at(c, w, path, len) != NULL) {
		/* the table knows it and deep_enter() let it in */
		return WALK_ENTER;
	}
	if (fstatfs(fd, &sf) != 0) {
		deep_error(ctx, worker, path, len, errno);
		return WALK_SKIP;
	}
	reason = deep_mount_reason(c, mounts_classify_magic((int64_t)sf.f_type));
	if (reason == NULL) {
		return WALK_ENTER;
	}
	(void)snprintf(fstype, sizeof(fstype), "f_type 0x%llx", (unsigned long long)sf.f_type);
	return deep_record_mount(c, path, fstype, reason) == 0 ? WALK_SKIP : -1;
}

/* ---- files ---- */

/* Hands a matching file to the sink, one at a time: the sink adds to a shared report. */
static int deep_found(struct deep_ctx *c, const struct deep_file *f)
{
	long n;

	pthread_mutex_lock(&c->lock);
	n = c->sink->file(c->sink->ctx, f);
	if (n > 0) {
		c->matched += (uint64_t)n;
	}
	pthread_mutex_unlock(&c->lock);
	return n < 0 ? -1 : 0;
}

/* Hits of a name or digest lookup: on the stack, or on the heap when there are many. */
struct deep_hits {
	struct hashidx_hit stack[DEEP_HITS];
	struct hashidx_hit *v;
	size_t n;
};

static int deep_names(struct deep_ctx *c, const char *name, struct deep_hits *h)
{
	h->v = h->stack;
	h->n = hashidx_names(c->idx, name, h->v, DEEP_HITS);
	if (h->n > DEEP_HITS) {
		h->v = calloc(h->n, sizeof(*h->v));
		if (h->v == NULL) {
			return -1;
		}
		(void)hashidx_names(c->idx, name, h->v, h->n);
	}
	return 0;
}

static int deep_digests(struct deep_ctx *c, uint64_t size, const unsigned char *sha,
	struct deep_hits *h)
{
	h->v = h->stack;
	h->n = hashidx_lookup(c->idx, size, sha, h->v, DEEP_HITS);
	if (h->n > DEEP_HITS) {
		h->v = calloc(h->n, sizeof(*h->v));
		if (h->v == NULL) {
			return -1;
		}
		(void)hashidx_lookup(c->idx, size, sha, h->v, h->n);
	}
	return 0;
}

static void deep_hits_free(struct deep_hits *h)
{
	if (h->v != h->stack) {
		free(h->v);
	}
}

/*
 * Hashes the file when it must: its size is a signature's, or its name matched (the
 * digest then goes into the evidence). @return 1 hashed into @sha, 0 not hashed (counted),
 * -1 on a fatal error.
 */
static int deep_hash(struct deep_ctx *c, struct deep_worker *w, const struct walk_entry *e,
	const struct stat *st, unsigned char sha[32])
{
	uint64_t bytes = 0;
	int rc;

	if ((uint64_t)st->st_size > c->max_file_size) {
		/* a gap only when the size is a signature's: a name match stands without it */
		if (hashidx_has_size(c->idx, (uint64_t)st->st_size)) {
			w->n.too_large++;
		}
		return 0;
	}
	rc = hash_file_at(w->hash, e->dirfd, e->name, (uint64_t)st->st_size, sha, &bytes);
	w->n.bytes_hashed += bytes;
	if (rc == HASH_OK) {
		w->n.files_hashed++;
		return 1;
	}
	if (rc == HASH_TIMEOUT) {
		/* the walker sees the same clock and stops at its next look */
		return 0;
	}
	if (rc == HASH_VANISHED) {
		w->n.vanished++;
	} else if (rc == HASH_CHANGED) {
		w->n.changed++;
	} else if (errno == EPROTO) {
		return -1;
	} else {
		deep_error(c, (unsigned)(w - c->w), w->path, strlen(w->path), errno);
	}
	return 0;
}

/* ---- package archives and kits, by content ---- */

/* A kit read from one file, with its members the index knows. */
struct deep_kit {
	struct deep_ctx *c;
	bool found;
	struct kit_meta meta;
	struct deep_member *members;
	size_t nmembers;
	size_t cap;
	struct stat st;
};

static int deep_kit_keep(struct deep_kit *k, const char *name, const struct hashidx_hit *h)
{
	struct deep_member *v;

	if (k->nmembers >= KS_KIT_MEMBERS_MAX) {
		return 0;
	}
	if (k->nmembers == k->cap) {
		size_t cap = k->cap > 0 ? 2 * k->cap : 4;

		v = reallocarray(k->members, cap, sizeof(*v));
		if (v == NULL) {
			return -1;
		}
		k->members = v;
		k->cap = cap;
	}
	v = &k->members[k->nmembers];
	v->name = strdup(name);
	if (v->name == NULL) {
		return -1;
	}
	v->hit = *h;
	k->nmembers++;
	return 0;
}

/* A member of a tarball or zip: its base name against the index. */
static int deep_kit_member(void *ctx, const char *name)
{
	struct deep_kit *k = ctx;
	const char *slash = strrchr(name, '/');
	const char *base = slash != NULL ? slash + 1 : name;
	struct deep_hits h;
	size_t i;
	int rc = 0;

	if (*base == '\0' || deep_names(k->c, base, &h) != 0) {
		return *base == '\0' ? 0 : -1;
	}
	for (i = 0; i < h.n && rc == 0; i++) {
		rc = deep_kit_keep(k, name, &h.v[i]);
	}
	deep_hits_free(&h);
	return rc;
}

static void deep_kit_free(struct deep_kit *k)
{
	size_t i;

	kit_meta_free(&k->meta);
	for (i = 0; i < k->nmembers; i++) {
		free(k->members[i].name);
	}
	free(k->members);
}

/* Counts what kit_read() gave. @return 0, or -1 on a fatal error (out of memory). */
static int deep_kit_result(struct deep_worker *w, struct deep_kit *k, enum kit_format f,
	int rc)
{
	if (rc < 0) {
		return errno == ENOMEM ? -1 : 0;
	}
	if (rc == KIT_NOT) {
		return 0;
	}
	w->n.archives.inspected++;
	if (rc == KIT_CORRUPT) {
		w->n.archives.corrupt++;
	} else if (rc == KIT_OVER_LIMIT) {
		w->n.archives.over_limit++;
	}
	/* a listing cut by a cap still names what it listed */
	k->found = rc == KIT_OK || (f != KIT_DEB && f != KIT_RPM && k->nmembers > 0);
	return 0;
}

/*
 * Whether the file the walker listed could be a kit: a name that can be one and a size
 * that can be one (KS_KIT_SIZE_MIN). Everything else costs no open and no read, which is
 * what keeps the sweep near a bare walk (docs/performance.md).
 */
static bool deep_kit_size(const struct deep_ctx *c, const struct stat *st)
{
	return S_ISREG(st->st_mode) && (uint64_t)st->st_size >= KS_KIT_SIZE_MIN &&
		(uint64_t)st->st_size <= c->max_file_size;
}

/*
 * Opens the file the walker listed (fd-relative, O_NOFOLLOW, the same inode it stat'ed,
 * regular) and reads its first bytes; a package archive or kit is read as one. A file
 * that cannot be opened is no gap: no signature asked for it.
 * @return 0 (k->found says), or -1 on a fatal error.
 */
static int deep_kit(struct deep_ctx *c, struct deep_worker *w, const struct walk_entry *e,
	const struct stat *st, struct deep_kit *k)
{
	const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	unsigned char head[KS_KIT_HEAD];
	enum kit_format f = KIT_NONE;
	ssize_t n;
	int fd, rc;

	memset(k, 0, sizeof(*k));
	k->c = c;
	fd = openat(e->dirfd, e->name, flags);
	if (fd < 0) {
		return 0;
	}
	if (fstat(fd, &k->st) != 0 || !S_ISREG(k->st.st_mode) || k->st.st_ino != st->st_ino ||
	    k->st.st_dev != st->st_dev || !deep_kit_size(c, &k->st)) {
		xstd_close_quietly(fd);
		return 0;
	}
	n = pread(fd, head, sizeof(head), 0);
	f = n > 0 ? kit_magic(head, (size_t)n) : KIT_NONE;
	if (f == KIT_NONE) {
		xstd_close_quietly(fd);
		return 0;
	}
	rc = kit_read(fd, f, &k->meta, deep_kit_member, k);
	xstd_close_quietly(fd);
	return deep_kit_result(w, k, f, rc);
}

/* Hands a kit found by content alone to the sink. */
static int deep_kit_found(struct deep_ctx *c, struct deep_worker *w, struct deep_kit *k)
{
	struct deep_file f;

	memset(&f, 0, sizeof(f));
	f.path = w->path;
	f.size = (uint64_t)k->st.st_size;
	f.mtime_ms = (int64_t)k->st.st_mtim.tv_sec * 1000 + k->st.st_mtim.tv_nsec / 1000000;
	f.kit = &k->meta;
	f.members = k->members;
	f.nmembers = k->nmembers;
	return deep_found(c, &f);
}

/*
 * A file the index does not know by name, stat'ed (@st) by the caller: only its content
 * can make it a kit, and only when its size can be one.
 */
static int deep_by_content(struct deep_ctx *c, struct deep_worker *w,
	const struct walk_entry *e, const struct stat *st)
{
	struct deep_kit k;
	int rc;

	if (!deep_kit_size(c, st)) {
		return 0;
	}
	rc = deep_kit(c, w, e, st, &k);
	if (rc == 0 && k.found) {
		rc = deep_kit_found(c, w, &k);
	}
	deep_kit_free(&k);
	return rc;
}

/* The same, for a file no signature asked to stat: one fstatat, no open below the size. */
static int deep_by_name_only(struct deep_ctx *c, struct deep_worker *w,
	const struct walk_entry *e)
{
	struct stat st;

	/* a file gone or unreadable here is no gap: no signature asked for it */
	if (fstatat(e->dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		return 0;
	}
	return deep_by_content(c, w, e, &st);
}

/*
 * Looks at one regular file: its name, then (if it must be hashed) its content; what
 * matched goes to the sink.
 */
static int deep_regular(struct deep_ctx *c, struct deep_worker *w, const struct walk_entry *e,
	struct deep_hits *names)
{
	struct deep_hits digests = {.n = 0};
	struct deep_file f;
	unsigned char sha[32];
	char hex[65];
	struct stat st;
	int hashed, rc = 0;

	if (fstatat(e->dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT) {
			w->n.vanished++;
			return 0;
		}
		deep_error(c, (unsigned)(w - c->w), w->path, strlen(w->path), errno);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		w->n.changed++;
		return 0;
	}
	if (names->n == 0 && !hashidx_has_size(c->idx, (uint64_t)st.st_size)) {
		return kit_name_candidate(e->name) ? deep_by_content(c, w, e, &st) : 0;
	}
	hashed = deep_hash(c, w, e, &st, sha);
	if (hashed < 0) {
		return -1;
	}
	digests.v = digests.stack;
	if (hashed > 0) {
		xstd_hex(sha, 32, hex);
		if (hashidx_has_size(c->idx, (uint64_t)st.st_size) &&
		    deep_digests(c, (uint64_t)st.st_size, sha, &digests) != 0) {
			return -1;
		}
	}
	memset(&f, 0, sizeof(f));
	f.path = w->path;
	f.size = (uint64_t)st.st_size;
	f.mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	f.names = names->v;
	f.nnames = names->n;
	f.sha256 = hashed > 0 ? sha : NULL;
	f.sha256_hex = hashed > 0 ? hex : NULL;
	f.digests = digests.v;
	f.ndigests = digests.n;
	if (f.nnames > 0 || f.ndigests > 0) {
		rc = deep_found(c, &f);
	}
	deep_hits_free(&digests);
	return rc;
}

static int deep_entry(void *ctx, unsigned worker, const struct walk_entry *e)
{
	struct deep_ctx *c = ctx;
	struct deep_worker *w = &c->w[worker];
	struct deep_hits names;
	int rc;

	if (e->type != DT_REG) {
		return 0;
	}
	if (c->nexcl > 0 && deep_excluded_file(c, e)) {
		w->n.excluded++;
		return 0;
	}
	if (deep_names(c, e->name, &names) != 0) {
		return -1;
	}
	/* every other file costs nothing more than its directory entry, or a look at its head */
	if (names.n == 0 && hashidx_nhashes(c->idx) == 0 && !kit_name_candidate(e->name)) {
		return 0;
	}
	if (walk_join(w->path, KS_WALK_PATH_MAX + 1, e->dir, e->dirlen, e->name, e->namelen) < 0) {
		deep_error(ctx, worker, e->dir, e->dirlen, ENAMETOOLONG);
		deep_hits_free(&names);
		return 0;
	}
	rc = names.n == 0 && hashidx_nhashes(c->idx) == 0 ? deep_by_name_only(c, w, e)
							    : deep_regular(c, w, e, &names);
	deep_hits_free(&names);
	return rc;
}

/* ---- the source ---- */

static int deep_workers(struct deep_ctx *c, int64_t deadline_ms, struct kerr *err)
{
	unsigned i;

	c->w = calloc(c->jobs, sizeof(*c->w));
	if (c->w == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	for (i = 0; i < c->jobs; i++) {
		c->w[i].hash = hash_new();
		c->w[i].path = malloc(KS_WALK_PATH_MAX + 1);
		c->w[i].host = malloc(c->rootlen + KS_WALK_PATH_MAX + 2);
		if (c->w[i].hash == NULL || c->w[i].path == NULL || c->w[i].host == NULL) {
			return kerr_set(err, KERR_NOMEM, "out of memory");
		}
		hash_set_deadline(c->w[i].hash, deadline_ms);
	}
	return 0;
}

static void deep_ctx_free(struct deep_ctx *c)
{
	size_t i, k;

	for (i = 0; c->w != NULL && i < c->jobs; i++) {
		hash_free(c->w[i].hash);
		free(c->w[i].path);
		free(c->w[i].host);
		for (k = 0; k < c->w[i].nfailed; k++) {
			free(c->w[i].failed[k].path);
		}
	}
	free(c->w);
	for (i = 0; i < c->nmnts; i++) {
		free(c->mnts[i].path);
		free(c->mnts[i].fstype);
	}
	free(c->mnts);
	for (i = 0; i < c->nexcl; i++) {
		free(c->excl[i].path);
	}
	free(c->excl);
	hashidx_free(c->idx);
	mounts_free(c->mounts);
	pthread_mutex_destroy(&c->lock);
}

/* Totals over the workers. */
static void deep_sum(const struct deep_ctx *c, struct deep_counts *t)
{
	unsigned i;
	size_t k;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < c->jobs; i++) {
		const struct deep_counts *w = &c->w[i].n;

		t->files_hashed += w->files_hashed;
		t->bytes_hashed += w->bytes_hashed;
		t->too_large += w->too_large;
		t->vanished += w->vanished;
		t->changed += w->changed;
		t->excluded += w->excluded;
		t->archives.inspected += w->archives.inspected;
		t->archives.corrupt += w->archives.corrupt;
		t->archives.over_limit += w->archives.over_limit;
		for (k = 0; k < DEEP_NKINDS; k++) {
			t->kinds[k] += w->kinds[k];
			t->errors += w->kinds[k];
		}
	}
}

static int deep_failed_cmp(const void *a, const void *b)
{
	const struct deep_failed *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static int deep_mount_cmp(const void *a, const void *b)
{
	const struct deep_mount *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/* The failed paths of every worker, smallest first, into @cov. */
static int deep_cov_failed(struct deep_ctx *c, struct fscov *cov, uint64_t errors)
{
	struct deep_failed all[KS_DEEP_ERRORS_LISTED * KS_WALK_JOBS_MAX];
	size_t n = 0, i, k;

	for (i = 0; i < c->jobs; i++) {
		for (k = 0; k < c->w[i].nfailed; k++) {
			all[n++] = c->w[i].failed[k];
		}
	}
	xstd_qsort(all, n, sizeof(all[0]), deep_failed_cmp);
	for (i = 0; i < n && i < KS_DEEP_ERRORS_LISTED; i++) {
		if (fscov_add_failed(cov, all[i].path, deep_kinds[deep_kind(all[i].err)].name,
			    strerror(all[i].err)) != 0) {
			return -1;
		}
	}
	cov->failed_dropped = errors > cov->nfailed ? errors - cov->nfailed : 0;
	return 0;
}

static int deep_cov(struct deep_ctx *c, struct fscov *cov, char **paths, size_t npaths,
	const struct walk_stats *ws, const struct deep_counts *t)
{
	size_t i;

	cov->max_file_size = c->max_file_size;
	cov->archives = t->archives;
	cov->max_duration_s = c->o->max_duration_s;
	cov->low_priority = c->o->low_priority;
	for (i = 0; i < npaths; i++) {
		if (fscov_add_path(cov, paths[i]) != 0) {
			return -1;
		}
	}
	for (i = 0; i < c->nexcl; i++) {
		if (fscov_add_excluded(cov, c->excl[i].path) != 0) {
			return -1;
		}
	}
	fscov_skipped(cov, "special", ws->special);
	fscov_skipped(cov, "excluded", t->excluded);
	fscov_skipped(cov, "mounts", c->mounts_skipped);
	fscov_skipped(cov, "other_fs", ws->other_fs);
	fscov_skipped(cov, "loops", ws->loops);
	fscov_skipped(cov, "too_large", t->too_large);
	fscov_skipped(cov, "vanished", ws->vanished + t->vanished);
	fscov_skipped(cov, "changed", ws->changed + t->changed);
	for (i = 0; i < DEEP_NKINDS; i++) {
		if (t->kinds[i] > 0) {
			fscov_error_kind(cov, deep_kinds[i].name, t->kinds[i]);
		}
	}
	if (deep_cov_failed(c, cov, t->errors) != 0) {
		return -1;
	}
	xstd_qsort(c->mnts, c->nmnts, sizeof(*c->mnts), deep_mount_cmp);
	for (i = 0; i < c->nmnts; i++) {
		if (fscov_add_mount(cov, c->mnts[i].path, c->mnts[i].fstype, c->mnts[i].reason)) {
			return -1;
		}
	}
	cov->mounts_dropped = c->mounts_skipped - cov->nmounts;
	return 0;
}

/* Why the source failed, or "" when it did not. */
static void deep_why(const struct deep_ctx *c, const struct deep_counts *t,
	const struct fscov *cov, bool timed_out, struct buf *b)
{
	size_t i;

	if (timed_out) {
		buf_addf(b, "stopped by --max-duration after %u s: the rest was not looked at",
			c->o->max_duration_s);
	}
	if (t->errors > 0) {
		buf_addf(b, "%s%" PRIu64 " path(s) could not be read (", buf_len(b) ? "; " : "",
			t->errors);
		for (i = 0; i < cov->nerrors_by_kind; i++) {
			buf_addf(b, "%s%s %" PRIu64, i > 0 ? ", " : "", cov->errors_by_kind[i].key,
				cov->errors_by_kind[i].value);
		}
		buf_adds(b, ")");
		if (cov->nfailed > 0) {
			buf_addf(b, ", first: %s: %s", cov->failed[0].path, cov->failed[0].message);
		}
	}
	if (t->too_large > 0) {
		buf_addf(b,
			"%s%" PRIu64 " file(s) of a signature's size are over --max-file-size "
			"(%" PRIu64 " bytes) and were not hashed",
			buf_len(b) ? "; " : "", t->too_large, c->max_file_size);
	}
}

static int deep_report(struct deep_ctx *c, char **paths, size_t npaths,
	const struct walk_stats *ws, bool timed_out, int64_t elapsed, struct kerr *err)
{
	struct report_source *src;
	struct deep_counts t;
	struct fscov *cov;
	struct buf why;
	int rc = -1;

	deep_sum(c, &t);
	cov = fscov_new();
	if (cov == NULL || deep_cov(c, cov, paths, npaths, ws, &t) != 0) {
		fscov_free(cov);
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	buf_init(&why, KS_REPORT_STR_MAX);
	deep_why(c, &t, cov, timed_out, &why);
	src = report_add_source(c->rep, "fs",
		buf_len(&why) > 0 ? REPORT_SRC_FAILED : REPORT_SRC_OK);
	if (src == NULL || (buf_len(&why) > 0 && report_source_error(src, buf_str(&why)) != 0)) {
		fscov_free(cov);
		kerr_set(err, KERR_NOMEM, "out of memory");
		goto free_why;
	}
	fscov_attach(src, cov);
	report_source_count(src, "dirs", ws->dirs);
	report_source_count(src, "files", ws->files);
	report_source_count(src, "symlinks", ws->symlinks);
	report_source_count(src, "files_hashed", t.files_hashed);
	report_source_count(src, "bytes_hashed", t.bytes_hashed);
	report_source_count(src, "matched", c->matched);
	report_source_count(src, "elapsed_ms", (uint64_t)elapsed);
	report_source_count(src, "jobs", c->jobs);
	rc = 0;

free_why:
	buf_free(&why);
	return rc;
}

static int deep_setup(struct deep_ctx *c, const struct rootfs *r, const struct sig_set *s,
	int64_t deadline_ms, struct kerr *err)
{
	struct kerr me;

	c->rootpath = rootfs_path(r);
	c->rootlen = strcmp(c->rootpath, "/") == 0 ? 0 : strlen(c->rootpath);
	c->max_file_size = c->o->max_file_size != 0 ? c->o->max_file_size
						     : KS_DEEP_FILE_SIZE_DEFAULT;
	c->jobs = deep_jobs(c->o->jobs);
	c->idx = hashidx_new(s);
	if (c->idx == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	if (deep_excludes(c, err) != 0 || deep_workers(c, deadline_ms, err) != 0) {
		return -1;
	}
	kerr_clear(&me);
	c->mounts = mounts_read(c->o->mountinfo, &me);
	if (c->mounts == NULL) {
		if (me.code == KERR_NOMEM) {
			*err = me;
			return -1;
		}
		/* no table (no /proc in a container): mounts are told apart by statfs alone */
		if (report_add_error(c->rep, "deep sweep: %s; mounts are classified by statfs only",
			    me.msg) != 0) {
			return kerr_set(err, KERR_NOMEM, "out of memory");
		}
	}
	return 0;
}

/* Checks that every tree to sweep is a directory inside the root. */
static int deep_check_paths(const struct rootfs *r, char **paths, size_t n, struct kerr *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int fd = rootfs_open_dir(r, paths[i], 0);

		if (fd < 0) {
			return kerr_sys(err, KERR_USAGE, errno, "--path %s", paths[i]);
		}
		xstd_close_quietly(fd);
	}
	return 0;
}

int deep_scan(const struct rootfs *r, const struct sig_set *s, const struct deep_opts *o,
	const struct deep_sink *sink, struct report *rep, struct kerr *err)
{
	struct walk_stats ws;
	struct walk_args a;
	struct deep_ctx c;
	char **paths = NULL;
	size_t npaths = 0, i;
	int64_t t0 = xstd_mono_ms();
	int64_t deadline = o->max_duration_s > 0 ? t0 + (int64_t)o->max_duration_s * 1000 : 0;
	int rc = -1, wrc;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.sink = sink;
	c.rep = rep;
	if (pthread_mutex_init(&c.lock, NULL) != 0) {
		return kerr_set(err, KERR_INTERNAL, "cannot create a mutex");
	}
	if (deep_start_paths(o, &paths, &npaths, err) != 0) {
		goto free_ctx;
	}
	if (deep_check_paths(r, paths, npaths, err) != 0 ||
	    deep_setup(&c, r, s, deadline, err) != 0) {
		goto free_paths;
	}
	memset(&a, 0, sizeof(a));
	a.root = r;
	a.paths = (const char *const *)paths;
	a.npaths = npaths;
	a.jobs = c.jobs;
	a.one_file_system = o->one_file_system;
	a.deadline_ms = deadline;
	a.max_fds = o->max_fds;
	a.ops.entry = deep_entry;
	a.ops.enter = deep_enter;
	a.ops.mount = deep_mount;
	a.ops.error = deep_error;
	a.ops.ctx = &c;
	wrc = walk_run(&a, &ws);
	if (wrc < 0) {
		kerr_sys(err, errno == ENOMEM ? KERR_NOMEM : KERR_INTERNAL, errno,
			"deep sweep stopped");
		goto free_paths;
	}
	rc = deep_report(&c, paths, npaths, &ws, wrc == 1, xstd_mono_ms() - t0, err);

free_paths:
	for (i = 0; i < npaths; i++) {
		free(paths[i]);
	}
	free(paths);
free_ctx:
	deep_ctx_free(&c);
	return rc;
}
