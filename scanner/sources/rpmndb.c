/*
 * rpm's ndb Packages.db (SUSE 15.x, rpm >= 4.16 with %_db_backend ndb), read natively and
 * read-only. Format as rpm's lib/backend/ndb/rpmpkg.c writes it, every integer 32-bit
 * little-endian:
 *
 *   header, 32 bytes at 0: "RpmP", version 0, generation, slot page count, next pkgidx.
 *   slot pages: the first slotnpages pages of 4096 bytes, 16-byte slots ("Slot", pkgidx,
 *     blkoff, blkcnt); the header takes the place of page 0's first two slots. blkoff 0
 *     marks a free slot (an erased package, or the old slot of an upgrade).
 *   blobs: at blkoff * 16, blkcnt blocks of 16 bytes, after the slot pages: head ("BlbS",
 *     pkgidx, time written, length), the header blob, zero padding, trailer (Adler-32 of
 *     head + blob + padding, length, "BlbE"). Freed blocks are zeroed and belong to no slot.
 *
 * The slots alone list every installed package, so Index.db (rpm's name/file/provides
 * indexes, a separate file) is never opened: it only speeds up rpm's look-ups by key.
 *
 * Checks, each failing the whole read as KERR_CORRUPT with the slot and file offset: the
 * magics and version; the slot pages inside the file; each used slot with a pkgidx, blocks
 * inside the file and after the slot pages, no two slots sharing blocks or a pkgidx (rpm
 * itself refuses both before writing); each blob's pkgidx equal to its slot's, its length
 * matching the slot's block count, the trailer's length and magic, and the Adler-32. rpm
 * verifies that checksum only before moving or deleting a blob, not when reading one; we
 * verify it always (zlib's adler32, about 1 ms for a whole database) because a blob that
 * fails it was torn or altered after rpm wrote it, and rpmhdr's digest does not cover the
 * mutable part of the header. Blobs are read in block order, as rpm lists them, so the
 * total read is bounded by the file size even for a hostile slot table.
 */
#include "scanner/sources/rpmndb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/limits.h"

#define NDB_HEADER_SIZE 32u
#define NDB_PAGE_SIZE 4096u
#define NDB_SLOT_SIZE 16u
#define NDB_BLK_SIZE 16u
#define NDB_BLOB_HEAD 16u
#define NDB_BLOB_TAIL 12u
#define NDB_SLOTS_PER_PAGE (NDB_PAGE_SIZE / NDB_SLOT_SIZE)
#define NDB_BLKS_PER_PAGE (NDB_PAGE_SIZE / NDB_BLK_SIZE)

/* One used slot. */
struct ndb_slot {
	uint32_t slotno;
	uint32_t pkgidx;
	uint32_t blkoff;
	uint32_t blkcnt;
};

/* The used slots of one file. */
struct ndb_slots {
	struct ndb_slot *v;
	size_t n;
	size_t cap;
};

static uint32_t ndb_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
}

/* rpmfile_read() with the error worded for this file. @return 0 or -1 with @err set. */
static int ndb_read(const struct rpmfile *f, uint64_t off, void *buf, size_t n,
	const char *what, struct kerr *err)
{
	if (rpmfile_read(f, off, buf, n) == 0) {
		return 0;
	}
	if (errno == ENODATA) {
		return kerr_set(err, KERR_CORRUPT, "Packages.db: %s at offset %" PRIu64
			" (%zu bytes) is past the end of the file (%" PRIu64 " bytes)", what, off,
			n, f->size);
	}
	return kerr_sys(err, KERR_IO, errno, "Packages.db: reading %s at offset %" PRIu64, what,
		off);
}

