/** A set of strings for duplicate checks, each with where it was first seen. */
#ifndef KSCAN_STRSET_H
#define KSCAN_STRSET_H

#include <stddef.h>
#include <stdint.h>

/* Open addressing, keys copied; a zeroed struct strset is an empty set. */
struct strset_slot {
	char *key;
	/** Where the key was first seen (1-based), and the caller's tag (a pack index...). */
	uint32_t line;
	uint32_t col;
	size_t tag;
};

struct strset {
	struct strset_slot *v;
	size_t n;
	size_t cap;
};

/**
 * Adds @key. @return 1 if it is new, 0 if it was there (*@first is the earlier entry),
 * -1 on ENOMEM.
 */
int strset_add(struct strset *t, const char *key, uint32_t line, uint32_t col, size_t tag,
	const struct strset_slot **first);

/** Frees the keys; @t is empty again. */
void strset_free(struct strset *t);

#endif
