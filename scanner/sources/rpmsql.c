/*
 * rpmdb.sqlite, read with libsqlite3 and never written.
 *
 * sqlite opens files by name and, even for a read-only connection, creates -wal and -shm
 * files, takes locks and may replay a hot journal. So sqlite never gets a name here: a small
 * VFS ("kscan-ro") hands it a duplicate of the descriptor the caller opened inside the root
 * (O_NOFOLLOW, regular), answers "absent" to every other file it asks about, refuses to open
 * any other file, and fails every write. The URI says immutable=1, so sqlite takes no locks
 * and expects no change. Page 1 is shown in rollback mode (bytes 18 and 19 read as 1) so
 * sqlite does not look for the WAL index it cannot have.
 *
 * What that cannot see: committed transactions still in the -wal (rpm running, or killed
 * before its checkpoint) and a hot -journal (a transaction cut short). Either one, non-empty,
 * fails the read with a reason: the database file alone is not the whole state. rpm itself
 * leaves an empty -wal after every run; that holds nothing and is not a failure. A -wal or
 * -journal that is not a regular file (a symlink, a FIFO) is refused: it is not rpm's.
 */
#include "scanner/sources/rpmsql.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/limits.h"
#include "base/xstd.h"

#define RPMSQL_VFS "kscan-ro"

/* An open database file: sqlite's base first, as the VFS contract wants. */
struct rpmsql_file {
	sqlite3_file base;
	int fd;
};

static int rpmsql_close(sqlite3_file *f)
{
	struct rpmsql_file *rf = (struct rpmsql_file *)f;

	xstd_close_quietly(rf->fd);
	rf->fd = -1;
	return SQLITE_OK;
}

/* Shows a WAL-mode database (file format 2) as rollback (1): see the file comment. */
static void rpmsql_unwal(unsigned char *b, int n, sqlite3_int64 off)
{
	sqlite3_int64 i;

	for (i = 18; i <= 19; i++) {
		if (i >= off && i < off + n && b[i - off] == 2) {
			b[i - off] = 1;
		}
	}
}

static int rpmsql_read_at(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	struct rpmsql_file *rf = (struct rpmsql_file *)f;
	unsigned char *b = p;
	int got = 0;

	while (got < n) {
		ssize_t r = pread(rf->fd, b + got, (size_t)(n - got), off + got);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return SQLITE_IOERR_READ;
		}
		if (r == 0) {
			break;
		}
		got += (int)r;
	}
	rpmsql_unwal(b, got, off);
	if (got < n) {
		memset(b + got, 0, (size_t)(n - got));
		return SQLITE_IOERR_SHORT_READ;
	}
	return SQLITE_OK;
}

static int rpmsql_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	(void)f;
	(void)p;
	(void)n;
	(void)off;
	return SQLITE_READONLY;
}

static int rpmsql_truncate(sqlite3_file *f, sqlite3_int64 n)
{
	(void)f;
	(void)n;
	return SQLITE_READONLY;
}

static int rpmsql_sync(sqlite3_file *f, int flags)
{
	(void)f;
	(void)flags;
	return SQLITE_READONLY;
}

static int rpmsql_size(sqlite3_file *f, sqlite3_int64 *n)
{
	struct rpmsql_file *rf = (struct rpmsql_file *)f;
	struct stat st;

	if (fstat(rf->fd, &st) != 0) {
		return SQLITE_IOERR_FSTAT;
	}
	*n = st.st_size;
	return SQLITE_OK;
}

/* No locks: immutable=1 promises nobody writes, and a lock is a write to the system. */
static int rpmsql_lock(sqlite3_file *f, int level)
{
	(void)f;
	(void)level;
	return SQLITE_OK;
}

static int rpmsql_reserved(sqlite3_file *f, int *out)
{
	(void)f;
	*out = 0;
	return SQLITE_OK;
}

static int rpmsql_fcntl(sqlite3_file *f, int op, void *arg)
{
	(void)f;
	(void)op;
	(void)arg;
	return SQLITE_NOTFOUND;
}

static int rpmsql_sector(sqlite3_file *f)
{
	(void)f;
	return 4096;
}

