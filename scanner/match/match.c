#include "scanner/match/match.h"

#include "scanner/match/vendor.h"

#include <errno.h>
#include <fnmatch.h>
#include <string.h>

bool match_package_name(const struct sig_package *p, const char *name)
{
	if (!p->glob) {
		return strcmp(p->name, name) == 0;
	}
	return fnmatch(p->name, name, 0) == 0;
}

enum report_confidence match_confidence(enum sig_confidence c)
{
	switch (c) {
	case SIG_CONF_LOW:
		return REPORT_CONF_LOW;
	case SIG_CONF_MEDIUM:
		return REPORT_CONF_MEDIUM;
	case SIG_CONF_HIGH:
	case SIG_CONF_UNSET:
	default:
		return REPORT_CONF_HIGH;
	}
}

enum report_state match_role_state(enum sig_role role)
{
	switch (role) {
	case SIG_ROLE_INSTALL:
		return REPORT_STATE_INSTALLED;
	case SIG_ROLE_REMNANT:
		return REPORT_STATE_REMNANT;
	case SIG_ROLE_INSTALLER:
		return REPORT_STATE_INSTALLER;
	default:
		return REPORT_STATE_NONE;
	}
}

/* A package record proves an install while its files are on disk, a remnant after removal. */
static enum report_state match_pkg_state(enum pkg_state s)
{
	switch (s) {
	case PKG_INSTALLED:
	case PKG_PARTIAL:
		return REPORT_STATE_INSTALLED;
	case PKG_CONFIG_FILES:
		return REPORT_STATE_REMNANT;
	case PKG_NOT_INSTALLED:
		return REPORT_STATE_NONE;
	default:
		return REPORT_STATE_NONE;
	}
}

int match_add(const struct match_ctx *m, const struct sig *sig, const struct report_evidence *ev)
{
	struct report_finding *f =
		report_finding(m->rep, sig->id, sig->vendor, sig->product, sig->remove);
	const struct sig_pack *pack;

	if (f == NULL) {
		return kerr_set(m->err, KERR_NOMEM, "out of memory");
	}
	pack = sig_set_pack(m->sigs, sig->pack);
	if (pack != NULL && report_finding_rule(f, pack->name, pack->version,
		sig->references.n > 0 ? sig->references.v[0] : NULL) != 0) {
		return kerr_set(m->err, KERR_NOMEM, "out of memory");
	}
	/* report_add_evidence() refuses evidence only for memory or a cap: say which */
	if (report_add_evidence(f, ev) != 0) {
		return kerr_sys(m->err, errno == ENOMEM ? KERR_NOMEM : KERR_LIMIT, errno,
			"evidence for %s", sig->id);
	}
	return 0;
}

void match_ev_entry(struct report_evidence *ev, enum report_ev_kind kind, enum sig_role role,
	enum sig_confidence conf, const char *pattern)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->state = match_role_state(role);
	ev->role = sig_role_name(role);
	ev->confidence = match_confidence(conf);
	ev->pattern = pattern;
}

static int match_add_package(const struct match_ctx *m, const struct sig *sig,
	const struct sig_package *sp, const struct pkg *p)
{
	struct report_evidence ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = REPORT_EV_PACKAGE;
	ev.state = match_pkg_state(p->state);
	ev.confidence = match_confidence(sp->confidence);
	ev.pattern = sp->name;
	ev.manager = p->manager;
	ev.name = p->name;
	ev.version = p->version;
	ev.arch = p->arch[0] != '\0' ? p->arch : NULL;
	ev.status = p->status;
	ev.source = p->source;
	return match_add(m, sig, &ev);
}

long match_packages(const struct match_ctx *m, const struct pkg_list *pkgs)
{
	long added = 0, vendor;
	size_t i, j, k;

	for (i = 0; i < sig_set_count(m->sigs); i++) {
		const struct sig *sig = sig_set_get(m->sigs, i);

		for (j = 0; j < sig->npackages; j++) {
			for (k = 0; k < pkgs->n; k++) {
				const struct pkg *p = &pkgs->v[k];

				if (p->state == PKG_NOT_INSTALLED ||
				    !match_package_name(&sig->packages[j], p->name)) {
					continue;
				}
				if (match_add_package(m, sig, &sig->packages[j], p) != 0) {
					return -1;
				}
				added++;
			}
		}
	}
	vendor = vendor_match_packages(m, pkgs);
	return vendor < 0 ? -1 : added + vendor;
}

