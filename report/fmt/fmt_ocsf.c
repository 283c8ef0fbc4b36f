#include "report/fmt/fmt_ocsf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report/fmt/fmt_json.h"
#include "report/fmt/json.h"
#include "base/limits.h"

/* Compliance Finding: category Findings (2), class 3 in it, activity Create (1). */
enum {
	OCSF_CATEGORY = 2,
	OCSF_CLASS = 2003,
	OCSF_ACTIVITY_CREATE = 1,
	OCSF_TYPE = OCSF_CLASS * 100 + OCSF_ACTIVITY_CREATE,
	OCSF_STATUS_NEW = 1,
	OCSF_OS_LINUX = 200,
	OCSF_FILE_REGULAR = 1,
	OCSF_FILE_FOLDER = 2,
	OCSF_FILE_SYMLINK = 7,
	OCSF_FILE_OTHER = 99,
	OCSF_HASH_SHA256 = 3,
	OCSF_ROLE_TARGET = 1,
	OCSF_ROLE_AFFECTED = 3,
};

/* compliance.status_id, and the severity each one carries. */
enum fmt_ocsf_outcome { OCSF_PASS = 1, OCSF_WARNING = 2, OCSF_FAIL = 3 };

#define FMT_OCSF_CONTROL "No Kaspersky-branded product is present on the system"

static const char *fmt_ocsf_outcome_name(enum fmt_ocsf_outcome o)
{
	return o == OCSF_PASS ? "Pass" : o == OCSF_WARNING ? "Warning" : "Fail";
}

/*
 * Severity: a banned product must go at once (High, "action is required immediately"); a
 * scan that could not look everywhere must be run again (Medium); a pass needs nothing.
 */
static void fmt_ocsf_severity(struct json *j, enum fmt_ocsf_outcome o)
{
	static const char *const names[] = {"Informational", "Medium", "High"};
	static const int ids[] = {1, 3, 4};
	int k = o == OCSF_PASS ? 0 : o == OCSF_WARNING ? 1 : 2;

	json_kv_u64(j, "severity_id", (uint64_t)ids[k]);
	json_kv_str(j, "severity", names[k]);
}

/* The ids every event of the class carries, and the scan's times. */
static void fmt_ocsf_class(struct json *j, const struct report *r)
{
	json_kv_u64(j, "activity_id", OCSF_ACTIVITY_CREATE);
	json_kv_str(j, "activity_name", "Create");
	json_kv_u64(j, "category_uid", OCSF_CATEGORY);
	json_kv_str(j, "category_name", "Findings");
	json_kv_u64(j, "class_uid", OCSF_CLASS);
	json_kv_str(j, "class_name", "Compliance Finding");
	json_kv_u64(j, "type_uid", OCSF_TYPE);
	json_kv_str(j, "type_name", "Compliance Finding: Create");
	json_kv_i64(j, "time", r->finished_ms);
	json_kv_i64(j, "start_time", r->started_ms);
	json_kv_i64(j, "end_time", r->finished_ms);
	json_kv_i64(j, "duration", r->duration_ms);
	json_kv_i64(j, "timezone_offset", 0);
	json_kv_u64(j, "status_id", OCSF_STATUS_NEW);
	json_kv_str(j, "status", "New");
}

/*
 * metadata: the schema version, kscan as the product, the event's id (REPORT_ID:SIGNATURE,
 * or REPORT_ID:scan, stable when a report is resent) and the report's.
 */
static void fmt_ocsf_metadata(struct json *j, const struct report *r, const char *what)
{
	char uid[sizeof(r->report_id) + KS_SIG_ID_MAX + 2];

	(void)snprintf(uid, sizeof(uid), "%s:%s", r->report_id, what);
	json_key(j, "metadata");
	json_obj_begin(j);
	json_kv_str(j, "version", FMT_OCSF_VERSION);
	json_key(j, "product");
	json_obj_begin(j);
	json_kv_str(j, "name", "kscan");
	json_kv_str(j, "vendor_name", "kscan");
	json_kv_str(j, "version", r->kscan_version);
	json_obj_end(j);
	json_kv_str(j, "uid", uid);
	json_kv_str(j, "correlation_uid", r->report_id);
	json_kv_str(j, "log_name", "kscan");
	json_key(j, "profiles");
	json_arr_begin(j);
	json_str(j, "host");
	json_arr_end(j);
	json_obj_end(j);
}

