/*
 * The rpm header blob, as every rpm database backend stores it (header.c's hdrblob):
 *   be32 il, be32 dl, il index entries { be32 tag, type, offset, count }, dl data bytes.
 * The blob comes from a file in the scanned root, so nothing in it is trusted: il and dl
 * have rpm's own caps (hdrchkTags, hdrchkData), every entry is checked against the data
 * store when it is read, and strings must end inside it. Only the tags kscan needs are
 * read, so the work is bounded by the blob's size, whatever the index says.
 *
 * The digest: an installed header keeps the SHA-256 (and SHA-1) of the package's original
 * header, its immutable region (tag 63, the first entry, whose trailer in the data store
 * gives the region's entry count and data length). librpm checks it on every read, and so
 * do we: a flipped byte in a name would otherwise hide a product.
 */
#include "scanner/sources/rpmhdr.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/limits.h"
#include "base/xstd.h"

enum {
	RPMHDR_INT32 = 4,
	RPMHDR_STRING = 6,
	RPMHDR_BIN = 7,
	RPMHDR_STRING_ARRAY = 8,
	RPMHDR_I18NSTRING = 9,
	RPMHDR_ENTRY = 16,
	RPMHDR_TAG_IMMUTABLE = 63,
	RPMHDR_TAG_SHA1 = 269,
	RPMHDR_TAG_SHA256 = 273,
};

/* One index entry, decoded. */
struct rpmhdr_ent {
	uint32_t tag;
	uint32_t type;
	uint32_t off;
	uint32_t count;
};

static uint32_t rpmhdr_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void rpmhdr_put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void rpmhdr_ent_at(const struct rpmhdr *h, uint32_t i, struct rpmhdr_ent *e)
{
	const unsigned char *p = h->index + (size_t)i * RPMHDR_ENTRY;

	e->tag = rpmhdr_be32(p);
	e->type = rpmhdr_be32(p + 4);
	e->off = rpmhdr_be32(p + 8);
	e->count = rpmhdr_be32(p + 12);
}

/* Finds @tag. @return true with @e filled; the entry is not checked yet. */
static bool rpmhdr_find(const struct rpmhdr *h, uint32_t tag, struct rpmhdr_ent *e)
{
	uint32_t i;

	for (i = 0; i < h->il; i++) {
		rpmhdr_ent_at(h, i, e);
		if (e->tag == tag) {
			return true;
		}
	}
	return false;
}

/* Length of the string at @off, without its NUL. @return -1 if it does not end in the store. */
static long rpmhdr_strlen(const struct rpmhdr *h, size_t off)
{
	const unsigned char *nul;

	if (off >= h->dl) {
		return -1;
	}
	nul = memchr(h->data + off, '\0', h->dl - off);
	return nul == NULL ? -1 : (long)(nul - (h->data + off));
}

const char *rpmhdr_str(const struct rpmhdr *h, uint32_t tag)
{
	struct rpmhdr_ent e;

	if (!rpmhdr_find(h, tag, &e) || e.count == 0) {
		return NULL;
	}
	if (e.type != RPMHDR_STRING && e.type != RPMHDR_STRING_ARRAY &&
	    e.type != RPMHDR_I18NSTRING) {
		return NULL;
	}
	if (rpmhdr_strlen(h, e.off) < 0) {
		return NULL;
	}
	return (const char *)h->data + e.off;
}

int rpmhdr_u32(const struct rpmhdr *h, uint32_t tag, uint32_t *out)
{
	struct rpmhdr_ent e;

	if (!rpmhdr_find(h, tag, &e)) {
		return 0;
	}
	if (e.type != RPMHDR_INT32 || e.count == 0 || e.off > h->dl || h->dl - e.off < 4) {
		return -1;
	}
	*out = rpmhdr_be32(h->data + e.off);
	return 1;
}

