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

/* The data stream of an event: logs-kscan.scan-NS or logs-kscan.finding-NS. */
static const char *fmt_ecs_dataset(const struct report_finding *f)
{
	return f == NULL ? "kscan.scan" : "kscan.finding";
}

/*
 * The _bulk action line: create (never index) so a resent event is refused, not doubled,
 * into the event's data stream, so a POST to /_bulk files scans and findings apart.
 */
static void fmt_ecs_action(struct buf *out, const struct report *r,
	const struct report_finding *f, const void *ctx)
{
	char index[sizeof("logs-kscan.finding-") + KS_ECS_NAMESPACE_MAX];
	struct json j;

	(void)snprintf(index, sizeof(index), "logs-%s-%s", fmt_ecs_dataset(f),
		ctx != NULL ? (const char *)ctx : FMT_ECS_NAMESPACE);
	json_init(&j, out, false);
	json_obj_begin(&j);
	json_key(&j, "create");
	json_obj_begin(&j);
	json_kv_str(&j, "_index", index);
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
	case REPORT_EV_ARCHIVE:
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
	json_kv_str(j, "dataset", fmt_ecs_dataset(f));
}

/*
 * tags: the frameworks of the legal basis (the finding's pack's, or every pack's for the
 * scan), so a dashboard filters by directive; ECS has no compliance fields.
 */
static void fmt_ecs_tags(struct json *j, const struct report *r, const struct report_finding *f)
{
	const struct report_compliance *c;
	size_t it = 0;

	c = report_obligation(r, f, &it);
	if (c == NULL) {
		return;
	}
	json_key(j, "tags");
	json_arr_begin(j);
	for (; c != NULL; c = report_obligation(r, f, &it)) {
		json_str(j, c->framework);
	}
	json_arr_end(j);
}

/* data_stream.*: Elastic's data stream naming, the dataset the same as event.dataset. */
static void fmt_ecs_data_stream(struct json *j, const struct report_finding *f, const char *ns)
{
	json_key(j, "data_stream");
	json_obj_begin(j);
	json_kv_str(j, "type", "logs");
	json_kv_str(j, "dataset", fmt_ecs_dataset(f));
	json_kv_str(j, "namespace", ns != NULL ? ns : FMT_ECS_NAMESPACE);
	json_obj_end(j);
}

static void fmt_ecs_summary(struct json *j, const struct report *r, const char *ns)
{
	char msg[64];

	json_obj_begin(j);
	fmt_ecs_common(j, r);
	fmt_ecs_data_stream(j, NULL, ns);
	fmt_ecs_tags(j, r, NULL);
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

/*
 * Evidence of several items reaches ECS as arrays: a field holds one value when the finding
 * has one item of its kinds, and an array in evidence order when it has several, written
 * only when every item has it, so that arrays stay parallel (package.name[i] goes with
 * package.version[i]). The rest stays in kscan.finding.
 */
typedef bool fmt_ecs_has_fn(const struct report_evidence *e);
typedef void fmt_ecs_put_fn(struct json *j, const struct report_evidence *e);

/* paths, files, hashed files and kits recognised by content: each is a file on disk */
#define FMT_ECS_FILES (1u << REPORT_EV_PATH | 1u << REPORT_EV_FILE | 1u << REPORT_EV_HASH | \
	1u << REPORT_EV_ARCHIVE)

static bool fmt_ecs_in(const struct report_evidence *e, unsigned kinds)
{
	return (kinds & 1u << e->kind) != 0 && ((kinds & FMT_ECS_FILES) == 0 || e->path != NULL);
}

/* How many items of @kinds the finding has, or 0 when one of them lacks the field. */
static size_t fmt_ecs_count(const struct report_finding *f, unsigned kinds, fmt_ecs_has_fn *has)
{
	size_t i, n = 0;

	for (i = 0; i < f->nev; i++) {
		if (fmt_ecs_in(&f->ev[i], kinds)) {
			if (has != NULL && !has(&f->ev[i])) {
				return 0;
			}
			n++;
		}
	}
	return n;
}

