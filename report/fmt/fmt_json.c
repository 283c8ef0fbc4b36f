#include "report/fmt/fmt_json.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "report/fscov.h"
#include "report/fmt/json.h"
#include "base/xstd.h"

/* 9999-12-31T23:59:59.999Z: RFC 3339 has four-digit years. */
#define FMT_JSON_TIME_MAX INT64_C(253402300799999)

/*
 * Times before 1970 or past year 9999 (a file's mtime is whatever its owner set) have no
 * faithful xstd_rfc3339() form, so they are left out like any unknown field.
 */
bool fmt_json_time_ok(int64_t ms)
{
	return ms >= 0 && ms <= FMT_JSON_TIME_MAX;
}

void fmt_json_time(struct json *j, const char *key, int64_t ms)
{
	char t[32];

	if (!fmt_json_time_ok(ms)) {
		return;
	}
	xstd_rfc3339(ms, t);
	json_kv_str(j, key, t);
}

/* A string, or null: keys that are always present. */
static void fmt_json_kv_str_null(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s != NULL) {
		json_str(j, s);
	} else {
		json_null(j);
	}
}

/* One obligation: {"framework", "control", "reference"}. */
static void fmt_json_obligation(struct json *j, const struct report_compliance *c)
{
	json_obj_begin(j);
	json_kv_str(j, "framework", c->framework);
	json_kv_str(j, "control", c->control);
	json_kv_str(j, "reference", c->reference);
	json_obj_end(j);
}

/*
 * "compliance": [...], when there is any: @f's pack's obligations, or with @f NULL every
 * pack's once each (signatures.compliance). The packs themselves do not list theirs: the
 * built-in packs share them, and 22 copies quadrupled a clean report.
 */
static void fmt_json_compliance(struct json *j, const struct report *r,
	const struct report_finding *f)
{
	const struct report_compliance *c;
	size_t it = 0;

	c = report_obligation(r, f, &it);
	if (c == NULL) {
		return;
	}
	json_key(j, "compliance");
	json_arr_begin(j);
	for (; c != NULL; c = report_obligation(r, f, &it)) {
		fmt_json_obligation(j, c);
	}
	json_arr_end(j);
}

void fmt_json_packs(struct json *j, const struct report *r)
{
	size_t i;

	json_key(j, "signatures");
	json_obj_begin(j);
	json_key(j, "packs");
	json_arr_begin(j);
	for (i = 0; i < r->npacks; i++) {
		const struct report_pack *p = &r->packs[i];

		json_obj_begin(j);
		json_kv_str(j, "name", p->name);
		json_kv_str(j, "version", p->version);
		json_kv_str(j, "sha256", p->sha256);
		json_kv_bool(j, "builtin", p->builtin);
		json_kv_bool(j, "verified", p->verified);
		json_kv_u64(j, "signatures", p->nsignatures);
		fmt_json_kv_str_null(j, "date", p->date);
		fmt_json_kv_str_null(j, "expires", p->expires);
		json_kv_bool(j, "stale", p->stale);
		json_obj_end(j);
	}
	json_arr_end(j);
	fmt_json_compliance(j, r, NULL);
	if (r->max_age_days > 0) {
		json_kv_u64(j, "max_age_days", r->max_age_days);
	}
	json_obj_end(j);
}

void fmt_json_host(struct json *j, const struct report *r)
{
	json_key(j, "host");
	json_obj_begin(j);
	json_kv_str(j, "hostname", r->hostname);
	json_kv_str(j, "machine_id", r->machine_id);
	json_key(j, "os");
	json_obj_begin(j);
	json_kv_str(j, "id", r->os_id);
	json_kv_str(j, "version_id", r->os_version_id);
	json_kv_str(j, "pretty_name", r->os_pretty_name);
	json_obj_end(j);
	json_kv_str(j, "kernel", r->kernel);
	json_obj_end(j);
}

void fmt_json_scan(struct json *j, const struct report *r)
{
	json_key(j, "scan");
	json_obj_begin(j);
	json_kv_str(j, "root", r->root);
	json_kv_str(j, "mode", r->mode);
	json_kv_bool(j, "live", r->live);
	fmt_json_time(j, "started_at", r->started_ms);
	fmt_json_time(j, "finished_at", r->finished_ms);
	json_kv_i64(j, "duration_ms", r->duration_ms);
	json_key(j, "sandbox");
	json_obj_begin(j);
	json_kv_bool(j, "no_new_privs", r->sandbox_no_new_privs);
	json_kv_i64(j, "landlock_abi", r->sandbox_landlock_abi);
	json_kv_str(j, "note", r->sandbox_note);
	json_obj_end(j);
	json_obj_end(j);
}

