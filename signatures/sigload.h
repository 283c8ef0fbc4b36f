/** Loading signature packs into a set: from memory, files, directories and the binary. */
#ifndef KSCAN_SIGLOAD_H
#define KSCAN_SIGLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/kerr.h"
#include "signatures/sig.h"

/*
 * Each pack is read by sigyaml.h and added to the set only if it has no problem at all;
 * otherwise its diagnostics go to the set (sig_set_diag()) and the set is marked failed,
 * so that sig_set_finish() refuses it. Packs read from files first pass the set's gate
 * (sig_set_gate(): ownership, detached signature).
 */

/**
 * Parses and validates one pack held in memory and adds its signatures.
 * @name is used in messages ("FILE:LINE:COL: what is wrong") and in reports.
 * On any error nothing of the pack is added, every problem found (up to KS_SIG_DIAGS_MAX)
 * is kept as a diagnostic, and @err holds the first.
 * @return 0, or -1 with @err set (KERR_INPUT for a bad pack, KERR_LIMIT, KERR_NOMEM).
 */
int sigload_mem(struct sig_set *s, const char *name, const char *data, size_t len,
	bool builtin, struct kerr *err);

/**
 * Loads a pack file, or every *.yaml / *.yml file of a directory in name order (regular
 * files only, never a symlink inside it).
 * @return 0, or -1 with @err set (KERR_IO if it cannot be read).
 */
int sigload_path(struct sig_set *s, const char *path, struct kerr *err);

/** Loads the packs compiled into the binary from signatures/. */
int sigload_builtin(struct sig_set *s, struct kerr *err);

#endif
