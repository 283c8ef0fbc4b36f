#include "config.h"
#include "scanner/deep/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/vec.h"
#include "base/xstd.h"

/* Entries read between two looks at the clock (a vDSO call, ~20 ns; the stop flag is read
 * on every entry). */
#define WALK_CHECK_EVERY 256u

/*
 * A directory, from the moment it is found until its last descendant is done. Fields
 * other than path/len/name/parent/dev/ino/mnt are guarded by walk.lock once the node is
 * shared (pushed on the stack).
 */
struct walk_dir {
	struct walk_dir *parent;
	/* the LRU of open directories nobody is using, evicted first when fds run short */
	struct walk_dir *lru_prev;
	struct walk_dir *lru_next;
	bool in_lru;
	/* -1 until opened, and again once closed or evicted */
	int fd;
	/* its entries are read: the fd stays open only for children still to open */
	bool read_done;
	/* users of fd now: its reader, or a child being opened */
	unsigned pins;
	/* children pushed and not yet opened */
	size_t pending;
	/* itself until read, plus every child still alive (children point at it) */
	size_t refs;
	/* identity, set once by its reader before any child exists */
	dev_t dev;
	ino_t ino;
	uint64_t mnt;
	bool has_mnt;
	/* the start directory's mount, for one_file_system */
	dev_t start_dev;
	uint64_t start_mnt;
	bool start_has_mnt;
	size_t len;
	/* offset of the last component in path (0 for a start directory: the whole path) */
	size_t name;
	char path[];
};

struct walk;

struct walk_worker {
	struct walk *w;
	unsigned id;
	char *dents;
	struct walk_stats st;
	/* directories found in the one being read, pushed together when it is done */
	struct walk_dir **kids;
	size_t nkids;
	size_t capkids;
	pthread_t thread;
	bool started;
	unsigned since_check;
};

struct walk {
	const struct walk_args *a;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct walk_dir **stack;
	size_t n;
	size_t cap;
	unsigned active;
	unsigned nopen;
	unsigned max_fds;
	struct walk_dir *lru_head;
	struct walk_dir *lru_tail;
	atomic_bool stop;
	bool timed_out;
	int fatal_errno;
	atomic_bool noatime;
	struct walk_worker *workers;
};

ssize_t walk_join(char *out, size_t n, const char *dir, size_t dirlen, const char *name,
	size_t namelen)
{
	size_t sep = dirlen > 0 && dir[dirlen - 1] == '/' ? 0 : 1;
	size_t len = dirlen + sep + namelen;

	if (len + 1 > n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, dir, dirlen);
	if (sep != 0) {
		out[dirlen] = '/';
	}
	memcpy(out + dirlen + sep, name, namelen);
	out[len] = '\0';
	return (ssize_t)len;
}

