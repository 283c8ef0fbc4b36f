/*
 * Fuzz target: the Berkeley DB rpm database reader (scanner/sources/rpmbdb) over an input
 * in memory, each header blob it finds parsed by rpmhdr as rpmdb.c does. Seeds: a Packages
 * file of one package written by rpm 4.16, and the same byte-swapped (tests/lib/bdb-swap.py).
 */
#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"
#include "scanner/sources/rpmbdb.h"
#include "scanner/sources/rpmfile.h"
#include "scanner/sources/rpmhdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_blob(void *ctx, unsigned id, const void *blob, size_t n, struct kerr *err)
{
	struct rpmhdr h;
	uint32_t epoch;

	(void)ctx;
	(void)id;
	if (rpmhdr_parse(&h, blob, n, err) != 0) {
		return -1;
	}
	(void)rpmhdr_str(&h, RPMHDR_TAG_NAME);
	(void)rpmhdr_str(&h, RPMHDR_TAG_VERSION);
	(void)rpmhdr_u32(&h, RPMHDR_TAG_EPOCH, &epoch);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpmfile f;
	struct kerr err;

	kerr_clear(&err);
	rpmfile_mem(&f, data, size);
	(void)rpmbdb_read(&f, fuzz_blob, NULL, &err);
	return 0;
}
