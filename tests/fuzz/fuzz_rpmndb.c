/* Fuzz target: the ndb Packages.db reader, each blob it hands over parsed as a header. */
#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"
#include "scanner/sources/rpmfile.h"
#include "scanner/sources/rpmhdr.h"
#include "scanner/sources/rpmndb.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpmfile f;
	struct kerr err;

	rpmfile_mem(&f, data, size);
	(void)rpmndb_read(&f, blob, NULL, &err);
	return 0;
}
