/*
 * Fuzz target: an rpmdb.sqlite image read through rpmsql (libsqlite3 behind the read-only
 * VFS), each header then through rpmhdr as rpmdb does.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"
#include "scanner/sources/rpmhdr.h"
#include "scanner/sources/rpmsql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_blob(void *ctx, unsigned id, const void *blob, size_t n, struct kerr *err)
{
	struct rpmhdr h;

	(void)ctx;
	(void)id;
	if (rpmhdr_parse(&h, blob, n, err) == 0) {
		(void)rpmhdr_str(&h, RPMHDR_TAG_NAME);
	}
	kerr_clear(err);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kerr err;

	kerr_clear(&err);
	(void)rpmsql_read_mem(data, size, fuzz_blob, NULL, &err);
	return 0;
}