static struct walk_dir *walk_dir_new(const struct walk_dir *parent, const char *name,
	size_t namelen)
{
	const char *dir = parent != NULL ? parent->path : "";
	size_t dirlen = parent != NULL ? parent->len : 0;
	size_t len = parent != NULL ? dirlen + (dir[dirlen - 1] == '/' ? 0 : 1) + namelen : namelen;
	struct walk_dir *d;

	if (len > KS_WALK_PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	d = calloc(1, sizeof(*d) + len + 1);
	if (d == NULL) {
		return NULL;
	}
	if (parent != NULL) {
		(void)walk_join(d->path, len + 1, dir, dirlen, name, namelen);
		d->name = len - namelen;
		d->start_dev = parent->start_dev;
		d->start_mnt = parent->start_mnt;
		d->start_has_mnt = parent->start_has_mnt;
	} else {
		memcpy(d->path, name, namelen);
		d->path[len] = '\0';
	}
	d->len = len;
	d->parent = (struct walk_dir *)(uintptr_t)parent;
	d->fd = -1;
	d->refs = 1;
	return d;
}

/* ---- the LRU of open, idle directories (walk.lock held) ---- */

static void walk_lru_remove(struct walk *w, struct walk_dir *d)
{
	if (!d->in_lru) {
		return;
	}
	if (d->lru_prev != NULL) {
		d->lru_prev->lru_next = d->lru_next;
	} else {
		w->lru_head = d->lru_next;
	}
	if (d->lru_next != NULL) {
		d->lru_next->lru_prev = d->lru_prev;
	} else {
		w->lru_tail = d->lru_prev;
	}
	d->lru_prev = d->lru_next = NULL;
	d->in_lru = false;
}

static void walk_lru_append(struct walk *w, struct walk_dir *d)
{
	d->lru_prev = w->lru_tail;
	d->lru_next = NULL;
	if (w->lru_tail != NULL) {
		w->lru_tail->lru_next = d;
	} else {
		w->lru_head = d;
	}
	w->lru_tail = d;
	d->in_lru = true;
}

static void walk_close_dir(struct walk *w, struct walk_dir *d)
{
	walk_lru_remove(w, d);
	if (d->fd >= 0) {
		xstd_close_quietly(d->fd);
		d->fd = -1;
		w->nopen--;
	}
}

/* Closes @d's fd when nobody needs it any more, or parks it in the LRU while idle. */
static void walk_settle(struct walk *w, struct walk_dir *d)
{
	if (d->fd < 0 || d->pins > 0 || !d->read_done) {
		return;
	}
	if (d->pending == 0) {
		walk_close_dir(w, d);
	} else if (!d->in_lru) {
		walk_lru_append(w, d);
	}
}

/* Drops one reference to @d; frees it and, in turn, ancestors nobody refers to. */
static void walk_release(struct walk *w, struct walk_dir *d)
{
	while (d != NULL && --d->refs == 0) {
		struct walk_dir *p = d->parent;

		walk_close_dir(w, d);
		free(d);
		d = p;
	}
}

/* Makes room for one more fd: evicts idle directories, least recently used first. */
static void walk_reserve(struct walk *w, struct walk_worker *k)
{
	while (w->nopen >= w->max_fds && w->lru_head != NULL) {
		walk_close_dir(w, w->lru_head);
		k->st.evictions++;
	}
	/* every open directory in use: go over budget rather than stall (workers x depth) */
	w->nopen++;
}

static int walk_open_flags(void)
{
	return O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
}

/* openat() of a directory, with O_NOATIME until the kernel refuses it once. */
static int walk_openat(struct walk *w, int dirfd, const char *name)
{
	int fd;

	if (atomic_load_explicit(&w->noatime, memory_order_relaxed)) {
		fd = openat(dirfd, name, walk_open_flags() | O_NOATIME);
		if (fd >= 0 || errno != EPERM) {
			return fd;
		}
		atomic_store_explicit(&w->noatime, false, memory_order_relaxed);
	}
	return openat(dirfd, name, walk_open_flags());
}

/* Reads @fd's identity into @d: device, inode and (where statx has it) mount ID. */
static int walk_identify(int fd, struct walk_dir *d)
{
	struct stat st;

#if HAVE_STATX && HAVE_STATX_MNT_ID
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
		    STATX_TYPE | STATX_INO | STATX_MNT_ID, &sx) == 0) {
		d->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
		d->ino = (ino_t)sx.stx_ino;
		d->has_mnt = (sx.stx_mask & STATX_MNT_ID) != 0;
		d->mnt = sx.stx_mnt_id;
		return 0;
	}
	if (errno != ENOSYS) {
		return -1;
	}
#endif
	if (fstat(fd, &st) != 0) {
		return -1;
	}
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	d->has_mnt = false;
	return 0;
}

/* Opens the start directory @d through the root. */
static int walk_open_start(struct walk *w, struct walk_dir *d)
{
	return rootfs_open_dir(w->a->root, d->path, 0);
}

/* Opens @d (a start directory, or a child of the open @dirfd) and checks it is the same
 * directory it was when first read. */
