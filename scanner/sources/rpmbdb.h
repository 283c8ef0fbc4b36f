/** The Berkeley DB hash rpm database ("Packages", rpm < 4.16), read natively. */
#ifndef KSCAN_RPMBDB_H
#define KSCAN_RPMBDB_H

#include "base/kerr.h"
#include "scanner/sources/rpmfile.h"
#include "scanner/sources/rpmhdr.h"

/**
 * Walks every bucket page of the hash database @f and calls @fn for each header stored
 * there (inline or in a chain of overflow pages). Either byte order.
 * @return the count of headers, or -1 with @err set (KERR_CORRUPT, KERR_LIMIT).
 */
long rpmbdb_read(const struct rpmfile *f, rpmhdr_blob_fn fn, void *ctx, struct kerr *err);

#endif
