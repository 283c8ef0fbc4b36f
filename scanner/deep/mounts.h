/** The mount table (/proc/self/mountinfo) and which filesystems a deep sweep enters. */
#ifndef KSCAN_MOUNTS_H
#define KSCAN_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"

/*
 * A sweep must know a mount point before it opens it: opening an autofs point mounts it,
 * and a stat of a dead NFS server's root hangs. So the table is read once, up front, and
 * the walker looks each directory path up in it. Fields are those of proc(5); paths are
 * unescaped (\040 is a space, \012 a newline...), so they are the bytes of the path.
 */

/** One line of mountinfo. */
struct mounts_entry {
	/** Mount ID (the same number statx() gives in stx_mnt_id) and its parent's. */
	uint64_t id;
	uint64_t parent;
	unsigned major;
	unsigned minor;
	/** The root of the mount inside its filesystem ("/" unless a bind mount). */
	char *root;
	/** Where it is mounted, relative to the process's root. */
	char *point;
	/** "ext4", "proc", "fuse.sshfs"... */
	char *fstype;
	/** The mount source ("/dev/vda1", "server:/export"), or "" when none. */
	char *source;
};

/** What kind of filesystem a type is, for the sweep's default skip rules. */
enum mounts_class {
	/** A disk or memory filesystem holding files: swept. */
	MOUNTS_LOCAL = 0,
	/** Kernel interfaces (proc, sysfs, cgroup...): never swept, nothing is stored there. */
	MOUNTS_PSEUDO = 1,
	/** Network filesystems: swept only with --include-remote (slow, shared, may hang). */
	MOUNTS_REMOTE = 2,
};

struct mounts;

/**
 * Parses mountinfo text @data[0..len).
 * @return the table, or NULL with @err set: KERR_CORRUPT (line N: what is wrong),
 *         KERR_LIMIT (a line or the table past a cap), KERR_NOMEM.
 */
struct mounts *mounts_parse(const char *data, size_t len, struct kerr *err);

/**
 * Reads and parses @path (NULL: /proc/self/mountinfo).
 * @return the table, or NULL with @err set (KERR_IO if it cannot be read).
 */
struct mounts *mounts_read(const char *path, struct kerr *err);

void mounts_free(struct mounts *m);

size_t mounts_count(const struct mounts *m);

/** Entry @i, in file order (mount order). */
const struct mounts_entry *mounts_get(const struct mounts *m, size_t i);

/**
 * The mount visible at @point (the last one mounted there, since a later mount hides an
 * earlier one), or NULL if nothing is mounted exactly at @point.
 */
const struct mounts_entry *mounts_at(const struct mounts *m, const char *point);

/** The entry with mount ID @id, or NULL. */
const struct mounts_entry *mounts_by_id(const struct mounts *m, uint64_t id);

/** The class of filesystem type @fstype (unknown types are local). */
enum mounts_class mounts_classify(const char *fstype);

/** The class of the filesystem whose statfs(2) f_type is @magic, for mounts missing from
 *  the table (mounted after it was read); unknown magics are local. */
enum mounts_class mounts_classify_magic(int64_t magic);

/** "local", "pseudo" or "remote". */
const char *mounts_class_name(enum mounts_class c);

#endif
