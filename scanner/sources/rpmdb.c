/*
 * The rpm database of the scanned root, read natively and read-only: no librpm.
 *
 * Where: the root's own %_dbpath (rpmcfg, from its macros files) when it names another
 * directory, then usr/lib/sysimage/rpm (Fedora >= 36, openSUSE), then var/lib/rpm (RHEL,
 * older Fedora), all resolved inside the root with rootfs: a symlink between them (Fedora
 * ships var/lib/rpm -> ../../usr/lib/sysimage/rpm) is followed, one pointing outside the
 * root is clamped to the root and so finds nothing outside. Two names for one directory
 * (same device and inode) are read once. Two distinct databases are both read and their
 * records kept apart by `source`: this happens when an image was bootstrapped with
 * `rpm --root` from a host whose %_dbpath differs from the image's own, and then both hold
 * packages that are really on disk. A compliance scan must not drop either, so
 * counts.location and counts.backend then list both, ':'-separated, in reading order.
 *
 * Backend: rpm's own rule (rpmcfg_pick): the configured %_db_backend if its file is there,
 * else the first of rpmdb.sqlite (rpmsql), Packages.db (rpmndb), Packages (rpmbdb). The
 * deciding file is opened here, O_NOFOLLOW relative to the directory descriptor rootfs gave
 * us, and refused unless regular; the backends read that descriptor and never a name, and
 * none of them writes, locks or creates anything (the old librpm reader had to copy the
 * database aside for that). Every header blob goes through rpmhdr, which bounds it and
 * checks its digest as librpm did. While rpm runs a transaction it holds a write lock on
 * .rpm.lock and the files are changing: the read fails with that reason (asked with
 * F_GETLK, which takes no lock) instead of returning a half-written state.
 *
 * On failure, the records appended before it stay in the list: they were read from a header
 * that passed its digest check, so a product found there is still evidence; the source is
 * reported failed all the same and the host is not called clean.
 */
#include "scanner/sources/rpmdb.h"

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


#include "base/buf.h"
#include "base/limits.h"
#include "base/xstd.h"
#include "scanner/sources/rpmbdb.h"
#include "scanner/sources/rpmcfg.h"
#include "scanner/sources/rpmfile.h"
#include "scanner/sources/rpmhdr.h"
#include "scanner/sources/rpmndb.h"
#include "scanner/sources/rpmsql.h"

/* Where distributions keep the database, in the order they are read after %_dbpath. */
static const char *const rpmdb_dirs[] = {
	"/usr/lib/sysimage/rpm",
	"/var/lib/rpm",
};

/* One database directory found in the root. */
struct rpmdb_loc {
	const char *path;
	int dirfd;
	enum rpmcfg_backend be;
};

/* Appends @s to a ':'-separated list in @dst (the report's coverage fields). */
static void rpmdb_join(char *dst, size_t n, const char *s)
{
	size_t len = strlen(dst);

	/* both fields are sized for the longest pair we produce; a cut would only shorten it */
	(void)snprintf(dst + len, n - len, "%s%s", len > 0 ? ":" : "", s);
}

/*
 * Finds which backend @loc uses. The deciding file must be a regular file: a symlink could
 * point anywhere, and a FIFO would block the read.
 * @return 1 with loc->be set, 0 if there is no database here, -1 with @err set.
 */
