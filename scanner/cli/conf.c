#include "scanner/cli/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/vec.h"
#include "base/xstd.h"
#include "base/yread.h"

/* Bounds of the numbers (docs/configuration.md); the caps come from limits.h. */
#define CFG_TIMEOUT_MIN_MS 1u
#define CFG_AUTH_SCHEME_MAX 32u

void conf_init(struct conf *c)
{
	struct deliver_opts d;

	memset(c, 0, sizeof(*c));
	deliver_opts_init(&d);
	c->collector_format = d.format;
	c->hec_fields = d.hec.fields;
	c->connect_timeout_ms = d.http.connect_timeout_ms;
	c->timeout_ms = d.http.timeout_ms;
	c->attempts = d.http.attempts;
	c->backoff_base_ms = d.http.backoff_base_ms;
	c->backoff_cap_ms = d.http.backoff_cap_ms;
	c->spool_max_reports = d.spool.max_reports;
	c->spool_max_bytes = d.spool.max_bytes;
}

static void conf_list_free(struct conf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i]);
	}
	free(l->v);
}

void conf_free(struct conf *c)
{
	char **strs[] = {&c->root, &c->keys, &c->output, &c->url, &c->ca_file,
		&c->pinned_pubkey, &c->client_cert, &c->client_key, &c->token_file,
		&c->auth_scheme, &c->hmac_key_file, &c->spool_dir, &c->hec_index, &c->hec_source,
		&c->hec_sourcetype, &c->ecs_namespace};
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(strs); i++) {
		free(*strs[i]);
	}
	conf_list_free(&c->signatures);
	conf_list_free(&c->paths);
	conf_list_free(&c->excludes);
	for (i = 0; i < c->nheaders; i++) {
		free(c->headers[i].name);
		free(c->headers[i].value);
	}
	free(c->headers);
	for (i = 0; i < c->ndiags; i++) {
		free(c->diags[i]);
	}
	free(c->diags);
	memset(c, 0, sizeof(*c));
}

void conf_deliver_opts(const struct conf *c, struct deliver_opts *o)
{
	deliver_opts_init(o);
	o->format = c->collector_format;
	o->http.url = c->url;
	o->http.ca_file = c->ca_file;
	o->http.pinned_pubkey = c->pinned_pubkey;
	o->http.client_cert = c->client_cert;
	o->http.client_key = c->client_key;
	o->http.token_file = c->token_file;
	/* HEC wants "Authorization: Splunk <token>" */
	o->http.auth_scheme = c->auth_scheme != NULL ? c->auth_scheme :
		c->collector_format == FMT_HEC ? "Splunk" : "Bearer";
	o->http.hmac_key_file = c->hmac_key_file;
	o->http.headers = c->headers;
	o->http.nheaders = c->nheaders;
	o->http.gzip = c->gzip;
	o->http.connect_timeout_ms = c->connect_timeout_ms;
	o->http.timeout_ms = c->timeout_ms;
	o->http.attempts = (unsigned)c->attempts;
	o->http.backoff_base_ms = c->backoff_base_ms;
	o->http.backoff_cap_ms = c->backoff_cap_ms;
	if (c->spool_dir != NULL) {
		o->spool.dir = c->spool_dir;
	}
	o->spool.max_reports = c->spool_max_reports;
	o->spool.max_bytes = c->spool_max_bytes;
	conf_hec_opts(c, &o->hec);
	o->ecs_namespace = c->ecs_namespace;
}

void conf_hec_opts(const struct conf *c, struct fmt_hec_opts *o)
{
	fmt_hec_opts_init(o);
	o->index = c->hec_index;
	o->source = c->hec_source;
	o->sourcetype = c->hec_sourcetype;
	o->fields = c->hec_fields;
}

/* ---- Values with units ---- */

