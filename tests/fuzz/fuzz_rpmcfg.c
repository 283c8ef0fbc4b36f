/* Fuzz target: one rpm macros file's text (rpmcfg_parse): %_dbpath and %_db_backend. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/sources/rpmcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpmcfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	rpmcfg_parse((const char *)data, size, &cfg);
	/* what it keeps is a C string inside its field, a path absolute, a name one word */
	if (strnlen(cfg.dbpath, sizeof(cfg.dbpath)) == sizeof(cfg.dbpath) ||
	    strnlen(cfg.backend, sizeof(cfg.backend)) == sizeof(cfg.backend) ||
	    (cfg.dbpath[0] != '\0' && cfg.dbpath[0] != '/') ||
	    strchr(cfg.dbpath, '%') != NULL || strchr(cfg.backend, '/') != NULL) {
		abort();
	}
	return 0;
}
