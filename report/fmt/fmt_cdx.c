#include "report/fmt/fmt_cdx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/fmt/fmt_json.h"
#include "report/fmt/json.h"
#include "base/limits.h"
#include "base/xstd.h"

/* One property: CycloneDX's open name/value pairs carry what its fields have no room for. */
static void fmt_cdx_prop(struct json *j, const char *name, const char *value)
{
	if (value == NULL) {
		return;
	}
	json_obj_begin(j);
	json_kv_str(j, "name", name);
	json_kv_str(j, "value", value);
	json_obj_end(j);
}

/* purl parts are percent-encoded outside the unreserved set (purl spec, "Character encoding"). */
static void fmt_cdx_pct(struct buf *b, const char *s, bool lower)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		unsigned char c = lower && *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p + 32) : *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_addc(b, (char)c);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

/* "?KEY=VALUE", then "&KEY=VALUE": a qualifier with no value is left out. */
static void fmt_cdx_qualifier(struct buf *b, char *sep, const char *key, const char *value)
{
	if (value == NULL || value[0] == '\0') {
		return;
	}
	buf_addc(b, *sep);
	buf_adds(b, key);
	buf_addc(b, '=');
	fmt_cdx_pct(b, value, strcmp(key, "distro") == 0);
	*sep = '&';
}

/*
 * The package's purl: pkg:deb or pkg:rpm, namespaced by the scanned system's os-release ID as
 * Syft and Trivy do, with arch and distro qualifiers (sorted, as the spec requires). rpm keeps
 * its epoch in a qualifier; deb keeps it in the version, as dpkg writes it.
 */
static void fmt_cdx_purl(struct buf *b, const struct report *r, const struct report_evidence *e)
{
	bool rpm = e->manager != NULL && strcmp(e->manager, "rpm") == 0;
	const char *ver = e->version, *colon = ver != NULL ? strchr(ver, ':') : NULL;
	char epoch[16] = "", sep = '?';

	buf_adds(b, rpm ? "pkg:rpm/" : "pkg:deb/");
	if (r->os_id != NULL && r->os_id[0] != '\0') {
		fmt_cdx_pct(b, r->os_id, true);
		buf_addc(b, '/');
	}
	fmt_cdx_pct(b, e->name, rpm ? false : true);
	if (rpm && colon != NULL && (size_t)(colon - ver) < sizeof(epoch)) {
		memcpy(epoch, ver, (size_t)(colon - ver));
		epoch[colon - ver] = '\0';
		ver = colon + 1;
	}
	if (ver != NULL && ver[0] != '\0') {
		buf_addc(b, '@');
		fmt_cdx_pct(b, ver, false);
	}
	fmt_cdx_qualifier(b, &sep, "arch", e->arch);
	if (r->os_id != NULL && r->os_version_id != NULL) {
		fmt_cdx_qualifier(b, &sep, "distro", r->os_id);
		buf_addc(b, '-');
		fmt_cdx_pct(b, r->os_version_id, false);
	}
	fmt_cdx_qualifier(b, &sep, "epoch", epoch);
}

/* A bom-ref unique in the BOM: "kscan:SIGNATURE", and ":KIND:N" for what it holds. */
static void fmt_cdx_ref(struct json *j, const struct report_finding *f, const char *kind,
	size_t n)
{
	char ref[sizeof("kscan:") + KS_SIG_ID_MAX + 32];

	if (kind == NULL) {
		(void)snprintf(ref, sizeof(ref), "kscan:%s", f->signature);
	} else {
		(void)snprintf(ref, sizeof(ref), "kscan:%s:%s:%zu", f->signature, kind, n);
	}
	json_kv_str(j, "bom-ref", ref);
}

/* The installed package an evidence item names, with its purl. */
static int fmt_cdx_package(struct json *j, const struct report *r, const struct report_finding *f,
	const struct report_evidence *e, size_t n)
{
	struct buf purl;
	int err;

	buf_init(&purl, KS_REPORT_STR_MAX * 3 + 256);
	fmt_cdx_purl(&purl, r, e);
	err = buf_error(&purl);
	json_obj_begin(j);
	json_kv_str(j, "type", "application");
	fmt_cdx_ref(j, f, "package", n);
	json_key(j, "supplier");
	json_obj_begin(j);
	json_kv_str(j, "name", f->vendor);
	json_obj_end(j);
	json_kv_str(j, "name", e->name);
	json_kv_str(j, "version", e->version);
	if (err == 0) {
		json_kv_str(j, "purl", buf_str(&purl));
	}
	json_key(j, "properties");
	json_arr_begin(j);
	fmt_cdx_prop(j, "kscan:package:manager", e->manager);
	fmt_cdx_prop(j, "kscan:package:status", e->status);
	fmt_cdx_prop(j, "kscan:state", report_state_name(e->state));
	json_arr_end(j);
	json_obj_end(j);
	buf_free(&purl);
	return err;
}

