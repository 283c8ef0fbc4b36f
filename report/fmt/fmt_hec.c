#include "report/fmt/fmt_hec.h"

#include <string.h>

#include "report/fmt/fmt_json.h"
#include "report/fmt/json.h"
#include "base/xstd.h"

/*
 * The envelope: HEC refuses members it does not know, so a host name that is not UTF-8
 * (which would bring a host_b64 sibling) is left out here; the event's own host object
 * keeps its exact bytes.
 */
static void fmt_hec_begin(struct json *j, const struct report *r, const char *sourcetype)
{
	json_obj_begin(j);
	json_key(j, "time");
	json_milli(j, r->finished_ms);
	if (r->hostname != NULL && xstd_utf8_valid(r->hostname, strlen(r->hostname))) {
		json_kv_str(j, "host", r->hostname);
	}
	json_kv_str(j, "source", "kscan");
	json_kv_str(j, "sourcetype", sourcetype);
	json_key(j, "event");
	json_obj_begin(j);
	fmt_json_stamp(j, r);
}

static void fmt_hec_end(struct json *j)
{
	json_obj_end(j);
	json_obj_end(j);
}

static void fmt_hec_scan(struct json *j, const struct report *r)
{
	fmt_hec_begin(j, r, "kscan:scan");
	if (r->verdict == REPORT_INCOMPLETE) {
		json_kv_str(j, "verdict_reason", report_verdict_reason(r));
	}
	json_kv_u64(j, "findings", r->nfindings);
	json_key(j, "kscan");
	json_obj_begin(j);
	json_kv_str(j, "version", r->kscan_version);
	json_obj_end(j);
	fmt_json_host(j, r);
	fmt_json_scan(j, r);
	fmt_json_packs(j, r);
	fmt_json_sources(j, r);
	fmt_json_errors(j, r);
	fmt_json_delivery(j, r);
	fmt_hec_end(j);
}

static void fmt_hec_finding(struct json *j, const struct report *r, const struct report_finding *f)
{
	fmt_hec_begin(j, r, "kscan:finding");
	json_kv_str(j, "hostname", r->hostname);
	json_kv_str(j, "machine_id", r->machine_id);
	json_key(j, "finding");
	fmt_json_finding(j, f, r->live);
	fmt_hec_end(j);
}

/* One envelope: the scan's (@f NULL) or a finding's. */
static void fmt_hec_event(struct json *j, const struct report *r, const struct report_finding *f)
{
	if (f == NULL) {
		fmt_hec_scan(j, r);
	} else {
		fmt_hec_finding(j, r, f);
	}
}

int fmt_hec_write(const struct report *r, struct buf *out)
{
	return fmt_json_events(r, out, NULL, fmt_hec_event);
}
