/** The Berkeley DB hash rpm database ("Packages", rpm < 4.16), read natively. */
#ifndef KSCAN_RPMBDB_H
#define KSCAN_RPMBDB_H

#include "base/kerr.h"
#include "scanner/sources/rpmfile.h"
#include "scanner/sources/rpmhdr.h"

/**
 * Walks every bucket page of the hash database @f and calls @fn for each header stored
 * there (inline or in a chain of overflow pages), skipping key 0 (rpm's instance counter).
 * Either byte order. Freed pages are never read.
 * @return the count of headers, or -1 with @err set: KERR_CORRUPT naming the page and
 *         what was wrong with it (a truncated file, a chain that loops, an item outside
 *         its page...), KERR_LIMIT past a cap in limits.h, KERR_UNSUPPORTED for an
 *         encrypted or partitioned database, KERR_IO, KERR_NOMEM, or @fn's error.
 */
long rpmbdb_read(const struct rpmfile *f, rpmhdr_blob_fn fn, void *ctx, struct kerr *err);

#endif
