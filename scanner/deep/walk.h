/** The deep sweep's walker: every directory of some trees, in parallel, fd-relative. */
#ifndef KSCAN_WALK_H
#define KSCAN_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "scanner/sources/rootfs.h"

/*
 * How it stays fast and safe (bfs is the model, shared/style/anchors-style.md section 1):
 * - Directories are opened with openat() relative to their parent's fd and read with
 *   getdents64() into a 64 KiB buffer; paths are built for the report, never for a syscall,
 *   so trees deeper than PATH_MAX are walked like any other.
 * - d_type decides; the walker stats only entries whose type the filesystem did not give.
 *   What a file needs beyond that (its size...) is the callback's business.
 * - Nothing is followed: directories are opened O_NOFOLLOW|O_DIRECTORY, so a symlink is an
 *   entry like a file, and a directory swapped for a link during the walk is not entered.
 *   A directory whose (st_dev, st_ino) is one of its ancestors' (a bind-mount loop) is not
 *   entered either.
 * - Worker threads share one LIFO stack of directories still to read (depth first keeps the
 *   stack and the open fds small); callbacks run on the workers, concurrently, and get the
 *   worker's number to index per-thread state. The order of callbacks is not defined:
 *   callers sort what they keep.
 * - At most KS_WALK_FDS_MAX directory fds are open; a directory whose fd was closed to stay
 *   under it is reopened from its nearest open ancestor, and checked to be the same one.
 * - Memory holds the directories not yet read and their ancestors, never the files.
 */

/** An entry the walker does not enter: a file, symlink, FIFO, socket or device. */
struct walk_entry {
	/** The directory holding it (valid during the callback only). */
	int dirfd;
	/** That directory's path inside the root ("/", "/usr/bin"). */
	const char *dir;
	size_t dirlen;
	/** The entry's name (any bytes but '/' and NUL). */
	const char *name;
	size_t namelen;
	/** DT_REG, DT_LNK, DT_FIFO, DT_SOCK, DT_CHR or DT_BLK (never DT_UNKNOWN). */
	unsigned char type;
};

/** What a hook says about a directory. */
enum walk_verdict {
	WALK_ENTER = 0,
	WALK_SKIP = 1,
};

/** What the walker did, summed over its workers. */
struct walk_stats {
	/** Directories read. */
	uint64_t dirs;
	/** Entries by type. */
	uint64_t files;
	uint64_t symlinks;
	/** FIFOs, sockets and devices: listed, never opened. */
	uint64_t special;
	/** Directories not entered because a hook said so (excluded paths, mounts). */
	uint64_t skipped;
	/** Directories on another mount, not entered under one_file_system. */
	uint64_t other_fs;
	/** Directories that are their own ancestor (bind-mount loops). */
	uint64_t loops;
	/** Entries gone, or no longer what the directory said, by the time they were opened. */
	uint64_t vanished;
	uint64_t changed;
	/** Errors passed to the error callback. */
	uint64_t errors;
	/** Directory fds closed to stay under the fd budget, and reopened later. */
	uint64_t evictions;
	uint64_t reopens;
};

/** Callbacks; every one may run on several workers at once. */
struct walk_ops {
	/** Every non-directory entry. @return 0, or -1 to stop the walk (with errno). */
	int (*entry)(void *ctx, unsigned worker, const struct walk_entry *e);
	/**
	 * A directory about to be opened (NULL: enter all). @path is its path inside the root.
	 * @return a walk_verdict, or -1 to stop the walk.
	 */
	int (*enter)(void *ctx, unsigned worker, const char *path, size_t len);
	/**
	 * A directory just opened that is on another mount than its parent (NULL: enter).
	 * @fd is the open directory (fstatfs() it to tell its filesystem).
	 * @return a walk_verdict, or -1 to stop the walk.
	 */
	int (*mount)(void *ctx, unsigned worker, const char *path, size_t len, int fd);
	/**
	 * A failure at @path (a directory, or an entry) with @err (an errno value). The walk
	 * goes on. ENAMETOOLONG means the path outgrew KS_WALK_PATH_MAX.
	 */
	void (*error)(void *ctx, unsigned worker, const char *path, size_t len, int err);
	void *ctx;
};

/** What to walk and how. */
struct walk_args {
	const struct rootfs *root;
	/** Start directories inside the root ("/", "/home"); each is walked whole. */
	const char *const *paths;
	size_t npaths;
	/** Worker threads, 1 to KS_WALK_JOBS_MAX (0: one). */
	unsigned jobs;
	/** Do not enter directories on another mount than their start directory. */
	bool one_file_system;
	/** Stop when xstd_mono_ms() passes this (0: no limit). */
	int64_t deadline_ms;
	/** Directory fds to keep open (0: KS_WALK_FDS_MAX); tests lower it. */
	unsigned max_fds;
	struct walk_ops ops;
};

/**
 * Walks every start directory of @a. A start directory that cannot be opened is reported
 * through the error callback like any other.
 * @return 0 when everything was walked, 1 when the deadline stopped it early, or -1 with
 *         errno when a callback asked to stop or memory ran out (@st is filled in all cases).
 */
int walk_run(const struct walk_args *a, struct walk_stats *st);

/** Builds "@dir/@name" into @out (size @n); "/" + "x" gives "/x". @return the length, or
 *  -1 with ENAMETOOLONG when it does not fit. */
ssize_t walk_join(char *out, size_t n, const char *dir, size_t dirlen, const char *name,
	size_t namelen);

#endif