int match_path(const struct match_ctx *m, const struct sig *sig, const struct sig_path *sp,
	const struct paths_hit *hit)
{
	struct report_evidence ev;

	match_ev_entry(&ev, REPORT_EV_PATH, sp->role, sp->confidence, sp->path);
	ev.path = hit->path;
	ev.ftype = hit->ftype;
	ev.target = hit->target;
	ev.size = hit->size;
	ev.has_size = true;
	ev.mtime_ms = hit->mtime_ms;
	ev.has_mtime = true;
	return match_add(m, sig, &ev);
}

/* Is one of @a and @b the other, or below it (prefix on a component boundary)? */
static bool match_paths_related(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	const char *lo = la <= lb ? a : b, *hi = la <= lb ? b : a;
	size_t n = la <= lb ? la : lb;

	if (strncmp(lo, hi, n) != 0) {
		return false;
	}
	return hi[n] == '\0' || hi[n] == '/' || (n > 0 && lo[n - 1] == '/');
}

static bool match_is_fallback(const struct sig_set *s, const char *id)
{
	size_t i;

	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *g = sig_set_get(s, i);

		if (strcmp(g->id, id) == 0) {
			return g->fallback;
		}
	}
	return false;
}

/* Does evidence @e of a fallback claim what @o (a non-fallback's evidence) already has? */
static bool match_claimed_by(const struct report_evidence *e, const struct report_evidence *o)
{
	if (e->path == NULL || o->path == NULL) {
		return false;
	}
	/* a crontab line's path is the crontab: the line is claimed, not the file */
	if (e->kind == REPORT_EV_CRON || o->kind == REPORT_EV_CRON) {
		return e->kind == o->kind && e->line == o->line && strcmp(e->path, o->path) == 0;
	}
	return match_paths_related(e->path, o->path);
}

struct match_fb_ctx {
	const struct sig_set *s;
	const struct report *rep;
};

static bool match_fb_drop(const struct report_evidence *e, void *ctx)
{
	const struct match_fb_ctx *c = ctx;
	size_t i, k;

	for (i = 0; i < c->rep->nfindings; i++) {
		const struct report_finding *o = c->rep->findings[i];

		if (match_is_fallback(c->s, o->signature)) {
			continue;
		}
		for (k = 0; k < o->nev; k++) {
			if (match_claimed_by(e, &o->ev[k])) {
				return true;
			}
		}
	}
	return false;
}

/* Kaspersky's shared roots: each product keeps an entry of its own name there. */
static const char *const match_shared_roots[] = {
	"/etc/opt/kaspersky/", "/var/opt/kaspersky/", "/var/log/kaspersky/",
};

/* Is @name the component @comp, or a file of it ("kav4proxy" and "kav4proxy.conf")? */
static bool match_component_is(const char *name, size_t n, const char *comp)
{
	size_t len = strlen(comp);

	return len <= n && strncmp(name, comp, len) == 0 && (len == n || name[len] == '.');
}

/* The signature whose components name the entry of @path under a shared root, or NULL. */
static const struct sig *match_component_owner(const struct sig_set *s, const char *path)
{
	const char *name = NULL;
	size_t i, j, n;

	for (i = 0; i < sizeof(match_shared_roots) / sizeof(match_shared_roots[0]); i++) {
		n = strlen(match_shared_roots[i]);
		if (strncmp(path, match_shared_roots[i], n) == 0) {
			name = path + n;
		}
	}
	if (name == NULL || (n = strcspn(name, "/")) == 0) {
		return NULL;
	}
	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *g = sig_set_get(s, i);

		for (j = 0; j < g->components.n && !g->fallback; j++) {
			if (match_component_is(name, n, g->components.v[j])) {
				return g;
			}
		}
	}
	return NULL;
}

struct match_attr_ctx {
	const struct match_ctx *m;
	bool failed;
};

