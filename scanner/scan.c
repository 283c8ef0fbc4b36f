#include "config.h"
#include "scanner/scan.h"

#include <errno.h>
#include <string.h>

#include "scanner/sources/dpkg.h"
#include "scanner/sources/host.h"
#include "scanner/match/deepmatch.h"
#include "scanner/match/match.h"
#include "scanner/sources/paths.h"
#include "scanner/match/plan.h"
#include "scanner/match/probematch.h"
#include "scanner/sources/rootfs.h"
#include "scanner/sources/rpmdb.h"
#include "base/xstd.h"

/* Everything one scan carries between its steps. */
struct scan_ctx {
	const struct sig_set *sigs;
	struct rootfs *root;
	struct report *rep;
	struct pkg_list pkgs;
	struct probes *probes;
	struct kerr *err;
	/* what every matcher is given: the same signatures, root, report and error */
	struct match_ctx match;
};

static int scan_nomem(struct scan_ctx *c)
{
	return kerr_set(c->err, KERR_NOMEM, "out of memory");
}

/* Records a source's outcome: 1 read, 0 absent, -1 failed (message in @e). */
static struct report_source *scan_source(struct scan_ctx *c, const char *name, int rc,
	const struct kerr *e, const char *location)
{
	enum report_src_status st = rc > 0 ? REPORT_SRC_OK
				    : rc == 0 ? REPORT_SRC_ABSENT : REPORT_SRC_FAILED;
	struct report_source *src = report_add_source(c->rep, name, st);

	if (src == NULL) {
		return NULL;
	}
	if (rc < 0 && report_source_error(src, e->msg) != 0) {
		return NULL;
	}
	if (location != NULL && location[0] != '\0' && rc != 0 &&
	    report_source_location(src, location) != 0) {
		return NULL;
	}
	return src;
}

static int scan_dpkg(struct scan_ctx *c)
{
	struct dpkg_counts n;
	struct report_source *src;
	struct kerr e;
	int rc;

	memset(&n, 0, sizeof(n));
	kerr_clear(&e);
	rc = dpkg_read(c->root, &c->pkgs, &n, &e);
	src = scan_source(c, "dpkg", rc, &e, "/var/lib/dpkg");
	if (src == NULL) {
		return scan_nomem(c);
	}
	if (rc > 0) {
		report_source_count(src, "packages", n.packages);
		report_source_count(src, "status_records", n.status_records);
		report_source_count(src, "updates_files", n.updates_files);
		report_source_count(src, "status_d_files", n.statusd_files);
	}
	return 0;
}

static int scan_rpm(struct scan_ctx *c)
{
	struct rpmdb_counts n;
	struct report_source *src;
	struct kerr e;
	int rc;

	memset(&n, 0, sizeof(n));
	kerr_clear(&e);
	rc = rpmdb_read(c->root, &c->pkgs, &n, &e);
	src = scan_source(c, "rpm", rc, &e, n.location);
	if (src == NULL) {
		return scan_nomem(c);
	}
	if (rc > 0) {
		report_source_count(src, "packages", n.packages);
	}
	return 0;
}

static int scan_path_hit(void *ctx, const struct sig *sig, const struct sig_path *sp,
	const struct paths_hit *hit)
{
	return match_path(ctx, sig, sp, hit);
}

static int scan_paths(struct scan_ctx *c)
{
	struct paths_sink sink = {scan_path_hit, &c->match};
	struct paths_counts n;
	struct report_source *src;
	struct kerr e;
	int rc;

	kerr_clear(&e);
	rc = paths_scan(c->root, c->sigs, &sink, &n, &e);
	if (rc < 0) {
		return -1;
	}
	if (rc > 0) {
		kerr_prefix(&e, "%zu lookup(s) failed, first: ", n.errors);
	}
	/* the paths source always looks, so it is never absent: ok or failed */
	src = scan_source(c, "paths", rc == 0 ? 1 : -1, &e, NULL);
	if (src == NULL) {
		return scan_nomem(c);
	}
	report_source_count(src, "patterns", n.patterns);
	report_source_count(src, "lookups", n.lookups);
	report_source_count(src, "found", n.found);
	report_source_count(src, "errors", n.errors);
	report_source_count(src, "truncated", n.truncated);
	return 0;
}