/* Splits "<digits><unit>" and multiplies by the unit's factor from @units. */
static int conf_parse_unit(const char *s, const char *const *units, const uint64_t *factor,
	uint64_t max, uint64_t *out)
{
	size_t digits = strspn(s, "0123456789");
	uint64_t v;
	size_t i;

	for (i = 0; units[i] != NULL; i++) {
		if (strcmp(s + digits, units[i]) == 0) {
			break;
		}
	}
	if (digits == 0 || units[i] == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (xstd_strntou64(s, digits, max / factor[i], &v) != 0) {
		return -1;
	}
	*out = v * factor[i];
	return 0;
}

static int conf_duration_max(const char *s, uint64_t max, uint64_t *ms)
{
	static const char *const units[] = {"", "ms", "s", "m", "h", NULL};
	static const uint64_t factor[] = {1000, 1, 1000, 60000, 3600000};

	return conf_parse_unit(s, units, factor, max, ms);
}

int conf_parse_duration(const char *s, uint64_t *ms)
{
	return conf_duration_max(s, KS_DURATION_MAX_MS, ms);
}

static int conf_parse_size(const char *s, uint64_t max, uint64_t *bytes)
{
	static const char *const units[] = {"", "KiB", "MiB", "GiB", "TiB", NULL};
	static const uint64_t factor[] = {1, (uint64_t)1 << 10, (uint64_t)1 << 20,
		(uint64_t)1 << 30, (uint64_t)1 << 40};

	return conf_parse_unit(s, units, factor, max, bytes);
}

/* ---- The loader ---- */

/* What a key holds. */
enum cfg_kind {
	CFG_PATH = 0,
	CFG_PATHS,
	CFG_BOOL,
	CFG_FORMAT,
	CFG_COLLECTOR_FORMAT,
	CFG_COLLECTOR,
	CFG_URL,
	CFG_PIN,
	CFG_SCHEME,
	CFG_HEADERS,
	CFG_COMPRESS,
	CFG_DURATION,
	CFG_COUNT,
	CFG_SIZE,
	CFG_LOG,
	CFG_HEC,
	CFG_HEC_INDEX,
	CFG_HEC_NAME,
	CFG_HEC_FIELDS,
	CFG_HEC_CHANNEL,
	CFG_ECS,
	CFG_ECS_NAMESPACE,
};

/* One load. */
struct cfg {
	struct yread *y;
	struct conf *c;
	/* where the collector mapping starts, for checks across its keys */
	struct yread_loc collector_at;
	/* the list cfg_path_entry() adds to, and its key */
	struct conf_list *list;
	const char *list_key;
};

static void cfg_value(void *ctx, const struct yread_field *f, void *obj);

/* The current scalar as a non-empty string, or NULL (reported). Valid until the next event. */
static const char *cfg_str(struct cfg *l, const char *key)
{
	const char *s;
	size_t n;

	return yread_str(l->y, key, 0, &s, &n) ? s : NULL;
}

/* Keeps a copy of @s in *@dst. */
static void cfg_keep(struct cfg *l, char **dst, const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL) {
		yread_nomem(l->y);
		return;
	}
	free(*dst);
	*dst = copy;
}

static bool cfg_path_ok(struct cfg *l, const char *key, const char *s)
{
	if (s[0] != '/') {
		yread_err(l->y, yread_here(l->y), "\"%s\" must be an absolute path, not \"%s\"",
			key, s);
		return false;
	}
	if (strlen(s) >= PATH_MAX) {
		yread_err(l->y, yread_here(l->y), "\"%s\" is longer than %d bytes", key, PATH_MAX);
		return false;
	}
	return true;
}

/* The paths conf_check_paths() checks, and what each must be. */
static const struct {
	const char *key;
	size_t off;
	enum conf_fs kind;
} conf_fs_rules[CONF_AT_MAX] = {
	{"ca_file", offsetof(struct conf, ca_file), CONF_FS_FILE},
	{"client_cert", offsetof(struct conf, client_cert), CONF_FS_FILE},
	{"client_key", offsetof(struct conf, client_key), CONF_FS_SECRET},
	{"token_file", offsetof(struct conf, token_file), CONF_FS_SECRET},
	{"hmac_key_file", offsetof(struct conf, hmac_key_file), CONF_FS_SECRET},
	{"keys", offsetof(struct conf, keys), CONF_FS_TRUST_DIR},
	{"spool_dir", offsetof(struct conf, spool_dir), CONF_FS_PARENT},
	{"output", offsetof(struct conf, output), CONF_FS_PARENT_WRITABLE},
};

/* Remembers where a checked path was given; a key given twice keeps its last place. */
static void cfg_note(struct cfg *l, const char *key)
{
	struct yread_loc here = yread_here(l->y);
	uint32_t r;
	size_t i;

	for (r = 0; r < CONF_AT_MAX && strcmp(conf_fs_rules[r].key, key) != 0; r++) {
	}
	if (r == CONF_AT_MAX) {
		return;
	}
	for (i = 0; i < l->c->nat && l->c->at[i].rule != r; i++) {
	}
	l->c->at[i].rule = r;
	l->c->at[i].line = here.line;
	l->c->at[i].col = here.col;
	l->c->nat += i == l->c->nat;
}

static void cfg_path(struct cfg *l, const char *key, char **dst)
{
	const char *s = cfg_str(l, key);

	if (s != NULL && cfg_path_ok(l, key, s)) {
		cfg_note(l, key);
		cfg_keep(l, dst, s);
	}
}

/* One path of a list; past KS_CLI_LIST_MAX yread_seq() reports and skips. */
static void cfg_path_entry(void *ctx, size_t index)
{
	struct cfg *l = ctx;
	const char *s = cfg_str(l, l->list_key);

	(void)index;
	if (s == NULL || !cfg_path_ok(l, l->list_key, s)) {
		return;
	}
	if (vec_reserve_implied(&l->list->v, l->list->n, sizeof(*l->list->v), SIZE_MAX) != 0 ||
	    (l->list->v[l->list->n] = strdup(s)) == NULL) {
		yread_nomem(l->y);
		return;
	}
	l->list->n++;
}

static void cfg_paths(struct cfg *l, const char *key, struct conf_list *list)
{
	l->list_key = key;
	l->list = list;
	(void)yread_seq(l->y, key, "a sequence of paths", KS_CLI_LIST_MAX, cfg_path_entry, l);
}