static void fmt_json_counts(struct json *j, const char *key, const struct report_count *v,
	size_t n)
{
	size_t i;

	json_key(j, key);
	json_obj_begin(j);
	for (i = 0; i < n; i++) {
		json_kv_u64(j, v[i].key, v[i].value);
	}
	json_obj_end(j);
}

static void fmt_json_strs(struct json *j, const char *key, char *const *v, size_t n)
{
	size_t i;

	json_key(j, key);
	json_arr_begin(j);
	for (i = 0; i < n; i++) {
		json_str(j, v[i]);
	}
	json_arr_end(j);
}

/* The deep sweep's coverage, inside sources.fs (docs/report.md). */
static void fmt_json_fs(struct json *j, const struct fscov *c)
{
	size_t i;

	fmt_json_strs(j, "paths", c->paths, c->npaths);
	fmt_json_strs(j, "excluded", c->excluded, c->nexcluded);
	json_kv_u64(j, "max_file_size", c->max_file_size);
	if (c->max_duration_s > 0) {
		json_kv_u64(j, "max_duration_s", c->max_duration_s);
	}
	json_kv_bool(j, "low_priority", c->low_priority);
	fmt_json_counts(j, "skipped", c->skipped, c->nskipped);
	fmt_json_counts(j, "errors_by_kind", c->errors_by_kind, c->nerrors_by_kind);
	json_key(j, "failed_paths");
	json_arr_begin(j);
	for (i = 0; i < c->nfailed; i++) {
		json_obj_begin(j);
		json_kv_str(j, "path", c->failed[i].path);
		json_kv_str(j, "kind", c->failed[i].kind);
		json_kv_str(j, "error", c->failed[i].message);
		json_obj_end(j);
	}
	json_arr_end(j);
	if (c->failed_dropped > 0) {
		json_kv_u64(j, "failed_paths_dropped", c->failed_dropped);
	}
	json_key(j, "mounts_skipped");
	json_arr_begin(j);
	for (i = 0; i < c->nmounts; i++) {
		json_obj_begin(j);
		json_kv_str(j, "path", c->mounts[i].path);
		json_kv_str(j, "fstype", c->mounts[i].fstype);
		json_kv_str(j, "reason", c->mounts[i].reason);
		json_obj_end(j);
	}
	json_arr_end(j);
	if (c->mounts_dropped > 0) {
		json_kv_u64(j, "mounts_skipped_dropped", c->mounts_dropped);
	}
	json_key(j, "archives");
	json_obj_begin(j);
	json_kv_u64(j, "inspected", c->archives.inspected);
	json_kv_u64(j, "corrupt", c->archives.corrupt);
	json_kv_u64(j, "over_limit", c->archives.over_limit);
	json_obj_end(j);
}

void fmt_json_sources(struct json *j, const struct report *r)
{
	size_t i, k;

	json_key(j, "sources");
	json_obj_begin(j);
	for (i = 0; i < r->nsources; i++) {
		const struct report_source *s = &r->sources[i];

		json_key(j, s->name);
		json_obj_begin(j);
		json_kv_str(j, "status", report_src_status_name(s->status));
		json_kv_str(j, "location", s->location);
		json_key(j, "counts");
		json_obj_begin(j);
		for (k = 0; k < s->ncounts; k++) {
			json_kv_u64(j, s->counts[k].key, s->counts[k].value);
		}
		json_obj_end(j);
		if (s->fs != NULL) {
			fmt_json_fs(j, s->fs);
		}
		json_kv_str(j, "error", s->error);
		json_obj_end(j);
	}
	json_obj_end(j);
}

/* The members of the host probes' evidence (processes, services, sockets...). */
static void fmt_json_evidence_live(struct json *j, const struct report_evidence *e)
{
	if (e->pid != 0) {
		json_kv_u64(j, "pid", e->pid);
	}
	if (e->has_uid) {
		json_kv_u64(j, "uid", e->uid);
	}
	if (e->has_gid) {
		json_kv_u64(j, "gid", e->gid);
	}
	if (e->has_started) {
		fmt_json_time(j, "started_at", e->started_ms);
	}
	if (e->has_enabled) {
		json_kv_bool(j, "enabled", e->enabled);
	}
	json_kv_str(j, "proto", e->proto);
	json_kv_str(j, "address", e->address);
	if (e->port != 0) {
		json_kv_u64(j, "port", e->port);
	}
	json_kv_str(j, "account", e->account);
	json_kv_str(j, "user", e->user);
	if (e->line != 0) {
		json_kv_u64(j, "line", e->line);
	}
	json_kv_str(j, "command", e->command);
	json_kv_str(j, "format", e->format);
	json_kv_str(j, "vendor", e->vendor);
	json_kv_str(j, "summary", e->summary);
}