/* Reads the header. @return the slot page count, or 0 with @err set. */
static uint32_t ndb_header(const struct rpmfile *f, struct kerr *err)
{
	unsigned char h[NDB_HEADER_SIZE];
	uint32_t version, npages;

	if (f->size > (uint64_t)KS_RPMDB_FILE_MAX) {
		kerr_set(err, KERR_LIMIT, "Packages.db: %" PRIu64 " bytes, over the %" PRIu64
			" bytes read", f->size, (uint64_t)KS_RPMDB_FILE_MAX);
		return 0;
	}
	if (ndb_read(f, 0, h, sizeof(h), "the header", err) != 0) {
		return 0;
	}
	if (memcmp(h, "RpmP", 4) != 0) {
		kerr_set(err, KERR_CORRUPT, "Packages.db: no RpmP magic at offset 0");
		return 0;
	}
	version = ndb_le32(h + 4);
	if (version != 0) {
		kerr_set(err, KERR_CORRUPT, "Packages.db: version %" PRIu32 ", only 0 exists",
			version);
		return 0;
	}
	/* rpm writes whole blocks: a ragged end is a cut or an appended tail */
	if (f->size % NDB_BLK_SIZE != 0) {
		kerr_set(err, KERR_CORRUPT, "Packages.db: size %" PRIu64 " is not a multiple of "
			"%u (truncated?)", f->size, NDB_BLK_SIZE);
		return 0;
	}
	npages = ndb_le32(h + 12);
	if (npages == 0 || npages > f->size / NDB_PAGE_SIZE) {
		kerr_set(err, KERR_CORRUPT, "Packages.db: %" PRIu32 " slot pages at offset 12, "
			"the file holds %" PRIu64, npages, f->size / NDB_PAGE_SIZE);
		return 0;
	}
	if (npages > KS_RPMNDB_SLOT_PAGES_MAX) {
		kerr_set(err, KERR_LIMIT, "Packages.db: %" PRIu32 " slot pages, over %u", npages,
			KS_RPMNDB_SLOT_PAGES_MAX);
		return 0;
	}
	return npages;
}