static int walk_reopen_one(struct walk *w, int dirfd, struct walk_dir *d)
{
	struct walk_dir id;
	int fd;

	fd = d->parent == NULL ? walk_open_start(w, d) : walk_openat(w, dirfd, d->path + d->name);
	if (fd < 0) {
		return -1;
	}
	if (walk_identify(fd, &id) != 0) {
		xstd_close_quietly(fd);
		return -1;
	}
	if (id.dev != d->dev || id.ino != d->ino) {
		xstd_close_quietly(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/*
 * Reopens the evicted directory @d from its nearest open ancestor, one component at a
 * time (so depth is no limit). Rare, so it runs under the lock. @return 0 or -1 with errno.
 */
static int walk_reopen(struct walk *w, struct walk_worker *k, struct walk_dir *d)
{
	struct walk_dir **chain, *a;
	size_t m = 0, i;
	int fd = -1, nfd;

	for (a = d; a != NULL && a->fd < 0; a = a->parent) {
		m++;
	}
	chain = calloc(m, sizeof(*chain));
	if (chain == NULL) {
		return -1;
	}
	for (a = d, i = 0; i < m; a = a->parent, i++) {
		chain[i] = a;
	}
	for (i = m; i-- > 0;) {
		int from = i + 1 < m ? fd : (a != NULL ? a->fd : -1);

		nfd = walk_reopen_one(w, from, chain[i]);
		if (i + 1 < m) {
			xstd_close_quietly(fd);
		}
		if (nfd < 0) {
			free(chain);
			return -1;
		}
		fd = nfd;
	}
	free(chain);
	walk_reserve(w, k);
	d->fd = fd;
	k->st.reopens++;
	return 0;
}

/* Takes the next directory to read, pinning its parent's fd. NULL when all is done. */
static struct walk_dir *walk_next(struct walk *w, struct walk_worker *k, int *pin_err)
{
	struct walk_dir *d = NULL, *p;

	*pin_err = 0;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		if (w->a->deadline_ms > 0 && xstd_mono_ms() >= w->a->deadline_ms) {
			w->timed_out = true;
			atomic_store(&w->stop, true);
		}
		if (atomic_load(&w->stop)) {
			break;
		}
		if (w->n > 0) {
			d = w->stack[--w->n];
			break;
		}
		if (w->active == 0) {
			break;
		}
		pthread_cond_wait(&w->cond, &w->lock);
	}
	if (d == NULL) {
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
		return NULL;
	}
	w->active++;
	p = d->parent;
	if (p != NULL) {
		if (p->fd < 0 && walk_reopen(w, k, p) != 0) {
			*pin_err = errno;
		} else {
			walk_lru_remove(w, p);
			p->pins++;
		}
	}
	if (*pin_err == 0) {
		walk_reserve(w, k);
	}
	pthread_mutex_unlock(&w->lock);
	return d;
}

/* Counts or reports a failed open of @path: gone and swapped are counted, not errors. */
static void walk_open_failed(struct walk_worker *k, const char *path, size_t len, int err)
{
	const struct walk_ops *ops = &k->w->a->ops;

	if (err == ENOENT) {
		k->st.vanished++;
	} else if (err == ESTALE || err == ENOTDIR || err == ELOOP) {
		/* replaced by a file or a symlink (O_NOFOLLOW), or a different directory */
		k->st.changed++;
	} else {
		k->st.errors++;
		if (ops->error != NULL) {
			ops->error(ops->ctx, k->id, path, len, err);
		}
	}
}

static void walk_fatal(struct walk *w, int err)
{
	pthread_mutex_lock(&w->lock);
	if (w->fatal_errno == 0) {
		w->fatal_errno = err;
	}
	atomic_store(&w->stop, true);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static bool walk_stopping(struct walk_worker *k)
{
	struct walk *w = k->w;

	if (++k->since_check >= WALK_CHECK_EVERY) {
		k->since_check = 0;
		if (w->a->deadline_ms > 0 && xstd_mono_ms() >= w->a->deadline_ms) {
			pthread_mutex_lock(&w->lock);
			w->timed_out = true;
			atomic_store(&w->stop, true);
			pthread_cond_broadcast(&w->cond);
			pthread_mutex_unlock(&w->lock);
		}
	}
	return atomic_load_explicit(&w->stop, memory_order_relaxed);
}

/* True if @d is the same directory as one of its ancestors. */
static bool walk_is_loop(const struct walk_dir *d)
{
	const struct walk_dir *a;

	for (a = d->parent; a != NULL; a = a->parent) {
		if (a->dev == d->dev && a->ino == d->ino) {
			return true;
		}
	}
	return false;
}

static bool walk_other_mount(bool has_a, uint64_t mnt_a, dev_t dev_a, bool has_b,
	uint64_t mnt_b, dev_t dev_b)
{
	return has_a && has_b ? mnt_a != mnt_b : dev_a != dev_b;
}

/* Decides whether the just opened @d is walked: loops, other mounts. */
static int walk_admit(struct walk_worker *k, struct walk_dir *d, int fd)
{
	const struct walk_args *a = k->w->a;
	const struct walk_dir *p = d->parent;
	int v;

	if (p == NULL) {
		d->start_dev = d->dev;
		d->start_mnt = d->mnt;
		d->start_has_mnt = d->has_mnt;
		return WALK_ENTER;
	}
	if (walk_is_loop(d)) {
		k->st.loops++;
		return WALK_SKIP;
	}
	if (!walk_other_mount(p->has_mnt, p->mnt, p->dev, d->has_mnt, d->mnt, d->dev)) {
		return WALK_ENTER;
	}
	if (a->one_file_system && walk_other_mount(d->start_has_mnt, d->start_mnt,
					  d->start_dev, d->has_mnt, d->mnt, d->dev)) {
		k->st.other_fs++;
		return WALK_SKIP;
	}
	v = a->ops.mount != NULL ? a->ops.mount(a->ops.ctx, k->id, d->path, d->len, fd) : 0;
	if (v == WALK_SKIP) {
		k->st.skipped++;
	}
	return v;
}

static int walk_kid_push(struct walk_worker *k, struct walk_dir *kid)
{
	if (vec_reserve(&k->kids, k->nkids, &k->capkids, sizeof(*k->kids), SIZE_MAX) != 0) {
		return -1;
	}
	k->kids[k->nkids++] = kid;
	return 0;
}

/* A subdirectory @name of @d: asks the enter hook, then keeps it to push. */
static int walk_subdir(struct walk_worker *k, struct walk_dir *d, const char *name,
	size_t namelen)
{
	const struct walk_ops *ops = &k->w->a->ops;
	struct walk_dir *kid = walk_dir_new(d, name, namelen);
	int v;

	if (kid == NULL) {
		if (errno != ENAMETOOLONG) {
			return -1;
		}
		k->st.errors++;
		if (ops->error != NULL) {
			ops->error(ops->ctx, k->id, d->path, d->len, ENAMETOOLONG);
		}
		return 0;
	}
	v = ops->enter != NULL ? ops->enter(ops->ctx, k->id, kid->path, kid->len) : WALK_ENTER;
	if (v != WALK_ENTER) {
		free(kid);
		if (v == WALK_SKIP) {
			k->st.skipped++;
			return 0;
		}
		return -1;
	}
	if (walk_kid_push(k, kid) != 0) {
		free(kid);
		return -1;
	}
	return 0;
}

static unsigned char walk_mode_type(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR:
		return DT_DIR;
	case S_IFREG:
		return DT_REG;
	case S_IFLNK:
		return DT_LNK;
	case S_IFIFO:
		return DT_FIFO;
	case S_IFSOCK:
		return DT_SOCK;
	case S_IFCHR:
		return DT_CHR;
	case S_IFBLK:
		return DT_BLK;
	default:
		return DT_UNKNOWN;
	}
}

/* One entry of @d. @return 0, or -1 to stop (errno set). */
static int walk_one(struct walk_worker *k, struct walk_dir *d, int fd, const char *name,
	unsigned char type)
{
	const struct walk_ops *ops = &k->w->a->ops;
	struct walk_entry e;
	struct stat st;

	if (type == DT_UNKNOWN) {
		/* filesystems without d_type: the one case where the walker must stat */
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT) {
				k->st.vanished++;
				return 0;
			}
			k->st.errors++;
			if (ops->error != NULL) {
				ops->error(ops->ctx, k->id, d->path, d->len, errno);
			}
			return 0;
		}
		type = walk_mode_type(st.st_mode);
	}
	if (type == DT_DIR) {
		return walk_subdir(k, d, name, strlen(name));
	}
	if (type == DT_REG) {
		k->st.files++;
	} else if (type == DT_LNK) {
		k->st.symlinks++;
	} else {
		k->st.special++;
	}
	if (ops->entry == NULL) {
		return 0;
	}
	e.dirfd = fd;
	e.dir = d->path;
	e.dirlen = d->len;
	e.name = name;
	e.namelen = strlen(name);
	e.type = type;
	return ops->entry(ops->ctx, k->id, &e);
}