void fmt_json_size_mtime(struct json *j, const struct report_evidence *e)
{
	if (e->has_size) {
		json_kv_u64(j, "size", e->size);
	}
	if (e->has_mtime) {
		fmt_json_time(j, "mtime", e->mtime_ms);
	}
}

void fmt_json_evidence(struct json *j, const struct report_evidence *e)
{
	json_obj_begin(j);
	json_kv_str(j, "kind", report_ev_kind_name(e->kind));
	json_kv_str(j, "state", report_state_name(e->state));
	json_kv_str(j, "confidence", report_confidence_name(e->confidence));
	json_kv_str(j, "role", e->role);
	json_kv_str(j, "pattern", e->pattern);
	json_kv_str(j, "manager", e->manager);
	json_kv_str(j, "name", e->name);
	json_kv_str(j, "version", e->version);
	json_kv_str(j, "arch", e->arch);
	json_kv_str(j, "status", e->status);
	json_kv_str(j, "path", e->path);
	json_kv_str(j, "type", e->ftype);
	json_kv_str(j, "target", e->target);
	json_kv_str(j, "sha256", e->sha256);
	fmt_json_size_mtime(j, e);
	json_kv_str(j, "source", e->source);
	fmt_json_evidence_live(j, e);
	json_obj_end(j);
}

/* Kinds in name order, for evidence_kinds. */
static const enum report_ev_kind fmt_json_kinds_sorted[] = {
	REPORT_EV_ACCOUNT, REPORT_EV_ARCHIVE, REPORT_EV_CRON, REPORT_EV_FILE, REPORT_EV_HASH,
	REPORT_EV_KERNEL_MODULE, REPORT_EV_PACKAGE, REPORT_EV_PATH, REPORT_EV_PROCESS,
	REPORT_EV_SERVICE, REPORT_EV_SOCKET,
};