static int rpmsql_caps(sqlite3_file *f)
{
	(void)f;
	return SQLITE_IOCAP_IMMUTABLE;
}

static const sqlite3_io_methods rpmsql_io = {
	.iVersion = 1,
	.xClose = rpmsql_close,
	.xRead = rpmsql_read_at,
	.xWrite = rpmsql_write,
	.xTruncate = rpmsql_truncate,
	.xSync = rpmsql_sync,
	.xFileSize = rpmsql_size,
	.xLock = rpmsql_lock,
	.xUnlock = rpmsql_lock,
	.xCheckReservedLock = rpmsql_reserved,
	.xFileControl = rpmsql_fcntl,
	.xSectorSize = rpmsql_sector,
	.xDeviceCharacteristics = rpmsql_caps,
};

/* Only the main database, and only through the descriptor named in its URI. */
static int rpmsql_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
	int *out)
{
	struct rpmsql_file *rf = (struct rpmsql_file *)f;
	sqlite3_int64 fd;

	(void)vfs;
	f->pMethods = NULL;
	if (name == NULL || (flags & SQLITE_OPEN_MAIN_DB) == 0 ||
	    (flags & (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) != 0) {
		return SQLITE_CANTOPEN;
	}
	fd = sqlite3_uri_int64(name, "kscan_fd", -1);
	if (fd < 0 || fd > INT32_MAX) {
		return SQLITE_CANTOPEN;
	}
	rf->fd = fcntl((int)fd, F_DUPFD_CLOEXEC, 0);
	if (rf->fd < 0) {
		return SQLITE_CANTOPEN;
	}
	f->pMethods = &rpmsql_io;
	if (out != NULL) {
		*out = SQLITE_OPEN_READONLY;
	}
	return SQLITE_OK;
}

static int rpmsql_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs;
	(void)name;
	(void)sync;
	return SQLITE_READONLY;
}

/* Every other file (-wal, -journal, -shm) is "absent": sqlite must not look for it. */
static int rpmsql_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	(void)name;
	(void)flags;
	*out = 0;
	return SQLITE_OK;
}

static int rpmsql_fullname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	sqlite3_snprintf(n, out, "%s", name);
	return SQLITE_OK;
}

/* sqlite wants randomness for temporary names we never create: zeros do. */
static int rpmsql_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	memset(out, 0, (size_t)n);
	return n;
}

static int rpmsql_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return us;
}

static int rpmsql_now(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	/* the Julian day of the epoch: no time is ever stored */
	*out = 2440587.5;
	return SQLITE_OK;
}

static int rpmsql_lasterr(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	(void)n;
	(void)out;
	return 0;
}

static sqlite3_vfs rpmsql_vfs = {
	.iVersion = 1,
	.szOsFile = (int)sizeof(struct rpmsql_file),
	.mxPathname = 512,
	.zName = RPMSQL_VFS,
	.xOpen = rpmsql_open,
	.xDelete = rpmsql_delete,
	.xAccess = rpmsql_access,
	.xFullPathname = rpmsql_fullname,
	.xRandomness = rpmsql_random,
	.xSleep = rpmsql_sleep,
	.xCurrentTime = rpmsql_now,
	.xGetLastError = rpmsql_lasterr,
};

/* Registers the VFS once; not the default, so nothing else in the process uses it. */
static int rpmsql_vfs_init(struct kerr *err)
{
	if (sqlite3_vfs_find(RPMSQL_VFS) != NULL) {
		return 0;
	}
	if (sqlite3_vfs_register(&rpmsql_vfs, 0) != SQLITE_OK) {
		return kerr_set(err, KERR_INTERNAL, "sqlite: cannot register the read-only VFS");
	}
	return 0;
}