static ssize_t walk_getdents(int fd, char *buf, size_t n)
{
#if HAVE_GETDENTS64
	/* void *: glibc takes one, musl a struct dirent * (the same kernel layout) */
	return getdents64(fd, (void *)buf, n);
#else
	return syscall(SYS_getdents64, fd, buf, n);
#endif
}

/* Reads every entry of @d (open as @fd). @return 0, or -1 to stop the walk. */
static int walk_read(struct walk_worker *k, struct walk_dir *d, int fd)
{
	const struct walk_ops *ops = &k->w->a->ops;
	ssize_t n, pos;

	for (;;) {
		n = walk_getdents(fd, k->dents, KS_WALK_DENTS_BUF);
		if (n == 0) {
			return 0;
		}
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			/* a directory removed while being read says ENOENT: it vanished */
			walk_open_failed(k, d->path, d->len, errno);
			return 0;
		}
		for (pos = 0; pos < n;) {
			/* the buffer is malloc'd and the kernel pads records to 8 bytes */
			const struct dirent64 *de = (const void *)(k->dents + pos);

			if (de->d_reclen == 0 || de->d_reclen > n - pos) {
				k->st.errors++;
				if (ops->error != NULL) {
					ops->error(ops->ctx, k->id, d->path, d->len, EIO);
				}
				return 0;
			}
			pos += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
				continue;
			}
			if (walk_one(k, d, fd, de->d_name, de->d_type) != 0) {
				return -1;
			}
			if (walk_stopping(k)) {
				return 0;
			}
		}
	}
}