static void cfg_format(struct cfg *l, const char *key, bool collector)
{
	const char *s = cfg_str(l, key);
	enum fmt_kind k;

	if (s == NULL) {
		return;
	}
	if (fmt_parse(s, &k) != 0 || (collector && k == FMT_TEXT)) {
		yread_err(l->y, yread_here(l->y), "unknown format \"%s\" for \"%s\" (%s)", s, key,
			collector ? "json, ecs, ecs-bulk, splunk-hec, cyclonedx or ocsf" :
				    "json, text, ecs, ecs-bulk, splunk-hec, cyclonedx or ocsf");
		return;
	}
	if (collector) {
		l->c->collector_format = k;
	} else {
		l->c->format = k;
		l->c->has_format = true;
	}
}

static void cfg_log(struct cfg *l, const char *key)
{
	const char *s = cfg_str(l, key);

	if (s == NULL) {
		return;
	}
	if (log_sink_parse(s, &l->c->log) != 0) {
		yread_err(l->y, yread_here(l->y), "\"%s\" must be stderr or syslog, not \"%s\"",
			key, s);
		return;
	}
	l->c->has_log = true;
}

static void cfg_url(struct cfg *l, const char *key, char **dst)
{
	const char *s = cfg_str(l, key);
	struct kerr e;

	if (s == NULL) {
		return;
	}
	kerr_clear(&e);
	if (http_url_check(s, &e) != 0) {
		yread_err(l->y, yread_here(l->y), "%s", e.msg);
		return;
	}
	cfg_keep(l, dst, s);
}

/* "sha256//<base64 of 32 bytes>", several joined by ";": what CURLOPT_PINNEDPUBLICKEY takes. */
static bool cfg_pin_ok(const char *s)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = s;

	for (;;) {
		size_t n;

		if (strncmp(p, "sha256//", 8) != 0) {
			return false;
		}
		p += 8;
		n = strspn(p, b64);
		/* 32 bytes are 43 base64 characters and one "=" */
		if (n != 43 || p[n] != '=') {
			return false;
		}
		p += n + 1;
		if (*p == '\0') {
			return true;
		}
		if (*p++ != ';') {
			return false;
		}
	}
}

static void cfg_pin(struct cfg *l, const char *key, char **dst)
{
	const char *s = cfg_str(l, key);

	if (s == NULL) {
		return;
	}
	if (!cfg_pin_ok(s)) {
		yread_err(l->y, yread_here(l->y), "\"%s\" must be sha256//<base64 of the key's "
			"sha256>, several joined by \";\"", key);
		return;
	}
	cfg_keep(l, dst, s);
}

/* RFC 9110 token characters: header names and authentication schemes. */
static bool cfg_token(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			 "!#$%&'*+-.^_`|~") == n;
}

static void cfg_scheme(struct cfg *l, const char *key, char **dst)
{
	const char *s = cfg_str(l, key);

	if (s == NULL) {
		return;
	}
	if (!cfg_token(s, CFG_AUTH_SCHEME_MAX)) {
		yread_err(l->y, yread_here(l->y), "\"%s\" must be one word (Bearer, ApiKey, "
			"Splunk...)", key);
		return;
	}
	cfg_keep(l, dst, s);
}

static void cfg_compress(struct cfg *l, const char *key)
{
	const char *s = cfg_str(l, key);

	if (s == NULL) {
		return;
	}
	if (strcmp(s, "gzip") != 0 && strcmp(s, "none") != 0) {
		yread_err(l->y, yread_here(l->y), "\"%s\" must be gzip or none, not \"%s\"", key,
			s);
		return;
	}
	l->c->gzip = strcmp(s, "gzip") == 0;
}

static void cfg_number(struct cfg *l, const struct yread_field *f, uint64_t *dst)
{
	static const char *const what[] = {
		[CFG_DURATION] = "a duration (10s, 250ms, 5m)",
		[CFG_COUNT] = "a whole number",
		[CFG_SIZE] = "a size (1048576, 64MiB)",
		[CFG_LOG] = NULL,
	};
	/* a plain integer or a quoted/plain "<digits><unit>" string */
	const char *s = yread_scalar(l->y, f->key, what[f->kind],
		YREAD_TYPES(YREAD_INT) | YREAD_TYPES(YREAD_STRING));
	uint64_t v = 0;
	int rc;

	if (s == NULL) {
		return;
	}
	if (f->kind == CFG_DURATION) {
		rc = conf_duration_max(s, f->max, &v);
	} else if (f->kind == CFG_SIZE) {
		rc = conf_parse_size(s, f->max, &v);
	} else {
		rc = xstd_strtou64(s, f->max, &v);
	}
	if (rc != 0 && errno == EINVAL) {
		yread_err(l->y, yread_here(l->y), "expected %s for \"%s\", not \"%s\"",
			what[f->kind], f->key, s);
	} else if (rc != 0 || v < f->min || v > f->max) {
		yread_err(l->y, yread_here(l->y), "\"%s\" must be from %" PRIu64 " to %" PRIu64
			"%s, not \"%s\"", f->key, f->min, f->max,
			f->kind == CFG_DURATION ? " ms" : f->kind == CFG_SIZE ? " bytes" : "", s);
	} else {
		*dst = v;
	}
}