/* A file's SHA-256, and a generic purl that carries it. */
static void fmt_cdx_hashes(struct json *j, const struct report_evidence *e)
{
	const char *base = strrchr(e->path, '/');
	struct buf purl;

	base = base != NULL && base[1] != '\0' ? base + 1 : e->path;
	buf_init(&purl, KS_REPORT_STR_MAX * 3 + 128);
	buf_adds(&purl, "pkg:generic/");
	fmt_cdx_pct(&purl, base, false);
	buf_adds(&purl, "?checksum=sha256:");
	buf_adds(&purl, e->sha256);
	json_key(j, "hashes");
	json_arr_begin(j);
	json_obj_begin(j);
	json_kv_str(j, "alg", "SHA-256");
	json_kv_str(j, "content", e->sha256);
	json_obj_end(j);
	json_arr_end(j);
	if (buf_error(&purl) == 0) {
		json_kv_str(j, "purl", buf_str(&purl));
	}
	buf_free(&purl);
}

/*
 * An installer archive's own metadata (a .deb's control fields, an .rpm's header, or the kit
 * member the packs name): CycloneDX has no field for a file's package identity.
 */
static void fmt_cdx_archive_props(struct json *j, const struct report_evidence *e)
{
	json_key(j, "properties");
	json_arr_begin(j);
	fmt_cdx_prop(j, "kscan:archive:format", e->format);
	fmt_cdx_prop(j, "kscan:archive:name", e->name);
	fmt_cdx_prop(j, "kscan:archive:version", e->version);
	fmt_cdx_prop(j, "kscan:archive:arch", e->arch);
	fmt_cdx_prop(j, "kscan:archive:vendor", e->vendor);
	fmt_cdx_prop(j, "kscan:archive:summary", e->summary);
	fmt_cdx_prop(j, "kscan:state", report_state_name(e->state));
	json_arr_end(j);
}

/* A digest CycloneDX's SHA-256 hash takes: 64 hex digits. */
static bool fmt_cdx_has_sha256(const struct report_evidence *e)
{
	return e->sha256 != NULL && strlen(e->sha256) == 64;
}

/* A file kscan hashed, or an installer archive it read: a file component where it lies. */
static void fmt_cdx_file(struct json *j, const struct report_finding *f,
	const struct report_evidence *e, size_t n)
{
	bool archive = e->kind == REPORT_EV_ARCHIVE;

	json_obj_begin(j);
	json_kv_str(j, "type", "file");
	fmt_cdx_ref(j, f, archive ? "archive" : "file", n);
	json_kv_str(j, "name", e->path);
	if (fmt_cdx_has_sha256(e)) {
		fmt_cdx_hashes(j, e);
	}
	json_key(j, "evidence");
	json_obj_begin(j);
	json_key(j, "occurrences");
	json_arr_begin(j);
	json_obj_begin(j);
	json_kv_str(j, "location", e->path);
	json_obj_end(j);
	json_arr_end(j);
	json_obj_end(j);
	if (archive) {
		fmt_cdx_archive_props(j, e);
	}
	json_obj_end(j);
}

static bool fmt_cdx_is_package(const struct report_evidence *e)
{
	return e->kind == REPORT_EV_PACKAGE && e->name != NULL;
}

/* A hashed file, or an installer archive (with its digest when it has one). */
static bool fmt_cdx_is_file(const struct report_evidence *e)
{
	return e->path != NULL && (e->kind == REPORT_EV_ARCHIVE || fmt_cdx_has_sha256(e));
}

