/*
 * The rpm database of the scanned root, read through librpm without touching the root.
 *
 * Where: usr/lib/sysimage/rpm (Fedora >= 36, openSUSE), then var/lib/rpm (RHEL, older
 * Fedora), both resolved inside the root with rootfs: a symlink between them (Fedora ships
 * var/lib/rpm -> ../../usr/lib/sysimage/rpm) is followed, one pointing outside the root is
 * clamped to the root and so finds nothing outside. Two names for one directory (same
 * device and inode) are read once. Two distinct databases are both read and their records
 * kept apart by `source`: this happens when an image was bootstrapped with `rpm --root` from
 * a host whose %_dbpath differs from the image's own, and then both hold packages that are
 * really on disk. A compliance scan must not drop either, so counts.location and
 * counts.backend then list both, ':'-separated, in reading order.
 *
 * Backend: told by the files, in librpm's own detection order: rpmdb.sqlite (sqlite),
 * Packages.db (ndb), Packages (bdb, read by librpm's bdb_ro). Debian 12's librpm 4.18 has
 * sqlite and bdb_ro but no ndb. We do not trust our reading of what a given librpm has:
 * after opening, rpmdbFStat() must name the very file we handed over. librpm falls back to
 * its "dummy" backend (no file, no packages) when it lacks the backend, and the host would
 * then look clean; instead that is KERR_UNSUPPORTED.
 *
 * Read-only, measured: librpm opens sqlite with SQLITE_OPEN_READONLY, yet strace shows an
 * in-place `rpm -qa` creating rpmdb.sqlite-wal and rpmdb.sqlite-shm when they are absent
 * (the database is in WAL mode, whose index lives in the writable -shm), rewriting -shm
 * (new mtime) when present, and taking fcntl locks on the database; and when the database
 * cannot be opened read-only librpm retries read-write with SQLITE_OPEN_CREATE. librpm also
 * opens files by name, following any symlink. So we never let it see the root: the database
 * files are copied, each opened O_NOFOLLOW relative to the directory descriptor rootfs gave
 * us and refused unless regular, into a private mkdtemp directory (0700) under $TMPDIR (or
 * /tmp); librpm opens the copy and the copy is removed. The -wal (and a hot -journal) is
 * copied too, so committed transactions not yet checkpointed are seen; -shm is not: sqlite
 * rebuilds it from the -wal. A copy made while rpm writes may mix two states, so every
 * source file is fstat()ed again after the copy and the copy redone if any changed.
 * Cost, measured on the build machine (/tmp on disk, database in the page cache): a 200 MiB
 * rpmdb.sqlite is copied and read in 0.05 s warm, 0.15 s cold, where `rpm -qa` in place takes
 * 0.01 s; a small database costs 0.01 s either way. Real databases are 10-300 MiB, so the
 * price is a fraction of a second and that much temporary space, once per scan.
 *
 * librpm's log goes to a callback, never stderr. librpm reports some failures only there:
 * a failing cursor just ends the iteration, a damaged header is skipped with an error
 * message. So any message of priority error or worse while we use librpm fails the read
 * (KERR_CORRUPT), with the messages, rewritten to name the location inside the root, as the
 * reason. Warnings are kept in the message but are not failures (bdb_ro warns about every
 * missing secondary index; sqlite's WAL recovery is logged as a warning).
 *
 * On failure, the records appended before it stay in the list: they were read from a header
 * that passed librpm's digest check, so a product found there is still evidence; the
 * source is reported failed all the same and the host is not called clean.
 */
#include "config.h"
#include "scanner/sources/rpmdb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if HAVE_RPM
#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmts.h>
#endif

#include "base/buf.h"
#include "base/limits.h"
#include "base/xstd.h"

/* Where distributions keep the database, in the order they are read. */
static const char *const rpmdb_dirs[] = {
	"/usr/lib/sysimage/rpm",
	"/var/lib/rpm",
};

/* The files of one backend: [0] decides the backend and must be there, the rest if present. */
struct rpmdb_backend {
	/* our name, for counts.backend */
	const char *name;
	/* librpm's %_db_backend name */
	const char *lib;
	const char *files[3];
};