/* Header names kscan sets itself: a configured one would fight it or leak a secret. */
static const char *const cfg_reserved_headers[] = {
	"authorization", "connection", "content-encoding", "content-length", "content-type",
	"expect", "host", "idempotency-key", "transfer-encoding", "user-agent",
	"x-kscan-signature", NULL,
};

static bool cfg_header_name_ok(struct cfg *l, const char *name)
{
	const struct conf *c = l->c;
	size_t i;

	if (!cfg_token(name, KS_CONFIG_SCALAR_MAX)) {
		yread_err(l->y, yread_here(l->y), "\"%s\" is not a valid header name", name);
		return false;
	}
	for (i = 0; cfg_reserved_headers[i] != NULL; i++) {
		if (strcasecmp(name, cfg_reserved_headers[i]) == 0) {
			yread_err(l->y, yread_here(l->y), "header \"%s\" is set by kscan itself%s",
				name, i == 0 ? " (use token_file and auth_scheme)" : "");
			return false;
		}
	}
	for (i = 0; i < c->nheaders; i++) {
		if (strcasecmp(name, c->headers[i].name) == 0) {
			yread_err(l->y, yread_here(l->y), "duplicate header \"%s\"", name);
			return false;
		}
	}
	if (c->nheaders == KS_HTTP_HEADERS_MAX) {
		yread_fail(l->y, KERR_LIMIT, yread_here(l->y), "more than %u headers",
			KS_HTTP_HEADERS_MAX);
		return false;
	}
	return true;
}

/* Visible ASCII and spaces: a header value that is not plain ASCII means trouble somewhere. */
static bool cfg_header_value_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s < ' ' || *s > '~') {
			return false;
		}
	}
	return true;
}

static void cfg_header_add(struct cfg *l, const char *name, const char *value)
{
	struct conf *c = l->c;
	struct http_header *v;

	if (vec_reserve_implied(&c->headers, c->nheaders, sizeof(*c->headers),
		    KS_HTTP_HEADERS_MAX) != 0) {
		yread_nomem(l->y);
		return;
	}
	v = c->headers;
	v[c->nheaders].name = strdup(name);
	v[c->nheaders].value = strdup(value);
	if (v[c->nheaders].name == NULL || v[c->nheaders].value == NULL) {
		free(v[c->nheaders].name);
		free(v[c->nheaders].value);
		yread_nomem(l->y);
		return;
	}
	c->nheaders++;
}

static void cfg_headers(struct cfg *l, const char *key)
{
	char name[KS_CONFIG_SCALAR_MAX + 1];
	const char *s;
	bool ok;

	if (!yread_want(l->y, YAML_MAPPING_START_EVENT, "a mapping of header names to values",
		key, false)) {
		return;
	}
	while (yread_next(l->y) && yread_event(l->y)->type != YAML_MAPPING_END_EVENT) {
		s = cfg_str(l, "headers");
		ok = s != NULL && cfg_header_name_ok(l, s);
		if (ok) {
			/* the name lives in the event: keep it past the next one (it is capped) */
			memcpy(name, s, strlen(s) + 1);
		}
		if (!yread_next(l->y)) {
			return;
		}
		s = cfg_str(l, ok ? name : "headers");
		if (s == NULL || !ok) {
			continue;
		}
		if (!cfg_header_value_ok(s)) {
			yread_err(l->y, yread_here(l->y), "header \"%s\": only printable ASCII is "
				"allowed in a value", name);
			continue;
		}
		cfg_header_add(l, name, s);
	}
}

/*
 * Splunk index names: lower-case letters, digits, "_" and "-", not first (Splunk's
 * indexes.conf rules); a wrong one is refused by HEC for every report of the fleet.
 */
static void cfg_hec_index(struct cfg *l, const char *key, char **dst)
{
	const char *s = cfg_str(l, key);
	size_t n;

	if (s == NULL) {
		return;
	}
	n = strlen(s);
	if (n > KS_HEC_NAME_MAX || s[0] == '_' || s[0] == '-' ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n) {
		yread_err(l->y, yread_here(l->y), "\"%s\" must be a Splunk index name (lower-case "
			"letters, digits, _ and -, not first; at most %u bytes), not \"%s\"", key,
			KS_HEC_NAME_MAX, s);
		return;
	}
	cfg_keep(l, dst, s);
}

/* source and the sourcetype prefix: printable ASCII without spaces, as Splunk's searches
 * quote them least. */
static void cfg_hec_name(struct cfg *l, const char *key, char **dst)
{
	const char *s = cfg_str(l, key);
	size_t i, n;

	if (s == NULL) {
		return;
	}
	n = strlen(s);
	for (i = 0; i < n && s[i] > ' ' && s[i] <= '~'; i++) {
	}
	if (i != n || n > KS_HEC_NAME_MAX) {
		yread_err(l->y, yread_here(l->y), "\"%s\" must be printable ASCII without spaces, "
			"at most %u bytes", key, KS_HEC_NAME_MAX);
		return;
	}
	cfg_keep(l, dst, s);
}

