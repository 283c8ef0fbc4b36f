/** The native JSON report (docs/report.md, report/report.schema.json). */
#ifndef KSCAN_FMT_JSON_H
#define KSCAN_FMT_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "report/fmt/json.h"
#include "report/report.h"
#include "base/buf.h"

/**
 * Writes @r as one JSON document (a trailing newline included) to @out.
 * @return 0, or -1 with errno (ENOMEM, E2BIG past the buffer's cap).
 */
int fmt_json_write(const struct report *r, struct buf *out, bool pretty);

/*
 * The parts of the native report, for the dashboard formats (fmt_ecs, fmt_hec) that carry
 * the same objects inside their own envelopes. Each writes one member (key and value) of
 * the object open in @j, except fmt_json_finding(), which writes a value.
 */

/** "KEY": RFC 3339 UTC with milliseconds; nothing for a time without a 4-digit-year form. */
void fmt_json_time(struct json *j, const char *key, int64_t ms);

/** Whether @ms has that form: from 1970 to the end of year 9999. */
bool fmt_json_time_ok(int64_t ms);

/** "signatures": {"packs": [...]}. */
void fmt_json_packs(struct json *j, const struct report *r);

/** "host": {...}: host name, machine id, os, kernel. */
void fmt_json_host(struct json *j, const struct report *r);

/** "scan": {...}: root, mode, times, duration. */
void fmt_json_scan(struct json *j, const struct report *r);

/** "sources": {...}: every source with its status, location, counts and error. */
void fmt_json_sources(struct json *j, const struct report *r);

/**
 * One finding object, as in the native report's findings[], with its pack's obligations
 * (only a live report, @r, can say whether a product runs).
 */
void fmt_json_finding(struct json *j, const struct report *r, const struct report_finding *f);

/** "delivery": {...}, only when the spool has something to tell. */
void fmt_json_delivery(struct json *j, const struct report *r);

/** The "errors" list, and "errors_dropped" when the cap dropped some. */
void fmt_json_errors(struct json *j, const struct report *r);

/** "schema", "report_id", "verdict": what ties a dashboard event to its report. */
void fmt_json_stamp(struct json *j, const struct report *r);

/** "size" and "mtime" of a file evidence item, each only when known. */
void fmt_json_size_mtime(struct json *j, const struct report_evidence *e);

/**
 * Writes one event (a JSON object) for @r's scan (@f NULL) or for its finding @f; @ctx is
 * the writer's own (its options), as given to fmt_json_events().
 */
typedef void fmt_json_event_fn(struct json *j, const struct report *r,
	const struct report_finding *f, const void *ctx);

/** Writes a line before an event, such as an Elasticsearch _bulk action; @ctx as above. */
typedef void fmt_json_action_fn(struct buf *out, const struct report *r,
	const struct report_finding *f, const void *ctx);

/** When the scan's own event is written. */
enum fmt_json_summary {
	/** Always, before the findings' (ECS, HEC). */
	FMT_JSON_SUMMARY_FIRST = 0,
	/** Only when there is no finding: the host's one event (OCSF's Pass or Warning). */
	FMT_JSON_SUMMARY_ALONE,
};

/**
 * The dashboard formats' event loop: one line for the scan (as @summary says), then one per
 * finding, each written by @event and, when @action is not NULL, after @action's line.
 * @return 0, or -1 with errno (ENOMEM, E2BIG past the buffer's cap).
 */
int fmt_json_events(const struct report *r, struct buf *out, enum fmt_json_summary summary,
	fmt_json_action_fn *action, fmt_json_event_fn *event, const void *ctx);

/** One evidence object, as in a native finding's evidence[] (a value). */
void fmt_json_evidence(struct json *j, const struct report_evidence *e);

/** "kscan": {"schema", "report_id", "verdict", "finding": {...}}: @f with what ties it to @r. */
void fmt_json_kscan_finding(struct json *j, const struct report *r,
	const struct report_finding *f);

#endif
