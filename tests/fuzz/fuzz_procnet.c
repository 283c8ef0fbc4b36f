/*
 * Fuzz target: the /proc/net/{tcp,udp}[6] line parser, every line of the input as each of
 * the four tables; a parsed socket's address must print.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/probes/sockets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_line(const char *line, size_t n)
{
	struct sockets_entry e;
	char addr[46];
	int k;

	for (k = 0; k < 4; k++) {
		if (sockets_parse_line(line, n, (k & 1) != 0, (k & 2) != 0, &e) != 1) {
			continue;
		}
		sockets_addr_str(&e, addr);
		if (strlen(addr) == 0 || strlen(addr) >= sizeof(addr)) {
			abort();
		}
		(void)sockets_listening(&e);
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
