/** The deep sweep (kscan scan --deep): every file of the root against files and hashes. */
#ifndef KSCAN_DEEP_H
#define KSCAN_DEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "base/kerr.h"
#include "scanner/deep/hashidx.h"
#include "scanner/deep/kit.h"
#include "scanner/sources/rootfs.h"
#include "signatures/sig.h"

/*
 * Ties the walker (walk.h), the mount table (mounts.h), the index (hashidx.h) and the
 * hasher (hash.h) together: each file whose name or content the index knows goes to a
 * sink as a struct deep_file (the matcher, scanner/match/deepmatch.h, turns it into
 * evidence of kind "file" and "hash"); the sweep records the source "fs" with its
 * coverage (report/fscov.h).
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

/** A member of a tarball or zip kit whose name the index knows. */
struct deep_member {
	/** The member's path inside the archive (owned by the sweep). */
	char *name;
	struct hashidx_hit hit;
};

/**
 * A file of the sweep that the index knows by name or by content, or that is a package
 * archive or kit by its magic (scanner/deep/kit.h): the evidence.
 */
struct deep_file {
	/** Inside the root. */
	const char *path;
	uint64_t size;
	int64_t mtime_ms;
	/** The `files` entries whose name or glob matched the file's name. */
	const struct hashidx_hit *names;
	size_t nnames;
	/** The content's digest (32 bytes) and its hex, or NULL when it was not hashed. */
	const unsigned char *sha256;
	const char *sha256_hex;
	/** The hash entries with the file's size and digest. */
	const struct hashidx_hit *digests;
	size_t ndigests;
	/** A package archive or kit recognised by content, or NULL. */
	const struct kit_meta *kit;
	/** The kit's members whose names the index knows (tarballs and zips). */
	const struct deep_member *members;
	size_t nmembers;
};

/** Where the sweep hands each file it found. */
struct deep_sink {
	/**
	 * Called from the worker threads, one call at a time (the sweep holds a lock).
	 * @return the evidence items made of @f (counted as "matched"), or -1 to stop the
	 *         sweep (the sink's own error set).
	 */
	long (*file)(void *ctx, const struct deep_file *f);
	void *ctx;
};

/**
 * Sweeps @r as @o says, hands what the index of @s knows to @sink, and adds the source
 * "fs" to @rep.
 * @return 0 when the source is recorded (ok or failed: the report says), or -1 with @err
 *         set when no report can be made (KERR_NOMEM; KERR_USAGE for a --path or --exclude
 *         that is not an absolute path inside the root).
 */
int deep_scan(const struct rootfs *r, const struct sig_set *s, const struct deep_opts *o,
	const struct deep_sink *sink, struct report *rep, struct kerr *err);

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
