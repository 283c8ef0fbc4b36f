/*
 * rpm's Berkeley DB "Packages" file (rpm 4.16 and older), read without libdb.
 *
 * The file is a DB_HASH database: page 0 is the hash meta page (magic 0x061561, page size,
 * last page, max_bucket, and spares[], which maps a bucket to its page); every bucket is a
 * chain of hash pages (next_pgno), each an index of item offsets with key/data pairs. The
 * key is rpm's 4-byte header number (0 holds rpm's instance counter, not a header); the data
 * is the header blob, inline (H_KEYDATA) when small, else (H_OFFPAGE) a chain of overflow
 * pages whose used length is the page's hf_offset. libdb writes page headers, offsets and
 * off-page references in the byte order of the host that created the file, which the meta
 * page's magic tells; the key is rpm's host-order integer, and the blob is big-endian
 * whatever the host.
 *
 * Only the buckets are walked, so freed pages (an erased or upgraded package's) are never
 * read. The file comes from the scanned root and nothing in it is trusted: every page number
 * must lie inside the file and below the meta page's last page, every page is visited at
 * most once (a bitmap: a chain that loops or two chains sharing a page are corruption), and
 * an off-page item cannot claim more bytes than its chain could hold, so a short file never
 * makes us allocate much. Layout references: Berkeley DB's db_page.h and hash.h.
 */
#include "scanner/sources/rpmbdb.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"

enum {
	BDB_HASH_MAGIC = 0x061561,
	BDB_BTREE_MAGIC = 0x053162,
	/* hash versions 7 (db 3.2-4.5) to 10 (db 6): the page layout read here is the same */
	BDB_HASH_VERSION_MIN = 7,
	BDB_HASH_VERSION_MAX = 10,
	BDB_PAGE_MIN = 512,
	BDB_PAGE_MAX = 65536,
	/* the generic page header: lsn, pgno, prev, next, entries, hf_offset, level, type */
	BDB_PAGE_HDR = 26,
	/* with checksums the page header is followed by the checksum */
	BDB_CHKSUM_SZ = 20,
	BDB_META_CHKSUM = 0x01,
	BDB_META_SIZE = 224,
	BDB_SPARES = 32,
	/* page types */
	BDB_P_INVALID = 0,
	BDB_P_HASH_UNSORTED = 2,
	BDB_P_OVERFLOW = 7,
	BDB_P_HASH = 13,
	/* hash item types: the first byte of every item */
	BDB_H_KEYDATA = 1,
	BDB_H_OFFPAGE = 3,
	/* H_OFFPAGE: type, 3 unused bytes, pgno, total length */
	BDB_HOFFPAGE_SIZE = 12,
};

/* One read of one file. */
struct bdb {
	const struct rpmfile *f;
	bool big_endian;
	uint32_t pagesize;
	/* pages that may be read: 1 .. npages - 1 (page 0 is the meta page) */
	uint32_t npages;
	/* where a page's item index (hash) or data (overflow) starts */
	uint32_t data_off;
	uint32_t max_bucket;
	uint32_t spares[BDB_SPARES];
	/* one bit per page, set when visited */
	unsigned char *seen;
	/* the bucket page being walked, the overflow page being copied */
	unsigned char *page;
	unsigned char *ovpage;
	/* the blob being reassembled */
	unsigned char *blob;
	size_t blob_cap;
	rpmhdr_blob_fn fn;
	void *ctx;
	long count;
};

static uint32_t bdb_u16(const struct bdb *b, const unsigned char *p)
{
	return b->big_endian ? (uint32_t)p[0] << 8 | p[1] : (uint32_t)p[1] << 8 | p[0];
}

