/** One scan: open the root, run every source, match, and build the report. */
#ifndef KSCAN_SCAN_H
#define KSCAN_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "report/report.h"
#include "scanner/deep/deep.h"
#include "base/kerr.h"
#include "scanner/sandbox.h"
#include "scanner/sources/pkg.h"
#include "signatures/sig.h"

/** What to scan. */
struct scan_opts {
	/** The root to scan; NULL means the live host "/". */
	const char *root;
	/**
	 * Enters the caller's sandbox (sandbox_restrict()), filling @st. Called once, after
	 * the probes that must look into other processes and before anything of the root is
	 * read. NULL: no sandbox.
	 */
	int (*confine)(void *ctx, struct sandbox_status *st, struct kerr *err);
	void *confine_ctx;
	/** Also sweep the whole filesystem (scan.mode "deep") as this says; NULL: quick only. */
	const struct deep_opts *deep;
	/** Keep the normal CPU and I/O priority for the sweep (--no-low-priority). */
	bool no_low_priority;
	/**
	 * Packs older than this many days (by their `date:`), undated or expired are stale
	 * and make a report without findings incomplete (--max-signature-age); 0: no limit.
	 */
	uint32_t max_age_days;
};

/**
 * Runs the quick audit of @o->root against @sigs (finished: sig_set_finish() done):
 * package databases (dpkg, rpm) and signature paths, then the matcher; with @o->deep, the
 * deep sweep of the whole filesystem after them (at low priority unless told otherwise).
 * A source that fails is recorded in the report (verdict incomplete), not returned as an
 * error: the report is the answer. Only what prevents any report fails the call.
 * @return the finished report (report_free() it), or NULL with @err set.
 */
struct report *scan_run(const struct scan_opts *o, const struct sig_set *sigs, struct kerr *err);

/**
 * Reads every package database of @root (NULL: "/") into @out, sorted.
 * @return 0 if every database present was read, or -1 with @err naming the first failure
 *         (what could be read is still in @out).
 */
int scan_packages(const char *root, struct pkg_list *out, struct kerr *err);

#endif