/* One name of hec.fields. */
static void cfg_hec_field(void *ctx, size_t index)
{
	struct cfg *l = ctx;
	const char *s = cfg_str(l, "fields");
	unsigned bit;

	(void)index;
	if (s == NULL) {
		return;
	}
	if (fmt_hec_field_parse(s, &bit) != 0) {
		yread_err(l->y, yread_here(l->y), "unknown field \"%s\" in \"fields\" (verdict, "
			"product, state, host, signature or report_id)", s);
		return;
	}
	l->c->hec_fields |= bit;
}

static void cfg_hec_fields(struct cfg *l, const char *key)
{
	/* the list replaces the default set: [] turns indexed fields off */
	l->c->hec_fields = 0;
	(void)yread_seq(l->y, key, "a sequence of field names", KS_HEC_FIELDS_MAX, cfg_hec_field,
		l);
}

/* A GUID, as HEC wants it for indexer acknowledgement; it travels as a header. */
static void cfg_hec_channel(struct cfg *l, const char *key)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	const char *s = cfg_str(l, key);
	size_t i;
	bool ok;

	if (s == NULL) {
		return;
	}
	ok = strlen(s) == 36;
	for (i = 0; ok && i < 36; i++) {
		ok = i == 8 || i == 13 || i == 18 || i == 23 ? s[i] == '-' :
							       strchr(hex, s[i]) != NULL;
	}
	if (!ok) {
		yread_err(l->y, yread_here(l->y), "\"%s\" must be a GUID "
			"(0aeeac95-ac74-4aa9-b30d-6c4c0ac581ba), not \"%s\"", key, s);
		return;
	}
	if (cfg_header_name_ok(l, "X-Splunk-Request-Channel")) {
		cfg_header_add(l, "X-Splunk-Request-Channel", s);
	}
}

/*
 * A data stream namespace: Elasticsearch refuses upper case, "-" (it separates the parts of
 * logs-DATASET-NAMESPACE) and a handful of punctuation; kscan takes the plain subset.
 */
static void cfg_ecs_namespace(struct cfg *l, const char *key, char **dst)
{
	const char *s = cfg_str(l, key);
	size_t n;

	if (s == NULL) {
		return;
	}
	n = strlen(s);
	if (n > KS_ECS_NAMESPACE_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.") != n) {
		yread_err(l->y, yread_here(l->y), "\"%s\" must be lower-case letters, digits, _ "
			"and ., at most %u bytes (a data stream namespace), not \"%s\"", key,
			KS_ECS_NAMESPACE_MAX, s);
		return;
	}
	cfg_keep(l, dst, s);
}

#define CFG_OFF(m) offsetof(struct conf, m)
/* Timeouts and backoff: 1 ms (tests) to 1 hour (a cron job must end). */
#define CFG_HOUR_MS UINT64_C(3600000)

static const struct yread_field cfg_collector_fields[] = {
	{"url", CFG_URL, CFG_OFF(url), false, 0, 0},
	{"format", CFG_COLLECTOR_FORMAT, 0, false, 0, 0},
	{"ca_file", CFG_PATH, CFG_OFF(ca_file), false, 0, 0},
	{"pinned_pubkey", CFG_PIN, CFG_OFF(pinned_pubkey), false, 0, 0},
	{"client_cert", CFG_PATH, CFG_OFF(client_cert), false, 0, 0},
	{"client_key", CFG_PATH, CFG_OFF(client_key), false, 0, 0},
	{"token_file", CFG_PATH, CFG_OFF(token_file), false, 0, 0},
	{"auth_scheme", CFG_SCHEME, CFG_OFF(auth_scheme), false, 0, 0},
	{"hmac_key_file", CFG_PATH, CFG_OFF(hmac_key_file), false, 0, 0},
	{"headers", CFG_HEADERS, 0, false, 0, 0},
	{"compress", CFG_COMPRESS, 0, false, 0, 0},
	{"connect_timeout", CFG_DURATION, CFG_OFF(connect_timeout_ms), false,
		CFG_TIMEOUT_MIN_MS, CFG_HOUR_MS},
	{"timeout", CFG_DURATION, CFG_OFF(timeout_ms), false, CFG_TIMEOUT_MIN_MS, CFG_HOUR_MS},
	{"attempts", CFG_COUNT, CFG_OFF(attempts), false, 1, KS_HTTP_ATTEMPTS_MAX},
	{"backoff_base", CFG_DURATION, CFG_OFF(backoff_base_ms), false, 1, CFG_HOUR_MS},
	{"backoff_cap", CFG_DURATION, CFG_OFF(backoff_cap_ms), false, 1, CFG_HOUR_MS},
	{"spool_dir", CFG_PATH, CFG_OFF(spool_dir), false, 0, 0},
	{"spool_max_reports", CFG_COUNT, CFG_OFF(spool_max_reports), false, 1,
		KS_SPOOL_REPORTS_MAX},
	{"spool_max_bytes", CFG_SIZE, CFG_OFF(spool_max_bytes), false, (uint64_t)4 << 10,
		KS_SPOOL_BYTES_MAX},
	{"splay", CFG_DURATION, CFG_OFF(splay_ms), false, 0, KS_DURATION_MAX_MS},
	{"hec", CFG_HEC, 0, false, 0, 0},
	{"ecs", CFG_ECS, 0, false, 0, 0},
};