/* The host the control was checked on (a mounted root is named by its path). */
static void fmt_ocsf_device(struct json *j, const struct report *r)
{
	json_key(j, "device");
	json_obj_begin(j);
	json_kv_str(j, "hostname", r->hostname);
	json_kv_str(j, "name", r->hostname != NULL ? r->hostname : r->root);
	json_kv_str(j, "uid", r->machine_id);
	json_kv_u64(j, "type_id", 0);
	json_kv_str(j, "type", "Unknown");
	json_key(j, "os");
	json_obj_begin(j);
	json_kv_str(j, "name", r->os_pretty_name != NULL ? r->os_pretty_name :
				r->os_id != NULL ? r->os_id : "Linux");
	json_kv_u64(j, "type_id", OCSF_OS_LINUX);
	json_kv_str(j, "type", "Linux");
	json_kv_str(j, "version", r->os_version_id);
	json_kv_str(j, "kernel_release", r->kernel);
	json_obj_end(j);
	json_obj_end(j);
}

/*
 * standards and requirements: the frameworks and controls of the packs' compliance: entries,
 * each once; @f's pack's for a finding, every loaded pack's for the host's event.
 */
static void fmt_ocsf_obligations(struct json *j, const struct report *r,
	const struct report_finding *f, bool controls)
{
	const struct report_compliance *c;
	size_t it = 0;

	json_key(j, controls ? "requirements" : "standards");
	json_arr_begin(j);
	while ((c = report_obligation(r, f, &it)) != NULL) {
		json_str(j, controls ? c->control : c->framework);
	}
	json_arr_end(j);
}

/* compliance: the directives, the control, and how the host fared against it. */
static void fmt_ocsf_compliance(struct json *j, const struct report *r,
	const struct report_finding *f, enum fmt_ocsf_outcome o, const char *detail)
{
	json_key(j, "compliance");
	json_obj_begin(j);
	fmt_ocsf_obligations(j, r, f, false);
	fmt_ocsf_obligations(j, r, f, true);
	json_kv_str(j, "control", FMT_OCSF_CONTROL);
	json_kv_u64(j, "status_id", (uint64_t)o);
	json_kv_str(j, "status", fmt_ocsf_outcome_name(o));
	json_kv_str(j, "status_detail", detail);
	json_obj_end(j);
}

/* finding_info.analytic: the signature that matched, as a rule of its pack. */
static void fmt_ocsf_analytic(struct json *j, const struct report_finding *f)
{
	json_key(j, "analytic");
	json_obj_begin(j);
	json_kv_str(j, "uid", f->signature);
	json_kv_str(j, "name", f->product);
	json_kv_u64(j, "type_id", 1);
	json_kv_str(j, "type", "Rule");
	json_kv_str(j, "category", f->pack);
	json_kv_str(j, "version", f->pack_version);
	json_obj_end(j);
}