/* The offsets of the @count strings of a STRING_ARRAY entry. @return a malloc'd array. */
static uint32_t *rpmhdr_strings(const struct rpmhdr *h, const struct rpmhdr_ent *e)
{
	uint32_t *v, i;
	size_t off = e->off;

	/* each string takes at least its NUL: this bounds the allocation by the blob */
	if (e->type != RPMHDR_STRING_ARRAY || e->count == 0 || e->count > h->dl) {
		errno = EINVAL;
		return NULL;
	}
	v = calloc(e->count, sizeof(*v));
	if (v == NULL) {
		return NULL;
	}
	for (i = 0; i < e->count; i++) {
		long len = rpmhdr_strlen(h, off);

		if (len < 0) {
			free(v);
			errno = EINVAL;
			return NULL;
		}
		v[i] = (uint32_t)off;
		off += (size_t)len + 1;
	}
	return v;
}

/* Walks the files of checked lists: @dirs (@ndirs offsets) and @bases (@n offsets). */
static long rpmhdr_walk(const struct rpmhdr *h, const uint32_t *bases, uint32_t n,
	const uint32_t *dirs, uint32_t ndirs, const unsigned char *idx, rpmhdr_file_fn fn,
	void *ctx, struct kerr *err)
{
	char path[KS_RPMHDR_PATH_MAX];
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint32_t d = rpmhdr_be32(idx + (size_t)i * 4);
		const char *dir, *base;
		int w;

		if (d >= ndirs) {
			return kerr_set(err, KERR_CORRUPT, "file %u: directory index %u of %u", i,
				d, ndirs);
		}
		dir = (const char *)h->data + dirs[d];
		base = (const char *)h->data + bases[i];
		w = snprintf(path, sizeof(path), "%s%s", dir, base);
		if (w < 0 || (size_t)w >= sizeof(path)) {
			return kerr_set(err, KERR_LIMIT, "file %u: path over %u bytes", i,
				KS_RPMHDR_PATH_MAX);
		}
		if (fn(ctx, path) != 0) {
			return -1;
		}
	}
	return (long)n;
}

long rpmhdr_files(const struct rpmhdr *h, rpmhdr_file_fn fn, void *ctx, struct kerr *err)
{
	struct rpmhdr_ent eb, ed, ei;
	uint32_t *bases = NULL, *dirs = NULL;
	long rc = -1;

	if (!rpmhdr_find(h, RPMHDR_TAG_BASENAMES, &eb)) {
		return 0;
	}
	if (!rpmhdr_find(h, RPMHDR_TAG_DIRNAMES, &ed) ||
	    !rpmhdr_find(h, RPMHDR_TAG_DIRINDEXES, &ei) || ei.type != RPMHDR_INT32 ||
	    ei.count != eb.count || ei.off > h->dl || (h->dl - ei.off) / 4 < ei.count) {
		return kerr_set(err, KERR_CORRUPT, "file lists missing or of different lengths");
	}
	bases = rpmhdr_strings(h, &eb);
	if (bases != NULL) {
		dirs = rpmhdr_strings(h, &ed);
	}
	if (bases == NULL || dirs == NULL) {
		kerr_set(err, errno == ENOMEM ? KERR_NOMEM : KERR_CORRUPT,
			errno == ENOMEM ? "out of memory" : "malformed file name list");
		goto free_lists;
	}
	rc = rpmhdr_walk(h, bases, eb.count, dirs, ed.count, h->data + ei.off, fn, ctx, err);
free_lists:
	free(dirs);
	free(bases);
	return rc;
}

/* Hex of @n bytes of @md must equal the string @want. */
static bool rpmhdr_hex_eq(const unsigned char *md, size_t n, const char *want)
{
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	xstd_hex(md, n, hex);
	return strcmp(hex, want) == 0;
}

/*
 * Checks the digest of the immutable region, as hdrblobDigestUpdate() computes it: header
 * magic, the region's il and dl, its entries, its data. @return 0 or -1 with @err set.
 */
