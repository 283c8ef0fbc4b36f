/* Fuzz target: the spool file and spool journal parsers (report/deliver/spool.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "report/deliver/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_delivery d;
	struct spool_item it;
	struct buf out;
	struct kerr e;

	kerr_clear(&e);
	if (spool_parse((const char *)data, size, &it, &e) == 0 && it.len > size) {
		__builtin_trap();
	}
	memset(&d, 0, sizeof(d));
	if (spool_journal_parse((const char *)data, size, &d, &e) == 0) {
		/* what parses writes back the same way */
		buf_init(&out, size + 1);
		if (spool_journal_format(&out, &d) == 0 &&
		    (buf_len(&out) != size || memcmp(buf_str(&out), data, size) != 0)) {
			__builtin_trap();
		}
		buf_free(&out);
	}
	report_delivery_free(&d);
	return 0;
}