/* Expired (after its expires day), or, with a maximum age, undated or older than that. */
static bool scan_pack_stale(const struct sig_pack *p, int64_t today, uint32_t max_age_days)
{
	if (p->expires[0] != '\0' && today > p->expires_days) {
		return true;
	}
	if (max_age_days == 0) {
		return false;
	}
	return p->date[0] == '\0' || today - p->date_days > (int64_t)max_age_days;
}

static int scan_packs(struct scan_ctx *c, const struct scan_opts *o)
{
	int64_t today = xstd_now_ms() / 86400000;
	struct report_pack *rp;
	size_t i;

	c->rep->max_age_days = o->max_age_days;
	for (i = 0; i < sig_set_npacks(c->sigs); i++) {
		const struct sig_pack *p = sig_set_pack(c->sigs, i);

		if (report_add_pack(c->rep, p->name, p->version, p->sha256, p->builtin,
			    p->nsignatures) != 0) {
			return scan_nomem(c);
		}
		rp = &c->rep->packs[c->rep->npacks - 1];
		rp->verified = p->verified;
		rp->stale = scan_pack_stale(p, today, o->max_age_days);
		if ((p->date[0] != '\0' && report_set_str(&rp->date, p->date) != 0) ||
		    (p->expires[0] != '\0' && report_set_str(&rp->expires, p->expires) != 0)) {
			return scan_nomem(c);
		}
		for (size_t k = 0; k < p->ncompliance; k++) {
			const struct sig_compliance *sc = &p->compliance[k];

			if (report_pack_add_compliance(rp, sc->framework, sc->control,
				    sc->reference) != 0) {
				return scan_nomem(c);
			}
		}
	}
	return 0;
}

static long scan_deep_file(void *ctx, const struct deep_file *f)
{
	return deepmatch_file(ctx, f);
}

/* The deep sweep, after the quick sources: it is the slow part, and they are its context. */
static int scan_deep(struct scan_ctx *c, const struct scan_opts *o)
{
	struct deep_sink sink = {scan_deep_file, &c->match};
	struct deep_opts d = *o->deep;
	struct kerr e;

	kerr_clear(&e);
	if (!o->no_low_priority) {
		d.low_priority = deep_lower_priority(&e) == 0;
		if (!d.low_priority && report_add_error(c->rep, "deep sweep: %s", e.msg) != 0) {
			return scan_nomem(c);
		}
	}
	return deep_scan(c->root, c->sigs, &d, &sink, c->rep, c->err);
}

static int scan_sources(struct scan_ctx *c, const struct scan_opts *o)
{
	if (scan_dpkg(c) != 0 || scan_rpm(c) != 0) {
		return -1;
	}
	pkg_list_sort(&c->pkgs);
	if (match_packages(&c->match, &c->pkgs) < 0) {
		return -1;
	}
	if (scan_paths(c) != 0 || probematch_files(c->probes) != 0) {
		return -1;
	}
	return o->deep != NULL ? scan_deep(c, o) : 0;
}

/* An unknown fact ("") stays NULL in the report. */
static int scan_fact(char **dst, const char *v)
{
	return v[0] != '\0' ? report_set_str(dst, v) : 0;
}

static int scan_host(struct scan_ctx *c)
{
	struct host_info h;
	struct report *rep = c->rep;

	host_read(c->root, &h);
	if (scan_fact(&rep->hostname, h.hostname) != 0 ||
	    scan_fact(&rep->machine_id, h.machine_id) != 0 ||
	    scan_fact(&rep->kernel, h.kernel) != 0 || scan_fact(&rep->os_id, h.os_id) != 0 ||
	    scan_fact(&rep->os_version_id, h.os_version_id) != 0 ||
	    scan_fact(&rep->os_pretty_name, h.os_pretty_name) != 0) {
		return scan_nomem(c);
	}
	return 0;
}

