/* Fuzz target: the dpkg control-file parser (status, journal entries, status.d files). */
#include <stddef.h>
#include <stdint.h>

#include "scanner/sources/dpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkg_list l;
	struct kerr e;

	pkg_list_init(&l);
	kerr_clear(&e);
	(void)dpkg_parse_mem((const char *)data, size, "/var/lib/dpkg/status", &l, &e);
	pkg_list_free(&l);
	return 0;
}