/* What the product holds: its packages, then its hashed files and installer archives. */
static int fmt_cdx_parts(struct json *j, const struct report *r, const struct report_finding *f)
{
	size_t i, n = 0;
	int err = 0;

	json_key(j, "components");
	json_arr_begin(j);
	for (i = 0; i < f->nev; i++) {
		if (!fmt_cdx_is_package(&f->ev[i])) {
			continue;
		}
		if (fmt_cdx_package(j, r, f, &f->ev[i], ++n) != 0) {
			err = -1;
		}
	}
	for (i = 0; i < f->nev; i++) {
		if (fmt_cdx_is_file(&f->ev[i])) {
			fmt_cdx_file(j, f, &f->ev[i], ++n);
		}
	}
	json_arr_end(j);
	return err;
}

/* How each kind of evidence identifies a product, in CycloneDX's technique names. */
static const char *fmt_cdx_technique(enum report_ev_kind k)
{
	switch (k) {
	case REPORT_EV_PACKAGE:
	case REPORT_EV_ARCHIVE:
		/* an archive is known by its own control fields, header or member list */
		return "manifest-analysis";
	case REPORT_EV_HASH:
		return "hash-comparison";
	case REPORT_EV_PATH:
	case REPORT_EV_FILE:
		return "filename";
	case REPORT_EV_PROCESS:
	case REPORT_EV_SOCKET:
	case REPORT_EV_KERNEL_MODULE:
		return "dynamic-analysis";
	case REPORT_EV_SERVICE:
	case REPORT_EV_ACCOUNT:
	case REPORT_EV_CRON:
	case REPORT_EV_KIND_COUNT:
	default:
		break;
	}
	return "other";
}

/* CycloneDX's confidence is 0..1; kscan's three levels, in thousandths for json_milli(). */
static int64_t fmt_cdx_confidence(enum report_confidence c)
{
	return c == REPORT_CONF_HIGH ? 1000 : c == REPORT_CONF_MEDIUM ? 700 : 300;
}

