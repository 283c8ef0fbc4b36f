#include "report/fmt/fmt_text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "report/fscov.h"
#include "base/limits.h"
#include "base/xstd.h"

/* ANSI SGR sequences for the banner; only written when color is asked for. */
#define FMT_TEXT_RED "\033[1;31m"
#define FMT_TEXT_YELLOW "\033[1;33m"
#define FMT_TEXT_GREEN "\033[1;32m"
#define FMT_TEXT_RESET "\033[0m"

/* Lines are wrapped to this many columns: a terminal of 100 shows every line whole. */
#define FMT_TEXT_COLS 100u
/* A continuation aligns with a value column only this far in; past it, that leaves too little. */
#define FMT_TEXT_HANG_MAX 48u

/* 9999-12-31T23:59:59.999Z, the last time with a four-digit year. */
#define FMT_TEXT_TIME_MAX INT64_C(253402300799999)

/* The code point of a valid sequence of @len bytes (xstd_utf8_seq() said so). */
static uint32_t fmt_text_cp(const unsigned char *u, size_t len)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = u[0] & lead_mask[len];
	size_t i;

	for (i = 1; i < len; i++) {
		cp = cp << 6 | (u[i] & 0x3fu);
	}
	return cp;
}

/*
 * Characters a terminal acts on or that reorder what is shown: C1 controls (U+009B is
 * CSI on some terminals), line separators, and bidirectional overrides that can make
 * "/opt/evil" read as something else.
 */
static bool fmt_text_unsafe_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
		(cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void fmt_text_hex_bytes(struct buf *out, const unsigned char *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf_addf(out, "\\x%02x", (unsigned)u[i]);
	}
}

/*
 * Writes @s so that no byte of it can act on a terminal: control bytes, unsafe code points
 * and invalid UTF-8 become \xNN and a backslash becomes \\, so the text stays unambiguous.
 * @quote also escapes '"' (for values shown between quotes).
 */
static void fmt_text_esc(struct buf *out, const char *s, bool quote)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;

	while (i < n) {
		size_t len = xstd_utf8_seq(u + i, n - i);

		if (len == 0 || u[i] < 0x20 || u[i] == 0x7f ||
		    (len > 1 && fmt_text_unsafe_cp(fmt_text_cp(u + i, len)))) {
			len = len == 0 ? 1 : len;
			fmt_text_hex_bytes(out, u + i, len);
		} else if (u[i] == '\\' || (quote && u[i] == '"')) {
			buf_addc(out, '\\');
			buf_addc(out, (char)u[i]);
		} else {
			buf_add(out, u + i, len);
		}
		i += len;
	}
}

/* A value that may hold spaces is quoted so where it ends stays clear. */
static void fmt_text_val(struct buf *out, const char *s)
{
	if (s[0] != '\0' && strpbrk(s, " \"(),;") == NULL) {
		fmt_text_esc(out, s, false);
		return;
	}
	buf_addc(out, '"');
	fmt_text_esc(out, s, true);
	buf_addc(out, '"');
}

/* Appends "<sep><label><value>" when @s is set; *@sep becomes ", " after the first. */
static void fmt_text_item(struct buf *out, const char **sep, const char *label, const char *s)
{
	if (s == NULL) {
		return;
	}
	buf_adds(out, *sep);
	buf_adds(out, label);
	fmt_text_val(out, s);
	*sep = ", ";
}

static void fmt_text_sandbox(struct buf *out, const struct report *r)
{
	if (r->sandbox_landlock_abi > 0) {
		buf_addf(out, "filesystem read-only (Landlock ABI %d)", r->sandbox_landlock_abi);
	} else {
		buf_adds(out, "no filesystem sandbox");
		if (r->sandbox_note != NULL) {
			buf_adds(out, " (");
			fmt_text_val(out, r->sandbox_note);
			buf_adds(out, ")");
		}
	}
	buf_adds(out, r->sandbox_no_new_privs ? ", no new privileges" : "");
}

static void fmt_text_packs(struct buf *out, const struct report *r);