static int rpmdb_detect(const struct rpmcfg *cfg, struct rpmdb_loc *loc, struct kerr *err)
{
	const char *f;
	struct stat st;

	loc->be = rpmcfg_pick(cfg, loc->dirfd);
	if (loc->be == RPMCFG_NONE) {
		return 0;
	}
	f = rpmcfg_file(loc->be);
	if (fstatat(loc->dirfd, f, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		return kerr_sys(err, KERR_IO, errno, "rpm database %s/%s", loc->path, f);
	}
	if (!S_ISREG(st.st_mode)) {
		return kerr_set(err, KERR_CORRUPT,
			"rpm database %s/%s is %s, not a regular file: refused", loc->path, f,
			S_ISLNK(st.st_mode) ? "a symlink" : "special");
	}
	return 1;
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

/* An optional string tag, "" when absent or unusable (free text: not worth failing on). */
static const char *rpmdb_str(const struct rpmhdr *h, uint32_t tag)
{
	const char *s = rpmhdr_str(h, tag);

	return s != NULL && rpmdb_field_ok(s) ? s : "";
}

/* What one read hands to each header. */
struct rpmdb_ctx {
	const char *loc;
	struct pkg_list *out;
};

/* Builds [epoch:]version-release into @ver. @return 0 or -1 with @err set. */
static int rpmdb_version(const struct rpmhdr *h, unsigned id, const char *name, char *ver,
	size_t n, struct kerr *err)
{
	const char *v = rpmhdr_str(h, RPMHDR_TAG_VERSION);
	const char *rel = rpmhdr_str(h, RPMHDR_TAG_RELEASE);
	uint32_t epoch = 0;
	int e, w;

	e = rpmhdr_u32(h, RPMHDR_TAG_EPOCH, &epoch);
	if (v == NULL || rel == NULL || e < 0 || !rpmdb_field_ok(v) || !rpmdb_field_ok(rel)) {
		return kerr_set(err, KERR_CORRUPT, "header #%u (%s): missing or malformed "
			"version, release or epoch", id, name);
	}
	if (e > 0) {
		w = snprintf(ver, n, "%" PRIu32 ":%s-%s", epoch, v, rel);
	} else {
		w = snprintf(ver, n, "%s-%s", v, rel);
	}
	if (w < 0 || (size_t)w >= n) {
		return kerr_set(err, KERR_LIMIT, "header #%u (%s): version over %u bytes", id,
			name, KS_PKG_FIELD_MAX);
	}
	return 0;
}

/* rpmhdr_blob_fn: one header blob becomes one record. */
static int rpmdb_blob(void *arg, unsigned id, const void *blob, size_t n, struct kerr *err)
{
	char ver[KS_PKG_FIELD_MAX + 1];
	struct rpmdb_ctx *c = arg;
	const char *name, *arch;
	struct rpmhdr h;
	struct pkg p;

	if (rpmhdr_parse(&h, blob, n, err) != 0) {
		return kerr_set(err, err->code, "header #%u: %s", id, err->msg);
	}
	name = rpmhdr_str(&h, RPMHDR_TAG_NAME);
	arch = rpmhdr_str(&h, RPMHDR_TAG_ARCH);
	if (name == NULL || name[0] == '\0' || !rpmdb_field_ok(name) ||
	    (arch != NULL && !rpmdb_field_ok(arch))) {
		return kerr_set(err, KERR_CORRUPT, "header #%u: missing or malformed name or arch",
			id);
	}
	if (rpmdb_version(&h, id, name, ver, sizeof(ver), err) != 0) {
		return -1;
	}
	p.manager = "rpm";
	p.name = rpmdb_unconst(name);
	p.version = ver;
	p.arch = rpmdb_unconst(arch != NULL ? arch : "");
	p.status = rpmdb_unconst("installed");
	p.abbrev[0] = '\0';
	p.state = PKG_INSTALLED;
	p.source = rpmdb_unconst(c->loc);
	p.vendor = rpmdb_unconst(rpmdb_str(&h, RPMHDR_TAG_VENDOR));
	p.packager = rpmdb_unconst(rpmdb_str(&h, RPMHDR_TAG_PACKAGER));
	p.summary = rpmdb_unconst(rpmdb_str(&h, RPMHDR_TAG_SUMMARY));
	p.maintainer = rpmdb_unconst("");
	if (pkg_list_add(c->out, &p) != 0) {
		return kerr_sys(err, errno == E2BIG ? KERR_LIMIT : KERR_NOMEM, errno,
			"header #%u (%s)", id, name);
	}
	return 0;
}

/*
 * Opens the deciding file of the backend. O_NOFOLLOW refuses a symlink swapped in since
 * detection, O_NONBLOCK a FIFO. @return the descriptor, or -1 with @err set.
 */
static int rpmdb_open_file(const struct rpmdb_loc *loc, struct kerr *err)
{
	const char *f = rpmcfg_file(loc->be);
	struct stat st;
	int fd;

	fd = openat(loc->dirfd, f, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP) {
			return kerr_set(err, KERR_CORRUPT,
				"rpm database %s/%s is a symlink: refused", loc->path, f);
		}
		return kerr_sys(err, KERR_IO, errno, "rpm database %s/%s", loc->path, f);
	}
	if (fstat(fd, &st) != 0) {
		kerr_sys(err, KERR_IO, errno, "rpm database %s/%s", loc->path, f);
	} else if (!S_ISREG(st.st_mode)) {
		kerr_set(err, KERR_CORRUPT, "rpm database %s/%s is not a regular file: refused",
			loc->path, f);
	} else if (st.st_size > KS_RPMDB_FILE_MAX) {
		kerr_set(err, KERR_LIMIT, "rpm database %s/%s: %jd bytes, over the %jd cap",
			loc->path, f, (intmax_t)st.st_size, (intmax_t)KS_RPMDB_FILE_MAX);
	} else {
		return fd;
	}
	xstd_close_quietly(fd);
	return -1;
}

/*
 * rpm takes a write lock on .rpm.lock for a whole transaction (rpmlock.c), readers a shared
 * one. F_GETLK only asks whether a shared lock could be had, taking none: a writer holding
 * it means the files are being changed under us. @return 0, or -1 with @err set.
 */
static int rpmdb_locked(const struct rpmdb_loc *loc, struct kerr *err)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	struct stat st;
	int fd;

	/* a device there is not opened: opening one can do things */
	if (fstatat(loc->dirfd, ".rpm.lock", &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISREG(st.st_mode)) {
		return 0;
	}
	fd = openat(loc->dirfd, ".rpm.lock",
		O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		/* absent, or not a file rpm could lock: rpm is not running a transaction here */
		return 0;
	}
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_WRLCK) {
		kerr_set(err, KERR_IO, "rpm database %s is locked by process %jd (.rpm.lock): a "
			"transaction in progress; read again when it ends", loc->path,
			(intmax_t)fl.l_pid);
		xstd_close_quietly(fd);
		return -1;
	}
	xstd_close_quietly(fd);
	return 0;
}

