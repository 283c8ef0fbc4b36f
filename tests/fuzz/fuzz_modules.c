/*
 * Fuzz target: /proc/modules lines and module file names. Every line is parsed as both; a
 * name that comes out is never empty and holds only what the kernel allows.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/probes/kmods.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > KMODS_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n) {
		abort();
	}
}

static void fuzz_line(const char *line, size_t n)
{
	char name[KMODS_NAME_MAX + 1], fname[KMODS_NAME_MAX + 16];

	if (kmods_parse_line(line, n, name) == 0) {
		check_name(name);
	}
	if (n < sizeof(fname) && memchr(line, '\0', n) == NULL) {
		memcpy(fname, line, n);
		fname[n] = '\0';
		if (kmods_file_name(fname, name)) {
			check_name(name);
			if (strchr(name, '-') != NULL) {
				abort();
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *nl;
	size_t i = 0;

	while (i <= size) {
		nl = memchr(s + i, '\n', size - i);
		fuzz_line(s + i, nl != NULL ? (size_t)(nl - (s + i)) : size - i);
		if (nl == NULL) {
			break;
		}
		i = (size_t)(nl - s) + 1;
	}
	return 0;
}
