/*
 * Fuzz target: the passwd and group line parser. Every line of the input is parsed as
 * both; a line taken as an account must give a name that is a prefix of it, without ":".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/probes/accounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_line(const char *line, size_t n)
{
	char name[ACCOUNTS_NAME_MAX + 1];
	uint32_t id;
	size_t len;
	int k;

	for (k = ACCOUNTS_USER; k <= ACCOUNTS_GROUP; k++) {
		if (accounts_parse_line(line, n, (enum accounts_kind)k, name, &id) != 1) {
			continue;
		}
		len = strlen(name);
		if (len == 0 || len > n || memcmp(name, line, len) != 0 ||
		    strchr(name, ':') != NULL) {
			abort();
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