/* A -wal or -journal with content: a transaction the file alone does not show. */
static int rpmsql_busy(int dirfd, struct kerr *err)
{
	static const char *const side[] = { RPMSQL_FILE "-wal", RPMSQL_FILE "-journal" };
	struct stat st;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(side); i++) {
		if (fstatat(dirfd, side[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno == ENOENT) {
				continue;
			}
			return kerr_sys(err, KERR_IO, errno, "%s", side[i]);
		}
		if (!S_ISREG(st.st_mode)) {
			return kerr_set(err, KERR_CORRUPT, "%s is %s, not a regular file: refused",
				side[i], S_ISLNK(st.st_mode) ? "a symlink" : "special");
		}
		if (st.st_size > 0) {
			return kerr_set(err, KERR_IO,
				"%s holds %jd bytes: a transaction in progress or cut short "
				"(rpm running, or killed); the database alone is not the installed "
				"state",
				side[i], (intmax_t)st.st_size);
		}
	}
	return 0;
}

/* Steps through the Packages table. @return the count or -1 with @err set. */
static long rpmsql_rows(sqlite3 *db, rpmhdr_blob_fn fn, void *ctx, struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	long count = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &st, NULL) != SQLITE_OK) {
		return kerr_set(err, KERR_CORRUPT, "sqlite: %s", sqlite3_errmsg(db));
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(st, 0);
		const void *blob = sqlite3_column_blob(st, 1);
		int n = sqlite3_column_bytes(st, 1);

		if (sqlite3_column_type(st, 1) != SQLITE_BLOB || id <= 0 || id > UINT32_MAX ||
		    blob == NULL) {
			kerr_set(err, KERR_CORRUPT, "sqlite: row %lld is not a header",
				(long long)id);
			goto finalize;
		}
		if (count >= (long)KS_RPMDB_PACKAGES_MAX) {
			kerr_set(err, KERR_LIMIT, "over %u packages", KS_RPMDB_PACKAGES_MAX);
			goto finalize;
		}
		if (fn(ctx, (unsigned)id, blob, (size_t)n, err) != 0) {
			goto finalize;
		}
		count++;
	}
	if (rc != SQLITE_DONE) {
		kerr_set(err, KERR_CORRUPT, "sqlite: %s", sqlite3_errmsg(db));
		goto finalize;
	}
	(void)sqlite3_finalize(st);
	return count;
finalize:
	(void)sqlite3_finalize(st);
	return -1;
}

/* Reads the database open at @fd. */
static long rpmsql_read_fd(int fd, rpmhdr_blob_fn fn, void *ctx, struct kerr *err)
{
	char uri[64];
	sqlite3 *db = NULL;
	long count = -1;

	if (rpmsql_vfs_init(err) != 0) {
		return -1;
	}
	(void)snprintf(uri, sizeof(uri), "file:" RPMSQL_FILE "?immutable=1&kscan_fd=%d", fd);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, RPMSQL_VFS) !=
	    SQLITE_OK) {
		kerr_set(err, db == NULL ? KERR_NOMEM : KERR_CORRUPT, "sqlite: %s",
			db == NULL ? "out of memory" : sqlite3_errmsg(db));
		goto close_db;
	}
	/* a sort or index build must not spill to a temporary file we would refuse */
	if (sqlite3_exec(db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL) != SQLITE_OK) {
		kerr_set(err, KERR_CORRUPT, "sqlite: %s", sqlite3_errmsg(db));
		goto close_db;
	}
	count = rpmsql_rows(db, fn, ctx, err);
close_db:
	(void)sqlite3_close(db);
	return count;
}

long rpmsql_read(int dirfd, int fd, rpmhdr_blob_fn fn, void *ctx, struct kerr *err)
{
	if (rpmsql_busy(dirfd, err) != 0) {
		return -1;
	}
	return rpmsql_read_fd(fd, fn, ctx, err);
}

long rpmsql_read_mem(const void *p, size_t n, rpmhdr_blob_fn fn, void *ctx,
	struct kerr *err)
{
	long count = -1;
	int fd;

	fd = memfd_create("rpmdb.sqlite", MFD_CLOEXEC);
	if (fd < 0) {
		return kerr_sys(err, KERR_IO, errno, "memfd_create");
	}
	if (xstd_write_all(fd, p, n) != 0) {
		kerr_sys(err, KERR_IO, errno, "memfd write");
	} else {
		count = rpmsql_read_fd(fd, fn, ctx, err);
	}
	xstd_close_quietly(fd);
	return count;
}
