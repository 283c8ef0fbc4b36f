/*
 * Fuzz target: the ndb Packages.db reader, each blob it hands over parsed as a header.
 * A mutated blob almost never keeps its Adler-32, so the reader would stop every one at the
 * checksum and rpmhdr would see nothing new: each input also runs once more with the
 * checksum of (up to FIX_MAX) slots' blobs recomputed, as rpm would have written it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/kerr.h"
#include "scanner/sources/rpmfile.h"
#include "scanner/sources/rpmhdr.h"
#include "scanner/sources/rpmndb.h"

#define FIX_MAX 64u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* rpmhdr_blob_fn: parses the blob and reads the fields kscan keeps, as rpmdb does. */
static int blob(void *ctx, unsigned id, const void *p, size_t n, struct kerr *err)
{
	struct rpmhdr h;
	uint32_t epoch;

	(void)ctx;
	(void)id;
	if (rpmhdr_parse(&h, p, n, err) != 0) {
		return -1;
	}
	(void)rpmhdr_str(&h, RPMHDR_TAG_NAME);
	(void)rpmhdr_str(&h, RPMHDR_TAG_VERSION);
	(void)rpmhdr_u32(&h, RPMHDR_TAG_EPOCH, &epoch);
	return 0;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
}

/* Rewrites the trailer checksum of every used slot's blob that lies inside @d. */
static void fix_adler(unsigned char *d, size_t n)
{
	uint64_t end, start, slots = n < 16 ? 0 : (uint64_t)le32(d + 12) * 4096;
	unsigned fixed = 0;
	uint32_t adl;
	size_t o;

	for (o = 32; o + 16 <= n && o < slots && fixed < FIX_MAX; o += 16) {
		start = (uint64_t)le32(d + o + 8) * 16;
		end = start + (uint64_t)le32(d + o + 12) * 16;
		if (start == 0 || end > n || end - start < 28) {
			continue;
		}
		adl = (uint32_t)adler32(1L, d + start, (uInt)(end - start - 12));
		d[end - 12] = (unsigned char)adl;
		d[end - 11] = (unsigned char)(adl >> 8);
		d[end - 10] = (unsigned char)(adl >> 16);
		d[end - 9] = (unsigned char)(adl >> 24);
		fixed++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpmfile f;
	struct kerr err;
	unsigned char *copy;

	rpmfile_mem(&f, data, size);
	(void)rpmndb_read(&f, blob, NULL, &err);
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL) {
		return 0;
	}
	memcpy(copy, data, size);
	fix_adler(copy, size);
	rpmfile_mem(&f, copy, size);
	(void)rpmndb_read(&f, blob, NULL, &err);
	free(copy);
	return 0;
}
