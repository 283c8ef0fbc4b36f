/** Services: systemd unit files and SysV init scripts of the scanned root, and boot state. */
#ifndef KSCAN_SERVICES_H
#define KSCAN_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/kerr.h"
#include "scanner/sources/rootfs.h"

/*
 * What starts at boot is decided by files, so it is read from the root (with --root too)
 * without asking systemd: unit files in etc/systemd/system, run/systemd/system,
 * usr/lib/systemd/system and lib/systemd/system, enabled by a symlink in one of their
 * *.wants/ or *.requires/ directories; SysV scripts in etc/init.d, enabled by an S link in
 * etc/rc2.d to etc/rc5.d or etc/rcS.d. A unit linked to /dev/null is masked: it cannot
 * start, whatever links say. Unit files are not parsed: names are what signatures match.
 */

/** One unit file, init script, or enabling link without either. */
struct services_unit {
	/** The unit's file name ("kesl.service", "x@.service") or the script's ("kesl"). */
	const char *name;
	/** Where it is, inside the root. */
	const char *path;
	/** A SysV init script (or rc link), not a systemd unit. */
	bool sysv;
	/** The link text if path is a symlink, else NULL. */
	const char *target;
	/** A systemd unit masked by a link to /dev/null (this file or another of its name). */
	bool masked;
	/** Only an enabling link was found (path is the link): a left-over. */
	bool orphan;
	/** Starts at boot: an enabling link names it and it is not masked. */
	bool enabled;
	/** The first enabling link found, or NULL. */
	const char *enabled_by;
};

/** What to report and where to hand it. */
struct services_sink {
	/** Is @name (a unit file name, or a script name if @sysv) one to report? */
	bool (*want)(void *ctx, const char *name, bool sysv);
	/** Called for every unit wanted; a non-zero return stops the scan with that value. */
	int (*unit)(void *ctx, const struct services_unit *u);
	void *ctx;
};

/** What was read, for the report's coverage. */
struct services_counts {
	/** Unit, init.d and rc?.d directories read. */
	size_t dirs;
	/** Entries of unit directories and init.d looked at. */
	size_t entries;
	/** Links in *.wants, *.requires and rc?.d directories looked at. */
	size_t links;
	/** Units, scripts and orphan links reported. */
	size_t found;
	/** Directories that could not be read; the first is described in the caller's kerr. */
	size_t errors;
};

/**
 * If @inst is an instance of a template unit ("getty@tty1.service"), writes the template's
 * name ("getty@.service") to @out (@n bytes). @return true if it is one.
 */
bool services_template(const char *inst, char *out, size_t n);

/**
 * Reads the unit directories, init.d and the rc?.d links of @r and hands every unit
 * @sink wants to @sink->unit, with its boot state.
 * @return 1 if any of those directories exists, 0 if none does, -1 on a fatal error (out
 *         of memory, or the sink's non-zero return) with @err set.
 */
int services_scan(const struct rootfs *r, const struct services_sink *sink,
	struct services_counts *c, struct kerr *err);

#endif
