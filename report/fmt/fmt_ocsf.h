/** OCSF: Compliance Finding events for security data lakes (Amazon Security Lake, SIEMs). */
#ifndef KSCAN_FMT_OCSF_H
#define KSCAN_FMT_OCSF_H

#include "report/report.h"
#include "base/buf.h"

/** The OCSF release the events follow (metadata.version). */
#define FMT_OCSF_VERSION "1.8.0"

/**
 * Writes @r as NDJSON OCSF Compliance Finding events (class_uid 2003): one event with
 * compliance status Fail per finding; with no finding, one event for the whole scan, Pass
 * when the verdict is clean and Warning when it is incomplete, never Pass (docs/report.md,
 * "OCSF").
 * @return 0, or -1 with errno (ENOMEM, E2BIG past the buffer's cap).
 */
int fmt_ocsf_write(const struct report *r, struct buf *out);

#endif
