#include "scanner/sources/rpmbdb.h"

long rpmbdb_read(const struct rpmfile *f, rpmhdr_blob_fn fn, void *ctx, struct kerr *err)
{
	(void)f;
	(void)fn;
	(void)ctx;
	return kerr_set(err, KERR_UNSUPPORTED, "not read yet");
}