/* The removal plan: always an array, empty when nothing could be planned. */
static void fmt_json_steps(struct json *j, const struct report_finding *f)
{
	size_t i, k;

	json_key(j, "remove");
	json_arr_begin(j);
	for (i = 0; i < f->nsteps; i++) {
		const struct report_step *st = &f->steps[i];

		json_obj_begin(j);
		json_kv_str(j, "action", st->action);
		json_kv_str(j, "description", st->description);
		json_kv_str(j, "command", st->command);
		json_key(j, "targets");
		json_arr_begin(j);
		for (k = 0; k < st->ntargets; k++) {
			json_str(j, st->targets[k]);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	if (f->steps_dropped > 0) {
		json_kv_u64(j, "remove_dropped", f->steps_dropped);
	}
}

void fmt_json_finding(struct json *j, const struct report *r, const struct report_finding *f)
{
	bool live = r->live;
	size_t i;

	json_obj_begin(j);
	json_kv_str(j, "signature", f->signature);
	json_kv_str(j, "vendor", f->vendor);
	json_kv_str(j, "product", f->product);
	if (f->pack != NULL) {
		json_key(j, "pack");
		json_obj_begin(j);
		json_kv_str(j, "name", f->pack);
		json_kv_str(j, "version", f->pack_version);
		json_obj_end(j);
	}
	json_kv_str(j, "reference", f->reference);
	fmt_json_compliance(j, r, f);
	json_kv_str(j, "state", report_state_name(f->state));
	json_kv_str(j, "confidence", report_confidence_name(f->confidence));
	json_kv_bool(j, "low_confidence", report_finding_low_confidence(f));
	/* written only when true: reports without shared evidence keep their shape */
	if (f->shared_only) {
		json_kv_bool(j, "shared_only", true);
	}
	if (live) {
		json_kv_bool(j, "running", report_finding_running(f));
	}
	if (f->has_service) {
		json_kv_bool(j, "enabled", f->enabled);
	}
	fmt_json_steps(j, f);
	json_kv_str(j, "remove_hint", f->remove);
	json_key(j, "evidence_kinds");
	json_arr_begin(j);
	for (i = 0; i < XSTD_COUNTOF(fmt_json_kinds_sorted); i++) {
		if (f->kinds & 1u << fmt_json_kinds_sorted[i]) {
			json_str(j, report_ev_kind_name(fmt_json_kinds_sorted[i]));
		}
	}
	json_arr_end(j);
	json_key(j, "evidence");
	json_arr_begin(j);
	for (i = 0; i < f->nev; i++) {
		fmt_json_evidence(j, &f->ev[i]);
	}
	json_arr_end(j);
	if (f->ev_dropped > 0) {
		json_kv_u64(j, "evidence_dropped", f->ev_dropped);
	}
	json_obj_end(j);
}

static void fmt_json_results(struct json *j, const struct report *r)
{
	size_t i;

	json_kv_str(j, "verdict", report_verdict_name(r->verdict));
	if (r->verdict == REPORT_INCOMPLETE) {
		json_kv_str(j, "verdict_reason", report_verdict_reason(r));
	}
	json_key(j, "findings");
	json_arr_begin(j);
	for (i = 0; i < r->nfindings; i++) {
		fmt_json_finding(j, r, r->findings[i]);
	}
	json_arr_end(j);
	fmt_json_errors(j, r);
}

/* The reasons of the drops, those that happened; @why is NULL for the other lists. */
static void fmt_json_why(struct json *j, const uint64_t *why)
{
	uint64_t any = 0;
	size_t i;

	for (i = 0; why != NULL && i < REPORT_DROP_KINDS; i++) {
		any |= why[i];
	}
	if (any == 0) {
		return;
	}
	json_key(j, "reasons");
	json_obj_begin(j);
	for (i = 0; i < REPORT_DROP_KINDS; i++) {
		if (why[i] > 0) {
			json_kv_u64(j, report_drop_name(i), why[i]);
		}
	}
	json_obj_end(j);
}

static void fmt_json_idlist(struct json *j, const char *key, const char *list,
	const struct report_idlist *l, const uint64_t *why)
{
	size_t i;

	if (l->total == 0) {
		return;
	}
	json_key(j, key);
	json_obj_begin(j);
	json_kv_u64(j, "count", l->total);
	fmt_json_why(j, why);
	json_key(j, list);
	json_arr_begin(j);
	for (i = 0; i < l->n; i++) {
		json_str(j, l->v[i]);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* Only when the spool has something to tell: most reports have no delivery member. */
void fmt_json_errors(struct json *j, const struct report *r)
{
	size_t i;

	json_key(j, "errors");
	json_arr_begin(j);
	for (i = 0; i < r->nerrors; i++) {
		json_str(j, r->errors[i]);
	}
	json_arr_end(j);
	if (r->errors_dropped > 0) {
		json_kv_u64(j, "errors_dropped", r->errors_dropped);
	}
}

void fmt_json_delivery(struct json *j, const struct report *r)
{
	const struct report_delivery *d = &r->delivery;

	if (!report_delivery_any(d)) {
		return;
	}
	json_key(j, "delivery");
	json_obj_begin(j);
	fmt_json_idlist(j, "dropped", "ids", &d->dropped, d->dropped_why);
	fmt_json_idlist(j, "corrupt", "files", &d->corrupt, NULL);
	fmt_json_idlist(j, "quarantined", "files", &d->quarantined, NULL);
	json_obj_end(j);
}

void fmt_json_stamp(struct json *j, const struct report *r)
{
	json_kv_u64(j, "schema", REPORT_SCHEMA);
	json_kv_str(j, "report_id", r->report_id);
	json_kv_str(j, "verdict", report_verdict_name(r->verdict));
}

void fmt_json_kscan_finding(struct json *j, const struct report *r,
	const struct report_finding *f)
{
	json_key(j, "kscan");
	json_obj_begin(j);
	fmt_json_stamp(j, r);
	json_key(j, "finding");
	fmt_json_finding(j, r, f);
	json_obj_end(j);
}

int fmt_json_events(const struct report *r, struct buf *out, enum fmt_json_summary summary,
	fmt_json_action_fn *action, fmt_json_event_fn *event, const void *ctx)
{
	struct json j;
	size_t i = summary == FMT_JSON_SUMMARY_ALONE && r->nfindings > 0 ? 1 : 0;
	int err = 0;

	/* a failed event stops the lines: a collector must never get half a finding */
	for (; i <= r->nfindings && err == 0; i++) {
		const struct report_finding *f = i == 0 ? NULL : r->findings[i - 1];

		if (action != NULL) {
			action(out, r, f, ctx);
		}
		json_init(&j, out, false);
		event(&j, r, f, ctx);
		err = json_error(&j);
		buf_addc(out, '\n');
	}
	if (err == 0) {
		err = buf_error(out);
	}
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

int fmt_json_write(const struct report *r, struct buf *out, bool pretty)
{
	struct json j;
	int err;

	json_init(&j, out, pretty);
	json_obj_begin(&j);
	json_kv_u64(&j, "schema", REPORT_SCHEMA);
	json_kv_str(&j, "report_id", r->report_id);
	json_key(&j, "kscan");
	json_obj_begin(&j);
	json_kv_str(&j, "version", r->kscan_version);
	json_obj_end(&j);
	fmt_json_packs(&j, r);
	fmt_json_host(&j, r);
	fmt_json_scan(&j, r);
	fmt_json_sources(&j, r);
	fmt_json_results(&j, r);
	fmt_json_delivery(&j, r);
	json_obj_end(&j);
	buf_addc(out, '\n');
	err = json_error(&j);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}
