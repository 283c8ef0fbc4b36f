/*
 * Fuzz target: the os-release reader (the scanned root's /etc/os-release, which whoever
 * owns a container image or a mounted disk wrote). The value must always fit its buffer,
 * NUL-terminated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/sources/host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"ID", "VERSION_ID", "PRETTY_NAME"};
	char *s = malloc(size + 1);
	char out[64];
	size_t i;

	if (s == NULL) {
		return 0;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		memset(out, 'x', sizeof(out));
		if (host_os_release_value(s, keys[i], out, sizeof(out)) == 0 &&
		    memchr(out, '\0', sizeof(out)) == NULL) {
			abort();
		}
	}
	free(s);
	return 0;
}