/* Runs the backend of @loc on the open file @fd. */
static long rpmdb_backend(const struct rpmdb_loc *loc, int fd, struct rpmdb_ctx *c,
	struct kerr *err)
{
	struct rpmfile f;

	if (loc->be == RPMCFG_SQLITE) {
		return rpmsql_read(loc->dirfd, fd, rpmdb_blob, c, err);
	}
	if (rpmfile_fd(&f, fd) != 0) {
		return kerr_sys(err, KERR_IO, errno, "fstat");
	}
	if (loc->be == RPMCFG_NDB) {
		return rpmndb_read(&f, rpmdb_blob, c, err);
	}
	return rpmbdb_read(&f, rpmdb_blob, c, err);
}

/* Reads one database found at @loc. @return the count of packages, or -1 with @err set. */
static long rpmdb_read_loc(const struct rpmdb_loc *loc, struct pkg_list *out, struct kerr *err)
{
	struct rpmdb_ctx c = { loc->path, out };
	long n;
	int fd;

	if (rpmdb_locked(loc, err) != 0) {
		return -1;
	}
	fd = rpmdb_open_file(loc, err);
	if (fd < 0) {
		return -1;
	}
	n = rpmdb_backend(loc, fd, &c, err);
	if (n < 0) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		kerr_set(err, err->code, "rpm database %s (%s): %s", loc->path,
			rpmcfg_name(loc->be), why);
	}
	xstd_close_quietly(fd);
	return n;
}

/*
 * Reads the database in @path, unless absent or a directory already read (@seen).
 * @return 1 if read, 0 if none, -1 with @err set.
 */
static int rpmdb_read_dir(const struct rootfs *r, const struct rpmcfg *cfg, const char *path,
	struct stat *seen, size_t *nseen, struct pkg_list *out, struct rpmdb_counts *counts,
	struct kerr *err)
{
	struct rpmdb_loc loc = { NULL, -1, RPMCFG_NONE };
	long n = -1;
	int rc;

	rc = rpmdb_open_dir(r, path, &loc, seen, *nseen, err);
	if (rc <= 0) {
		return rc;
	}
	(*nseen)++;
	rc = rpmdb_detect(cfg, &loc, err);
	if (rc != 0) {
		/* named even when the read fails: the report says which database failed */
		rpmdb_join(counts->location, sizeof(counts->location), path);
	}
	if (rc > 0) {
		rpmdb_join(counts->backend, sizeof(counts->backend), rpmcfg_name(loc.be));
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
	const char *dirs[XSTD_COUNTOF(rpmdb_dirs) + 1];
	struct stat seen[XSTD_COUNTOF(dirs)];
	size_t i, ndirs = 0, nseen = 0;
	struct rpmcfg cfg;
	int found = 0;

	memset(counts, 0, sizeof(*counts));
	rpmcfg_read(r, &cfg);
	if (cfg.dbpath[0] != '\0') {
		dirs[ndirs++] = cfg.dbpath;
	}
	for (i = 0; i < XSTD_COUNTOF(rpmdb_dirs); i++) {
		dirs[ndirs++] = rpmdb_dirs[i];
	}
	for (i = 0; i < ndirs; i++) {
		int rc = rpmdb_read_dir(r, &cfg, dirs[i], seen, &nseen, out, counts, err);

		if (rc < 0) {
			return -1;
		}
		found |= rc;
	}
	return found;
}