/* librpm's detection order, so we pick what rpm itself would when several are present. */
static const struct rpmdb_backend rpmdb_backends[] = {
	{ "sqlite", "sqlite", { "rpmdb.sqlite", "rpmdb.sqlite-wal", "rpmdb.sqlite-journal" } },
	{ "ndb", "ndb", { "Packages.db", "Index.db", NULL } },
	{ "bdb", "bdb_ro", { "Packages", NULL, NULL } },
};

/* One database directory found in the root. */
struct rpmdb_loc {
	const char *path;
	int dirfd;
	const struct rpmdb_backend *be;
};

/* Appends @s to a ':'-separated list in @dst (the report's coverage fields). */
static void rpmdb_join(char *dst, size_t n, const char *s)
{
	size_t len = strlen(dst);

	/* both fields are sized for the longest pair we produce; a cut would only shorten it */
	(void)snprintf(dst + len, n - len, "%s%s", len > 0 ? ":" : "", s);
}

/*
 * Finds which backend's files are in @dirfd. The deciding file must be a regular file:
 * a symlink could point anywhere, and a FIFO would block the copy.
 * @return 1 with loc->be set, 0 if there is no database here, -1 with @err set.
 */
static int rpmdb_detect(struct rpmdb_loc *loc, struct kerr *err)
{
	struct stat st;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(rpmdb_backends); i++) {
		const char *f = rpmdb_backends[i].files[0];

		if (fstatat(loc->dirfd, f, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT) {
				continue;
			}
			return kerr_sys(err, KERR_IO, errno, "rpm database %s/%s", loc->path, f);
		}
		if (!S_ISREG(st.st_mode)) {
			return kerr_set(err, KERR_CORRUPT,
				"rpm database %s/%s is %s, not a regular file: refused", loc->path,
				f, S_ISLNK(st.st_mode) ? "a symlink" : "special");
		}
		loc->be = &rpmdb_backends[i];
		return 1;
	}
	return 0;
}

/*
 * Opens the database directory @path inside the root, unless it is one already read.
 * @return 1 with loc->dirfd open, 0 if absent or seen, -1 with @err set.
 */
static int rpmdb_open_dir(const struct rootfs *r, const char *path, struct rpmdb_loc *loc,
	struct stat *seen, size_t nseen, struct kerr *err)
{
	struct stat st;
	size_t i;
	int fd;

	fd = rootfs_open_dir(r, path, 0);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			return 0;
		}
		return kerr_sys(err, KERR_IO, errno, "rpm database directory %s", path);
	}
	if (fstat(fd, &st) != 0) {
		kerr_sys(err, KERR_IO, errno, "rpm database directory %s", path);
		xstd_close_quietly(fd);
		return -1;
	}
	for (i = 0; i < nseen; i++) {
		if (seen[i].st_dev == st.st_dev && seen[i].st_ino == st.st_ino) {
			xstd_close_quietly(fd);
			return 0;
		}
	}
	seen[nseen] = st;
	loc->path = path;
	loc->dirfd = fd;
	return 1;
}

#if HAVE_RPM

/* Temporary files live in a private directory, so the names inside need no care. */
struct rpmdb_tmp {
	char path[PATH_MAX];
	int fd;
	/* the copy of the deciding file, to check librpm opened it */
	dev_t dev;
	ino_t ino;
};

/* What librpm said while we used it. */
struct rpmdb_log {
	struct buf msg;
	unsigned errors;
	/* rewrites our temporary path (if not NULL) into the location inside the root */
	const char *tmp;
	const char *loc;
};

static int rpmdb_tmp_make(struct rpmdb_tmp *t, struct kerr *err)
{
	const char *base = secure_getenv("TMPDIR");
	int n;

	if (base == NULL || base[0] != '/') {
		base = "/tmp";
	}
	n = snprintf(t->path, sizeof(t->path), "%s/kscan-rpmdb.XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof(t->path)) {
		return kerr_set(err, KERR_LIMIT, "TMPDIR %s: path too long", base);
	}
	if (mkdtemp(t->path) == NULL) {
		return kerr_sys(err, KERR_IO, errno, "temporary directory %s", t->path);
	}
	t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (t->fd < 0) {
		kerr_sys(err, KERR_IO, errno, "temporary directory %s", t->path);
		(void)rmdir(t->path);
		return -1;
	}
	return 0;
}