/* "key": the value of the one item, or the array of every item's. */
static void fmt_ecs_multi(struct json *j, const struct report_finding *f, unsigned kinds,
	const char *key, fmt_ecs_has_fn *has, fmt_ecs_put_fn *put)
{
	size_t i, n = fmt_ecs_count(f, kinds, has);

	if (n == 0) {
		return;
	}
	json_key(j, key);
	if (n > 1) {
		json_arr_begin(j);
	}
	for (i = 0; i < f->nev; i++) {
		if (fmt_ecs_in(&f->ev[i], kinds)) {
			put(j, &f->ev[i]);
		}
	}
	if (n > 1) {
		json_arr_end(j);
	}
}

static bool fmt_ecs_has_name(const struct report_evidence *e)
{
	return e->name != NULL;
}

static bool fmt_ecs_has_version(const struct report_evidence *e)
{
	return e->version != NULL;
}

static bool fmt_ecs_has_arch(const struct report_evidence *e)
{
	return e->arch != NULL;
}

static bool fmt_ecs_has_manager(const struct report_evidence *e)
{
	return e->manager != NULL;
}

static bool fmt_ecs_has_path(const struct report_evidence *e)
{
	return e->path != NULL;
}

static bool fmt_ecs_has_pid(const struct report_evidence *e)
{
	return e->pid != 0;
}

static bool fmt_ecs_has_size(const struct report_evidence *e)
{
	return e->has_size;
}

static bool fmt_ecs_has_mtime(const struct report_evidence *e)
{
	return e->has_mtime && fmt_json_time_ok(e->mtime_ms);
}
static bool fmt_ecs_has_sha256(const struct report_evidence *e)
{
	return e->sha256 != NULL;
}

static bool fmt_ecs_has_target(const struct report_evidence *e)
{
	return e->target != NULL;
}

static bool fmt_ecs_has_port(const struct report_evidence *e)
{
	return e->port != 0;
}

static bool fmt_ecs_has_proto(const struct report_evidence *e)
{
	return e->proto != NULL;
}


/* ECS knows file, dir and symlink; "other" (a socket, a device) is left out */
static bool fmt_ecs_has_ftype(const struct report_evidence *e)
{
	return e->ftype != NULL && strcmp(e->ftype, "other") != 0;
}

static bool fmt_ecs_has_ip(const struct report_evidence *e)
{
	return e->address != NULL && e->address[0] != '\0';
}

/* The last component and its directory need a slash with something after it. */
static bool fmt_ecs_has_base(const struct report_evidence *e)
{
	const char *slash = strrchr(e->path, '/');

	return slash != NULL && slash[1] != '\0';
}

static void fmt_ecs_put_name(struct json *j, const struct report_evidence *e)
{
	json_str(j, e->name);
}

static void fmt_ecs_put_version(struct json *j, const struct report_evidence *e)
{
	json_str(j, e->version);
}

static void fmt_ecs_put_arch(struct json *j, const struct report_evidence *e)
{
	json_str(j, e->arch);
}

/* ECS package.type is the package format, not the manager */
static void fmt_ecs_put_format(struct json *j, const struct report_evidence *e)
{
	json_str(j, strcmp(e->manager, "dpkg") == 0 ? "deb" : e->manager);
}

static void fmt_ecs_put_path(struct json *j, const struct report_evidence *e)
{
	json_str(j, e->path);
}

static void fmt_ecs_put_base(struct json *j, const struct report_evidence *e)
{
	json_str(j, strrchr(e->path, '/') + 1);
}

static void fmt_ecs_put_dir(struct json *j, const struct report_evidence *e)
{
	const char *slash = strrchr(e->path, '/');

	json_strn(j, e->path, slash == e->path ? 1 : (size_t)(slash - e->path));
}

static void fmt_ecs_put_ftype(struct json *j, const struct report_evidence *e)
{
	json_str(j, e->ftype);
}

static void fmt_ecs_put_target(struct json *j, const struct report_evidence *e)
{
	json_str(j, e->target);
}

static void fmt_ecs_put_size(struct json *j, const struct report_evidence *e)
{
	json_u64(j, e->size);
}

static void fmt_ecs_put_mtime(struct json *j, const struct report_evidence *e)
{
	char ts[32];

	xstd_rfc3339(e->mtime_ms, ts);
	json_str(j, ts);
}