static const struct yread_field cfg_ecs_fields_table[] = {
	{"namespace", CFG_ECS_NAMESPACE, CFG_OFF(ecs_namespace), false, 0, 0},
};

static const struct yread_field cfg_hec_fields_table[] = {
	{"index", CFG_HEC_INDEX, CFG_OFF(hec_index), false, 0, 0},
	{"source", CFG_HEC_NAME, CFG_OFF(hec_source), false, 0, 0},
	{"sourcetype", CFG_HEC_NAME, CFG_OFF(hec_sourcetype), false, 0, 0},
	{"fields", CFG_HEC_FIELDS, 0, false, 0, 0},
	{"channel", CFG_HEC_CHANNEL, 0, false, 0, 0},
};

/* --max-duration: whole seconds up to KS_DEEP_DURATION_MAX. */
#define CFG_DEEP_DURATION_MAX_MS ((uint64_t)KS_DEEP_DURATION_MAX * 1000)

static const struct yread_field cfg_top_fields[] = {
	{"root", CFG_PATH, CFG_OFF(root), false, 0, 0},
	{"signatures", CFG_PATHS, CFG_OFF(signatures), false, 0, 0},
	{"no_default_signatures", CFG_BOOL, CFG_OFF(no_default_signatures), false, 0, 0},
	{"keys", CFG_PATH, CFG_OFF(keys), false, 0, 0},
	{"require_signed", CFG_BOOL, CFG_OFF(require_signed), false, 0, 0},
	{"max_signature_age", CFG_COUNT, CFG_OFF(max_signature_age), false, 1,
		KS_SIG_MAX_AGE_DAYS_MAX},
	{"format", CFG_FORMAT, 0, false, 0, 0},
	{"pretty", CFG_BOOL, CFG_OFF(pretty), false, 0, 0},
	{"output", CFG_PATH, CFG_OFF(output), false, 0, 0},
	{"quiet", CFG_BOOL, CFG_OFF(quiet), false, 0, 0},
	{"verbose", CFG_COUNT, CFG_OFF(verbose), false, 0, 2},
	{"log", CFG_LOG, 0, false, 0, 0},
	{"deep", CFG_BOOL, CFG_OFF(deep), false, 0, 0},
	{"jobs", CFG_COUNT, CFG_OFF(jobs), false, 1, KS_WALK_JOBS_MAX},
	{"paths", CFG_PATHS, CFG_OFF(paths), false, 0, 0},
	{"excludes", CFG_PATHS, CFG_OFF(excludes), false, 0, 0},
	{"one_file_system", CFG_BOOL, CFG_OFF(one_file_system), false, 0, 0},
	{"include_remote", CFG_BOOL, CFG_OFF(include_remote), false, 0, 0},
	{"max_file_size", CFG_SIZE, CFG_OFF(max_file_size), false, 1, UINT64_MAX},
	{"max_duration", CFG_DURATION, CFG_OFF(max_duration_ms), false, 1000,
		CFG_DEEP_DURATION_MAX_MS},
	{"no_low_priority", CFG_BOOL, CFG_OFF(no_low_priority), false, 0, 0},
	{"collector", CFG_COLLECTOR, 0, false, 0, 0},
};

/* What only the whole collector section can tell. */
static void cfg_collector_checks(struct cfg *l)
{
	const struct conf *c = l->c;

	if ((c->client_cert == NULL) != (c->client_key == NULL)) {
		yread_err(l->y, l->collector_at, "client_cert and client_key go together in "
			"collector");
	}
	if (c->backoff_cap_ms < c->backoff_base_ms) {
		yread_err(l->y, l->collector_at, "backoff_cap is less than backoff_base in "
			"collector");
	}
}

/*
 * A section: a mapping of the keys @f describes (@where ends their messages).
 * @return false when it is not a mapping (reported).
 */
static bool cfg_section(struct cfg *l, const char *key, const struct yread_field *f, size_t nf,
	const char *where)
{
	if (!yread_want(l->y, YAML_MAPPING_START_EVENT, "a mapping", key, false)) {
		return false;
	}
	yread_map(l->y, f, nf, where, cfg_value, l, l->c);
	return true;
}

/* Reads the collector section: a mapping of its own keys, then the checks across them. */
static void cfg_collector(struct cfg *l, const char *key)
{
	l->collector_at = yread_here(l->y);
	if (cfg_section(l, key, cfg_collector_fields, XSTD_COUNTOF(cfg_collector_fields),
		" in collector")) {
		cfg_collector_checks(l);
	}
}

