/** What the deep sweep matches each file against: sizes and digests, and name globs. */
#ifndef KSCAN_HASHIDX_H
#define KSCAN_HASHIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signatures/sig.h"

/*
 * The ClamAV model (shared/research/anchors.md, 5.1): a file is hashed only if its size is
 * the size of some hash signature, so almost every file costs one stat and nothing more.
 * Sizes go into an open-addressing table; each size points at its run of (digest,
 * signature) entries sorted by digest, searched by bisection after hashing.
 *
 * Names: exact `files` names go into a hash set; globs are grouped by their first literal
 * byte, so a name is compared only with globs that can start like it (fnmatch(3) runs
 * after a cheap prefix test). Hidden files are matched too: "*" matches a leading ".".
 *
 * The index is read-only once built, so any number of threads may query it.
 */
struct hashidx;

/** One signature entry that matched. */
struct hashidx_hit {
	const struct sig *sig;
	/** Set for a name match. */
	const struct sig_file *file;
	/** Set for a hash match. */
	const struct sig_hash *hash;
};

/**
 * Builds the index of every `files` entry of @s and every `hashes` entry with a size (one
 * without is checked by the sweep against the files its signature's names matched).
 * @return it, or NULL (ENOMEM).
 */
struct hashidx *hashidx_new(const struct sig_set *s);

void hashidx_free(struct hashidx *x);

/** Number of hash entries, and of distinct sizes among them. */
size_t hashidx_nhashes(const struct hashidx *x);
size_t hashidx_nsizes(const struct hashidx *x);

/** Number of `files` entries (exact names and globs). */
size_t hashidx_nnames(const struct hashidx *x);

/** True if some hash signature has exactly @size bytes: the file must be hashed. */
bool hashidx_has_size(const struct hashidx *x, uint64_t size);

/** The largest size of any hash signature (0 if none). */
uint64_t hashidx_max_size(const struct hashidx *x);

/**
 * Hash entries with @size and @sha256: up to @max of them into @hits.
 * @return the number that match (may exceed @max; only @max are written).
 */
size_t hashidx_lookup(const struct hashidx *x, uint64_t size, const unsigned char sha256[32],
	struct hashidx_hit *hits, size_t max);

/**
 * `files` entries whose name or glob matches the base name @name: up to @max into @hits.
 * @return the number that match (may exceed @max).
 */
size_t hashidx_names(const struct hashidx *x, const char *name, struct hashidx_hit *hits,
	size_t max);

#endif
