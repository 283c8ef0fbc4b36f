/** The dpkg database: status, the pending updates journal, and distroless status.d. */
#ifndef KSCAN_DPKG_H
#define KSCAN_DPKG_H

#include <stddef.h>

#include "base/kerr.h"
#include "scanner/sources/pkg.h"
#include "scanner/sources/rootfs.h"

/** What dpkg_read() looked at, for the report's coverage. */
struct dpkg_counts {
	/** Stanzas read from var/lib/dpkg/status. */
	size_t status_records;
	/** Journal files var/lib/dpkg/updates/NNNN applied on top. */
	size_t updates_files;
	/** Files read from var/lib/dpkg/status.d/ (distroless images). */
	size_t statusd_files;
	/** Packages listed (every state but not-installed). */
	size_t packages;
};

/**
 * Reads the dpkg database of @r the way dpkg itself loads it: status, then every
 * updates/NNNN journal entry in numeric order replacing the record of the same package,
 * plus status.d/ files. Packages in state not-installed are left out (as dpkg-query -W does).
 * Appends to @out.
 * @return 1 if a database was read, 0 if @r has none (absent), -1 with @err set if it
 *         exists but cannot be read or is malformed (the report must then say "failed").
 */
int dpkg_read(const struct rootfs *r, struct pkg_list *out, struct dpkg_counts *counts,
	struct kerr *err);

/**
 * Parses control-file stanzas from memory (status or one journal file) and appends one
 * record per stanza to @out, in file order, keeping not-installed records too.
 * @label names the input in error messages ("/var/lib/dpkg/status").
 * @return the number of stanzas, or -1 with @err set (KERR_CORRUPT, with the line number).
 */
long dpkg_parse_mem(const char *data, size_t len, const char *label, struct pkg_list *out,
	struct kerr *err);

#endif