static void cfg_value(void *ctx, const struct yread_field *f, void *obj)
{
	struct cfg *l = ctx;
	void *p = (char *)obj + f->off;

	switch (f->kind) {
	case CFG_PATH:
		cfg_path(l, f->key, p);
		break;
	case CFG_PATHS:
		cfg_paths(l, f->key, p);
		break;
	case CFG_LOG:
		cfg_log(l, f->key);
		break;
	case CFG_BOOL:
		yread_bool(l->y, f->key, p);
		break;
	case CFG_FORMAT:
	case CFG_COLLECTOR_FORMAT:
		cfg_format(l, f->key, f->kind == CFG_COLLECTOR_FORMAT);
		break;
	case CFG_COLLECTOR:
		cfg_collector(l, f->key);
		break;
	case CFG_URL:
		cfg_url(l, f->key, p);
		break;
	case CFG_PIN:
		cfg_pin(l, f->key, p);
		break;
	case CFG_SCHEME:
		cfg_scheme(l, f->key, p);
		break;
	case CFG_HEADERS:
		cfg_headers(l, f->key);
		break;
	case CFG_COMPRESS:
		cfg_compress(l, f->key);
		break;
	case CFG_HEC:
		(void)cfg_section(l, f->key, cfg_hec_fields_table,
			XSTD_COUNTOF(cfg_hec_fields_table), " in collector.hec");
		break;
	case CFG_HEC_INDEX:
		cfg_hec_index(l, f->key, p);
		break;
	case CFG_HEC_NAME:
		cfg_hec_name(l, f->key, p);
		break;
	case CFG_HEC_FIELDS:
		cfg_hec_fields(l, f->key);
		break;
	case CFG_HEC_CHANNEL:
		cfg_hec_channel(l, f->key);
		break;
	case CFG_ECS:
		(void)cfg_section(l, f->key, cfg_ecs_fields_table,
			XSTD_COUNTOF(cfg_ecs_fields_table), " in collector.ecs");
		break;
	case CFG_ECS_NAMESPACE:
		cfg_ecs_namespace(l, f->key, p);
		break;
	case CFG_DURATION:
	case CFG_COUNT:
	case CFG_SIZE:
		cfg_number(l, f, p);
		break;
	default:
		yread_skip(l->y);
		break;
	}
}

static const struct yread_limits cfg_limits = {
	KS_CONFIG_SCALAR_MAX, KS_CONFIG_DEPTH_MAX, KS_CONFIG_DIAGS_MAX, "the configuration",
	"the configuration", "the configuration",
};

/* Keeps the reader's diagnostics in @c, for the caller to print. */
static void cfg_keep_diags(struct conf *c, const struct yread *y)
{
	size_t i, n = yread_ndiags(y);

	c->diags = calloc(n, sizeof(*c->diags));
	for (i = 0; c->diags != NULL && i < n; i++) {
		c->diags[i] = strdup(yread_diag(y, i));
		if (c->diags[i] == NULL) {
			break;
		}
		c->ndiags++;
	}
}

int conf_load_mem(struct conf *c, const char *name, const char *data, size_t len,
	struct kerr *err)
{
	struct cfg l;
	int rc;

	if (len > KS_CONFIG_FILE_MAX) {
		return kerr_set(err, KERR_LIMIT, "%s:1:1: the configuration is larger than %zu "
			"bytes", name, KS_CONFIG_FILE_MAX);
	}
	memset(&l, 0, sizeof(l));
	l.c = c;
	l.y = yread_new(name, data, len, &cfg_limits);
	if (l.y == NULL) {
		return kerr_set(err, KERR_NOMEM, "%s: out of memory", name);
	}
	/* an empty file (only comments, or an empty document) sets nothing, and is valid */
	if (yread_begin(l.y)) {
		if (yread_event(l.y)->type != YAML_SCALAR_EVENT ||
		    yread_scalar_type(l.y) != YREAD_NULL) {
			struct yread_loc at = yread_here(l.y);

			if (yread_want(l.y, YAML_MAPPING_START_EVENT, "a mapping", NULL, false)) {
				yread_map(l.y, cfg_top_fields, XSTD_COUNTOF(cfg_top_fields),
					" at the top of the configuration", cfg_value, &l, c);
			}
			if (c->quiet && c->verbose > 0) {
				yread_err(l.y, at, "quiet and verbose contradict each other");
			}
		}
		yread_end(l.y);
	}
	rc = yread_result(l.y, err);
	if (rc != 0) {
		cfg_keep_diags(c, l.y);
	}
	yread_free(l.y);
	return rc;
}

/* It decides where reports go and whom to trust: only root or this user may change it. */
static int conf_check_file(const char *path, const struct stat *st, struct kerr *err)
{
	if (!S_ISREG(st->st_mode)) {
		return kerr_set(err, KERR_INPUT, "%s: not a regular file", path);
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		return kerr_set(err, KERR_INPUT, "%s: owned by uid %u, not by root or the user "
			"kscan runs as: refused", path, (unsigned)st->st_uid);
	}
	if ((st->st_mode & 022) != 0) {
		return kerr_set(err, KERR_INPUT, "%s: group or others may write it (mode %04o): "
			"refused", path, (unsigned)(st->st_mode & 07777));
	}
	return 0;
}

/* After a failed read: a file past the cap says so, in words rather than "E2BIG". */
static void conf_read_error(const char *p, struct kerr *err)
{
	if (errno == E2BIG) {
		kerr_set(err, KERR_LIMIT, "%s: larger than %zu KiB, the cap for a configuration "
			"file", p, KS_CONFIG_FILE_MAX >> 10);
		return;
	}
	kerr_sys(err, KERR_IO, errno, "%s: cannot read the configuration", p);
}

