/** The matcher: turns what the sources saw into findings, one per signature. */
#ifndef KSCAN_MATCH_H
#define KSCAN_MATCH_H

#include <stdbool.h>

#include "report/report.h"
#include "base/kerr.h"
#include "scanner/sources/paths.h"
#include "scanner/sources/pkg.h"
#include "scanner/sources/rootfs.h"
#include "signatures/sig.h"

/*
 * Every matcher has one shape: it takes the scan's match_ctx and the evidence one source
 * gathered (packages, a path hit, the probes, a file of the deep sweep), compares it with
 * the signatures and adds findings to the report through match_add(). The sources know
 * nothing of signatures' findings or of the report.
 */

/** What every matcher works with. */
struct match_ctx {
	const struct sig_set *sigs;
	/** The root scanned (the probes read more of it). */
	const struct rootfs *root;
	/** Where findings go. */
	struct report *rep;
	/** Set when a matcher fails (out of memory, an evidence cap). */
	struct kerr *err;
};

/** True if the package name @name matches the signature entry @p (exact or fnmatch glob). */
bool match_package_name(const struct sig_package *p, const char *name);

/**
 * Adds @ev to the finding of @sig (made if new): the one way evidence enters the report.
 * @return 0, or -1 with @m->err set (KERR_NOMEM, or KERR_LIMIT for a cap).
 */
int match_add(const struct match_ctx *m, const struct sig *sig, const struct report_evidence *ev);

/**
 * Starts @ev (zeroed) as evidence of @kind for a signature entry of @role and @conf whose
 * text (path, glob, name) is @pattern: the fields every entry-based evidence shares.
 */
void match_ev_entry(struct report_evidence *ev, enum report_ev_kind kind, enum sig_role role,
	enum sig_confidence conf, const char *pattern);

/**
 * Adds package evidence for every package of @pkgs that a signature names.
 * Records in state not-installed prove nothing and are skipped.
 * @return the number of evidence items added, or -1 with @m->err set (KERR_NOMEM).
 */
long match_packages(const struct match_ctx *m, const struct pkg_list *pkgs);

/** Adds path evidence for @hit (the path @sp of @sig, found by the paths source). */
int match_path(const struct match_ctx *m, const struct sig *sig, const struct sig_path *sp,
	const struct paths_hit *hit);

/** The report's confidence for a signature entry's (a loaded signature has no unset one). */
enum report_confidence match_confidence(enum sig_confidence c);

/**
 * Applies the fallback rule: evidence of a fallback signature is removed where a
 * non-fallback signature has evidence at the same path, below it or above it (or on the
 * same crontab line), so a catch-all reports only what nothing else claimed. What is left
 * under Kaspersky's shared roots goes to the family whose `components` name it. Then the
 * evidence of `shared` signatures joins every other finding of their vendor, or, alone,
 * stays a finding marked shared_only. Call it after every source and before
 * report_finish(). @return 0, or -1 with @m->err set (KERR_NOMEM, KERR_LIMIT).
 */
int match_fallback(const struct match_ctx *m);

/** The state a role proves when its path exists. */
enum report_state match_role_state(enum sig_role role);

#endif