/* finding_info: a stable id per report and product, so a re-sent report is not a new one. */
static void fmt_ocsf_info(struct json *j, const struct report *r, const char *what,
	const char *title, const char *desc, const struct report_finding *f)
{
	char uid[sizeof(r->report_id) + KS_SIG_ID_MAX + 2];
	size_t i;

	(void)snprintf(uid, sizeof(uid), "%s:%s", r->report_id, what);
	json_key(j, "finding_info");
	json_obj_begin(j);
	json_kv_str(j, "uid", uid);
	json_kv_str(j, "title", title);
	json_kv_str(j, "desc", desc);
	json_key(j, "types");
	json_arr_begin(j);
	json_str(j, "Prohibited Software");
	json_arr_end(j);
	json_kv_i64(j, "created_time", r->finished_ms);
	if (f != NULL) {
		fmt_ocsf_analytic(j, f);
		json_kv_str(j, "src_url", f->reference);
	}
	json_key(j, "data_sources");
	json_arr_begin(j);
	for (i = 0; i < r->nsources; i++) {
		if (r->sources[i].status != REPORT_SRC_FAILED) {
			json_str(j, r->sources[i].name);
		}
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* The host as a resource: the target of the check. */
static void fmt_ocsf_host_resource(struct json *j, const struct report *r)
{
	json_obj_begin(j);
	json_kv_str(j, "type", "Host");
	json_kv_str(j, "name", r->hostname != NULL ? r->hostname : r->root);
	json_kv_str(j, "uid", r->machine_id);
	json_kv_str(j, "hostname", r->hostname);
	json_kv_u64(j, "role_id", OCSF_ROLE_TARGET);
	json_kv_str(j, "role", "Target");
	json_obj_end(j);
}

/* The product found, with the version its package gives. */
static void fmt_ocsf_product_resource(struct json *j, const struct report_finding *f)
{
	size_t i;

	json_obj_begin(j);
	json_kv_str(j, "type", "Software");
	json_kv_str(j, "name", f->product);
	json_kv_str(j, "uid", f->signature);
	for (i = 0; i < f->nev; i++) {
		if (f->ev[i].kind == REPORT_EV_PACKAGE && f->ev[i].version != NULL) {
			json_kv_str(j, "version", f->ev[i].version);
			break;
		}
	}
	json_kv_u64(j, "role_id", OCSF_ROLE_AFFECTED);
	json_kv_str(j, "role", "Affected");
	json_key(j, "data");
	json_obj_begin(j);
	json_kv_str(j, "vendor", f->vendor);
	json_kv_str(j, "state", report_state_name(f->state));
	json_kv_str(j, "confidence", report_confidence_name(f->confidence));
	json_kv_bool(j, "shared_only", f->shared_only);
	json_obj_end(j);
	json_obj_end(j);
}

/* kscan's file types as OCSF's type_id and caption; an unknown type (no stat) is a file. */
static const struct {
	const char *ftype;
	unsigned id;
	const char *caption;
} fmt_ocsf_file_types[] = {
	{"file", OCSF_FILE_REGULAR, "Regular File"},
	{"dir", OCSF_FILE_FOLDER, "Folder"},
	{"symlink", OCSF_FILE_SYMLINK, "Symbolic Link"},
	{"other", OCSF_FILE_OTHER, "Other"},
};

/* A file object: name, path, type, and what kscan knows of its size, time and content. */
static void fmt_ocsf_file(struct json *j, const struct report_evidence *e)
{
	const char *base = strrchr(e->path, '/');
	size_t t = 0, last = sizeof(fmt_ocsf_file_types) / sizeof(fmt_ocsf_file_types[0]) - 1;

	/* the last entry, other, takes any type not listed before it */
	while (e->ftype != NULL && t < last &&
	       strcmp(e->ftype, fmt_ocsf_file_types[t].ftype) != 0) {
		t++;
	}
	base = base != NULL && base[1] != '\0' ? base + 1 : e->path;
	json_key(j, "file");
	json_obj_begin(j);
	json_kv_str(j, "name", base);
	json_kv_str(j, "path", e->path);
	json_kv_u64(j, "type_id", fmt_ocsf_file_types[t].id);
	json_kv_str(j, "type", fmt_ocsf_file_types[t].caption);
	if (e->has_size) {
		json_kv_u64(j, "size", e->size);
	}
	if (e->has_mtime) {
		json_kv_i64(j, "modified_time", e->mtime_ms);
	}
	if (e->sha256 != NULL) {
		json_key(j, "hashes");
		json_arr_begin(j);
		json_obj_begin(j);
		json_kv_u64(j, "algorithm_id", OCSF_HASH_SHA256);
		json_kv_str(j, "algorithm", "SHA-256");
		json_kv_str(j, "value", e->sha256);
		json_obj_end(j);
		json_arr_end(j);
	}
	json_obj_end(j);
}

/* A running process: its id, name, executable and user. */
static void fmt_ocsf_process(struct json *j, const struct report_evidence *e)
{
	char uid[16];

	json_key(j, "process");
	json_obj_begin(j);
	json_kv_u64(j, "pid", e->pid);
	json_kv_str(j, "name", e->name);
	if (e->has_started) {
		json_kv_i64(j, "created_time", e->started_ms);
	}
	if (e->path != NULL) {
		fmt_ocsf_file(j, e);
	}
	if (e->has_uid) {
		(void)snprintf(uid, sizeof(uid), "%" PRIu32, e->uid);
		json_key(j, "user");
		json_obj_begin(j);
		json_kv_str(j, "uid", uid);
		json_obj_end(j);
	}
	json_obj_end(j);
}

/* A listening socket: the endpoint connections would reach, and the process behind it. */
static void fmt_ocsf_socket(struct json *j, const struct report_evidence *e)
{
	json_key(j, "dst_endpoint");
	json_obj_begin(j);
	json_kv_str(j, "ip", e->address);
	json_kv_u64(j, "port", e->port);
	json_obj_end(j);
	if (e->pid != 0) {
		json_key(j, "process");
		json_obj_begin(j);
		json_kv_u64(j, "pid", e->pid);
		json_obj_end(j);
	}
}

/* A user account: OCSF's user object. A group has no OCSF object: it stays in data. */
static void fmt_ocsf_account(struct json *j, const struct report_evidence *e)
{
	char uid[16];

	json_key(j, "user");
	json_obj_begin(j);
	json_kv_str(j, "name", e->name);
	if (e->has_uid) {
		(void)snprintf(uid, sizeof(uid), "%" PRIu32, e->uid);
		json_kv_str(j, "uid", uid);
	}
	json_obj_end(j);
}

/* One evidence artifact, in the OCSF object that fits its kind, always with its data. */
static void fmt_ocsf_evidence(struct json *j, const struct report_evidence *e)
{
	json_obj_begin(j);
	json_kv_str(j, "name", report_ev_kind_name(e->kind));
	switch (e->kind) {
	case REPORT_EV_PATH:
	case REPORT_EV_FILE:
	case REPORT_EV_HASH:
	case REPORT_EV_ARCHIVE:
		if (e->path != NULL) {
			fmt_ocsf_file(j, e);
		}
		break;
	case REPORT_EV_PROCESS:
		fmt_ocsf_process(j, e);
		break;
	case REPORT_EV_SOCKET:
		if (e->address != NULL) {
			fmt_ocsf_socket(j, e);
		}
		break;
	case REPORT_EV_ACCOUNT:
		if (e->account != NULL && strcmp(e->account, "user") == 0 && e->name != NULL) {
			fmt_ocsf_account(j, e);
		}
		break;
	case REPORT_EV_PACKAGE:
	case REPORT_EV_SERVICE:
	case REPORT_EV_KERNEL_MODULE:
	case REPORT_EV_CRON:
	case REPORT_EV_KIND_COUNT:
	default:
		break;
	}
	/* what OCSF's objects do not hold (packages, units, modules, cron lines, groups, kits)
	 * and the rest: the native evidence object, in the member OCSF leaves free */
	json_key(j, "data");
	fmt_json_evidence(j, e);
	json_obj_end(j);
}

/*
 * remediation: the plan's hint and its numbered steps, in the one text OCSF has for it (left
 * out if that text cannot be made: the plan stays in unmapped.kscan.finding).
 */
static void fmt_ocsf_remediation(struct json *j, const struct report_finding *f)
{
	struct buf desc;
	size_t i;

	buf_init(&desc, KS_REPORT_STR_MAX * (KS_PLAN_STEPS_MAX + 1));
	if (f->remove != NULL) {
		buf_adds(&desc, f->remove);
	}
	for (i = 0; i < f->nsteps; i++) {
		const struct report_step *s = &f->steps[i];

		buf_addf(&desc, "%s%zu. %s", buf_len(&desc) > 0 ? "\n" : "", i + 1,
			s->command != NULL ? s->command : s->description);
	}
	if (buf_len(&desc) == 0) {
		buf_adds(&desc, "Remove the product and what it left behind.");
	}
	if (buf_error(&desc) == 0) {
		json_key(j, "remediation");
		json_obj_begin(j);
		json_kv_str(j, "desc", buf_str(&desc));
		json_obj_end(j);
	}
	buf_free(&desc);
}

/* One Fail event: the finding, its evidence and its removal plan. */
static void fmt_ocsf_finding(struct json *j, const struct report *r,
	const struct report_finding *f)
{
	char msg[KS_REPORT_STR_MAX + 64];
	size_t i;

	(void)snprintf(msg, sizeof(msg), "%s %s", f->product, report_state_name(f->state));
	json_obj_begin(j);
	fmt_ocsf_class(j, r);
	fmt_ocsf_severity(j, OCSF_FAIL);
	json_kv_u64(j, "confidence_id", f->confidence == REPORT_CONF_HIGH ? 3 :
					f->confidence == REPORT_CONF_MEDIUM ? 2 : 1);
	json_kv_str(j, "confidence", f->confidence == REPORT_CONF_HIGH ? "High" :
				     f->confidence == REPORT_CONF_MEDIUM ? "Medium" : "Low");
	json_kv_str(j, "message", msg);
	fmt_ocsf_metadata(j, r, f->signature);
	fmt_ocsf_device(j, r);
	fmt_ocsf_compliance(j, r, f, OCSF_FAIL, msg);
	fmt_ocsf_info(j, r, f->signature, f->product,
		f->shared_only ? "Shared Kaspersky component, no product beside it" : msg, f);
	json_key(j, "resources");
	json_arr_begin(j);
	fmt_ocsf_host_resource(j, r);
	fmt_ocsf_product_resource(j, f);
	json_arr_end(j);
	json_key(j, "evidences");
	json_arr_begin(j);
	for (i = 0; i < f->nev; i++) {
		fmt_ocsf_evidence(j, &f->ev[i]);
	}
	json_arr_end(j);
	fmt_ocsf_remediation(j, f);
	json_key(j, "unmapped");
	json_obj_begin(j);
	fmt_json_kscan_finding(j, r, f);
	json_obj_end(j);
	json_obj_end(j);
}

/* The one event of a scan without findings: Pass when clean, Warning when incomplete. */
static void fmt_ocsf_scan(struct json *j, const struct report *r)
{
	enum fmt_ocsf_outcome o = r->verdict == REPORT_CLEAN ? OCSF_PASS : OCSF_WARNING;
	const char *detail = o == OCSF_PASS ? "No Kaspersky product found; every source was read" :
					      report_verdict_reason(r);
	const char *title = o == OCSF_PASS ? "No Kaspersky product present" :
					     "Kaspersky presence could not be ruled out";

	json_obj_begin(j);
	fmt_ocsf_class(j, r);
	fmt_ocsf_severity(j, o);
	json_kv_str(j, "message", detail);
	fmt_ocsf_metadata(j, r, "scan");
	fmt_ocsf_device(j, r);
	fmt_ocsf_compliance(j, r, NULL, o, detail);
	fmt_ocsf_info(j, r, "scan", title, detail, NULL);
	json_key(j, "resources");
	json_arr_begin(j);
	fmt_ocsf_host_resource(j, r);
	json_arr_end(j);
	json_key(j, "unmapped");
	json_obj_begin(j);
	json_key(j, "kscan");
	json_obj_begin(j);
	fmt_json_stamp(j, r);
	if (r->verdict == REPORT_INCOMPLETE) {
		json_kv_str(j, "verdict_reason", report_verdict_reason(r));
	}
	fmt_json_scan(j, r);
	fmt_json_packs(j, r);
	fmt_json_sources(j, r);
	fmt_json_errors(j, r);
	json_obj_end(j);
	json_obj_end(j);
	json_obj_end(j);
}

/* One event: the host's (@f NULL, only when nothing was found) or a finding's. */
static void fmt_ocsf_event(struct json *j, const struct report *r, const struct report_finding *f,
	const void *ctx)
{
	(void)ctx;
	if (f == NULL) {
		fmt_ocsf_scan(j, r);
	} else {
		fmt_ocsf_finding(j, r, f);
	}
}

int fmt_ocsf_write(const struct report *r, struct buf *out)
{
	return fmt_json_events(r, out, FMT_JSON_SUMMARY_ALONE, NULL, fmt_ocsf_event, NULL);
}
