/** Where a finished report goes: stdout, or a file replaced atomically. */
#ifndef KSCAN_OUTPUT_H
#define KSCAN_OUTPUT_H

#include <stddef.h>
#include <sys/types.h>

#include "base/kerr.h"

/**
 * Writes @data to @path atomically: a temporary file in the same directory (O_EXCL, mode
 * @mode), fsync, rename over @path, fsync of the directory. A reader sees the old report
 * or the new one, never half of one. @path == NULL or "-" writes to stdout.
 * @return 0, or -1 with @err set (KERR_IO).
 */
int output_write(const char *path, const char *data, size_t len, mode_t mode, struct kerr *err);

#endif