/* One method per kind of evidence the finding holds, each with its best confidence. */
static void fmt_cdx_identity(struct json *j, const struct report_finding *f)
{
	enum report_confidence best[REPORT_EV_KIND_COUNT] = {0};
	size_t i;

	for (i = 0; i < f->nev; i++) {
		if (f->ev[i].confidence > best[f->ev[i].kind]) {
			best[f->ev[i].kind] = f->ev[i].confidence;
		}
	}
	json_key(j, "identity");
	json_arr_begin(j);
	json_obj_begin(j);
	json_kv_str(j, "field", "name");
	json_key(j, "confidence");
	json_milli(j, fmt_cdx_confidence(f->confidence));
	json_key(j, "methods");
	json_arr_begin(j);
	for (i = 0; i < REPORT_EV_KIND_COUNT; i++) {
		if (best[i] == 0) {
			continue;
		}
		json_obj_begin(j);
		json_kv_str(j, "technique", fmt_cdx_technique((enum report_ev_kind)i));
		json_key(j, "confidence");
		json_milli(j, fmt_cdx_confidence(best[i]));
		json_kv_str(j, "value", report_ev_kind_name((enum report_ev_kind)i));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	json_arr_end(j);
}

/* Every place on disk the product was seen: the paths of its evidence, once each. */
static void fmt_cdx_occurrences(struct json *j, const struct report_finding *f)
{
	size_t i, k;

	json_key(j, "occurrences");
	json_arr_begin(j);
	for (i = 0; i < f->nev; i++) {
		const char *p = f->ev[i].path;
		bool seen = false;

		for (k = 0; p != NULL && k < i && !seen; k++) {
			seen = f->ev[k].path != NULL && strcmp(f->ev[k].path, p) == 0;
		}
		if (p == NULL || seen) {
			continue;
		}
		json_obj_begin(j);
		json_kv_str(j, "location", p);
		if (f->ev[i].line != 0) {
			json_kv_u64(j, "line", f->ev[i].line);
		}
		json_kv_str(j, "additionalContext", report_ev_kind_name(f->ev[i].kind));
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* "kscan:compliance:N": "FRAMEWORK: CONTROL", the legal basis of @f (its pack's). */
static void fmt_cdx_compliance(struct json *j, const struct report *r,
	const struct report_finding *f)
{
	const struct report_compliance *c;
	char key[48];
	struct buf v;
	size_t it = 0, n = 0;

	while ((c = report_obligation(r, f, &it)) != NULL) {
		buf_init(&v, 2 * KS_REPORT_STR_MAX + 4);
		buf_addf(&v, "%s: %s", c->framework, c->control);
		(void)snprintf(key, sizeof(key), "kscan:compliance:%zu", ++n);
		if (buf_error(&v) == 0) {
			fmt_cdx_prop(j, key, buf_str(&v));
		}
		buf_free(&v);
	}
}

/* The finding's state, confidence and removal plan: no CycloneDX field holds them. */
static void fmt_cdx_finding_props(struct json *j, const struct report *r,
	const struct report_finding *f)
{
	char key[48];
	size_t i;

	json_key(j, "properties");
	json_arr_begin(j);
	fmt_cdx_prop(j, "kscan:signature", f->signature);
	fmt_cdx_prop(j, "kscan:pack", f->pack);
	fmt_cdx_prop(j, "kscan:pack_version", f->pack_version);
	fmt_cdx_prop(j, "kscan:state", report_state_name(f->state));
	fmt_cdx_prop(j, "kscan:confidence", report_confidence_name(f->confidence));
	fmt_cdx_prop(j, "kscan:shared_only", f->shared_only ? "true" : "false");
	fmt_cdx_prop(j, "kscan:remove_hint", f->remove);
	for (i = 0; i < f->nsteps; i++) {
		(void)snprintf(key, sizeof(key), "kscan:remove:%zu", i + 1);
		fmt_cdx_prop(j, key, f->steps[i].command != NULL ? f->steps[i].command :
								    f->steps[i].description);
	}
	fmt_cdx_compliance(j, r, f);
	json_arr_end(j);
}

/* The product: a component holding what was found of it. */
static int fmt_cdx_finding(struct json *j, const struct report *r, const struct report_finding *f)
{
	size_t i;
	int err;

	json_obj_begin(j);
	json_kv_str(j, "type", "application");
	fmt_cdx_ref(j, f, NULL, 0);
	json_key(j, "supplier");
	json_obj_begin(j);
	json_kv_str(j, "name", f->vendor);
	json_obj_end(j);
	json_kv_str(j, "publisher", f->vendor);
	json_kv_str(j, "name", f->product);
	for (i = 0; i < f->nev; i++) {
		if (fmt_cdx_is_package(&f->ev[i]) && f->ev[i].version != NULL) {
			json_kv_str(j, "version", f->ev[i].version);
			break;
		}
	}
	json_kv_str(j, "description", "found by kscan");
	if (f->reference != NULL) {
		json_key(j, "externalReferences");
		json_arr_begin(j);
		json_obj_begin(j);
		json_kv_str(j, "url", f->reference);
		json_kv_str(j, "type", "documentation");
		json_kv_str(j, "comment", "where the signature's facts come from");
		json_obj_end(j);
		json_arr_end(j);
	}
	err = fmt_cdx_parts(j, r, f);
	json_key(j, "evidence");
	json_obj_begin(j);
	fmt_cdx_identity(j, f);
	fmt_cdx_occurrences(j, f);
	json_obj_end(j);
	fmt_cdx_finding_props(j, r, f);
	json_obj_end(j);
	return err;
}

/* The scanned system: a device (the host or mounted root) running an operating system. */
static void fmt_cdx_host(struct json *j, const struct report *r)
{
	json_key(j, "component");
	json_obj_begin(j);
	json_kv_str(j, "type", "device");
	json_kv_str(j, "bom-ref", "host");
	json_kv_str(j, "name", r->hostname != NULL ? r->hostname : r->root);
	if (r->os_id != NULL) {
		json_key(j, "components");
		json_arr_begin(j);
		json_obj_begin(j);
		json_kv_str(j, "type", "operating-system");
		json_kv_str(j, "bom-ref", "host:os");
		json_kv_str(j, "name", r->os_id);
		json_kv_str(j, "version", r->os_version_id);
		json_kv_str(j, "description", r->os_pretty_name);
		json_obj_end(j);
		json_arr_end(j);
	}
	json_key(j, "properties");
	json_arr_begin(j);
	fmt_cdx_prop(j, "kscan:host:machine_id", r->machine_id);
	fmt_cdx_prop(j, "kscan:host:kernel", r->kernel);
	fmt_cdx_prop(j, "kscan:scan:root", r->root);
	fmt_cdx_prop(j, "kscan:scan:live", r->live ? "true" : "false");
	json_arr_end(j);
	json_obj_end(j);
}

/* "kscan:sources:failed": the sources that could not be read, by name, comma-separated. */
static void fmt_cdx_failed(struct json *j, const struct report *r)
{
	struct buf names;
	size_t i;

	buf_init(&names, KS_REPORT_STR_MAX);
	for (i = 0; i < r->nsources; i++) {
		const char *sep = buf_len(&names) > 0 ? "," : "";

		if (r->sources[i].status == REPORT_SRC_FAILED) {
			buf_addf(&names, "%s%s", sep, r->sources[i].name);
		}
	}
	if (buf_len(&names) > 0 && buf_error(&names) == 0) {
		fmt_cdx_prop(j, "kscan:sources:failed", buf_str(&names));
	}
	buf_free(&names);
}

static void fmt_cdx_metadata(struct json *j, const struct report *r)
{
	json_key(j, "metadata");
	json_obj_begin(j);
	fmt_json_time(j, "timestamp", r->finished_ms);
	json_key(j, "lifecycles");
	json_arr_begin(j);
	json_obj_begin(j);
	json_kv_str(j, "phase", "operations");
	json_obj_end(j);
	json_arr_end(j);
	json_key(j, "tools");
	json_obj_begin(j);
	json_key(j, "components");
	json_arr_begin(j);
	json_obj_begin(j);
	json_kv_str(j, "type", "application");
	json_kv_str(j, "name", "kscan");
	json_kv_str(j, "version", r->kscan_version);
	json_obj_end(j);
	json_arr_end(j);
	json_obj_end(j);
	fmt_cdx_host(j, r);
	json_key(j, "properties");
	json_arr_begin(j);
	fmt_cdx_prop(j, "kscan:report_id", r->report_id);
	fmt_cdx_prop(j, "kscan:verdict", report_verdict_name(r->verdict));
	if (r->verdict == REPORT_INCOMPLETE) {
		fmt_cdx_prop(j, "kscan:verdict_reason", report_verdict_reason(r));
	}
	fmt_cdx_prop(j, "kscan:scan:mode", r->mode);
	fmt_cdx_failed(j, r);
	json_arr_end(j);
	json_obj_end(j);
}

/*
 * Whether the list of components is the whole truth: "complete" only when every source was
 * read, so an SBOM tool never takes a scan that could not look everywhere for a proof of
 * absence (a detected product does not make the rest of the list complete).
 */
static void fmt_cdx_compositions(struct json *j, const struct report *r)
{
	bool complete = r->verdict != REPORT_INCOMPLETE;
	size_t i;

	for (i = 0; i < r->nsources; i++) {
		complete = complete && r->sources[i].status != REPORT_SRC_FAILED;
	}
	json_key(j, "compositions");
	json_arr_begin(j);
	json_obj_begin(j);
	json_kv_str(j, "aggregate", complete ? "complete" : "incomplete");
	json_key(j, "assemblies");
	json_arr_begin(j);
	json_str(j, "host");
	json_arr_end(j);
	json_obj_end(j);
	json_arr_end(j);
}

int fmt_cdx_write(const struct report *r, struct buf *out, bool pretty)
{
	char serial[sizeof("urn:uuid:") + sizeof(r->report_id)];
	struct json j;
	size_t i;
	int err = 0;

	(void)snprintf(serial, sizeof(serial), "urn:uuid:%s", r->report_id);
	json_init(&j, out, pretty);
	json_obj_begin(&j);
	json_kv_str(&j, "bomFormat", "CycloneDX");
	json_kv_str(&j, "specVersion", FMT_CDX_SPEC);
	json_kv_str(&j, "serialNumber", serial);
	json_kv_u64(&j, "version", 1);
	fmt_cdx_metadata(&j, r);
	json_key(&j, "components");
	json_arr_begin(&j);
	for (i = 0; i < r->nfindings; i++) {
		if (fmt_cdx_finding(&j, r, r->findings[i]) != 0) {
			err = -1;
		}
	}
	json_arr_end(&j);
	fmt_cdx_compositions(&j, r);
	json_obj_end(&j);
	if (json_error(&j) != 0) {
		return -1;
	}
	buf_addc(out, '\n');
	if (err != 0 || buf_error(out) != 0) {
		errno = buf_error(out) != 0 ? buf_error(out) : ENOMEM;
		return -1;
	}
	return 0;
}
