/** The sqlite rpm database (rpmdb.sqlite, rpm >= 4.16), read-only through libsqlite3. */
#ifndef KSCAN_RPMSQL_H
#define KSCAN_RPMSQL_H

#include "base/kerr.h"
#include "scanner/sources/rpmhdr.h"

/** The file that holds the database, in its directory. */
#define RPMSQL_FILE "rpmdb.sqlite"

/**
 * Reads the Packages table of the open database @fd (kept open by the caller; never
 * reopened by name) and calls @fn for each header, in header-number order. @dirfd is the
 * database's directory, looked in for a -wal or -journal of a transaction in progress.
 * @return the count of headers, or -1 with @err set (a busy database is KERR_IO).
 */
long rpmsql_read(int dirfd, int fd, rpmhdr_blob_fn fn, void *ctx, struct kerr *err);

/** The same on @n bytes in memory (the fuzz target): no directory, no fd. */
long rpmsql_read_mem(const void *p, size_t n, rpmhdr_blob_fn fn, void *ctx,
	struct kerr *err);

#endif
