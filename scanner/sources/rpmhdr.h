/** One rpm header blob as the databases store it: index entries, then the data store. */
#ifndef KSCAN_RPMHDR_H
#define KSCAN_RPMHDR_H

#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"

/* The tags kscan reads (rpmtag.h numbers). */
#define RPMHDR_TAG_NAME 1000u
#define RPMHDR_TAG_VERSION 1001u
#define RPMHDR_TAG_RELEASE 1002u
#define RPMHDR_TAG_EPOCH 1003u
#define RPMHDR_TAG_SUMMARY 1004u
#define RPMHDR_TAG_INSTALLTIME 1008u
#define RPMHDR_TAG_VENDOR 1011u
#define RPMHDR_TAG_PACKAGER 1015u
#define RPMHDR_TAG_ARCH 1022u
#define RPMHDR_TAG_DIRINDEXES 1116u
#define RPMHDR_TAG_BASENAMES 1117u
#define RPMHDR_TAG_DIRNAMES 1118u

/**
 * A parsed header: a view into the caller's blob, which must outlive it (plain data).
 * rpmhdr_parse() checked the counts; each accessor checks the entry it reads.
 */
struct rpmhdr {
	/** il index entries of 16 bytes, big-endian */
	const unsigned char *index;
	uint32_t il;
	/** the data store, dl bytes */
	const unsigned char *data;
	uint32_t dl;
};

/**
 * Parses the blob @p of @n bytes (bytes past the data store are ignored) and checks the
 * header digest (SHA-256, else SHA-1) over its immutable region when the header has one.
 * @return 0, or -1 with @err set (KERR_CORRUPT, or KERR_LIMIT past a cap).
 */
int rpmhdr_parse(struct rpmhdr *h, const void *p, size_t n, struct kerr *err);

/**
 * The first string of tag @tag (STRING, STRING_ARRAY or I18NSTRING).
 * @return it, NUL-terminated inside the data store, or NULL if absent or malformed.
 */
const char *rpmhdr_str(const struct rpmhdr *h, uint32_t tag);

/** The first INT32 of @tag. @return 1 with *@out set, 0 if absent, -1 if malformed. */
int rpmhdr_u32(const struct rpmhdr *h, uint32_t tag, uint32_t *out);

/**
 * Called by a database backend for each header blob it finds: @id is the backend's own
 * header number, @blob holds @n bytes valid during the call. @return 0, or -1 with @err set
 * to stop the read.
 */
typedef int (*rpmhdr_blob_fn)(void *ctx, unsigned id, const void *blob, size_t n,
	struct kerr *err);

/** Called once per file of the header, with its full path. Non-zero stops the walk. */
typedef int (*rpmhdr_file_fn)(void *ctx, const char *path);

/**
 * Calls @fn for every file (dirnames[dirindexes[i]] + basenames[i]), in header order.
 * @return the number of files, -1 with @err set if the lists are malformed, or @fn's
 *         non-zero value (as -1, @err left to @fn) if it stopped the walk.
 */
long rpmhdr_files(const struct rpmhdr *h, rpmhdr_file_fn fn, void *ctx, struct kerr *err);

#endif