static uint32_t bdb_u32(const struct bdb *b, const unsigned char *p)
{
	if (b->big_endian) {
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	}
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Page header fields (db_page.h's PAGE). */
static uint32_t bdb_pg_pgno(const struct bdb *b, const unsigned char *pg)
{
	return bdb_u32(b, pg + 8);
}

static uint32_t bdb_pg_next(const struct bdb *b, const unsigned char *pg)
{
	return bdb_u32(b, pg + 16);
}

static uint32_t bdb_pg_entries(const struct bdb *b, const unsigned char *pg)
{
	return bdb_u16(b, pg + 20);
}

static uint32_t bdb_pg_hf_offset(const struct bdb *b, const unsigned char *pg)
{
	return bdb_u16(b, pg + 22);
}

/* __db_log2: the smallest i with 2^i >= n, the spares[] slot of bucket n - 1. */
static uint32_t bdb_log2(uint32_t n)
{
	uint32_t i = 0;

	while (i < 32 && ((uint64_t)1 << i) < n) {
		i++;
	}
	return i;
}

/*
 * Reads page @pgno into @buf, once per read: a second visit means a loop or a shared page.
 * @return 0, or -1 with @err set.
 */
static int bdb_page(struct bdb *b, uint32_t pgno, unsigned char *buf, struct kerr *err)
{
	if (pgno == 0 || pgno >= b->npages) {
		return kerr_set(err, KERR_CORRUPT, "page %u: past the last page (%u)", pgno,
			b->npages - 1);
	}
	if (b->seen[pgno / 8] & (1u << (pgno % 8))) {
		return kerr_set(err, KERR_CORRUPT,
			"page %u: reached twice (a looping chain, or two chains sharing it)", pgno);
	}
	b->seen[pgno / 8] |= (unsigned char)(1u << (pgno % 8));
	if (rpmfile_read(b->f, (uint64_t)pgno * b->pagesize, buf, b->pagesize) != 0) {
		return kerr_sys(err, errno == ENODATA ? KERR_CORRUPT : KERR_IO, errno, "page %u",
			pgno);
	}
	return 0;
}

/* Makes room for @n bytes of blob. @return 0, or -1 with @err set. */
static int bdb_blob_room(struct bdb *b, size_t n, struct kerr *err)
{
	unsigned char *p;

	if (n <= b->blob_cap) {
		return 0;
	}
	p = realloc(b->blob, n);
	if (p == NULL) {
		return kerr_sys(err, KERR_NOMEM, errno, "header blob of %zu bytes", n);
	}
	b->blob = p;
	b->blob_cap = n;
	return 0;
}

/*
 * Copies the overflow chain starting at @pgno, @tlen bytes long, into b->blob.
 * @where names the item for messages. @return 0, or -1 with @err set.
 */
static int bdb_overflow(struct bdb *b, uint32_t pgno, uint32_t tlen, const char *where,
	struct kerr *err)
{
	uint32_t room = b->pagesize - b->data_off;
	size_t got = 0;

	if (tlen > KS_RPMDB_BLOB_MAX) {
		return kerr_set(err, KERR_LIMIT, "%s: header of %u bytes, over the %zu cap", where,
			tlen, KS_RPMDB_BLOB_MAX);
	}
	/* before allocating: the claim must fit in the pages the file has */
	if (tlen == 0 || tlen > (uint64_t)room * (b->npages - 1)) {
		return kerr_set(err, KERR_CORRUPT,
			"%s: off-page item of %u bytes in a file of %u pages", where, tlen,
			b->npages);
	}
	if (bdb_blob_room(b, tlen, err) != 0) {
		return -1;
	}
	while (got < tlen) {
		uint32_t len;

		if (pgno == 0) {
			return kerr_set(err, KERR_CORRUPT,
				"%s: overflow chain ends after %zu of its %u bytes", where, got,
				tlen);
		}
		if (bdb_page(b, pgno, b->ovpage, err) != 0) {
			kerr_prefix(err, "%s: ", where);
			return -1;
		}
		len = bdb_pg_hf_offset(b, b->ovpage);
		if (b->ovpage[25] != BDB_P_OVERFLOW || bdb_pg_pgno(b, b->ovpage) != pgno ||
		    len == 0 || len > room || len > tlen - got) {
			return kerr_set(err, KERR_CORRUPT,
				"%s: page %u: not one of its overflow pages (type %u, %u bytes)",
				where, pgno, b->ovpage[25], len);
		}
		memcpy(b->blob + got, b->ovpage + b->data_off, len);
		got += len;
		pgno = bdb_pg_next(b, b->ovpage);
	}
	if (pgno != 0) {
		return kerr_set(err, KERR_CORRUPT, "%s: overflow chain goes on past its %u bytes",
			where, tlen);
	}
	return 0;
}

/*
 * Item @i of the hash page b->page: its bytes (type byte first) in *@item, *@len.
 * Items are packed downwards from the end of the page in index order, so item i ends where
 * item i - 1 starts (db_page.h's LEN_HITEM). @return 0, or -1 with @err set.
 */
static int bdb_item(struct bdb *b, uint32_t pgno, uint32_t i, const unsigned char **item,
	uint32_t *len, struct kerr *err)
{
	const unsigned char *inp = b->page + b->data_off;
	uint32_t n = bdb_pg_entries(b, b->page);
	uint32_t off = bdb_u16(b, inp + 2 * i);
	uint32_t end = i == 0 ? b->pagesize : bdb_u16(b, inp + 2 * (i - 1));

	if (off < b->data_off + 2 * n || off >= end || end > b->pagesize) {
		return kerr_set(err, KERR_CORRUPT,
			"page %u: item %u at offset %u, outside the page's item area", pgno, i,
			off);
	}
	*item = b->page + off;
	*len = end - off;
	return 0;
}

/* Hands one header blob to the caller. @return 0, or -1 with @err set. */
static int bdb_emit(struct bdb *b, uint32_t key, const void *blob, size_t n, struct kerr *err)
{
	if (b->count >= (long)KS_RPMDB_PACKAGES_MAX) {
		return kerr_set(err, KERR_LIMIT, "over %u headers", KS_RPMDB_PACKAGES_MAX);
	}
	b->count++;
	return b->fn(b->ctx, key, blob, n, err);
}

/* The key/data pair at items @i, @i + 1 of bucket page @pgno. @return 0, or -1, @err set. */
static int bdb_pair(struct bdb *b, uint32_t pgno, uint32_t i, struct kerr *err)
{
	const unsigned char *key, *data;
	uint32_t klen, dlen, id;
	char where[64];

	if (bdb_item(b, pgno, i, &key, &klen, err) != 0 ||
	    bdb_item(b, pgno, i + 1, &data, &dlen, err) != 0) {
		return -1;
	}
	if (key[0] != BDB_H_KEYDATA || klen != 5) {
		return kerr_set(err, KERR_CORRUPT,
			"page %u: key %u is not a 4-byte header number (type %u, %u bytes)", pgno,
			i / 2, key[0], klen - 1);
	}
	id = bdb_u32(b, key + 1);
	if (id == 0) {
		/* rpm's header instance counter */
		return 0;
	}
	if (data[0] == BDB_H_KEYDATA) {
		return bdb_emit(b, id, data + 1, dlen - 1, err);
	}
	if (data[0] != BDB_H_OFFPAGE || dlen != BDB_HOFFPAGE_SIZE) {
		/* duplicates and external blobs: libdb features rpm never asks for */
		return kerr_set(err, KERR_CORRUPT,
			"page %u: header #%u stored as item type %u (%u bytes), not one rpm writes",
			pgno, id, data[0], dlen);
	}
	snprintf(where, sizeof(where), "page %u: header #%u", pgno, id);
	if (bdb_overflow(b, bdb_u32(b, data + 4), bdb_u32(b, data + 8), where, err) != 0) {
		return -1;
	}
	return bdb_emit(b, id, b->blob, bdb_u32(b, data + 8), err);
}

/*
 * Every pair of the hash page @pgno, already in b->page; @first if it is its bucket's first.
 * @return 0, or -1 with @err set.
 */
static int bdb_hash_page(struct bdb *b, uint32_t pgno, bool first, struct kerr *err)
{
	uint32_t n = bdb_pg_entries(b, b->page);
	uint32_t type = b->page[25];
	uint32_t i;

	if (first && type == BDB_P_INVALID && n == 0 && bdb_pg_pgno(b, b->page) == 0) {
		/* a bucket page allocated with its doubling, never written: an empty bucket */
		return 0;
	}
	if ((type != BDB_P_HASH && type != BDB_P_HASH_UNSORTED) ||
	    bdb_pg_pgno(b, b->page) != pgno) {
		return kerr_set(err, KERR_CORRUPT, "page %u: not a hash page (type %u, number %u)",
			pgno, type, bdb_pg_pgno(b, b->page));
	}
	if (n % 2 != 0 || b->data_off + 2 * n > b->pagesize) {
		return kerr_set(err, KERR_CORRUPT,
			"page %u: %u items, not key/data pairs on a page", pgno, n);
	}
	for (i = 0; i < n; i += 2) {
		if (bdb_pair(b, pgno, i, err) != 0) {
			return -1;
		}
	}
	return 0;
}

/* Walks the chain of hash pages of bucket @bucket. @return 0, or -1 with @err set. */
static int bdb_bucket(struct bdb *b, uint32_t bucket, struct kerr *err)
{
	uint64_t first = (uint64_t)bucket + b->spares[bdb_log2(bucket + 1)];
	uint32_t pgno;

	if (first == 0 || first >= b->npages) {
		return kerr_set(err, KERR_CORRUPT, "meta page: bucket %u maps to page %ju, outside "
			"the file's %u pages", bucket, (uintmax_t)first, b->npages);
	}
	for (pgno = (uint32_t)first; pgno != 0; pgno = bdb_pg_next(b, b->page)) {
		if (bdb_page(b, pgno, b->page, err) != 0) {
			kerr_prefix(err, "bucket %u: ", bucket);
			return -1;
		}
		if (bdb_hash_page(b, pgno, pgno == first, err) != 0) {
			return -1;
		}
	}
	return 0;
}

/* Settles the byte order from the magic, then the page size. @return 0, or -1, @err set. */
static int bdb_meta_order(struct bdb *b, const unsigned char *m, struct kerr *err)
{
	uint32_t le, be;

	b->big_endian = false;
	le = bdb_u32(b, m + 12);
	b->big_endian = true;
	be = bdb_u32(b, m + 12);
	b->big_endian = le != BDB_HASH_MAGIC;
	if (le == BDB_BTREE_MAGIC || be == BDB_BTREE_MAGIC) {
		return kerr_set(err, KERR_CORRUPT,
			"meta page: a Berkeley DB btree, not rpm's hash");
	}
	if (le != BDB_HASH_MAGIC && be != BDB_HASH_MAGIC) {
		return kerr_set(err, KERR_CORRUPT,
			"meta page: not a Berkeley DB hash database (magic 0x%08x)", le);
	}
	b->pagesize = bdb_u32(b, m + 20);
	if (b->pagesize < BDB_PAGE_MIN || b->pagesize > BDB_PAGE_MAX ||
	    (b->pagesize & (b->pagesize - 1)) != 0) {
		return kerr_set(err, KERR_CORRUPT, "meta page: page size %u", b->pagesize);
	}
	return 0;
}

/* Checks the meta page @m's fields and fills @b from them. @return 0, or -1, @err set. */
static int bdb_meta_fields(struct bdb *b, const unsigned char *m, struct kerr *err)
{
	uint32_t version = bdb_u32(b, m + 16);
	uint32_t last = bdb_u32(b, m + 32);
	uint64_t have = b->f->size / b->pagesize;
	uint32_t i;

	/* the magic decides, as libdb's open does: the meta page's type byte is not checked */
	if (version < BDB_HASH_VERSION_MIN || version > BDB_HASH_VERSION_MAX ||
	    bdb_pg_pgno(b, m) != 0) {
		return kerr_set(err, KERR_CORRUPT, "meta page: hash version %u, page number %u",
			version, bdb_pg_pgno(b, m));
	}
	if (m[24] != 0 || bdb_u32(b, m + 36) != 0) {
		return kerr_set(err, KERR_UNSUPPORTED,
			"meta page: an encrypted or partitioned database, which rpm never writes");
	}
	if (have < (uint64_t)last + 1) {
		return kerr_set(err, KERR_CORRUPT,
			"meta page: last page is %u but the file holds %ju pages: truncated", last,
			(uintmax_t)have);
	}
	b->npages = last + 1;
	b->data_off = BDB_PAGE_HDR + ((m[26] & BDB_META_CHKSUM) ? BDB_CHKSUM_SZ : 0);
	b->max_bucket = bdb_u32(b, m + 72);
	if (b->max_bucket >= b->npages || bdb_log2(b->max_bucket + 1) >= BDB_SPARES) {
		return kerr_set(err, KERR_CORRUPT, "meta page: %u buckets in a file of %u pages",
			b->max_bucket + 1, b->npages);
	}
	for (i = 0; i < BDB_SPARES; i++) {
		b->spares[i] = bdb_u32(b, m + 96 + 4 * i);
	}
	return 0;
}

/* Reads and checks the meta page (page 0). @return 0, or -1 with @err set. */
static int bdb_meta(struct bdb *b, struct kerr *err)
{
	unsigned char m[BDB_META_SIZE];

	if (b->f->size > (uint64_t)KS_RPMDB_FILE_MAX) {
		return kerr_set(err, KERR_LIMIT, "%ju bytes, over the %jd cap",
			(uintmax_t)b->f->size, (intmax_t)KS_RPMDB_FILE_MAX);
	}
	if (rpmfile_read(b->f, 0, m, sizeof(m)) != 0) {
		return kerr_sys(err, errno == ENODATA ? KERR_CORRUPT : KERR_IO, errno,
			"meta page: %ju bytes, shorter than a meta page", (uintmax_t)b->f->size);
	}
	if (bdb_meta_order(b, m, err) != 0 || bdb_meta_fields(b, m, err) != 0) {
		return -1;
	}
	return 0;
}

/* The buffers of one read, sized from the meta page. @return 0, or -1 with @err set. */
static int bdb_alloc(struct bdb *b, struct kerr *err)
{
	/* npages <= KS_RPMDB_FILE_MAX / 512: the bitmap stays under 1 MiB */
	b->seen = calloc((size_t)b->npages / 8 + 1, 1);
	b->page = malloc(b->pagesize);
	b->ovpage = malloc(b->pagesize);
	if (b->seen == NULL || b->page == NULL || b->ovpage == NULL) {
		return kerr_sys(err, KERR_NOMEM, ENOMEM, "buffers for %u pages", b->npages);
	}
	return 0;
}

long rpmbdb_read(const struct rpmfile *f, rpmhdr_blob_fn fn, void *ctx, struct kerr *err)
{
	struct bdb b;
	long rc = -1;
	uint32_t i;

	memset(&b, 0, sizeof(b));
	b.f = f;
	b.fn = fn;
	b.ctx = ctx;
	if (bdb_meta(&b, err) != 0 || bdb_alloc(&b, err) != 0) {
		goto free_buffers;
	}
	for (i = 0; i <= b.max_bucket; i++) {
		if (bdb_bucket(&b, i, err) != 0) {
			goto free_buffers;
		}
	}
	rc = b.count;
free_buffers:
	free(b.blob);
	free(b.ovpage);
	free(b.page);
	free(b.seen);
	return rc;
}