static int rpmhdr_digest(const struct rpmhdr *h, struct kerr *err)
{
	static const unsigned char magic[8] = { 0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0 };
	const EVP_MD *md = EVP_sha256();
	unsigned char sum[EVP_MAX_MD_SIZE], ildl[8];
	struct rpmhdr_ent e, tr;
	const char *want;
	uint32_t ril, rdl;
	unsigned int len = 0;
	EVP_MD_CTX *ctx;
	bool ok;

	want = rpmhdr_str(h, RPMHDR_TAG_SHA256);
	if (want == NULL) {
		want = rpmhdr_str(h, RPMHDR_TAG_SHA1);
		md = EVP_sha1();
	}
	if (want == NULL || h->il == 0) {
		/* headers from before rpm 4.0 carry no digest: nothing to check */
		return 0;
	}
	rpmhdr_ent_at(h, 0, &e);
	if (e.tag != RPMHDR_TAG_IMMUTABLE || e.type != RPMHDR_BIN || e.count != RPMHDR_ENTRY ||
	    e.off > h->dl || h->dl - e.off < RPMHDR_ENTRY) {
		return kerr_set(err, KERR_CORRUPT, "digest present but no immutable region");
	}
	tr.off = rpmhdr_be32(h->data + e.off + 8);
	/* the offset is negative: -(il * 16); negated unsigned, so INT32_MIN is not UB */
	if ((tr.off & 0x80000000u) == 0) {
		return kerr_set(err, KERR_CORRUPT, "malformed immutable region trailer");
	}
	ril = (0u - tr.off) / RPMHDR_ENTRY;
	rdl = e.off + RPMHDR_ENTRY;
	if (ril == 0 || ril > h->il || tr.off % RPMHDR_ENTRY != 0) {
		return kerr_set(err, KERR_CORRUPT, "malformed immutable region trailer");
	}
	rpmhdr_put_be32(ildl, ril);
	rpmhdr_put_be32(ildl + 4, rdl);
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		return kerr_set(err, KERR_NOMEM, "out of memory");
	}
	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
	     EVP_DigestUpdate(ctx, magic, sizeof(magic)) == 1 &&
	     EVP_DigestUpdate(ctx, ildl, sizeof(ildl)) == 1 &&
	     EVP_DigestUpdate(ctx, h->index, (size_t)ril * RPMHDR_ENTRY) == 1 &&
	     EVP_DigestUpdate(ctx, h->data, rdl) == 1 && EVP_DigestFinal_ex(ctx, sum, &len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		return kerr_set(err, KERR_INTERNAL, "OpenSSL digest failed");
	}
	if (!rpmhdr_hex_eq(sum, len, want)) {
		return kerr_set(err, KERR_CORRUPT, "header digest mismatch (%s)",
			md == EVP_sha1() ? "SHA-1" : "SHA-256");
	}
	return 0;
}

int rpmhdr_parse(struct rpmhdr *h, const void *p, size_t n, struct kerr *err)
{
	const unsigned char *b = p;
	size_t need;

	if (n < 8) {
		return kerr_set(err, KERR_CORRUPT, "header of %zu bytes, shorter than its counts",
			n);
	}
	h->il = rpmhdr_be32(b);
	h->dl = rpmhdr_be32(b + 4);
	if (h->il > KS_RPMHDR_TAGS_MAX || h->dl > KS_RPMHDR_DATA_MAX) {
		return kerr_set(err, KERR_LIMIT,
			"header of %u tags and %u data bytes: over the caps", h->il, h->dl);
	}
	need = 8 + (size_t)h->il * RPMHDR_ENTRY + h->dl;
	if (n < need) {
		return kerr_set(err, KERR_CORRUPT, "header of %zu bytes, %zu needed (truncated)", n,
			need);
	}
	h->index = b + 8;
	h->data = h->index + (size_t)h->il * RPMHDR_ENTRY;
	return rpmhdr_digest(h, err);
}
