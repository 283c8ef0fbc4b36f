/** Report formats by name: the writers behind --format and collector.format. */
#ifndef KSCAN_FMT_H
#define KSCAN_FMT_H

#include <stdbool.h>

#include "report/fmt/fmt_hec.h"
#include "report/report.h"
#include "base/buf.h"

/** Every format kscan writes from the one report model (docs/report.md). */
enum fmt_kind {
	/** The native JSON report. */
	FMT_JSON = 0,
	/** The human report; never sent to a collector. */
	FMT_TEXT,
	/** Elastic Common Schema events, one JSON object per line. */
	FMT_ECS,
	/** ECS events with Elasticsearch _bulk action lines. */
	FMT_ECS_BULK,
	/** Splunk HTTP Event Collector envelopes. */
	FMT_HEC,
	/** A CycloneDX bill of materials of the Kaspersky software found. */
	FMT_CDX,
	/** OCSF Compliance Finding events, one JSON object per line. */
	FMT_OCSF,
};

/**
 * @return 0 with *@out set for "json", "text", "ecs", "ecs-bulk", "splunk-hec", "cyclonedx"
 * or "ocsf"; else -1.
 */
int fmt_parse(const char *name, enum fmt_kind *out);

/** The name fmt_parse() takes. */
const char *fmt_name(enum fmt_kind k);

/** The media type of a request body in format @k. */
const char *fmt_content_type(enum fmt_kind k);

/** How the writers write; fmt_opts_init() sets the defaults. */
struct fmt_opts {
	/** Indents the native JSON and the CycloneDX BOM (the line formats are one object per
	 * line by definition). */
	bool pretty;
	/** Colours the text banner. */
	bool color;
	/** Splunk HEC: index, source, sourcetype, indexed fields. */
	struct fmt_hec_opts hec;
	/** ECS: data_stream.namespace; NULL: "default". */
	const char *ecs_namespace;
};

/** No indent, no colour, HEC's defaults. */
void fmt_opts_init(struct fmt_opts *o);

/**
 * Writes @r in format @k to @out, as @o says.
 * @return 0, or -1 with errno (ENOMEM, E2BIG past the buffer's cap).
 */
int fmt_write(enum fmt_kind k, const struct report *r, struct buf *out, const struct fmt_opts *o);

#endif
