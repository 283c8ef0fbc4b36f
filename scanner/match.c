#include "scanner/match.h"

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

static struct report_finding *match_finding(struct report *rep, const struct sig *sig,
	struct kerr *err)
{
	struct report_finding *f =
		report_finding(rep, sig->id, sig->vendor, sig->product, sig->remove);

	if (f == NULL) {
		kerr_set(err, KERR_NOMEM, "out of memory");
	}
	return f;
}

/* report_add_evidence() refuses evidence only for memory or a cap: say which. */
static int match_add_failed(struct kerr *err, const struct sig *sig)
{
	return kerr_sys(err, errno == ENOMEM ? KERR_NOMEM : KERR_LIMIT, errno,
		"evidence for %s", sig->id);
}

static int match_add_package(struct report *rep, const struct sig *sig,
	const struct sig_package *sp, const struct pkg *p, struct kerr *err)
{
	struct report_evidence ev;
	struct report_finding *f = match_finding(rep, sig, err);

	if (f == NULL) {
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = REPORT_EV_PACKAGE;
	ev.state = match_pkg_state(p->state);
	ev.pattern = sp->name;
	ev.manager = p->manager;
	ev.name = p->name;
	ev.version = p->version;
	ev.arch = p->arch[0] != '\0' ? p->arch : NULL;
	ev.status = p->status;
	ev.source = p->source;
	if (report_add_evidence(f, &ev) != 0) {
		return match_add_failed(err, sig);
	}
	return 0;
}

long match_packages(const struct sig_set *s, const struct pkg_list *pkgs, struct report *rep,
	struct kerr *err)
{
	long added = 0;
	size_t i, j, k;

	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *sig = sig_set_get(s, i);

		for (j = 0; j < sig->npackages; j++) {
			for (k = 0; k < pkgs->n; k++) {
				const struct pkg *p = &pkgs->v[k];

				if (p->state == PKG_NOT_INSTALLED ||
				    !match_package_name(&sig->packages[j], p->name)) {
					continue;
				}
				if (match_add_package(rep, sig, &sig->packages[j], p, err) != 0) {
					return -1;
				}
				added++;
			}
		}
	}
	return added;
}

int match_path_hit(struct report *rep, const struct sig *sig, const struct sig_path *sp,
	const struct paths_hit *hit, struct kerr *err)
{
	struct report_evidence ev;
	struct report_finding *f = match_finding(rep, sig, err);

	if (f == NULL) {
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = REPORT_EV_PATH;
	ev.state = match_role_state(sp->role);
	ev.role = sig_role_name(sp->role);
	ev.pattern = sp->path;
	ev.path = hit->path;
	ev.ftype = hit->ftype;
	ev.target = hit->target;
	ev.size = hit->size;
	ev.has_size = true;
	ev.mtime_ms = hit->mtime_ms;
	ev.has_mtime = true;
	if (report_add_evidence(f, &ev) != 0) {
		return match_add_failed(err, sig);
	}
	return 0;
}