static void fmt_ecs_put_sha256(struct json *j, const struct report_evidence *e)
{
	json_str(j, e->sha256);
}

static void fmt_ecs_put_pid(struct json *j, const struct report_evidence *e)
{
	json_u64(j, e->pid);
}

static void fmt_ecs_put_ip(struct json *j, const struct report_evidence *e)
{
	json_str(j, e->address);
}

static void fmt_ecs_put_port(struct json *j, const struct report_evidence *e)
{
	json_u64(j, e->port);
}

static void fmt_ecs_put_proto(struct json *j, const struct report_evidence *e)
{
	json_str(j, e->proto);
}

static void fmt_ecs_put_iptype(struct json *j, const struct report_evidence *e)
{
	json_str(j, strchr(e->address, ':') != NULL ? "ipv6" : "ipv4");
}

/* package.*: every package of the finding. */
static void fmt_ecs_packages(struct json *j, const struct report_finding *f)
{
	const unsigned k = 1u << REPORT_EV_PACKAGE;

	if (fmt_ecs_count(f, k, NULL) == 0) {
		return;
	}
	json_key(j, "package");
	json_obj_begin(j);
	fmt_ecs_multi(j, f, k, "name", fmt_ecs_has_name, fmt_ecs_put_name);
	fmt_ecs_multi(j, f, k, "version", fmt_ecs_has_version, fmt_ecs_put_version);
	fmt_ecs_multi(j, f, k, "architecture", fmt_ecs_has_arch, fmt_ecs_put_arch);
	fmt_ecs_multi(j, f, k, "type", fmt_ecs_has_manager, fmt_ecs_put_format);
	json_obj_end(j);
}

/* file.*: every path, file and hashed file of the finding. */
static void fmt_ecs_files(struct json *j, const struct report_finding *f)
{
	const unsigned k = FMT_ECS_FILES;

	if (fmt_ecs_count(f, k, NULL) == 0) {
		return;
	}
	json_key(j, "file");
	json_obj_begin(j);
	fmt_ecs_multi(j, f, k, "path", fmt_ecs_has_path, fmt_ecs_put_path);
	fmt_ecs_multi(j, f, k, "name", fmt_ecs_has_base, fmt_ecs_put_base);
	fmt_ecs_multi(j, f, k, "directory", fmt_ecs_has_base, fmt_ecs_put_dir);
	fmt_ecs_multi(j, f, k, "type", fmt_ecs_has_ftype, fmt_ecs_put_ftype);
	fmt_ecs_multi(j, f, k, "target_path", fmt_ecs_has_target, fmt_ecs_put_target);
	fmt_ecs_multi(j, f, k, "size", fmt_ecs_has_size, fmt_ecs_put_size);
	fmt_ecs_multi(j, f, k, "mtime", fmt_ecs_has_mtime, fmt_ecs_put_mtime);
	if (fmt_ecs_count(f, k, fmt_ecs_has_sha256) > 0) {
		json_key(j, "hash");
		json_obj_begin(j);
		fmt_ecs_multi(j, f, k, "sha256", fmt_ecs_has_sha256, fmt_ecs_put_sha256);
		json_obj_end(j);
	}
	json_obj_end(j);
}

/* process.*: every running process of the product. */
static void fmt_ecs_processes(struct json *j, const struct report_finding *f)
{
	const unsigned k = 1u << REPORT_EV_PROCESS;

	if (fmt_ecs_count(f, k, NULL) == 0) {
		return;
	}
	json_key(j, "process");
	json_obj_begin(j);
	fmt_ecs_multi(j, f, k, "name", fmt_ecs_has_name, fmt_ecs_put_name);
	fmt_ecs_multi(j, f, k, "executable", fmt_ecs_has_path, fmt_ecs_put_path);
	fmt_ecs_multi(j, f, k, "pid", fmt_ecs_has_pid, fmt_ecs_put_pid);
	json_obj_end(j);
}

