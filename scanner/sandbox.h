/** Least privilege for the scan: no new privileges, and a read-only filesystem (Landlock). */
#ifndef KSCAN_SANDBOX_H
#define KSCAN_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "base/kerr.h"

/*
 * kscan reads files any local user can write, as root. Once its configuration, keys and
 * signatures are loaded it needs to write in only a few places (the spool, the --output
 * file's directory, its private temporary directory), so it gives up the right to write
 * anywhere else before it reads anything hostile: a bug in a parser can then no longer be
 * turned into a write to /etc. Reading stays open, since reading everything is the job.
 */

/** What the restriction achieved, for the report. */
struct sandbox_status {
	/** PR_SET_NO_NEW_PRIVS is set: no setuid program run later gains privileges. */
	bool no_new_privs;
	/** The Landlock ABI version enforced, or 0 if Landlock was not available. */
	int landlock_abi;
	/** Why Landlock was not enforced, or "" when it was. */
	char why[128];
};

/**
 * Sets no-new-privs and, where the kernel supports Landlock, makes the whole filesystem
 * read-only for this process and its children except below the @n directories @writable
 * (which must exist). In @rmdir_in (may be NULL) empty directories may still be removed,
 * and nothing else: that is how a private temporary directory is cleaned up at the end.
 * A kernel without Landlock is not an error: @st says so.
 * @return 0, or -1 with @err set if a writable directory cannot be opened or the kernel
 *         refuses a ruleset it claims to support.
 */
int sandbox_restrict(const char *const *writable, size_t n, const char *rmdir_in,
	struct sandbox_status *st, struct kerr *err);

/**
 * Makes file descriptors 0, 1 and 2 valid (opening /dev/null for any that is closed), so a
 * file kscan opens can never become its standard output by accident.
 * @return 0, or -1 with errno.
 */
int sandbox_std_fds(void);

#endif