/* Enters the caller's sandbox and records what it achieved. */
static int scan_confine(struct scan_ctx *c, const struct scan_opts *o)
{
	struct sandbox_status st;

	if (o->confine == NULL) {
		return report_set_str(&c->rep->sandbox_note, "not requested") != 0 ? scan_nomem(c)
										 : 0;
	}
	if (o->confine(o->confine_ctx, &st, c->err) != 0) {
		return -1;
	}
	c->rep->sandbox_no_new_privs = st.no_new_privs;
	c->rep->sandbox_landlock_abi = st.landlock_abi;
	if (st.why[0] != '\0' && report_set_str(&c->rep->sandbox_note, st.why) != 0) {
		return scan_nomem(c);
	}
	return 0;
}

static int scan_fill(struct scan_ctx *c, const struct scan_opts *o)
{
	int64_t t0 = xstd_mono_ms();

	c->rep->started_ms = xstd_now_ms();
	if (report_set_str(&c->rep->root, rootfs_path(c->root)) != 0 ||
	    report_set_str(&c->rep->mode, o->deep != NULL ? "deep" : "quick") != 0) {
		return scan_nomem(c);
	}
	c->match.sigs = c->sigs;
	c->match.root = c->root;
	c->match.rep = c->rep;
	c->match.err = c->err;
	c->probes = probematch_new(&c->match);
	if (c->probes == NULL || probematch_live(c->probes) != 0 || scan_confine(c, o) != 0) {
		return -1;
	}
	if (scan_host(c) != 0 || scan_packs(c, o) != 0 || scan_sources(c, o) != 0) {
		return -1;
	}
	if (match_fallback(&c->match) != 0) {
		return -1;
	}
	c->rep->finished_ms = xstd_now_ms();
	c->rep->duration_ms = xstd_mono_ms() - t0;
	if (report_finish(c->rep) != 0) {
		return scan_nomem(c);
	}
	return plan_build(c->rep, c->sigs, c->root, c->err);
}

struct report *scan_run(const struct scan_opts *o, const struct sig_set *sigs, struct kerr *err)
{
	struct scan_ctx c;

	memset(&c, 0, sizeof(c));
	c.sigs = sigs;
	c.err = err;
	pkg_list_init(&c.pkgs);
	c.root = rootfs_open(o->root != NULL ? o->root : "/", err);
	if (c.root == NULL) {
		return NULL;
	}
	c.rep = report_new(KSCAN_VERSION);
	if (c.rep == NULL) {
		kerr_sys(err, KERR_INTERNAL, errno, "cannot create a report");
		goto close_root;
	}
	if (scan_fill(&c, o) != 0) {
		goto free_report;
	}
	probematch_destroy(c.probes);
	pkg_list_free(&c.pkgs);
	rootfs_close(c.root);
	return c.rep;

free_report:
	report_free(c.rep);
	c.rep = NULL;
close_root:
	probematch_destroy(c.probes);
	pkg_list_free(&c.pkgs);
	rootfs_close(c.root);
	return NULL;
}

int scan_packages(const char *root, struct pkg_list *out, struct kerr *err)
{
	struct dpkg_counts dn;
	struct rpmdb_counts rn;
	struct rootfs *r;
	struct kerr e;
	int rc = 0;

	r = rootfs_open(root != NULL ? root : "/", err);
	if (r == NULL) {
		return -1;
	}
	kerr_clear(&e);
	if (dpkg_read(r, out, &dn, &e) < 0) {
		*err = e;
		rc = -1;
	}
	kerr_clear(&e);
	if (rpmdb_read(r, out, &rn, &e) < 0 && rc == 0) {
		*err = e;
		rc = -1;
	}
	pkg_list_sort(out);
	rootfs_close(r);
	return rc;
}