static int ndb_slot_add(struct ndb_slots *s, const struct ndb_slot *slot, struct kerr *err)
{
	struct ndb_slot *v;
	size_t cap;

	if (s->n == s->cap) {
		if (s->n >= KS_RPMDB_PACKAGES_MAX) {
			return kerr_set(err, KERR_LIMIT, "Packages.db: over %u used slots",
				KS_RPMDB_PACKAGES_MAX);
		}
		cap = s->cap == 0 ? NDB_SLOTS_PER_PAGE : s->cap * 2;
		v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL) {
			return kerr_set(err, KERR_NOMEM, "Packages.db: %zu slots", cap);
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *slot;
	return 0;
}

/* Checks and keeps the slot @p (number @slotno at @off). @return 0 or -1 with @err set. */
static int ndb_slot(const unsigned char *p, uint32_t slotno, uint64_t off, uint32_t npages,
	uint64_t fileblks, struct ndb_slots *s, struct kerr *err)
{
	struct ndb_slot slot = { slotno, ndb_le32(p + 4), ndb_le32(p + 8), ndb_le32(p + 12) };

	if (memcmp(p, "Slot", 4) != 0) {
		return kerr_set(err, KERR_CORRUPT, "Packages.db: slot %" PRIu32 " at offset %"
			PRIu64 ": no Slot magic", slotno, off);
	}
	if (slot.blkoff == 0) {
		return 0;
	}
	if (slot.pkgidx == 0 || slot.blkcnt == 0) {
		return kerr_set(err, KERR_CORRUPT, "Packages.db: slot %" PRIu32 " at offset %"
			PRIu64 ": used with pkgidx %" PRIu32 ", %" PRIu32 " blocks", slotno, off,
			slot.pkgidx, slot.blkcnt);
	}
	if (slot.blkoff < (uint64_t)npages * NDB_BLKS_PER_PAGE) {
		return kerr_set(err, KERR_CORRUPT, "Packages.db: slot %" PRIu32 " at offset %"
			PRIu64 ": blob at block %" PRIu32 " inside the slot pages", slotno, off,
			slot.blkoff);
	}
	if ((uint64_t)slot.blkoff + slot.blkcnt > fileblks) {
		return kerr_set(err, KERR_CORRUPT, "Packages.db: slot %" PRIu32 " at offset %"
			PRIu64 ": blob at offset %" PRIu64 " (%" PRIu32 " blocks) past the end of "
			"the file (%" PRIu64 " bytes)", slotno, off,
			(uint64_t)slot.blkoff * NDB_BLK_SIZE, slot.blkcnt, fileblks * NDB_BLK_SIZE);
	}
	return ndb_slot_add(s, &slot, err);
}

/* Reads the used slots of all @npages slot pages. @return 0 or -1 with @err set. */
static int ndb_slots_read(const struct rpmfile *f, uint32_t npages, struct ndb_slots *s,
	struct kerr *err)
{
	unsigned char page[NDB_PAGE_SIZE];
	uint64_t fileblks = f->size / NDB_BLK_SIZE;
	uint32_t pg, o, slotno = NDB_HEADER_SIZE / NDB_SLOT_SIZE;

	for (pg = 0; pg < npages; pg++) {
		uint64_t base = (uint64_t)pg * NDB_PAGE_SIZE;

		if (ndb_read(f, base, page, sizeof(page), "a slot page", err) != 0) {
			return -1;
		}
		for (o = pg == 0 ? NDB_HEADER_SIZE : 0; o < NDB_PAGE_SIZE; o += NDB_SLOT_SIZE) {
			if (ndb_slot(page + o, slotno, base + o, npages, fileblks, s, err) != 0) {
				return -1;
			}
			slotno++;
		}
	}
	return 0;
}

static int ndb_by_blkoff(const void *a, const void *b)
{
	const struct ndb_slot *x = a, *y = b;

	return x->blkoff < y->blkoff ? -1 : x->blkoff > y->blkoff;
}

static int ndb_by_pkgidx(const void *a, const void *b)
{
	const struct ndb_slot *x = a, *y = b;

	return x->pkgidx < y->pkgidx ? -1 : x->pkgidx > y->pkgidx;
}

/*
 * Sorts the slots by block and refuses overlapping blobs or a pkgidx used twice: rpm never
 * writes either, and without them the blobs read add up to at most the file.
 * @return 0 or -1 with @err set.
 */
static int ndb_slots_check(struct ndb_slots *s, struct kerr *err)
{
	size_t i;

	if (s->n < 2) {
		return 0;
	}
	qsort(s->v, s->n, sizeof(*s->v), ndb_by_pkgidx);
	for (i = 1; i < s->n; i++) {
		if (s->v[i].pkgidx == s->v[i - 1].pkgidx) {
			return kerr_set(err, KERR_CORRUPT, "Packages.db: slots %" PRIu32 " and %"
				PRIu32 " both hold pkgidx %" PRIu32, s->v[i - 1].slotno,
				s->v[i].slotno, s->v[i].pkgidx);
		}
	}
	qsort(s->v, s->n, sizeof(*s->v), ndb_by_blkoff);
	for (i = 1; i < s->n; i++) {
		const struct ndb_slot *p = &s->v[i - 1], *q = &s->v[i];

		if ((uint64_t)p->blkoff + p->blkcnt > q->blkoff) {
			return kerr_set(err, KERR_CORRUPT, "Packages.db: slot %" PRIu32
				"'s blob at offset %" PRIu64 " overlaps slot %" PRIu32 "'s",
				q->slotno, (uint64_t)q->blkoff * NDB_BLK_SIZE, p->slotno);
		}
	}
	return 0;
}

/* A growing buffer for blob bodies, reused from one blob to the next. */
struct ndb_buf {
	unsigned char *p;
	size_t cap;
};

static int ndb_buf_reserve(struct ndb_buf *b, size_t n, struct kerr *err)
{
	unsigned char *p;

	if (n <= b->cap) {
		return 0;
	}
	p = realloc(b->p, n);
	if (p == NULL) {
		return kerr_set(err, KERR_NOMEM, "Packages.db: blob of %zu bytes", n);
	}
	b->p = p;
	b->cap = n;
	return 0;
}

/* Checks the blob head @h of @slot. @return its length, or -1 with @err set. */
static int64_t ndb_blob_head(const struct ndb_slot *slot, const unsigned char *h,
	struct kerr *err)
{
	uint64_t off = (uint64_t)slot->blkoff * NDB_BLK_SIZE;
	uint32_t pkgidx = ndb_le32(h + 4), len = ndb_le32(h + 12);
	uint64_t need = ((uint64_t)NDB_BLOB_HEAD + len + NDB_BLOB_TAIL + NDB_BLK_SIZE - 1) /
		NDB_BLK_SIZE;

	if (memcmp(h, "BlbS", 4) != 0) {
		return kerr_set(err, KERR_CORRUPT, "Packages.db: slot %" PRIu32 ": no BlbS "
			"magic at offset %" PRIu64, slot->slotno, off);
	}
	if (pkgidx != slot->pkgidx) {
		return kerr_set(err, KERR_CORRUPT, "Packages.db: slot %" PRIu32 ": blob at "
			"offset %" PRIu64 " holds pkgidx %" PRIu32 ", the slot says %" PRIu32,
			slot->slotno, off, pkgidx, slot->pkgidx);
	}
	if (len > KS_RPMDB_BLOB_MAX) {
		return kerr_set(err, KERR_LIMIT, "Packages.db: slot %" PRIu32 ": blob at offset "
			"%" PRIu64 " of %" PRIu32 " bytes, over %zu", slot->slotno, off, len,
			(size_t)KS_RPMDB_BLOB_MAX);
	}
	if (need != slot->blkcnt) {
		return kerr_set(err, KERR_CORRUPT, "Packages.db: slot %" PRIu32 ": blob at "
			"offset %" PRIu64 " of %" PRIu32 " bytes needs %" PRIu64 " blocks, the "
			"slot has %" PRIu32, slot->slotno, off, len, need, slot->blkcnt);
	}
	return len;
}

/* Checks the trailer at the end of @body (@n bytes after the head). @return 0 or -1. */
static int ndb_blob_tail(const struct ndb_slot *slot, const unsigned char *head,
	const unsigned char *body, size_t n, uint32_t len, struct kerr *err)
{
	const unsigned char *t = body + n - NDB_BLOB_TAIL;
	uint64_t off = (uint64_t)slot->blkoff * NDB_BLK_SIZE + NDB_BLOB_HEAD + n -
		NDB_BLOB_TAIL;
	uLong adl;

	if (memcmp(t + 8, "BlbE", 4) != 0 || ndb_le32(t + 4) != len) {
		return kerr_set(err, KERR_CORRUPT, "Packages.db: slot %" PRIu32 ": blob trailer "
			"at offset %" PRIu64 " lacks BlbE or length %" PRIu32, slot->slotno, off,
			len);
	}
	adl = adler32(adler32(1L, head, NDB_BLOB_HEAD), body, (uInt)(n - NDB_BLOB_TAIL));
	if ((uint32_t)adl != ndb_le32(t)) {
		return kerr_set(err, KERR_CORRUPT, "Packages.db: slot %" PRIu32 ": blob at "
			"offset %" PRIu64 " fails its Adler-32 (%08" PRIx32 ", trailer says %08"
			PRIx32 ")", slot->slotno, (uint64_t)slot->blkoff * NDB_BLK_SIZE,
			(uint32_t)adl, ndb_le32(t));
	}
	return 0;
}

/* Reads, checks and hands over the blob of @slot. @return 0 or -1 with @err set. */
static int ndb_blob(const struct rpmfile *f, const struct ndb_slot *slot, struct ndb_buf *b,
	rpmhdr_blob_fn fn, void *ctx, struct kerr *err)
{
	unsigned char head[NDB_BLOB_HEAD];
	uint64_t off = (uint64_t)slot->blkoff * NDB_BLK_SIZE;
	int64_t len;
	size_t n;

	if (ndb_read(f, off, head, sizeof(head), "a blob head", err) != 0) {
		return -1;
	}
	len = ndb_blob_head(slot, head, err);
	if (len < 0) {
		return -1;
	}
	/* the slot's blocks: head, blob, padding, trailer (checked inside the file above) */
	n = (size_t)slot->blkcnt * NDB_BLK_SIZE - NDB_BLOB_HEAD;
	if (ndb_buf_reserve(b, n, err) != 0 ||
		ndb_read(f, off + NDB_BLOB_HEAD, b->p, n, "a blob", err) != 0 ||
		ndb_blob_tail(slot, head, b->p, n, (uint32_t)len, err) != 0) {
		return -1;
	}
	return fn(ctx, slot->pkgidx, b->p, (size_t)len, err);
}

long rpmndb_read(const struct rpmfile *f, rpmhdr_blob_fn fn, void *ctx, struct kerr *err)
{
	struct ndb_slots s = { NULL, 0, 0 };
	struct ndb_buf b = { NULL, 0 };
	uint32_t npages;
	long ret = -1;
	size_t i;

	npages = ndb_header(f, err);
	if (npages == 0) {
		return -1;
	}
	if (ndb_slots_read(f, npages, &s, err) != 0 || ndb_slots_check(&s, err) != 0) {
		goto free_slots;
	}
	for (i = 0; i < s.n; i++) {
		if (ndb_blob(f, &s.v[i], &b, fn, ctx, err) != 0) {
			goto free_buf;
		}
	}
	ret = (long)s.n;
free_buf:
	free(b.p);
free_slots:
	free(s.v);
	return ret;
}