/* Empties the private directory (librpm and sqlite may have added -shm, -wal...). */
static void rpmdb_tmp_empty(struct rpmdb_tmp *t)
{
	struct dirent *de;
	DIR *d;
	int fd;

	/* a new open file description: a dup would share the offset of the last listing */
	fd = openat(t->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		return;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		xstd_close_quietly(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			(void)unlinkat(t->fd, de->d_name, 0);
		}
	}
	(void)closedir(d);
}

/*
 * Removes the private copy. Failures are not reported: the data was already read, and what
 * is left is a root-only directory; there is nothing better to do than go on.
 */
static void rpmdb_tmp_remove(struct rpmdb_tmp *t)
{
	rpmdb_tmp_empty(t);
	xstd_close_quietly(t->fd);
	(void)rmdir(t->path);
}

/* The source files of one copy, open for the whole copy so changes can be seen. */
struct rpmdb_src {
	int fd[3];
	struct stat st[3];
};

static void rpmdb_src_close(struct rpmdb_src *s)
{
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(s->fd); i++) {
		if (s->fd[i] >= 0) {
			xstd_close_quietly(s->fd[i]);
			s->fd[i] = -1;
		}
	}
}

/*
 * Opens file @i of the backend. O_NOFOLLOW refuses a symlink swapped in since detection,
 * O_NONBLOCK a FIFO. @return 1, 0 if an optional file is absent, -1 with @err set.
 */
static int rpmdb_src_open(const struct rpmdb_loc *loc, size_t i, struct rpmdb_src *s,
	struct kerr *err)
{
	const char *f = loc->be->files[i];
	int fd;

	fd = openat(loc->dirfd, f, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && i > 0) {
			return 0;
		}
		if (errno == ELOOP) {
			return kerr_set(err, KERR_CORRUPT,
				"rpm database %s/%s is a symlink: refused", loc->path, f);
		}
		return kerr_sys(err, KERR_IO, errno, "rpm database %s/%s", loc->path, f);
	}
	s->fd[i] = fd;
	if (fstat(fd, &s->st[i]) != 0) {
		return kerr_sys(err, KERR_IO, errno, "rpm database %s/%s", loc->path, f);
	}
	if (!S_ISREG(s->st[i].st_mode)) {
		return kerr_set(err, KERR_CORRUPT,
			"rpm database %s/%s is not a regular file: refused", loc->path, f);
	}
	if (s->st[i].st_size > KS_RPMDB_FILE_MAX) {
		return kerr_set(err, KERR_LIMIT, "rpm database %s/%s: %jd bytes, over the %jd cap",
			loc->path, f, (intmax_t)s->st[i].st_size, (intmax_t)KS_RPMDB_FILE_MAX);
	}
	return 1;
}

/* Copies @src into a new file @name of the private directory. @return 0 or -1 with errno. */
static int rpmdb_copy_fd(int src, struct rpmdb_tmp *t, const char *name, char *io, size_t n,
	bool primary)
{
	off_t total = 0;
	struct stat st;
	ssize_t got;
	int dst;

	dst = openat(t->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dst < 0) {
		return -1;
	}
	while ((got = read(src, io, n)) != 0) {
		if (got < 0) {
			if (errno == EINTR) {
				continue;
			}
			goto close_dst;
		}
		total += got;
		if (total > KS_RPMDB_FILE_MAX) {
			errno = E2BIG;
			goto close_dst;
		}
		if (xstd_write_all(dst, io, (size_t)got) != 0) {
			goto close_dst;
		}
	}
	if (primary) {
		if (fstat(dst, &st) != 0) {
			goto close_dst;
		}
		t->dev = st.st_dev;
		t->ino = st.st_ino;
	}
	return close(dst);

close_dst:
	xstd_close_quietly(dst);
	return -1;
}

static bool rpmdb_same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Copies the backend's files once. @return 1 if copied and unchanged since opened, 0 if a
 * file changed meanwhile (the caller retries), -1 with @err set.
 */
