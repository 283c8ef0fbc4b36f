/** The deep sweep (kscan scan --deep): every file of the root against files and hashes. */
#ifndef KSCAN_DEEP_H
#define KSCAN_DEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "base/kerr.h"
#include "scanner/sources/rootfs.h"
#include "signatures/sig.h"

/*
 * Ties the walker (walk.h), the mount table (mounts.h), the index (hashidx.h) and the
 * hasher (hash.h) to the report: evidence of kind "file" (a name glob matched) and "hash"
 * (sha256 and size matched), and the source "fs" with its coverage (report/fscov.h).
 *
 * The source fails (verdict incomplete) when the sweep could not look somewhere it should
 * have: a read error, a file of a signature's size over --max-file-size, or the time
 * budget running out. Files that vanish or change while the sweep runs are counted, not
 * errors: a live host changes.
 */

/** How to sweep. Zero values mean the defaults. */
struct deep_opts {
	/** Trees to sweep, inside the root (none: "/"). */
	const char *const *paths;
	size_t npaths;
	/** Paths not to enter (directories) or look at (files), inside the root. */
	const char *const *excludes;
	size_t nexcludes;
	/** Worker threads (0: online CPUs, at most KS_WALK_JOBS_MAX). */
	unsigned jobs;
	/** Enter network filesystems too. */
	bool include_remote;
	/** Stay on the mount of each swept tree's top. */
	bool one_file_system;
	/** Files larger than this are not hashed (0: KS_DEEP_FILE_SIZE_DEFAULT). */
	uint64_t max_file_size;
	/** Stop after this many seconds (0: no limit); the verdict is then incomplete. */
	unsigned max_duration_s;
	/** Recorded in the report: the caller lowered the priority (deep_lower_priority()). */
	bool low_priority;
	/** The mount table to read (NULL: /proc/self/mountinfo); tests give their own. */
	const char *mountinfo;
	/** Directory fds the walker keeps (0: default); tests lower it. */
	unsigned max_fds;
};

/**
 * Sweeps @r as @o says and adds what matches @s to @rep, with the source "fs".
 * @return 0 when the source is recorded (ok or failed: the report says), or -1 with @err
 *         set when no report can be made (KERR_NOMEM; KERR_USAGE for a --path or --exclude
 *         that is not an absolute path inside the root).
 */
int deep_scan(const struct rootfs *r, const struct sig_set *s, const struct deep_opts *o,
	struct report *rep, struct kerr *err);

/**
 * Lowers this process's CPU priority to nice 10 (unless it is lower already) and its I/O
 * priority to the idle class, for the threads it starts afterwards. Cron etiquette: a
 * nightly sweep must not slow the host's real work.
 * @return 0, or -1 with @err set (the sweep can still run; say so in the report).
 */
int deep_lower_priority(struct kerr *err);

/** The number of worker threads @jobs stands for (0: online CPUs), within the caps. */
unsigned deep_jobs(unsigned jobs);

#endif
