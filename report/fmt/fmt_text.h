/** The human report: verdict banner, one block per finding, coverage, errors. */
#ifndef KSCAN_FMT_TEXT_H
#define KSCAN_FMT_TEXT_H

#include <stdbool.h>

#include "report/report.h"
#include "base/buf.h"

/**
 * Writes @r for a terminal or a log to @out. Control characters and invalid UTF-8 in names
 * are shown as \xNN so a hostile file name cannot move the cursor or forge lines.
 * @color adds ANSI colors to the banner.
 * @return 0, or -1 with errno.
 */
int fmt_text_write(const struct report *r, struct buf *out, bool color);

#endif
