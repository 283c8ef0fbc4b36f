/** Kernel modules: those loaded now (/proc/modules) and module files under lib/modules. */
#ifndef KSCAN_KMODS_H
#define KSCAN_KMODS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/kerr.h"
#include "scanner/sources/rootfs.h"

/*
 * A loaded module is code running in the kernel: the strongest evidence there is. A file
 * under lib/modules/<release>/ is a module that can be loaded (or is left behind). The
 * kernel spells module names with "_" where file names may have "-" (kav4fs-oas.ko loads as
 * kav4fs_oas), so names are compared after kmods_normalize().
 */

/** Module names: the kernel's MODULE_NAME_LEN is 56; room for the file name's suffix. */
#define KMODS_NAME_MAX 255

/** Called for each loaded module and each module file; non-zero stops with that value. */
struct kmods_sink {
	/** @name as /proc/modules lists it. */
	int (*loaded)(void *ctx, const char *name);
	/**
	 * @name from the file name (suffix dropped, normalized), @path inside the root,
	 * @release the lib/modules directory it is under.
	 */
	int (*file)(void *ctx, const char *name, const char *path, const char *release);
	void *ctx;
};

/** What the probe read, for the report's coverage. */
struct kmods_counts {
	/** Modules listed in /proc/modules. */
	size_t loaded;
	/** Release directories under lib/modules (usr/lib/modules). */
	size_t kernels;
	/** Module files seen. */
	size_t files;
	/** Things that could not be read; the first is described in the caller's kerr. */
	size_t errors;
};

/**
 * Parses one /proc/modules line ("name size refs deps state address ...") into @name
 * (KMODS_NAME_MAX + 1 bytes). @return 0, or -1 with errno EINVAL.
 */
int kmods_parse_line(const char *line, size_t n, char *name);

/**
 * If @fname is a module file (.ko, .ko.xz, .ko.zst, .ko.gz) writes its normalized module
 * name to @name (KMODS_NAME_MAX + 1 bytes). @return true if it is one.
 */
bool kmods_file_name(const char *fname, char *name);

/** Spells @name as the kernel does: every "-" becomes "_". */
void kmods_normalize(char *name);

/**
 * Reads "modules" of @procfd (the live /proc) and hands each name to @sink->loaded.
 * @return 1 if read, 0 if there is no such file (a kernel without loadable modules), -1 on
 *         a fatal error (out of memory, or the sink's non-zero return) with @err set.
 *         Read and parse problems are counted in @c->errors and described in @err.
 */
int kmods_read_loaded(int procfd, const struct kmods_sink *sink, struct kmods_counts *c,
	struct kerr *err);

/**
 * Walks lib/modules/<release>/ (and usr/lib/modules if it is another directory) inside
 * @r, never following a symlink (the build and source links point at kernel sources),
 * and hands every module file to @sink->file.
 * @return 1 if a modules directory was read, 0 if there is none, -1 on a fatal error with
 *         @err set. Read problems are counted in @c->errors and described in @err.
 */
int kmods_scan_files(const struct rootfs *r, const struct kmods_sink *sink,
	struct kmods_counts *c, struct kerr *err);

#endif
