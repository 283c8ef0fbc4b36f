/*
 * Fuzz target: the crontab line parser (both formats) and the paths of a command. A job's
 * user and command must lie inside the line; every path handed out starts with "/".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/probes/cron.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_path(void *ctx, const char *path)
{
	(void)ctx;
	if (path[0] != '/') {
		abort();
	}
	return 0;
}

static void fuzz_line(const char *line, size_t n)
{
	struct cron_line cl;
	int sys;

	for (sys = 0; sys <= 1; sys++) {
		if (cron_parse_line(line, n, sys != 0, &cl) != 1) {
			continue;
		}
		if (cl.command < line || cl.command + cl.command_len > line + n ||
		    cl.command_len == 0 || (sys != 0 && (cl.user < line || cl.user_len == 0 ||
			    cl.user + cl.user_len > line + n))) {
			abort();
		}
		(void)cron_command_paths(cl.command, cl.command_len, check_path, NULL);
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