/* server.* and network.*: the product's listening sockets (connections come to it). */
static void fmt_ecs_sockets(struct json *j, const struct report_finding *f)
{
	const unsigned k = 1u << REPORT_EV_SOCKET;

	if (fmt_ecs_count(f, k, NULL) == 0) {
		return;
	}
	json_key(j, "server");
	json_obj_begin(j);
	fmt_ecs_multi(j, f, k, "ip", fmt_ecs_has_ip, fmt_ecs_put_ip);
	fmt_ecs_multi(j, f, k, "port", fmt_ecs_has_port, fmt_ecs_put_port);
	json_obj_end(j);
	json_key(j, "network");
	json_obj_begin(j);
	fmt_ecs_multi(j, f, k, "transport", fmt_ecs_has_proto, fmt_ecs_put_proto);
	fmt_ecs_multi(j, f, k, "type", fmt_ecs_has_ip, fmt_ecs_put_iptype);
	json_obj_end(j);
}

static bool fmt_ecs_is_user(const struct report_evidence *e)
{
	return e->kind == REPORT_EV_ACCOUNT && e->account != NULL &&
	       strcmp(e->account, "user") == 0 && e->name != NULL;
}

/* related.*: every hash and user account of the finding, for pivoting across events. */
static void fmt_ecs_related(struct json *j, const struct report_finding *f)
{
	size_t i, nhash = 0, nuser = 0;

	for (i = 0; i < f->nev; i++) {
		nhash += f->ev[i].sha256 != NULL;
		nuser += fmt_ecs_is_user(&f->ev[i]);
	}
	if (nhash + nuser == 0) {
		return;
	}
	json_key(j, "related");
	json_obj_begin(j);
	if (nhash > 0) {
		json_key(j, "hash");
		json_arr_begin(j);
		for (i = 0; i < f->nev; i++) {
			if (f->ev[i].sha256 != NULL) {
				json_str(j, f->ev[i].sha256);
			}
		}
		json_arr_end(j);
	}
	if (nuser > 0) {
		json_key(j, "user");
		json_arr_begin(j);
		for (i = 0; i < f->nev; i++) {
			if (fmt_ecs_is_user(&f->ev[i])) {
				json_str(j, f->ev[i].name);
			}
		}
		json_arr_end(j);
	}
	json_obj_end(j);
}

/* rule.*: the signature, the pack it came from and where its facts come from. */
static void fmt_ecs_rule(struct json *j, const struct report_finding *f)
{
	json_key(j, "rule");
	json_obj_begin(j);
	json_kv_str(j, "id", f->signature);
	json_kv_str(j, "name", f->product);
	json_kv_str(j, "category", "Prohibited software");
	json_kv_str(j, "ruleset", f->pack);
	json_kv_str(j, "version", f->pack_version);
	json_kv_str(j, "reference", f->reference);
	json_obj_end(j);
}

static void fmt_ecs_finding(struct json *j, const struct report *r, const struct report_finding *f,
	const char *ns)
{
	json_obj_begin(j);
	fmt_ecs_common(j, r);
	fmt_ecs_data_stream(j, f, ns);
	fmt_ecs_tags(j, r, f);
	fmt_ecs_event_head(j, f);
	json_key(j, "id");
	fmt_ecs_finding_id(j, r, f);
	/* installer 1 < remnant 2 < installed 3 < running 4: the finding's state */
	json_kv_u64(j, "severity", (uint64_t)f->state);
	json_obj_end(j);
	fmt_ecs_rule(j, f);
	fmt_ecs_packages(j, f);
	fmt_ecs_files(j, f);
	fmt_ecs_processes(j, f);
	fmt_ecs_sockets(j, f);
	fmt_ecs_related(j, f);
	fmt_json_kscan_finding(j, r, f);
	json_obj_end(j);
}

/* One event: the scan's summary (@f NULL) or a finding's alert. */
static void fmt_ecs_event(struct json *j, const struct report *r, const struct report_finding *f,
	const void *ctx)
{
	if (f == NULL) {
		fmt_ecs_summary(j, r, ctx);
	} else {
		fmt_ecs_finding(j, r, f, ctx);
	}
}

int fmt_ecs_write(const struct report *r, struct buf *out, bool bulk, const char *ns)
{
	return fmt_json_events(r, out, FMT_JSON_SUMMARY_FIRST, bulk ? fmt_ecs_action : NULL,
		fmt_ecs_event, ns);
}
