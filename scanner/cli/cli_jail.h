/**
 * Where a scan may still write once it has confined itself (scanner/sandbox.h): its
 * private temporary directory, the --output file's directory, the spool.
 */
#ifndef KSCAN_CLI_JAIL_H
#define KSCAN_CLI_JAIL_H

#include <limits.h>

#include "base/kerr.h"
#include "scanner/sandbox.h"

/*
 * The rpm source copies databases to the temporary directory (TMPDIR points at it); the
 * spool of undelivered reports is there when the run delivers.
 */
struct cli_jail {
	char tmp[PATH_MAX];
	char tmp_parent[PATH_MAX];
	char outdir[PATH_MAX];
	char spooldir[PATH_MAX];
};

/**
 * Prepares the writable places, before anything hostile is read (nothing is restricted
 * yet): makes the private temporary directory and points TMPDIR at it. @output is the
 * report file (NULL or "-": stdout); @spool the spool directory of a delivering run (it
 * exists by now), or NULL. Problems are printed. @return 0, or -1.
 */
int cli_jail_prepare(struct cli_jail *j, const char *output, const char *spool);

/** The scan's confine hook (struct scan_opts): from here on only the jail is writable. */
int cli_jail_enter(void *ctx, struct sandbox_status *st, struct kerr *err);

#endif