static int rpmdb_copy_once(const struct rpmdb_loc *loc, struct rpmdb_tmp *t, char *io,
	size_t n, struct kerr *err)
{
	struct rpmdb_src s = { { -1, -1, -1 }, { { 0 } } };
	struct stat now;
	int rc = -1;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(loc->be->files) && loc->be->files[i] != NULL; i++) {
		int o = rpmdb_src_open(loc, i, &s, err);

		if (o < 0) {
			goto close_src;
		}
		if (o > 0 && rpmdb_copy_fd(s.fd[i], t, loc->be->files[i], io, n, i == 0) != 0) {
			kerr_sys(err, KERR_IO, errno, "copying rpm database %s/%s to %s", loc->path,
				loc->be->files[i], t->path);
			goto close_src;
		}
	}
	rc = 1;
	for (i = 0; i < XSTD_COUNTOF(s.fd); i++) {
		if (s.fd[i] < 0) {
			continue;
		}
		if (fstat(s.fd[i], &now) != 0 || !rpmdb_same_stat(&now, &s.st[i])) {
			rc = 0;
		}
	}
close_src:
	rpmdb_src_close(&s);
	return rc;
}

/* Copies the database aside, retrying while rpm is writing it. */
static int rpmdb_copy(const struct rpmdb_loc *loc, struct rpmdb_tmp *t, struct kerr *err)
{
	const size_t n = (size_t)256 << 10;
	unsigned tries;
	char *io;
	int rc = 0;

	io = malloc(n);
	if (io == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	for (tries = 0; tries < KS_RPMDB_COPY_TRIES && rc == 0; tries++) {
		rpmdb_tmp_empty(t);
		rc = rpmdb_copy_once(loc, t, io, n, err);
	}
	free(io);
	if (rc == 0) {
		return kerr_set(err, KERR_IO,
			"rpm database %s changed during each of %u copies (rpm running?)",
			loc->path, KS_RPMDB_COPY_TRIES);
	}
	return rc < 0 ? -1 : 0;
}

/* Appends @s to the log text: our temporary path named as the location, unprintables '?'. */
static void rpmdb_log_add(struct rpmdb_log *lg, const char *s)
{
	size_t tl = lg->tmp != NULL ? strlen(lg->tmp) : 0;
	size_t left = strcspn(s, "\n");

	/* past the cap the buffer ignores appends: stop reading too */
	while (left > 0 && buf_error(&lg->msg) == 0) {
		size_t k = xstd_utf8_seq((const unsigned char *)s, left);

		if (tl > 0 && left >= tl && memcmp(s, lg->tmp, tl) == 0) {
			buf_adds(&lg->msg, lg->loc);
			k = tl;
		} else if (k == 0 || (unsigned char)*s < 0x20 || *s == 0x7f) {
			buf_addc(&lg->msg, '?');
			k = 1;
		} else {
			buf_add(&lg->msg, s, k);
		}
		s += k;
		left -= k;
	}
}

static int rpmdb_log_cb(rpmlogRec rec, rpmlogCallbackData data)
{
	struct rpmdb_log *lg = data;
	rpmlogLvl pri = rpmlogRecPriority(rec);
	const char *m = rpmlogRecMessage(rec);

	if (pri <= RPMLOG_ERR) {
		lg->errors++;
	}
	if (pri <= RPMLOG_WARNING && m != NULL) {
		if (buf_len(&lg->msg) > 0) {
			buf_adds(&lg->msg, "; ");
		}
		rpmdb_log_add(lg, m);
	}
	/* 0: the message is ours alone, librpm prints nothing */
	return 0;
}

/* Routes librpm's log to @lg until rpmdb_log_end(). */
static void rpmdb_log_begin(struct rpmdb_log *lg, const char *tmp, const char *loc, int *mask)
{
	buf_init(&lg->msg, KS_RPMDB_LOG_MAX);
	lg->errors = 0;
	lg->tmp = tmp;
	lg->loc = loc;
	(void)rpmlogSetCallback(rpmdb_log_cb, lg);
	*mask = rpmlogSetMask(RPMLOG_UPTO(RPMLOG_WARNING));
}

/*
 * kscan has no other librpm user, so the default printer (NULL) is what we restore: the
 * previous callback's data cannot be read back from librpm.
 */
static void rpmdb_log_end(struct rpmdb_log *lg, int mask)
{
	(void)rpmlogSetCallback(NULL, NULL);
	(void)rpmlogSetMask(mask);
	buf_free(&lg->msg);
}

/* The log text for a message: the first messages, up to the cap (later ones are dropped). */
static const char *rpmdb_log_text(const struct rpmdb_log *lg)
{
	return buf_len(&lg->msg) > 0 ? buf_str(&lg->msg) : "no message from librpm";
}

/* Reads librpm's configuration once: the host's, which only sets defaults we override. */
static int rpmdb_lib_init(struct kerr *err)
{
	static int state;
	struct rpmdb_log lg;
	int mask;

	if (state == 0) {
		rpmdb_log_begin(&lg, NULL, NULL, &mask);
		state = rpmReadConfigFiles(NULL, NULL) == 0 ? 1 : -1;
		if (state < 0) {
			kerr_set(err, KERR_INTERNAL, "librpm configuration: %s",
				rpmdb_log_text(&lg));
		}
		rpmdb_log_end(&lg, mask);
		return state > 0 ? 0 : -1;
	}
	if (state < 0) {
		return kerr_set(err, KERR_INTERNAL, "librpm configuration could not be read");
	}
	return 0;
}

/* A header string we keep: bounded, UTF-8, no control characters (rpmbuild allows none). */
static bool rpmdb_field_ok(const char *s)
{
	size_t n = strnlen(s, KS_PKG_FIELD_MAX + 1);
	size_t i;

	if (n > KS_PKG_FIELD_MAX || !xstd_utf8_valid(s, n)) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			return false;
		}
	}
	return true;
}

