#include "report/fmt/fmt_ecs.h"

#include <stdio.h>
#include <string.h>

#include "report/fmt/fmt_json.h"
#include "report/fmt/json.h"
#include "base/limits.h"
#include "base/xstd.h"

/* Nanoseconds per millisecond: ECS durations are in nanoseconds. */
#define FMT_ECS_NS_PER_MS INT64_C(1000000)

/* "@timestamp", ecs.version, agent.*, host.*: what every event of a scan shares. */
static void fmt_ecs_common(struct json *j, const struct report *r)
{
	fmt_json_time(j, "@timestamp", r->finished_ms);
	json_key(j, "ecs");
	json_obj_begin(j);
	json_kv_str(j, "version", FMT_ECS_VERSION);
	json_obj_end(j);
	json_key(j, "agent");
	json_obj_begin(j);
	json_kv_str(j, "type", "kscan");
	json_kv_str(j, "version", r->kscan_version);
	json_obj_end(j);
	json_key(j, "host");
	json_obj_begin(j);
	json_kv_str(j, "name", r->hostname);
	json_kv_str(j, "hostname", r->hostname);
	json_kv_str(j, "id", r->machine_id);
	json_key(j, "os");
	json_obj_begin(j);
	json_kv_str(j, "type", "linux");
	json_kv_str(j, "platform", r->os_id);
	json_kv_str(j, "version", r->os_version_id);
	json_kv_str(j, "full", r->os_pretty_name);
	json_kv_str(j, "kernel", r->kernel);
	json_obj_end(j);
	json_obj_end(j);
}

/* "<report id>:<signature id>": unique per finding and stable when a report is resent. */
static void fmt_ecs_finding_id(struct json *j, const struct report *r,
	const struct report_finding *f)
{
	char id[sizeof(r->report_id) + 1 + KS_SIG_ID_MAX + 1];

	/* signature ids are at most KS_SIG_ID_MAX bytes, so this never truncates */
	(void)snprintf(id, sizeof(id), "%s:%s", r->report_id, f->signature);
	json_str(j, id);
}

/* The _bulk action line: create (never index) so a resent event is refused, not doubled. */
static void fmt_ecs_action(struct buf *out, const struct report *r,
	const struct report_finding *f)
{
	struct json j;

	json_init(&j, out, false);
	json_obj_begin(&j);
	json_key(&j, "create");
	json_obj_begin(&j);
	json_key(&j, "_id");
	if (f == NULL) {
		json_str(&j, r->report_id);
	} else {
		fmt_ecs_finding_id(&j, r, f);
	}
	json_obj_end(&j);
	json_obj_end(&j);
	buf_addc(out, '\n');
}

/* The ECS category of an evidence kind. */
static const char *fmt_ecs_category(enum report_ev_kind k)
{
	switch (k) {
	case REPORT_EV_PACKAGE:
		return "package";
	case REPORT_EV_PATH:
	case REPORT_EV_FILE:
	case REPORT_EV_HASH:
		return "file";
	case REPORT_EV_PROCESS:
	case REPORT_EV_SERVICE:
		return "process";
	case REPORT_EV_KERNEL_MODULE:
		return "driver";
	case REPORT_EV_ACCOUNT:
		return "iam";
	case REPORT_EV_SOCKET:
		return "network";
	case REPORT_EV_CRON:
		return "configuration";
	case REPORT_EV_KIND_COUNT:
	default:
		return NULL;
	}
}

/* event.category: the distinct categories of the finding's evidence kinds, in ECS order. */
static void fmt_ecs_categories(struct json *j, const struct report_finding *f)
{
	static const char *const order[] = {"configuration", "driver", "file", "iam", "network",
		"package", "process"};
	unsigned k;
	size_t i;

	json_key(j, "category");
	json_arr_begin(j);
	for (i = 0; i < XSTD_COUNTOF(order); i++) {
		for (k = 0; k < REPORT_EV_KIND_COUNT; k++) {
			const char *c = fmt_ecs_category((enum report_ev_kind)k);

			if ((f->kinds & 1u << k) != 0 && c != NULL && strcmp(c, order[i]) == 0) {
				json_str(j, order[i]);
				break;
			}
		}
	}
	json_arr_end(j);
}

/*
 * The opening members of "event" (left open for the caller's): a scan's state event (@f
 * NULL) or a finding's alert, in the categories of its evidence.
 */
static void fmt_ecs_event_head(struct json *j, const struct report_finding *f)
{
	json_key(j, "event");
	json_obj_begin(j);
	json_kv_str(j, "kind", f == NULL ? "state" : "alert");
	if (f == NULL) {
		json_key(j, "category");
		json_arr_begin(j);
		json_str(j, "host");
		json_arr_end(j);
	} else {
		fmt_ecs_categories(j, f);
	}
	json_key(j, "type");
	json_arr_begin(j);
	json_str(j, "info");
	json_arr_end(j);
	json_kv_str(j, "module", "kscan");
	json_kv_str(j, "dataset", f == NULL ? "kscan.scan" : "kscan.finding");
}

