#include "report/fmt/fmt_hec.h"

#include <stdio.h>
#include <string.h>

#include "report/fmt/fmt_json.h"
#include "report/fmt/json.h"
#include "base/limits.h"
#include "base/xstd.h"

static const struct {
	const char *name;
	unsigned bit;
} fmt_hec_fields[] = {
	{"verdict", FMT_HEC_VERDICT},
	{"product", FMT_HEC_PRODUCT},
	{"state", FMT_HEC_STATE},
	{"host", FMT_HEC_HOST},
	{"signature", FMT_HEC_SIGNATURE},
	{"report_id", FMT_HEC_REPORT_ID},
};

void fmt_hec_opts_init(struct fmt_hec_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->fields = FMT_HEC_VERDICT | FMT_HEC_PRODUCT | FMT_HEC_STATE | FMT_HEC_HOST;
}

int fmt_hec_field_parse(const char *name, unsigned *bit)
{
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(fmt_hec_fields); i++) {
		if (strcmp(name, fmt_hec_fields[i].name) == 0) {
			*bit = fmt_hec_fields[i].bit;
			return 0;
		}
	}
	return -1;
}

/* One indexed field, when asked for and known: HEC takes strings (or arrays of them). */
static void fmt_hec_field(struct json *j, const struct fmt_hec_opts *o, unsigned bit,
	const char *value)
{
	size_t i;

	if ((o->fields & bit) == 0 || value == NULL || !xstd_utf8_valid(value, strlen(value))) {
		return;
	}
	for (i = 0; i < XSTD_COUNTOF(fmt_hec_fields); i++) {
		if (fmt_hec_fields[i].bit == bit) {
			json_kv_str(j, fmt_hec_fields[i].name, value);
		}
	}
}

/*
 * "fields": what Splunk indexes beside _raw, so a dashboard can filter by verdict, product,
 * state or host with tstats, without parsing the event (@f NULL: the scan's envelope).
 */
static void fmt_hec_indexed(struct json *j, const struct report *r,
	const struct report_finding *f, const struct fmt_hec_opts *o)
{
	if (o->fields == 0) {
		return;
	}
	json_key(j, "fields");
	json_obj_begin(j);
	fmt_hec_field(j, o, FMT_HEC_VERDICT, report_verdict_name(r->verdict));
	fmt_hec_field(j, o, FMT_HEC_HOST, r->hostname);
	fmt_hec_field(j, o, FMT_HEC_REPORT_ID, r->report_id);
	if (f != NULL) {
		fmt_hec_field(j, o, FMT_HEC_PRODUCT, f->product);
		fmt_hec_field(j, o, FMT_HEC_SIGNATURE, f->signature);
		fmt_hec_field(j, o, FMT_HEC_STATE, report_state_name(f->state));
	}
	json_obj_end(j);
}

/*
 * The envelope: HEC refuses members it does not know, so a host name that is not UTF-8
 * (which would bring a host_b64 sibling) is left out here; the event's own host object
 * keeps its exact bytes.
 */
static void fmt_hec_begin(struct json *j, const struct report *r,
	const struct report_finding *f, const struct fmt_hec_opts *o)
{
	char sourcetype[KS_HEC_NAME_MAX + sizeof(":finding")];

	(void)snprintf(sourcetype, sizeof(sourcetype), "%s:%s",
		o->sourcetype != NULL ? o->sourcetype : "kscan", f == NULL ? "scan" : "finding");
	json_obj_begin(j);
	json_key(j, "time");
	json_milli(j, r->finished_ms);
	if (r->hostname != NULL && xstd_utf8_valid(r->hostname, strlen(r->hostname))) {
		json_kv_str(j, "host", r->hostname);
	}
	json_kv_str(j, "source", o->source != NULL ? o->source : "kscan");
	json_kv_str(j, "sourcetype", sourcetype);
	json_kv_str(j, "index", o->index);
	fmt_hec_indexed(j, r, f, o);
	json_key(j, "event");
	json_obj_begin(j);
	fmt_json_stamp(j, r);
}

static void fmt_hec_end(struct json *j)
{
	json_obj_end(j);
	json_obj_end(j);
}

static void fmt_hec_scan(struct json *j, const struct report *r, const struct fmt_hec_opts *o)
{
	fmt_hec_begin(j, r, NULL, o);
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

static void fmt_hec_finding(struct json *j, const struct report *r, const struct report_finding *f,
	const struct fmt_hec_opts *o)
{
	fmt_hec_begin(j, r, f, o);
	json_kv_str(j, "hostname", r->hostname);
	json_kv_str(j, "machine_id", r->machine_id);
	json_key(j, "finding");
	fmt_json_finding(j, r, f);
	fmt_hec_end(j);
}

/* One envelope: the scan's (@f NULL) or a finding's. */
static void fmt_hec_event(struct json *j, const struct report *r, const struct report_finding *f,
	const void *ctx)
{
	if (f == NULL) {
		fmt_hec_scan(j, r, ctx);
	} else {
		fmt_hec_finding(j, r, f, ctx);
	}
}

int fmt_hec_write(const struct report *r, struct buf *out, const struct fmt_hec_opts *o)
{
	struct fmt_hec_opts defaults;

	if (o == NULL) {
		fmt_hec_opts_init(&defaults);
		o = &defaults;
	}
	return fmt_json_events(r, out, FMT_JSON_SUMMARY_FIRST, NULL, fmt_hec_event, o);
}