/* struct pkg holds char *, but pkg_list_add() only reads and duplicates the strings. */
static char *rpmdb_unconst(const char *s)
{
	return (char *)(uintptr_t)s;
}

/* An optional string tag, "" when absent. */
static const char *rpmdb_str(Header h, rpmTagVal tag)
{
	const char *s = headerGetString(h, tag);

	return s != NULL ? s : "";
}

/* Fills @p from @h; @ver holds the built version string. @return 0 or -1 with @err set. */
static int rpmdb_header(Header h, unsigned off, const char *loc, struct pkg *p, char *ver,
	size_t n, struct kerr *err)
{
	const char *name = headerGetString(h, RPMTAG_NAME);
	const char *v = headerGetString(h, RPMTAG_VERSION);
	const char *rel = headerGetString(h, RPMTAG_RELEASE);
	const char *arch = headerGetString(h, RPMTAG_ARCH);
	int w;

	if (name == NULL || v == NULL || rel == NULL || name[0] == '\0' ||
	    !rpmdb_field_ok(name) || !rpmdb_field_ok(v) || !rpmdb_field_ok(rel) ||
	    (arch != NULL && !rpmdb_field_ok(arch))) {
		return kerr_set(err, KERR_CORRUPT,
			"rpm database %s: header #%u: missing or malformed name, version, "
			"release or arch", loc, off);
	}
	if (headerIsEntry(h, RPMTAG_EPOCH)) {
		w = snprintf(ver, n, "%" PRIu64 ":%s-%s", headerGetNumber(h, RPMTAG_EPOCH), v, rel);
	} else {
		w = snprintf(ver, n, "%s-%s", v, rel);
	}
	if (w < 0 || (size_t)w >= n) {
		return kerr_set(err, KERR_LIMIT,
			"rpm database %s: header #%u (%s): version over %u bytes", loc, off, name,
			KS_PKG_FIELD_MAX);
	}
	p->manager = "rpm";
	p->name = rpmdb_unconst(name);
	p->version = ver;
	p->arch = rpmdb_unconst(arch != NULL ? arch : "");
	p->status = rpmdb_unconst("installed");
	p->abbrev[0] = '\0';
	p->state = PKG_INSTALLED;
	p->source = rpmdb_unconst(loc);
	p->vendor = rpmdb_unconst(rpmdb_str(h, RPMTAG_VENDOR));
	p->packager = rpmdb_unconst(rpmdb_str(h, RPMTAG_PACKAGER));
	p->summary = rpmdb_unconst(rpmdb_str(h, RPMTAG_SUMMARY));
	p->maintainer = rpmdb_unconst("");
	return 0;
}