int conf_load(struct conf *c, const char *path, struct kerr *err)
{
	const char *p = path != NULL ? path : CONF_DEFAULT_PATH;
	struct stat st;
	struct buf b;
	int fd, rc = -1;

	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT && path == NULL) {
		return 0;
	}
	if (fd < 0) {
		return kerr_sys(err, KERR_IO, errno, "%s: cannot open the configuration", p);
	}
	buf_init(&b, KS_CONFIG_FILE_MAX);
	if (fstat(fd, &st) != 0) {
		kerr_sys(err, KERR_IO, errno, "%s: cannot stat the configuration", p);
	} else if (conf_check_file(p, &st, err) == 0) {
		if (xstd_read_fd(fd, KS_CONFIG_FILE_MAX, &b) != 0) {
			conf_read_error(p, err);
		} else {
			rc = conf_load_mem(c, p, buf_str(&b), buf_len(&b), err);
		}
		if (rc == 0) {
			rc = conf_check_paths(c, p, err);
		}
	}
	buf_free(&b);
	xstd_close_quietly(fd);
	return rc;
}

/* ---- Load-time checks of the named paths ---- */

/* A secret: root's or ours, and nobody else's to read or change (as http.c requires). */
static int conf_check_secret(const struct stat *st, char *msg, size_t size)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		(void)snprintf(msg, size, "is owned by uid %u, not by root or the user kscan runs "
			"as", (unsigned)st->st_uid);
		return -1;
	}
	if ((st->st_mode & 077) != 0) {
		(void)snprintf(msg, size, "has mode %04o: group and others must have no access "
			"(chmod 600)", (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/* The directory @path is in must be one (and writable when @write). */
static int conf_check_parent(const char *path, bool write, char *msg, size_t size)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t n = slash == NULL ? 0 : (size_t)(slash - path);

	if (slash == NULL || n >= sizeof(dir)) {
		(void)snprintf(dir, sizeof(dir), ".");
	} else {
		(void)snprintf(dir, sizeof(dir), "%.*s", n == 0 ? 1 : (int)n, path);
	}
	if (stat(dir, &st) != 0) {
		(void)snprintf(msg, size, "is in %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(void)snprintf(msg, size, "is in %s, which is not a directory", dir);
		return -1;
	}
	if (write && faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0) {
		(void)snprintf(msg, size, "is in %s, where kscan cannot write: %s", dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Whoever may add a file here decides which packs are trusted (packsig.c's rule). */
static int conf_check_trust_dir(const char *path, const struct stat *st, char *msg,
	size_t size)
{
	if (!S_ISDIR(st->st_mode)) {
		(void)snprintf(msg, size, "is not a directory");
		return -1;
	}
	if (faccessat(AT_FDCWD, path, R_OK | X_OK, AT_EACCESS) != 0) {
		(void)snprintf(msg, size, "cannot be listed: %s", strerror(errno));
		return -1;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		(void)snprintf(msg, size, "is owned by uid %u, not by root or the user kscan runs "
			"as", (unsigned)st->st_uid);
		return -1;
	}
	if ((st->st_mode & 022) != 0) {
		(void)snprintf(msg, size, "is writable by group or others (mode %04o)",
			(unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

int conf_check_path(const char *path, enum conf_fs kind, char *msg, size_t size)
{
	struct stat st;

	if (kind == CONF_FS_PARENT || kind == CONF_FS_PARENT_WRITABLE) {
		return conf_check_parent(path, kind == CONF_FS_PARENT_WRITABLE, msg, size);
	}
	if (stat(path, &st) != 0) {
		if (errno == ENOENT) {
			(void)snprintf(msg, size, "does not exist");
		} else {
			(void)snprintf(msg, size, "cannot be looked at: %s", strerror(errno));
		}
		return -1;
	}
	if (kind == CONF_FS_TRUST_DIR) {
		return conf_check_trust_dir(path, &st, msg, size);
	}
	if (kind != CONF_FS_READABLE && !S_ISREG(st.st_mode)) {
		(void)snprintf(msg, size, "is not a regular file");
		return -1;
	}
	if (faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) != 0) {
		(void)snprintf(msg, size, "cannot be read: %s", strerror(errno));
		return -1;
	}
	return kind == CONF_FS_SECRET ? conf_check_secret(&st, msg, size) : 0;
}

int conf_check_paths(const struct conf *c, const char *name, struct kerr *err)
{
	char msg[KS_ERR_MSG_MAX / 2];
	size_t i;

	for (i = 0; i < c->nat; i++) {
		const struct conf_at *a = &c->at[i];
		const char *key = conf_fs_rules[a->rule].key;
		char *const *path = (char *const *)((const char *)c + conf_fs_rules[a->rule].off);

		if (*path != NULL &&
		    conf_check_path(*path, conf_fs_rules[a->rule].kind, msg, sizeof(msg)) != 0) {
			return kerr_set(err, KERR_INPUT, "%s:%" PRIu32 ":%" PRIu32 ": \"%s\" %s %s",
				name, a->line, a->col, key, *path, msg);
		}
	}
	return 0;
}