/* Publishes the children of @d and gives up the reader's hold on it. */
static void walk_done(struct walk *w, struct walk_worker *k, struct walk_dir *d, bool read)
{
	size_t i;

	pthread_mutex_lock(&w->lock);
	w->active--;
	if (read) {
		d->read_done = true;
		d->pins--;
	}
	if (k->nkids > 0 && w->n + k->nkids > w->cap) {
		size_t ncap = w->cap == 0 ? 256 : w->cap;
		struct walk_dir **v;

		while (ncap < w->n + k->nkids) {
			ncap *= 2;
		}
		v = reallocarray(w->stack, ncap, sizeof(*v));
		if (v == NULL) {
			/* the children are dropped: the walk stops and says why */
			for (i = 0; i < k->nkids; i++) {
				free(k->kids[i]);
			}
			k->nkids = 0;
			w->fatal_errno = ENOMEM;
			atomic_store(&w->stop, true);
		} else {
			w->stack = v;
			w->cap = ncap;
		}
	}
	/* pushed in reverse so the stack pops them in directory order */
	for (i = k->nkids; i-- > 0;) {
		w->stack[w->n++] = k->kids[i];
	}
	d->pending += k->nkids;
	d->refs += k->nkids;
	k->nkids = 0;
	walk_settle(w, d);
	walk_release(w, d);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* After the open of @d (fd or -1): lets go of the parent's pin. */
static void walk_opened(struct walk *w, struct walk_dir *d, int fd, bool pinned)
{
	struct walk_dir *p = d->parent;

	pthread_mutex_lock(&w->lock);
	if (p != NULL) {
		if (pinned) {
			p->pins--;
		}
		p->pending--;
		walk_settle(w, p);
	}
	if (fd < 0 && pinned) {
		w->nopen--;
	}
	pthread_mutex_unlock(&w->lock);
}

static void walk_process(struct walk_worker *k, struct walk_dir *d, int pin_err)
{
	struct walk *w = k->w;
	int fd = -1, err = pin_err, v;

	if (pin_err == 0) {
		fd = d->parent == NULL ? walk_open_start(w, d)
				       : walk_openat(w, d->parent->fd, d->path + d->name);
		err = fd < 0 ? errno : 0;
	}
	walk_opened(w, d, fd, pin_err == 0);
	if (fd < 0) {
		walk_open_failed(k, d->path, d->len, err);
		walk_done(w, k, d, false);
		return;
	}
	if (walk_identify(fd, d) != 0) {
		walk_open_failed(k, d->path, d->len, errno);
		goto close_fd;
	}
	v = walk_admit(k, d, fd);
	if (v < 0) {
		walk_fatal(w, errno != 0 ? errno : EINTR);
	}
	if (v != WALK_ENTER) {
		goto close_fd;
	}
	d->fd = fd;
	d->pins = 1;
	k->st.dirs++;
	if (walk_read(k, d, fd) != 0) {
		walk_fatal(w, errno != 0 ? errno : EINTR);
	}
	walk_done(w, k, d, true);
	return;

close_fd:
	xstd_close_quietly(fd);
	pthread_mutex_lock(&w->lock);
	w->nopen--;
	pthread_mutex_unlock(&w->lock);
	walk_done(w, k, d, false);
}

static void *walk_worker_main(void *p)
{
	struct walk_worker *k = p;
	struct walk_dir *d;
	int pin_err;

	while ((d = walk_next(k->w, k, &pin_err)) != NULL) {
		walk_process(k, d, pin_err);
	}
	return NULL;
}

static void walk_stats_add(struct walk_stats *t, const struct walk_stats *s)
{
	t->dirs += s->dirs;
	t->files += s->files;
	t->symlinks += s->symlinks;
	t->special += s->special;
	t->skipped += s->skipped;
	t->other_fs += s->other_fs;
	t->loops += s->loops;
	t->vanished += s->vanished;
	t->changed += s->changed;
	t->errors += s->errors;
	t->evictions += s->evictions;
	t->reopens += s->reopens;
}

/* Pushes the start directories, first path on top. */
static int walk_seed(struct walk *w)
{
	size_t i;

	w->stack = calloc(w->a->npaths + 1, sizeof(*w->stack));
	if (w->stack == NULL) {
		return -1;
	}
	w->cap = w->a->npaths + 1;
	for (i = w->a->npaths; i-- > 0;) {
		const char *p = w->a->paths[i];
		struct walk_dir *d = walk_dir_new(NULL, p, strlen(p));

		if (d == NULL) {
			return -1;
		}
		w->stack[w->n++] = d;
	}
	return 0;
}

static int walk_workers(struct walk *w, unsigned jobs)
{
	unsigned i;

	w->workers = calloc(jobs, sizeof(*w->workers));
	if (w->workers == NULL) {
		return -1;
	}
	for (i = 0; i < jobs; i++) {
		w->workers[i].w = w;
		w->workers[i].id = i;
		w->workers[i].dents = malloc(KS_WALK_DENTS_BUF);
		if (w->workers[i].dents == NULL) {
			return -1;
		}
	}
	return 0;
}

/* Runs the workers: jobs - 1 threads and this one. Threads that cannot start are done
 * without: the walk is the same, only slower. */
static void walk_spawn(struct walk *w, unsigned jobs)
{
	unsigned i;

	for (i = 1; i < jobs; i++) {
		w->workers[i].started =
			pthread_create(&w->workers[i].thread, NULL, walk_worker_main,
				&w->workers[i]) == 0;
	}
	walk_worker_main(&w->workers[0]);
	for (i = 1; i < jobs; i++) {
		if (w->workers[i].started) {
			pthread_join(w->workers[i].thread, NULL);
		}
	}
}

static void walk_cleanup(struct walk *w, unsigned jobs, struct walk_stats *st)
{
	unsigned i;

	/* directories never read (stopped early): their parents still count them */
	while (w->n > 0) {
		struct walk_dir *d = w->stack[--w->n];

		if (d->parent != NULL) {
			d->parent->pending--;
			walk_settle(w, d->parent);
		}
		walk_release(w, d);
	}
	free(w->stack);
	if (w->workers != NULL) {
		for (i = 0; i < jobs; i++) {
			walk_stats_add(st, &w->workers[i].st);
			free(w->workers[i].dents);
			free(w->workers[i].kids);
		}
		free(w->workers);
	}
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

int walk_run(const struct walk_args *a, struct walk_stats *st)
{
	unsigned jobs = a->jobs == 0 ? 1 : a->jobs;
	struct walk w;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (jobs > KS_WALK_JOBS_MAX) {
		jobs = KS_WALK_JOBS_MAX;
	}
	memset(&w, 0, sizeof(w));
	w.a = a;
	w.max_fds = a->max_fds != 0 ? a->max_fds : KS_WALK_FDS_MAX;
	atomic_init(&w.stop, false);
	atomic_init(&w.noatime, true);
	if (pthread_mutex_init(&w.lock, NULL) != 0) {
		return -1;
	}
	if (pthread_cond_init(&w.cond, NULL) != 0) {
		pthread_mutex_destroy(&w.lock);
		return -1;
	}
	if (walk_seed(&w) != 0 || walk_workers(&w, jobs) != 0) {
		w.fatal_errno = ENOMEM;
	} else {
		walk_spawn(&w, jobs);
	}
	walk_cleanup(&w, jobs, st);
	if (w.fatal_errno != 0) {
		errno = w.fatal_errno;
		rc = -1;
	} else if (w.timed_out) {
		rc = 1;
	}
	return rc;
}