/* Appends every header of the open database. @return the count, or -1 with @err set. */
static long rpmdb_iterate(rpmts ts, const struct rpmdb_loc *loc, const struct rpmdb_log *lg,
	struct pkg_list *out, struct kerr *err)
{
	char ver[KS_PKG_FIELD_MAX + 1];
	rpmdbMatchIterator mi;
	struct pkg p;
	long count = 0;
	Header h;

	mi = rpmtsInitIterator(ts, RPMDBI_PACKAGES, NULL, 0);
	if (mi == NULL) {
		return kerr_set(err, KERR_CORRUPT, "rpm database %s: cannot iterate: %s", loc->path,
			rpmdb_log_text(lg));
	}
	/* an error message means a header was skipped or the cursor died: stop there */
	while (lg->errors == 0 && (h = rpmdbNextIterator(mi)) != NULL) {
		if (rpmdb_header(h, rpmdbGetIteratorOffset(mi), loc->path, &p, ver, sizeof(ver),
			err) != 0) {
			goto free_mi;
		}
		if (pkg_list_add(out, &p) != 0) {
			kerr_sys(err, errno == E2BIG ? KERR_LIMIT : KERR_NOMEM, errno,
				"rpm database %s", loc->path);
			goto free_mi;
		}
		count++;
	}
	rpmdbFreeIterator(mi);
	return count;

free_mi:
	rpmdbFreeIterator(mi);
	return -1;
}

/* Opens the copy in @t with librpm; checks it opened that file and not a fallback. */
static int rpmdb_lib_open(rpmts ts, const struct rpmdb_loc *loc, const struct rpmdb_tmp *t,
	const struct rpmdb_log *lg, struct kerr *err)
{
	struct stat st;

	if (rpmtsSetRootDir(ts, "/") != 0) {
		return kerr_set(err, KERR_INTERNAL, "librpm: cannot set the root directory");
	}
	/* header digests stay checked (corruption); signatures would need a keyring */
	(void)rpmtsSetVSFlags(ts, RPMVSF_MASK_NOSIGNATURES);
	if (rpmtsOpenDB(ts, O_RDONLY) != 0 || lg->errors > 0) {
		return kerr_set(err, KERR_CORRUPT, "rpm database %s (%s): cannot open: %s",
			loc->path, loc->be->name, rpmdb_log_text(lg));
	}
	if (rpmdbFStat(rpmtsGetRdb(ts), &st) != 0 || st.st_dev != t->dev ||
	    st.st_ino != t->ino) {
		return kerr_set(err, KERR_UNSUPPORTED,
			"rpm database %s uses the %s backend (%s), which this librpm cannot read: "
			"%s", loc->path, loc->be->name, loc->be->files[0], rpmdb_log_text(lg));
	}
	return 0;
}

/* %_dbpath is a macro body: a '%' in $TMPDIR must not expand. */
static int rpmdb_macro_path(const char *path, char *out, size_t n)
{
	size_t j = 0;

	for (; *path != '\0'; path++) {
		if (j + 3 > n) {
			return -1;
		}
		if (*path == '%') {
			out[j++] = '%';
		}
		out[j++] = *path;
	}
	out[j] = '\0';
	return 0;
}

/* Reads the private copy in @t through librpm. @return the count or -1 with @err set. */
static long rpmdb_lib_read(const struct rpmdb_loc *loc, const struct rpmdb_tmp *t,
	struct pkg_list *out, struct kerr *err)
{
	char dbpath[PATH_MAX * 2];
	struct rpmdb_log lg;
	long count = -1;
	rpmts ts;
	int mask;

