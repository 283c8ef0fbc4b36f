/** The rpm database, read through librpm, read-only, inside the scanned root. */
#ifndef KSCAN_RPMDB_H
#define KSCAN_RPMDB_H

#include <stdbool.h>
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

/** True if this build reads rpm databases (built with librpm). */
bool rpmdb_available(void);

/**
 * Finds the rpm database under @r (usr/lib/sysimage/rpm, then var/lib/rpm) and appends
 * one record per installed header to @out. Opens read-only: never creates, locks, rebuilds
 * or writes anything in the root.
 * @return 1 if read, 0 if the root has no rpm database, -1 with @err set on failure
 *         (a corrupt database, or a database found in a build without librpm).
 *         On -1, records read before the failure stay in @out.
 */
int rpmdb_read(const struct rootfs *r, struct pkg_list *out, struct rpmdb_counts *counts,
	struct kerr *err);

#endif
