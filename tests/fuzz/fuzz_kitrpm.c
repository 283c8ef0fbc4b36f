/* Fuzz target: the rpm header parser (a package file's header, the rpm database's blobs). */
#include <stddef.h>
#include <stdint.h>

#include "scanner/deep/kitrpm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kitrpm_pkg p;

	if (size >= KITRPM_INTRO_SIZE) {
		(void)kitrpm_intro(data);
	}
	(void)kitrpm_is_lead(data, size);
	if (kitrpm_parse(data, size, &p) == 0) {
		kitrpm_pkg_free(&p);
	}
	return 0;
}
