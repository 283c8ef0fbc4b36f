/** Splunk HTTP Event Collector envelopes. */
#ifndef KSCAN_FMT_HEC_H
#define KSCAN_FMT_HEC_H

#include <stdbool.h>

#include "report/report.h"
#include "base/buf.h"

/** Indexed fields an envelope can carry in "fields" (bits of fmt_hec_opts.fields). */
enum fmt_hec_field {
	FMT_HEC_VERDICT = 1u << 0,
	FMT_HEC_PRODUCT = 1u << 1,
	FMT_HEC_STATE = 1u << 2,
	FMT_HEC_HOST = 1u << 3,
	FMT_HEC_SIGNATURE = 1u << 4,
	FMT_HEC_REPORT_ID = 1u << 5,
};

/** Where Splunk files the events. */
struct fmt_hec_opts {
	/** The index; NULL: the token's default index. */
	const char *index;
	/** "source"; NULL: "kscan". */
	const char *source;
	/** The sourcetypes' prefix: PREFIX:scan and PREFIX:finding; NULL: "kscan". */
	const char *sourcetype;
	/** FMT_HEC_* bits: the indexed fields each envelope carries (those it has). */
	unsigned fields;
};

/** The defaults: the token's index, source and sourcetype kscan, verdict/product/state/host. */
void fmt_hec_opts_init(struct fmt_hec_opts *o);

/** @return 0 with *@bit set for "verdict", "product", "state", "host", "signature" or
 * "report_id"; else -1. */
int fmt_hec_field_parse(const char *name, unsigned *bit);

/**
 * Writes @r as HEC event envelopes, one per line, for POST /services/collector/event:
 * {"time","host","source","sourcetype":"kscan:scan","index","fields","event":{...}} for the
 * scan, then one "kscan:finding" envelope per finding (docs/report.md, "Splunk HEC"), as
 * @o says (NULL: the defaults).
 * @return 0, or -1 with errno (ENOMEM, E2BIG).
 */
int fmt_hec_write(const struct report *r, struct buf *out, const struct fmt_hec_opts *o);

#endif
