/** Elastic Common Schema events (NDJSON), ready for Elasticsearch's _bulk API. */
#ifndef KSCAN_FMT_ECS_H
#define KSCAN_FMT_ECS_H

#include <stdbool.h>

#include "report/report.h"
#include "base/buf.h"

/** The ECS version the events follow (ecs.version). */
#define FMT_ECS_VERSION "8.11.0"

/** data_stream.namespace when none is configured (Elastic's own default). */
#define FMT_ECS_NAMESPACE "default"

/**
 * Writes @r as ECS events, one JSON object per line: one summary event for the scan
 * (event.kind "state"), then one event per finding (event.kind "alert"), each with
 * @timestamp, event.*, host.*, agent.*, data_stream.* (in namespace @ns, NULL: "default")
 * and the finding's package.*, file.*, process.*, server.*, network.* and rule.*; the full
 * native objects are under kscan.* (docs/report.md, "ECS").
 * @bulk puts an Elasticsearch _bulk action line before each event:
 * {"create":{"_index":"logs-kscan.finding-NS","_id":...}}, the event's data stream and an
 * id derived from the report id, so a resent report creates no duplicate.
 * @return 0, or -1 with errno (ENOMEM, E2BIG).
 */
int fmt_ecs_write(const struct report *r, struct buf *out, bool bulk, const char *ns);

#endif