/* Moves a catch-all's evidence to the family that owns its component name. */
static bool match_attr_move(const struct report_evidence *e, void *ctx)
{
	struct match_attr_ctx *c = ctx;
	const struct sig *owner;

	if (c->failed || e->path == NULL ||
	    (owner = match_component_owner(c->m->sigs, e->path)) == NULL) {
		return false;
	}
	c->failed = match_add(c->m, owner, e) != 0;
	return !c->failed;
}

static const struct sig *match_sig_by_id(const struct sig_set *s, const char *id)
{
	size_t i;

	for (i = 0; i < sig_set_count(s); i++) {
		if (strcmp(sig_set_get(s, i)->id, id) == 0) {
			return sig_set_get(s, i);
		}
	}
	return NULL;
}

static bool match_is_shared(const struct sig_set *s, const char *id)
{
	const struct sig *g = match_sig_by_id(s, id);

	return g != NULL && g->shared;
}

static bool match_drop_all(const struct report_evidence *e, void *ctx)
{
	(void)e;
	(void)ctx;
	return true;
}

/* Is @o a finding @f's shared evidence may join (one of @by, unless @by is NULL)? */
static bool match_share_to(const struct match_ctx *m, const struct report_finding *f,
	const struct report_finding *o, const struct sig_names *by)
{
	size_t j;

	if (o == f || o->nev == 0 || strcmp(o->vendor, f->vendor) != 0 ||
	    match_is_shared(m->sigs, o->signature)) {
		return false;
	}
	for (j = 0; by != NULL && j < by->n; j++) {
		if (strcmp(by->v[j], o->signature) == 0) {
			return true;
		}
	}
	return by == NULL;
}

/* Gives the shared finding @f's evidence to the findings that may take it (@by). */
static int match_share_with(const struct match_ctx *m, struct report_finding *f,
	const struct sig_names *by, size_t *owners)
{
	struct report *rep = m->rep;
	size_t i, k;

	for (i = 0; i < rep->nfindings; i++) {
		struct report_finding *o = rep->findings[i];

		if (!match_share_to(m, f, o, by)) {
			continue;
		}
		for (k = 0; k < f->nev; k++) {
			if (report_add_evidence(o, &f->ev[k]) != 0) {
				return kerr_sys(m->err, errno == ENOMEM ? KERR_NOMEM : KERR_LIMIT,
					errno, "evidence for %s", o->signature);
			}
		}
		(*owners)++;
	}
	return 0;
}

/*
 * Gives the shared finding @f's evidence to the products its signature names in
 * shared_by, or, when none of them was found, to every other finding of its vendor.
 */
static int match_share(const struct match_ctx *m, struct report_finding *f)
{
	const struct sig *g = match_sig_by_id(m->sigs, f->signature);
	size_t owners = 0;

	if (match_share_with(m, f, &g->shared_by, &owners) != 0 ||
	    (owners == 0 && match_share_with(m, f, NULL, &owners) != 0)) {
		return -1;
	}
	if (owners > 0) {
		(void)report_remove_evidence(f, match_drop_all, NULL);
	}
	f->shared_only = owners == 0;
	return 0;
}

int match_fallback(const struct match_ctx *m)
{
	const struct sig_set *s = m->sigs;
	struct report *rep = m->rep;
	struct match_fb_ctx c = {s, rep};
	struct match_attr_ctx a = {m, false};
	size_t i;

	for (i = 0; i < rep->nfindings; i++) {
		if (match_is_fallback(s, rep->findings[i]->signature)) {
			(void)report_remove_evidence(rep->findings[i], match_fb_drop, &c);
		}
	}
	/* what no signature claimed may still carry a family's component name */
	for (i = 0; i < rep->nfindings && !a.failed; i++) {
		if (match_is_fallback(s, rep->findings[i]->signature)) {
			(void)report_remove_evidence(rep->findings[i], match_attr_move, &a);
		}
	}
	if (a.failed) {
		return -1;
	}
	for (i = 0; i < rep->nfindings; i++) {
		struct report_finding *f = rep->findings[i];

		if (f->nev > 0 && match_is_shared(s, f->signature) && match_share(m, f) != 0) {
			return -1;
		}
	}
	return 0;
}