static void fmt_text_header(struct buf *out, const struct report *r)
{
	char start[32], end[32];

	buf_addf(out, "kscan %s, report %s\n",
		r->kscan_version != NULL ? r->kscan_version : "?", r->report_id);
	buf_adds(out, "Host:       ");
	fmt_text_esc(out, r->hostname != NULL ? r->hostname : "(hostname unknown)", false);
	if (r->os_pretty_name != NULL) {
		buf_adds(out, ", ");
		fmt_text_esc(out, r->os_pretty_name, false);
	}
	if (r->kernel != NULL) {
		buf_adds(out, ", kernel ");
		fmt_text_esc(out, r->kernel, false);
	}
	buf_adds(out, "\nScanned:    ");
	fmt_text_esc(out, r->root != NULL ? r->root : "/", false);
	xstd_rfc3339(r->started_ms, start);
	xstd_rfc3339(r->finished_ms, end);
	buf_addf(out, " (%s), %s to %s, %" PRId64 " ms\nSandbox:    ",
		r->mode != NULL ? r->mode : "quick", start, end, r->duration_ms);
	fmt_text_sandbox(out, r);
	fmt_text_packs(out, r);
}

/* The version every pack has, or NULL when they differ (or have none). */
static const char *fmt_text_packs_version(const struct report *r)
{
	const char *v = r->packs[0].version;
	size_t i;

	if (v == NULL || v[0] == '\0') {
		return NULL;
	}
	for (i = 1; i < r->npacks; i++) {
		if (r->packs[i].version == NULL || strcmp(r->packs[i].version, v) != 0) {
			return NULL;
		}
	}
	return v;
}

/*
 * "Signatures: 22 packs, 26 signatures, version 2026.11.22", then the packs' names on one
 * line that the reflow wraps under it (with a version of their own when they differ, and
 * their flags): one line with every pack's count and version was ~1000 characters.
 */
static void fmt_text_packs(struct buf *out, const struct report *r)
{
	const struct report_pack *p;
	const char *common;
	size_t i, nsigs = 0, nstale = 0;

	buf_adds(out, "\nSignatures: ");
	if (r->npacks == 0) {
		buf_adds(out, "none\n");
		return;
	}
	for (i = 0; i < r->npacks; i++) {
		nsigs += r->packs[i].nsignatures;
		nstale += r->packs[i].stale ? 1 : 0;
	}
	common = fmt_text_packs_version(r);
	buf_addf(out, "%zu pack%s, %zu signature%s", r->npacks, r->npacks == 1 ? "" : "s",
		nsigs, nsigs == 1 ? "" : "s");
	if (common != NULL) {
		buf_adds(out, ", version ");
		fmt_text_val(out, common);
	}
	if (nstale > 0) {
		buf_addf(out, ", %zu STALE", nstale);
	}
	buf_adds(out, "\n            ");
	for (i = 0; i < r->npacks; i++) {
		p = &r->packs[i];
		buf_adds(out, i > 0 ? ", " : "");
		fmt_text_val(out, p->name);
		if (common == NULL && p->version != NULL && p->version[0] != '\0') {
			buf_adds(out, " ");
			fmt_text_val(out, p->version);
		}
		if (p->verified || p->stale) {
			buf_addf(out, " (%s%s%s)", p->verified ? "signature verified" : "",
				p->verified && p->stale ? ", " : "", p->stale ? "STALE" : "");
		}
	}
	buf_addc(out, '\n');
}

/*
 * "Legal basis:": the frameworks of the packs' compliance: entries, once each, wrapped here
 * between frameworks under the header's column (the reflow would break inside a name such
 * as "Commerce ICTS Final Determination").
 */