static void fmt_ecs_summary(struct json *j, const struct report *r)
{
	char msg[64];

	json_obj_begin(j);
	fmt_ecs_common(j, r);
	fmt_ecs_event_head(j, NULL);
	json_kv_str(j, "id", r->report_id);
	/* the scan read everything it should, or not: incomplete is a failed audit */
	json_kv_str(j, "outcome", r->verdict == REPORT_INCOMPLETE ? "failure" : "success");
	fmt_json_time(j, "start", r->started_ms);
	fmt_json_time(j, "end", r->finished_ms);
	json_kv_i64(j, "duration", r->duration_ms * FMT_ECS_NS_PER_MS);
	json_obj_end(j);
	(void)snprintf(msg, sizeof(msg), "kscan: %s, %zu finding(s)",
		report_verdict_name(r->verdict), r->nfindings);
	json_kv_str(j, "message", msg);
	json_key(j, "kscan");
	json_obj_begin(j);
	fmt_json_stamp(j, r);
	if (r->verdict == REPORT_INCOMPLETE) {
		json_kv_str(j, "verdict_reason", report_verdict_reason(r));
	}
	json_kv_u64(j, "findings", r->nfindings);
	fmt_json_scan(j, r);
	fmt_json_packs(j, r);
	fmt_json_sources(j, r);
	fmt_json_errors(j, r);
	fmt_json_delivery(j, r);
	json_obj_end(j);
	json_obj_end(j);
}

/* The first evidence item of one of the @kinds (a bit set), or NULL. */
static const struct report_evidence *fmt_ecs_first(const struct report_finding *f,
	unsigned kinds)
{
	size_t i;

	for (i = 0; i < f->nev; i++) {
		if ((kinds & 1u << f->ev[i].kind) != 0) {
			return &f->ev[i];
		}
	}
	return NULL;
}

static void fmt_ecs_package(struct json *j, const struct report_evidence *e)
{
	json_key(j, "package");
	json_obj_begin(j);
	json_kv_str(j, "name", e->name);
	json_kv_str(j, "version", e->version);
	json_kv_str(j, "architecture", e->arch);
	/* ECS package.type is the package format, not the manager */
	if (e->manager != NULL) {
		json_kv_str(j, "type", strcmp(e->manager, "dpkg") == 0 ? "deb" : e->manager);
	}
	json_obj_end(j);
}

static void fmt_ecs_file(struct json *j, const struct report_evidence *e)
{
	const char *slash = e->path != NULL ? strrchr(e->path, '/') : NULL;

	json_key(j, "file");
	json_obj_begin(j);
	json_kv_str(j, "path", e->path);
	if (slash != NULL && slash[1] != '\0') {
		json_key(j, "name");
		json_str(j, slash + 1);
		json_key(j, "directory");
		json_strn(j, e->path, slash == e->path ? 1 : (size_t)(slash - e->path));
	}
	/* ECS knows file, dir and symlink; "other" (a socket, a device) is left out */
	if (e->ftype != NULL && strcmp(e->ftype, "other") != 0) {
		json_kv_str(j, "type", e->ftype);
	}
	json_kv_str(j, "target_path", e->target);
	fmt_json_size_mtime(j, e);
	if (e->sha256 != NULL) {
		json_key(j, "hash");
		json_obj_begin(j);
		json_kv_str(j, "sha256", e->sha256);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static void fmt_ecs_process(struct json *j, const struct report_evidence *e)
{
	json_key(j, "process");
	json_obj_begin(j);
	json_kv_str(j, "name", e->name);
	json_kv_str(j, "executable", e->path);
	if (e->pid != 0) {
		json_kv_u64(j, "pid", e->pid);
	}
	json_obj_end(j);
}

/* package.*, file.*, process.*: the first evidence item of each, the rest in kscan.finding. */
static void fmt_ecs_fields(struct json *j, const struct report_finding *f)
{
	const unsigned files = 1u << REPORT_EV_PATH | 1u << REPORT_EV_FILE | 1u << REPORT_EV_HASH;
	const struct report_evidence *e;

	e = fmt_ecs_first(f, 1u << REPORT_EV_PACKAGE);
	if (e != NULL) {
		fmt_ecs_package(j, e);
	}
	e = fmt_ecs_first(f, files);
	if (e != NULL && e->path != NULL) {
		fmt_ecs_file(j, e);
	}
	e = fmt_ecs_first(f, 1u << REPORT_EV_PROCESS);
	if (e != NULL) {
		fmt_ecs_process(j, e);
	}
}

static void fmt_ecs_finding(struct json *j, const struct report *r, const struct report_finding *f)
{
	json_obj_begin(j);
	fmt_ecs_common(j, r);
	fmt_ecs_event_head(j, f);
	json_key(j, "id");
	fmt_ecs_finding_id(j, r, f);
	/* installer 1 < remnant 2 < installed 3 < running 4: the finding's state */
	json_kv_u64(j, "severity", (uint64_t)f->state);
	json_obj_end(j);
	json_key(j, "rule");
	json_obj_begin(j);
	json_kv_str(j, "id", f->signature);
	json_kv_str(j, "name", f->product);
	json_obj_end(j);
	fmt_ecs_fields(j, f);
	json_key(j, "kscan");
	json_obj_begin(j);
	fmt_json_stamp(j, r);
	json_key(j, "finding");
	fmt_json_finding(j, f, r->live);
	json_obj_end(j);
	json_obj_end(j);
}

/* One event: the scan's summary (@f NULL) or a finding's alert. */
static void fmt_ecs_event(struct json *j, const struct report *r, const struct report_finding *f,
	const void *ctx)
{
	(void)ctx;
	if (f == NULL) {
		fmt_ecs_summary(j, r);
	} else {
		fmt_ecs_finding(j, r, f);
	}
}

int fmt_ecs_write(const struct report *r, struct buf *out, bool bulk)
{
	return fmt_json_events(r, out, bulk ? fmt_ecs_action : NULL, fmt_ecs_event, NULL);
}
