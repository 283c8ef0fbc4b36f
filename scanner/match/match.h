/** The matcher: turns what the sources saw into findings, one per signature. */
#ifndef KSCAN_MATCH_H
#define KSCAN_MATCH_H

#include <stdbool.h>

#include "report/report.h"
#include "base/kerr.h"
#include "scanner/sources/paths.h"
#include "scanner/sources/pkg.h"
#include "signatures/sig.h"

/** True if the package name @name matches the signature entry @p (exact or fnmatch glob). */
bool match_package_name(const struct sig_package *p, const char *name);

/**
 * Adds package evidence to @rep for every package of @pkgs that a signature of @s names.
 * Records in state not-installed prove nothing and are skipped.
 * @return the number of evidence items added, or -1 with @err set (KERR_NOMEM).
 */
long match_packages(const struct sig_set *s, const struct pkg_list *pkgs, struct report *rep,
	struct kerr *err);

/** Adds path evidence for @hit (a path of @sig found by the paths source) to @rep. */
int match_path_hit(struct report *rep, const struct sig *sig, const struct sig_path *sp,
	const struct paths_hit *hit, struct kerr *err);

/** The report's confidence for a signature entry's (a loaded signature has no unset one). */
enum report_confidence match_confidence(enum sig_confidence c);

/**
 * Applies the fallback rule: evidence of a fallback signature is removed where a
 * non-fallback signature has evidence at the same path, below it or above it (or on the
 * same crontab line), so a catch-all reports only what nothing else claimed. Call it
 * after every source and before report_finish().
 */
void match_fallback(const struct sig_set *s, struct report *rep);

/** The state a role proves when its path exists. */
enum report_state match_role_state(enum sig_role role);

#endif
