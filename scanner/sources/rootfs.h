/** The scanned root: a directory that every lookup stays inside, whatever its symlinks say. */
#ifndef KSCAN_ROOTFS_H
#define KSCAN_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/kerr.h"

/*
 * kscan reads mounted VM disks, container root filesystems and backups as root. Their
 * symlinks are written by whoever built them: /etc/os-release -> /etc/shadow of the host
 * would be read as the host's file if we followed it naively. So every path given here is
 * a path *inside* the root ("/var/lib/dpkg/status"), and it is resolved with openat2()
 * RESOLVE_IN_ROOT when the kernel has it, or component by component with O_PATH|O_NOFOLLOW
 * otherwise: absolute symlinks and ".." are clamped to the root, magic links refused.
 */
struct rootfs;

/**
 * Opens @dir as the root. @dir must be a directory.
 * @return the root, or NULL with @err set.
 */
struct rootfs *rootfs_open(const char *dir, struct kerr *err);

void rootfs_close(struct rootfs *r);

/** The root as given, made absolute and canonical on the host ("/" for the live host). */
const char *rootfs_path(const struct rootfs *r);

/** True when the root is the running host's own "/" (live probes make sense). */
bool rootfs_is_host(const struct rootfs *r);

/** An O_PATH descriptor of the root directory (owned by @r). */
int rootfs_fd(const struct rootfs *r);

/** Flags for rootfs_open_at(). */
enum rootfs_flags {
	/** Do not follow a symlink in the last component: O_PATH gives the link itself. */
	ROOTFS_NOFOLLOW = 1 << 0,
};

/**
 * Resolves @path inside the root and opens it with O_PATH.
 * @path is absolute ("/opt/x") or relative to the root ("opt/x"); both mean the same.
 * @return an O_PATH descriptor (caller closes), or -1 with errno:
 *         ENOENT, ENOTDIR, ELOOP (too many links, or a magic link such as
 *         /proc/self/root; openat2 may say EXDEV for those), EACCES, ENAMETOOLONG.
 */
int rootfs_open_path(const struct rootfs *r, const char *path, int flags);

/** lstat() of @path inside the root (intermediate symlinks resolve in the root). */
int rootfs_lstat(const struct rootfs *r, const char *path, struct stat *st);

/**
 * Reads the target of the symlink @path into @out (NUL-terminated, truncated to @n-1).
 * @return the target's full length, or -1 with errno (EINVAL if not a symlink).
 */
ssize_t rootfs_readlink(const struct rootfs *r, const char *path, char *out, size_t n);

/**
 * Opens @path for reading if and only if it is a regular file, without ever opening a
 * FIFO, socket or device (those would block or have side effects).
 * @return a descriptor opened O_RDONLY|O_CLOEXEC|O_NOCTTY, or -1 with errno
 *         (EFTYPE-like cases use EINVAL: "not a regular file").
 */
int rootfs_open_regular(const struct rootfs *r, const char *path, int flags);

/**
 * Opens the directory @path for reading entries (O_RDONLY|O_DIRECTORY).
 * @return a descriptor (caller closes; fdopendir() works on it), or -1 with errno.
 */
int rootfs_open_dir(const struct rootfs *r, const char *path, int flags);

/**
 * Reads the regular file @path whole into @out, at most @max bytes.
 * @return 0, or -1 with errno (E2BIG past @max, EINVAL if not a regular file).
 */
int rootfs_read_file(const struct rootfs *r, const char *path, size_t max, struct buf *out);

/** For tests: forces the component-by-component resolver even if openat2() works. */
void rootfs_force_fallback(bool on);

#endif
