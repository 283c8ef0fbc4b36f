/** kscan signatures hash: a hash signature made from a reference install or kit folder. */
#ifndef KSCAN_SIGHASH_H
#define KSCAN_SIGHASH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/kerr.h"
#include "signatures/sig.h"

/*
 * An admin who has a product's files (an install tree, a folder of installers) gets a
 * signature that finds every copy of them anywhere, under any name: the sha256 and size of
 * each regular file. The pack it writes is loaded back before it is printed, so what comes
 * out always loads with --signatures.
 */

/** What to put in the signature. */
struct sighash_opts {
	/** Signature id ([a-z0-9._-]) and product name; vendor NULL means "Kaspersky". */
	const char *id;
	const char *vendor;
	const char *product;
	enum sig_role role;
	/** Worker threads (0: online CPUs). */
	unsigned jobs;
};

/** What was read. */
struct sighash_counts {
	/** Regular files hashed. */
	uint64_t files;
	/** Distinct contents (hashes entries). */
	uint64_t hashes;
	/** Empty files left out: the empty file identifies nothing. */
	uint64_t empty;
	/** Files that vanished or changed while being read (left out). */
	uint64_t changed;
};

/**
 * Walks each directory of @dirs (symlinks and special files are not followed or read)
 * and appends a YAML pack with one signature to @out.
 * @return 0, or -1 with @err set: KERR_IO (a file or directory could not be read: the
 *         signature would be incomplete), KERR_INPUT (nothing to hash, or an id or name the
 *         loader refuses), KERR_LIMIT (more distinct files than a list may hold), KERR_NOMEM.
 */
int sighash_generate(const char *const *dirs, size_t ndirs, const struct sighash_opts *o,
	struct buf *out, struct sighash_counts *n, struct kerr *err);

#endif
