/* Fuzz target: the rpm header parser (a package file's header, the rpm database's blobs). */
#include <stddef.h>
#include <stdint.h>

#include "scanner/sources/rpmhdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpmhdr_pkg p;

	if (size >= RPMHDR_INTRO_SIZE) {
		(void)rpmhdr_intro(data);
	}
	(void)rpmhdr_is_lead(data, size);
	if (rpmhdr_parse(data, size, &p) == 0) {
		rpmhdr_pkg_free(&p);
	}
	return 0;
}