static void fmt_text_legal(struct buf *out, const struct report *r)
{
	const size_t indent = sizeof("Legal basis: ") - 1;
	const struct report_compliance *c;
	size_t it = 0, col = indent;
	bool any = false;

	while ((c = report_obligation(r, NULL, &it)) != NULL) {
		buf_adds(out, any ? "," : "Legal basis: ");
		if (any && col + 2 + strlen(c->framework) > FMT_TEXT_COLS) {
			buf_addf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (any) {
			buf_adds(out, " ");
			col += 2;
		}
		fmt_text_esc(out, c->framework, false);
		col += strlen(c->framework);
		any = true;
	}
	if (any) {
		buf_adds(out, "\n");
	}
}

/* "2 ok, 1 absent, 0 failed" */
static void fmt_text_source_tally(struct buf *out, const struct report *r)
{
	size_t n[3] = { 0, 0, 0 }, i;

	for (i = 0; i < r->nsources; i++) {
		if ((unsigned)r->sources[i].status < XSTD_COUNTOF(n)) {
			n[r->sources[i].status]++;
		}
	}
	buf_addf(out, "%zu sources: %zu ok, %zu absent, %zu failed", r->nsources,
		n[REPORT_SRC_OK], n[REPORT_SRC_ABSENT], n[REPORT_SRC_FAILED]);
}

/* "1 running, 1 remnant", strongest first. */
static void fmt_text_state_tally(struct buf *out, const struct report *r)
{
	const char *sep = "";
	int s;

	for (s = REPORT_STATE_RUNNING; s >= REPORT_STATE_NONE; s--) {
		size_t n = 0, i;

		for (i = 0; i < r->nfindings; i++) {
			n += r->findings[i]->state == (enum report_state)s;
		}
		if (n > 0) {
			buf_addf(out, "%s%zu %s", sep, n, report_state_name((enum report_state)s));
			sep = ", ";
		}
	}
}

static bool fmt_text_any_failed(const struct report *r)
{
	size_t i;

	for (i = 0; i < r->nsources; i++) {
		if (r->sources[i].status == REPORT_SRC_FAILED) {
			return true;
		}
	}
	return false;
}

static void fmt_text_banner(struct buf *out, const struct report *r, bool color)
{
	static const char *const words[] = { "CLEAN", "DETECTED", "INCOMPLETE" };
	static const char *const colors[] = { FMT_TEXT_GREEN, FMT_TEXT_RED, FMT_TEXT_YELLOW };
	size_t v = (unsigned)r->verdict < XSTD_COUNTOF(words) ? (size_t)r->verdict : 2;

	buf_addf(out, "%s== %s ==%s ", color ? colors[v] : "", words[v],
		color ? FMT_TEXT_RESET : "");
	switch (r->verdict) {
	case REPORT_DETECTED:
		buf_addf(out, "%zu product%s found (", r->nfindings, r->nfindings == 1 ? "" : "s");
		fmt_text_state_tally(out, r);
		buf_adds(out, "); ");
		break;
	case REPORT_CLEAN:
		buf_adds(out, "no product found, every source ran; ");
		break;
	case REPORT_INCOMPLETE:
	default:
		buf_adds(out, "no product found, but the scan is not complete; ");
		break;
	}
	fmt_text_source_tally(out, r);
	buf_addc(out, '\n');
	if (r->verdict == REPORT_DETECTED && fmt_text_any_failed(r)) {
		buf_adds(out, "Warning: some sources failed (see Coverage), there may be more\n");
	}
	if (r->verdict == REPORT_INCOMPLETE) {
		buf_adds(out, "Reason: ");
		fmt_text_esc(out, report_verdict_reason(r), false);
		buf_addc(out, '\n');
	}
}

/* Paths, files and hashes are named by their path; the rest by their name. */
static bool fmt_text_by_path(const struct report_evidence *e)
{
	return e->path != NULL && (e->name == NULL || e->kind == REPORT_EV_PATH ||
		e->kind == REPORT_EV_FILE || e->kind == REPORT_EV_HASH);
}

/* The thing observed: a path, or a name with version and arch. */
static void fmt_text_ev_what(struct buf *out, const struct report_evidence *e)
{
	if (fmt_text_by_path(e)) {
		fmt_text_val(out, e->path);
		return;
	}
	fmt_text_val(out, e->name != NULL ? e->name : "?");
	if (e->version != NULL) {
		buf_addc(out, ' ');
		fmt_text_val(out, e->version);
	}
	if (e->arch != NULL) {
		buf_addc(out, ' ');
		fmt_text_val(out, e->arch);
	}
}

static bool fmt_text_differs(const char *a, const char *b)
{
	return b == NULL || strcmp(a, b) != 0;
}

/* "<sep><label><number>" for the numeric members of the host probes' evidence. */
static void fmt_text_num(struct buf *out, const char **sep, const char *label, uint64_t v)
{
	buf_addf(out, "%s%s%" PRIu64, *sep, label, v);
	*sep = ", ";
}

/* What the host probes add: the socket, the process, the account, the cron line. */
static void fmt_text_ev_live(struct buf *out, const char **sep, const struct report_evidence *e)
{
	char t[32];

	if (e->proto != NULL) {
		fmt_text_item(out, sep, "", e->proto);
	}
	if (e->address != NULL && e->port != 0) {
		/* "udp 0.0.0.0:15000" reads as one item */
		buf_addc(out, ' ');
		fmt_text_val(out, e->address);
		buf_addf(out, ":%" PRIu32, e->port);
	}
	fmt_text_item(out, sep, "", e->account);
	if (e->pid != 0) {
		fmt_text_num(out, sep, "pid ", e->pid);
	}
	if (e->has_uid) {
		fmt_text_num(out, sep, "uid ", e->uid);
	}
	if (e->has_gid) {
		fmt_text_num(out, sep, "gid ", e->gid);
	}
	if (e->has_started && e->started_ms >= 0 && e->started_ms <= FMT_TEXT_TIME_MAX) {
		xstd_rfc3339(e->started_ms, t);
		fmt_text_item(out, sep, "started ", t);
	}
	if (e->has_enabled) {
		buf_addf(out, "%s%s", *sep, e->enabled ? "enabled at boot" : "not enabled");
		*sep = ", ";
	}
	if (e->line != 0) {
		fmt_text_num(out, sep, "line ", e->line);
	}
	fmt_text_item(out, sep, "user ", e->user);
	fmt_text_item(out, sep, "command ", e->command);
	fmt_text_item(out, sep, "", e->format);
	fmt_text_item(out, sep, "vendor ", e->vendor);
	fmt_text_item(out, sep, "summary ", e->summary);
}

/* Everything else known about it, in parentheses: where, status, how it matched. */
static void fmt_text_ev_details(struct buf *out, const struct report_evidence *e)
{
	const char *sep = " (";
	char t[32];

	fmt_text_item(out, &sep, "", e->manager);
	fmt_text_item(out, &sep, "status ", e->status);
	if (fmt_text_by_path(e)) {
		fmt_text_item(out, &sep, "name ", e->name);
		fmt_text_item(out, &sep, "version ", e->version);
		fmt_text_item(out, &sep, "arch ", e->arch);
	} else {
		fmt_text_item(out, &sep, "", e->path);
	}
	fmt_text_item(out, &sep, "", e->ftype);
	if (e->target != NULL) {
		/* "symlink -> target" reads as one item */
		sep = e->ftype != NULL ? " " : sep;
		fmt_text_item(out, &sep, "-> ", e->target);
	}
	if (e->has_size) {
		buf_addf(out, "%s%" PRIu64 " bytes", sep, e->size);
		sep = ", ";
	}
	fmt_text_item(out, &sep, "sha256 ", e->sha256);
	/* as in the JSON: times xstd_rfc3339() cannot show faithfully are left out */
	if (e->has_mtime && e->mtime_ms >= 0 && e->mtime_ms <= FMT_TEXT_TIME_MAX) {
		xstd_rfc3339(e->mtime_ms, t);
		fmt_text_item(out, &sep, "modified ", t);
	}
	fmt_text_ev_live(out, &sep, e);
	fmt_text_item(out, &sep, "role ", e->role);
	/* a pattern equal to what it matched says nothing new */
	if (e->pattern != NULL && fmt_text_differs(e->pattern, e->path) &&
	    fmt_text_differs(e->pattern, e->name)) {
		fmt_text_item(out, &sep, "matched ", e->pattern);
	}
	fmt_text_item(out, &sep, "from ", e->source);
	if (sep[0] == ',') {
		buf_addc(out, ')');
	}
}

/* "running, enabled at boot" or "not running, not enabled at boot", when it is known. */
static void fmt_text_status(struct buf *out, const struct report_finding *f, bool live)
{
	if (!live && !f->has_service) {
		return;
	}
	buf_adds(out, "    status:   ");
	if (live) {
		buf_adds(out, report_finding_running(f) ? "running" : "not running");
	}
	if (f->has_service) {
		buf_addf(out, "%s%s", live ? ", " : "",
			f->enabled ? "enabled at boot" : "not enabled at boot");
	}
	buf_addc(out, '\n');
}

/* The removal plan, numbered, each command on its own line after "$ ". */
static void fmt_text_plan(struct buf *out, const struct report_finding *f)
{
	size_t i, k;

	if (f->nsteps == 0) {
		buf_adds(out, "    remove:   no step could be planned from the evidence\n");
		return;
	}
	buf_addf(out, "    remove:   %zu step%s (a plan: kscan removes nothing)\n", f->nsteps,
		f->nsteps == 1 ? "" : "s");
	for (i = 0; i < f->nsteps; i++) {
		const struct report_step *st = &f->steps[i];

		buf_addf(out, "      %zu. ", i + 1);
		fmt_text_esc(out, st->description, false);
		buf_addc(out, '\n');
		if (st->command != NULL) {
			buf_adds(out, "         $ ");
			fmt_text_esc(out, st->command, false);
			buf_addc(out, '\n');
			continue;
		}
		/* a step done by hand: what to edit */
		for (k = 0; k < st->ntargets; k++) {
			buf_adds(out, "         - ");
			fmt_text_esc(out, st->targets[k], false);
			buf_addc(out, '\n');
		}
	}
	if (f->steps_dropped > 0) {
		buf_addf(out, "      ... and %zu more step%s not kept (cap reached)\n",
			f->steps_dropped, f->steps_dropped == 1 ? "" : "s");
	}
}

static void fmt_text_finding(struct buf *out, const struct report_finding *f, size_t no,
	bool live)
{
	size_t i;

	buf_addf(out, "%s[%zu] ", no > 1 ? "\n" : "", no);
	fmt_text_esc(out, f->product != NULL ? f->product : f->signature, false);
	buf_adds(out, " (");
	fmt_text_esc(out, f->signature, false);
	buf_addf(out, "): %s, %s confidence\n", report_state_name(f->state),
		report_confidence_name(f->confidence));
	if (report_finding_low_confidence(f)) {
		buf_adds(out, "    low confidence: only inferred evidence\n");
	}
	if (f->shared_only) {
		buf_adds(out, "    shared only: evidence several Kaspersky products share, and no "
			"product of them was found\n");
	}
	if (f->vendor != NULL) {
		buf_adds(out, "    vendor:   ");
		fmt_text_esc(out, f->vendor, false);
		buf_addc(out, '\n');
	}
	fmt_text_status(out, f, live);
	buf_addf(out, "    evidence: %zu item%s", f->nev, f->nev == 1 ? "" : "s");
	if (f->ev_dropped > 0) {
		buf_addf(out, " shown, %zu more not kept (cap reached)", f->ev_dropped);
	}
	buf_addc(out, '\n');
	for (i = 0; i < f->nev; i++) {
		const struct report_evidence *e = &f->ev[i];

		buf_addf(out, "      %-9s  %-13s  %-6s  ", report_state_name(e->state),
			report_ev_kind_name(e->kind), report_confidence_name(e->confidence));
		fmt_text_ev_what(out, e);
		fmt_text_ev_details(out, e);
		buf_addc(out, '\n');
	}
	fmt_text_plan(out, f);
	buf_adds(out, "    hint:     ");
	fmt_text_esc(out, f->remove != NULL ? f->remove : "(no hint in the signature)", false);
	buf_addc(out, '\n');
}

static void fmt_text_counts(struct buf *out, const char *label, const struct report_count *v,
	size_t n)
{
	const char *sep = "";
	size_t i;

	if (n == 0) {
		return;
	}
	buf_addf(out, "\n           %s: ", label);
	for (i = 0; i < n; i++) {
		buf_addf(out, "%s%s %" PRIu64, sep, v[i].key, v[i].value);
		sep = ", ";
	}
}

/* The deep sweep's coverage: what it looked at, and everything it did not. */
static void fmt_text_fs(struct buf *out, const struct fscov *c)
{
	size_t i;

	buf_adds(out, "\n           swept:");
	for (i = 0; i < c->npaths; i++) {
		buf_addc(out, ' ');
		fmt_text_val(out, c->paths[i]);
	}
	for (i = 0; i < c->nexcluded; i++) {
		buf_adds(out, i == 0 ? "; excluded: " : " ");
		fmt_text_val(out, c->excluded[i]);
	}
	fmt_text_counts(out, "skipped", c->skipped, c->nskipped);
	fmt_text_counts(out, "errors", c->errors_by_kind, c->nerrors_by_kind);
	for (i = 0; i < c->nfailed; i++) {
		buf_adds(out, "\n           failed: ");
		fmt_text_val(out, c->failed[i].path);
		buf_adds(out, ": ");
		fmt_text_esc(out, c->failed[i].message, false);
	}
	if (c->failed_dropped > 0) {
		buf_addf(out, "\n           failed: %" PRIu64 " more", c->failed_dropped);
	}
	for (i = 0; i < c->nmounts; i++) {
		buf_adds(out, "\n           mount not entered: ");
		fmt_text_val(out, c->mounts[i].path);
		buf_adds(out, " (");
		fmt_text_esc(out, c->mounts[i].fstype, false);
		buf_addf(out, ", %s)", c->mounts[i].reason);
	}
	if (c->mounts_dropped > 0) {
		buf_addf(out, "\n           mounts not entered: %" PRIu64 " more",
			c->mounts_dropped);
	}
	if (c->archives.inspected > 0) {
		buf_addf(out, "\n           archives: %" PRIu64 " inspected, %" PRIu64 " corrupt, %"
			PRIu64 " over a limit", c->archives.inspected, c->archives.corrupt,
			c->archives.over_limit);
	}
}

static void fmt_text_coverage(struct buf *out, const struct report *r)
{
	size_t i, k;

	buf_adds(out, "\nCoverage:\n");
	if (r->nsources == 0) {
		buf_adds(out, "  no source ran\n");
	}
	for (i = 0; i < r->nsources; i++) {
		const struct report_source *s = &r->sources[i];
		const char *sep = "  ";

		buf_addf(out, "  %-14s %s", s->name, report_src_status_name(s->status));
		if (s->location != NULL || s->ncounts > 0) {
			/* pad the status column only when something follows it */
			int pad = 7 - (int)strlen(report_src_status_name(s->status));

			buf_addf(out, "%*s", pad, "");
		}
		if (s->location != NULL) {
			buf_adds(out, "  ");
			fmt_text_val(out, s->location);
		}
		for (k = 0; k < s->ncounts; k++) {
			buf_addf(out, "%s%s %" PRIu64, sep, s->counts[k].key, s->counts[k].value);
			sep = ", ";
		}
		if (s->fs != NULL) {
			fmt_text_fs(out, s->fs);
		}
		if (s->error != NULL) {
			buf_adds(out, "\n                 error: ");
			fmt_text_esc(out, s->error, false);
		}
		buf_addc(out, '\n');
	}
}

static void fmt_text_errors(struct buf *out, const struct report *r)
{
	size_t i;

	if (r->nerrors == 0) {
		buf_adds(out, "\nErrors: none\n");
		return;
	}
	buf_addf(out, "\nErrors (%zu):\n", r->nerrors + r->errors_dropped);
	for (i = 0; i < r->nerrors; i++) {
		buf_adds(out, "  - ");
		fmt_text_esc(out, r->errors[i], false);
		buf_addc(out, '\n');
	}
	if (r->errors_dropped > 0) {
		buf_addf(out, "  ... and %zu more not kept\n", r->errors_dropped);
	}
}

static void fmt_text_idlist(struct buf *out, const struct report_idlist *l, const char *what)
{
	size_t i;

	if (l->total == 0) {
		return;
	}
	buf_addf(out, "  %" PRIu64 " %s:\n", l->total, what);
	for (i = 0; i < l->n; i++) {
		buf_adds(out, "    - ");
		fmt_text_esc(out, l->v[i], false);
		buf_addc(out, '\n');
	}
	if (l->total > l->n) {
		buf_addf(out, "    ... and %" PRIu64 " more not listed\n", l->total - l->n);
	}
}

/* "evicted 2, unwritten 1": why reports were dropped, where the journal knows. */
static void fmt_text_why(struct buf *out, const uint64_t *why)
{
	const char *sep = "    why: ";
	size_t i;

	for (i = 0; i < REPORT_DROP_KINDS; i++) {
		if (why[i] > 0) {
			buf_addf(out, "%s%s %" PRIu64, sep, report_drop_name(i), why[i]);
			sep = ", ";
		}
	}
	if (strcmp(sep, ", ") == 0) {
		buf_addc(out, '\n');
	}
}

/* Only when the spool has something to say, like the JSON member. */
static void fmt_text_delivery(struct buf *out, const struct report *r)
{
	const struct report_delivery *d = &r->delivery;

	if (!report_delivery_any(d)) {
		return;
	}
	buf_adds(out, "\nDelivery:\n");
	fmt_text_idlist(out, &d->dropped, "undelivered report(s) dropped from the spool");
	fmt_text_why(out, d->dropped_why);
	fmt_text_idlist(out, &d->corrupt, "unreadable spool file(s) moved aside");
	fmt_text_idlist(out, &d->quarantined, "untrusted spool entries moved to quarantine/");
}

/*
 * Where a wrapped line's continuations start: under its value column (the end of the last
 * run of two spaces, as in "    hint:     ..." or an evidence line), after "- ", "$ " or a
 * step's "3. ", under the value of a "Label: value" header, else at its own indent.
 */
static size_t fmt_text_hang(const char *s, size_t n)
{
	size_t lead = 0, i, hang = 0;
	const char *colon;

	while (lead < n && s[lead] == ' ') {
		lead++;
	}
	for (i = lead; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
	}
	if (i > lead && i + 1 < n && s[i] == '.' && s[i + 1] == ' ') {
		return i + 2;
	}
	for (i = lead; i + 1 < n && i + 2 <= FMT_TEXT_HANG_MAX; i++) {
		if (s[i] == ' ' && s[i + 1] == ' ') {
			while (i < n && s[i] == ' ') {
				i++;
			}
			hang = i;
		}
	}
	if (hang > 0) {
		return hang;
	}
	if (lead + 1 < n && (s[lead] == '-' || s[lead] == '$') && s[lead + 1] == ' ') {
		return lead + 2;
	}
	if (lead > 0) {
		return lead;
	}
	colon = memchr(s, ':', n < 24 ? n : 24);
	if (colon != NULL && colon + 1 < s + n && colon[1] == ' ') {
		return (size_t)(colon - s) + 2;
	}
	return 4;
}

/*
 * Where to break @s[0..@n), written after @pad columns, to keep within @room columns: at
 * the last space that fits, else at the first one (a word longer than the room, a long
 * path, is left whole rather than cut), never at or before @min. @return @n: no break.
 * In a shell command (@cmd) a quoted or escaped space is not one: a break there would
 * change the command. Columns are UTF-8 lead bytes; the banner's colour sequences take none.
 */
static size_t fmt_text_break(const char *s, size_t n, size_t pad, size_t room, size_t min,
	bool cmd)
{
	size_t i, cols = pad, brk = n;
	char quote = 0;

	for (i = 0; i < n; i++) {
		if (cmd && quote == 0 && s[i] == '\\' && i + 1 < n) {
			cols += 2;
			i++;
			continue;
		}
		if (cmd && (s[i] == '\'' || s[i] == '"') && (quote == 0 || quote == s[i])) {
			quote = quote == 0 ? s[i] : 0;
		}
		if (quote != 0) {
			cols++;
			continue;
		}
		if (s[i] == '\033') {
			while (i + 1 < n && (s[i + 1] == '[' || s[i + 1] < '@' || s[i + 1] > '~')) {
				i++;
			}
			i++;
			continue;
		}
		if (i > min && s[i] == ' ' && s[i - 1] != ' ') {
			if (cols > room) {
				return brk == n ? i : brk;
			}
			brk = i;
		}
		cols += ((unsigned char)s[i] & 0xc0) != 0x80 ? 1 : 0;
	}
	return cols > FMT_TEXT_COLS ? brk : n;
}

/*
 * Appends line @s[0..@n) (without its newline) wrapped at spaces to FMT_TEXT_COLS columns,
 * continuations indented under its value. A shell command ("$ ...") is continued with
 * " \\", so it still pastes as one command.
 */
static void fmt_text_wrap(struct buf *out, const char *s, size_t n)
{
	size_t hang = fmt_text_hang(s, n), min = hang, pad = 0, lead = 0, brk, i;
	bool cmd;

	while (lead < n && s[lead] == ' ') {
		lead++;
	}
	cmd = lead + 1 < n && s[lead] == '$' && s[lead + 1] == ' ';
	for (;;) {
		brk = fmt_text_break(s, n, pad, FMT_TEXT_COLS - (cmd ? 2 : 0), min, cmd);
		buf_add(out, s, brk);
		if (brk == n) {
			break;
		}
		buf_adds(out, cmd ? " \\\n" : "\n");
		while (brk < n && s[brk] == ' ') {
			brk++;
		}
		s += brk;
		n -= brk;
		/* a word too long for the value column (a sha256) starts nearer the margin */
		pad = hang;
		if (hang > lead + 4 && hang + fmt_text_break(s, n, 0, 0, 0, cmd) > FMT_TEXT_COLS) {
			pad = lead + 4;
		}
		for (i = 0; i < pad; i++) {
			buf_addc(out, ' ');
		}
		min = 0;
	}
	buf_addc(out, '\n');
}

/* Appends @text (whole lines) to @out, each wrapped. */
static void fmt_text_reflow(struct buf *out, const char *text, size_t len)
{
	const char *nl;

	while (len > 0) {
		nl = memchr(text, '\n', len);
		if (nl == NULL) {
			nl = text + len;
		}
		fmt_text_wrap(out, text, (size_t)(nl - text));
		len -= nl < text + len ? (size_t)(nl - text) + 1 : (size_t)(nl - text);
		text = nl + 1;
	}
}

/* Every section into one buffer first, so that every line can be wrapped alike. */
static void fmt_text_sections(const struct report *r, struct buf *out, bool color)
{
	size_t i;

	fmt_text_banner(out, r, color);
	fmt_text_header(out, r);
	fmt_text_legal(out, r);
	if (r->nfindings == 0) {
		buf_adds(out, "\nFindings: none\n");
	} else {
		buf_addf(out, "\nFindings (%zu):\n", r->nfindings);
	}
	for (i = 0; i < r->nfindings; i++) {
		fmt_text_finding(out, r->findings[i], i + 1, r->live);
	}
	fmt_text_coverage(out, r);
	fmt_text_errors(out, r);
	fmt_text_delivery(out, r);
}

int fmt_text_write(const struct report *r, struct buf *out, bool color)
{
	struct buf raw;
	int err;

	buf_init(&raw, KS_REPORT_MAX);
	fmt_text_sections(r, &raw, color);
	err = buf_error(&raw);
	if (err == 0) {
		fmt_text_reflow(out, buf_str(&raw), buf_len(&raw));
		err = buf_error(out);
	}
	buf_free(&raw);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}
