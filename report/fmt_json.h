/** The native JSON report (docs/report.md, report/report.schema.json). */
#ifndef KSCAN_FMT_JSON_H
#define KSCAN_FMT_JSON_H

#include <stdbool.h>

#include "report/report.h"
#include "scanner/buf.h"

/**
 * Writes @r as one JSON document (a trailing newline included) to @out.
 * @return 0, or -1 with errno (ENOMEM, E2BIG past the buffer's cap).
 */
int fmt_json_write(const struct report *r, struct buf *out, bool pretty);

#endif
