/** The rpm database, read natively and read-only, inside the scanned root. */
#ifndef KSCAN_RPMDB_H
#define KSCAN_RPMDB_H

#include <stddef.h>

#include "base/kerr.h"
#include "scanner/sources/pkg.h"
#include "scanner/sources/rootfs.h"

/** What rpmdb_read() looked at, for the report's coverage. */
struct rpmdb_counts {
	/**
	 * The database directory inside the root ("/var/lib/rpm"), or "" if none; when two
	 * distinct databases exist, both, ':'-separated, in reading order.
	 */
	char location[64];
	/** The backend files found there: "sqlite", "ndb" or "bdb" (':'-separated likewise). */
	char backend[16];
	/** Package headers read. */
	size_t packages;
};

/**
 * Finds the rpm database under @r (its %_dbpath, usr/lib/sysimage/rpm, var/lib/rpm) and appends
 * one record per installed header to @out. Opens read-only: never creates, locks, rebuilds
 * or writes anything in the root.
 * @return 1 if read, 0 if the root has no rpm database, -1 with @err set on failure
 *         (a corrupt or truncated database, or one in the middle of a transaction).
 *         On -1, records read before the failure stay in @out.
 */
int rpmdb_read(const struct rootfs *r, struct pkg_list *out, struct rpmdb_counts *counts,
	struct kerr *err);

#endif
