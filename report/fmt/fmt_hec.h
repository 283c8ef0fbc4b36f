/** Splunk HTTP Event Collector envelopes. */
#ifndef KSCAN_FMT_HEC_H
#define KSCAN_FMT_HEC_H

#include "report/report.h"
#include "base/buf.h"

/**
 * Writes @r as HEC event envelopes, one per line, for POST /services/collector/event:
 * {"time","host","source":"kscan","sourcetype":"kscan:scan","event":{...}} for the scan,
 * then one "kscan:finding" envelope per finding (docs/report.md, "Splunk HEC").
 * @return 0, or -1 with errno (ENOMEM, E2BIG).
 */
int fmt_hec_write(const struct report *r, struct buf *out);

#endif
