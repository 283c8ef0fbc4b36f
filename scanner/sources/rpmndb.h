/** The ndb rpm database ("Packages.db", SUSE; rpm >= 4.15), read natively. */
#ifndef KSCAN_RPMNDB_H
#define KSCAN_RPMNDB_H

#include "base/kerr.h"
#include "scanner/sources/rpmfile.h"
#include "scanner/sources/rpmhdr.h"

/**
 * Walks the slot table of the ndb Packages.db @f and calls @fn for each header blob, in
 * block order, with its pkgidx as id. Index.db is not needed: the slots list every package.
 * Any bad slot or blob (magic, pkgidx, length, Adler-32, bounds) fails the whole read.
 * @return the count of headers, or -1 with @err set (KERR_CORRUPT naming the slot and file
 *         offset, KERR_LIMIT, KERR_NOMEM, KERR_IO, or @fn's error).
 */
long rpmndb_read(const struct rpmfile *f, rpmhdr_blob_fn fn, void *ctx, struct kerr *err);

#endif
