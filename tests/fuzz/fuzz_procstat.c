/*
 * Fuzz target: the /proc/<pid>/stat, /proc/<pid>/status and /proc/stat parsers, each on
 * the whole input. A parsed stat's name must be NUL-terminated within its buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/probes/procs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct procs_stat st;
	uint32_t uid;
	int64_t btime;

	if (procs_parse_stat(s, size, &st) == 0 &&
	    memchr(st.comm, '\0', sizeof(st.comm)) == NULL) {
		abort();
	}
	(void)procs_parse_status_uid(s, size, &uid);
	if (procs_parse_btime(s, size, &btime) == 0 && btime < 0) {
		abort();
	}
	return 0;
}