	if (rpmdb_macro_path(t->path, dbpath, sizeof(dbpath)) != 0) {
		return kerr_set(err, KERR_LIMIT, "temporary directory %s: path too long", t->path);
	}
	rpmdb_log_begin(&lg, t->path, loc->path, &mask);
	if (rpmPushMacro(NULL, "_dbpath", NULL, dbpath, RMIL_CMDLINE) != 0 ||
	    rpmPushMacro(NULL, "_db_backend", NULL, loc->be->lib, RMIL_CMDLINE) != 0) {
		kerr_set(err, KERR_INTERNAL, "librpm: cannot set %%_dbpath: %s",
			rpmdb_log_text(&lg));
		goto pop_macros;
	}
	ts = rpmtsCreate();
	if (ts == NULL) {
		kerr_set(err, KERR_NOMEM, "librpm: cannot create a transaction set");
		goto pop_macros;
	}
	if (rpmdb_lib_open(ts, loc, t, &lg, err) == 0) {
		count = rpmdb_iterate(ts, loc, &lg, out, err);
	}
	(void)rpmtsFree(ts);
	/* errors logged while iterating or closing: headers skipped, a cursor that failed */
	if (count >= 0 && lg.errors > 0) {
		count = kerr_set(err, KERR_CORRUPT, "rpm database %s (%s): %s", loc->path,
			loc->be->name, rpmdb_log_text(&lg));
	}
pop_macros:
	(void)rpmPopMacro(NULL, "_db_backend");
	(void)rpmPopMacro(NULL, "_dbpath");
	rpmdb_log_end(&lg, mask);
	return count;
}

bool rpmdb_available(void)
{
	return true;
}

/* Reads one database found at @loc. @return the count of packages, or -1 with @err set. */
static long rpmdb_read_loc(const struct rpmdb_loc *loc, struct pkg_list *out, struct kerr *err)
{
	struct rpmdb_tmp t;
	long count = -1;

	if (rpmdb_lib_init(err) != 0 || rpmdb_tmp_make(&t, err) != 0) {
		return -1;
	}
	if (rpmdb_copy(loc, &t, err) == 0) {
		count = rpmdb_lib_read(loc, &t, out, err);
	}
	rpmdb_tmp_remove(&t);
	return count;
}

#else /* !HAVE_RPM */

bool rpmdb_available(void)
{
	return false;
}

/* A database this build cannot read: failing keeps the host from being called clean. */
static long rpmdb_read_loc(const struct rpmdb_loc *loc, struct pkg_list *out, struct kerr *err)
{
	(void)out;
	return kerr_set(err, KERR_UNSUPPORTED,
		"rpm database %s (%s): this kscan was built without librpm and cannot read it",
		loc->path, loc->be->name);
}

#endif

/*
 * Reads the database in @path, unless absent or a directory already read (@seen).
 * @return 1 if read, 0 if none, -1 with @err set.
 */
static int rpmdb_read_dir(const struct rootfs *r, const char *path, struct stat *seen,
	size_t *nseen, struct pkg_list *out, struct rpmdb_counts *counts, struct kerr *err)
{
	struct rpmdb_loc loc = { NULL, -1, NULL };
	long n = -1;
	int rc;

	rc = rpmdb_open_dir(r, path, &loc, seen, *nseen, err);
	if (rc <= 0) {
		return rc;
	}
	(*nseen)++;
	rc = rpmdb_detect(&loc, err);
	if (rc != 0) {
		/* named even when the read fails: the report says which database failed */
		rpmdb_join(counts->location, sizeof(counts->location), path);
	}
	if (rc > 0) {
		rpmdb_join(counts->backend, sizeof(counts->backend), loc.be->name);
		n = rpmdb_read_loc(&loc, out, err);
		if (n < 0) {
			rc = -1;
		} else {
			counts->packages += (size_t)n;
		}
	}
	xstd_close_quietly(loc.dirfd);
	return rc;
}

int rpmdb_read(const struct rootfs *r, struct pkg_list *out, struct rpmdb_counts *counts,
	struct kerr *err)
{
	struct stat seen[XSTD_COUNTOF(rpmdb_dirs)];
	size_t i, nseen = 0;
	int found = 0;

	memset(counts, 0, sizeof(*counts));
	for (i = 0; i < XSTD_COUNTOF(rpmdb_dirs); i++) {
		int rc = rpmdb_read_dir(r, rpmdb_dirs[i], seen, &nseen, out, counts, err);

		if (rc < 0) {
			return -1;
		}
		found |= rc;
	}
	return found;
}
