/** Which rpm database a root uses: its macros (%_dbpath, %_db_backend) and its files. */
#ifndef KSCAN_RPMCFG_H
#define KSCAN_RPMCFG_H

#include <stddef.h>

#include "scanner/sources/rootfs.h"

/** The rpm database backends, in rpm's detection order. */
enum rpmcfg_backend {
	RPMCFG_NONE = 0,
	RPMCFG_SQLITE = 1,
	RPMCFG_NDB = 2,
	RPMCFG_BDB = 3,
};

/** What the root's macros files say; "" where none says anything we can use. */
struct rpmcfg {
	/** %_dbpath, absolute and expanded ("/var/lib/rpm"). */
	char dbpath[128];
	/** %_db_backend ("sqlite", "ndb", "bdb", "bdb_ro"). */
	char backend[16];
};

/**
 * Reads the macros files of root @r in rpm's order (usr/lib/rpm/macros, macros.d/macros.*,
 * etc/rpm/macros.*, etc/rpm/macros), the last definition winning. Files that are absent or
 * unreadable are skipped: the database files still decide (rpmcfg_pick).
 */
void rpmcfg_read(const struct rootfs *r, struct rpmcfg *cfg);

/** The same over one macros file's text (tests, fuzzing): updates @cfg. */
void rpmcfg_parse(const char *text, size_t n, struct rpmcfg *cfg);

/**
 * The backend of the database directory @dirfd, as rpm picks it: the configured one if its
 * file is there, else the first whose file is (sqlite, ndb, bdb). RPMCFG_NONE if none is.
 */
enum rpmcfg_backend rpmcfg_pick(const struct rpmcfg *cfg, int dirfd);

/** "sqlite", "ndb" or "bdb". */
const char *rpmcfg_name(enum rpmcfg_backend b);

/** The file that holds the headers: "rpmdb.sqlite", "Packages.db" or "Packages". */
const char *rpmcfg_file(enum rpmcfg_backend b);

#endif
