/*
 * Fuzz target: the JSON string writer. Arbitrary bytes (file names are bytes) must always
 * give valid UTF-8, and the _b64 sibling must give the exact bytes back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/fmt/json.h"
#include "base/xstd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b;
	bool valid;
	size_t i;

	buf_init(&b, (size_t)64 << 20);
	valid = json_escape(&b, (const char *)data, size);
	if (buf_error(&b) == 0 && !xstd_utf8_valid(buf_str(&b), buf_len(&b))) {
		abort();
	}
	if (valid != xstd_utf8_valid((const char *)data, size)) {
		abort();
	}
	/* no raw quote or control byte may survive outside an escape */
	for (i = 0; buf_error(&b) == 0 && i < buf_len(&b); i++) {
		unsigned char c = (unsigned char)buf_str(&b)[i];

		if (c == '\\') {
			i++;
		} else if (c == '"' || c < 0x20) {
			abort();
		}
	}
	buf_free(&b);
	return 0;
}
