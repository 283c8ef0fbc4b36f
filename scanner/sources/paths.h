/** The paths source: each signature path looked up inside the root, globs expanded. */
#ifndef KSCAN_PATHS_H
#define KSCAN_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"
#include "scanner/sources/rootfs.h"
#include "signatures/sig.h"

/** One path that exists. Strings are valid only during the callback. */
struct paths_hit {
	/** The path inside the root ("/opt/kaspersky/kesl"), globs expanded. */
	const char *path;
	/** "file", "dir", "symlink" or "other". */
	const char *ftype;
	/** The link text if the path is a symlink, else NULL. Never followed. */
	const char *target;
	uint64_t size;
	int64_t mtime_ms;
};

/** What the paths source did, for the report's coverage. */
struct paths_counts {
	/** Signature path entries looked at. */
	size_t patterns;
	/** lstat() calls made (one per literal path, one per glob match). */
	size_t lookups;
	/** Paths found. */
	size_t found;
	/** Lookups that failed for another reason than "does not exist". */
	size_t errors;
	/** Glob expansions cut at KS_PATH_GLOB_MATCHES_MAX. */
	size_t truncated;
};

/** Called for every path found; a non-zero return stops the scan with that value. */
struct paths_sink {
	int (*hit)(void *ctx, const struct sig *sig, const struct sig_path *sp,
		const struct paths_hit *hit);
	void *ctx;
};

/**
 * Looks up every `paths` entry of every signature in @s inside @r: the last component
 * with lstat semantics (a symlink is reported, not followed), intermediate symlinks
 * resolved inside the root, glob components expanded by reading the directory.
 * Lookups that fail for another reason than ENOENT/ENOTDIR are counted in @c and the first
 * is described in @err; the scan goes on.
 * @return 0 if every lookup could be made, 1 if some failed (see @err), -1 on a fatal
 *         error (out of memory, or the sink's non-zero return) with @err set.
 */
int paths_scan(const struct rootfs *r, const struct sig_set *s, const struct paths_sink *sink,
	struct paths_counts *c, struct kerr *err);

/** "file", "dir", "symlink" or "other" for a st_mode. */
const char *paths_ftype(unsigned mode);

#endif
