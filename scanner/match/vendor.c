#include "scanner/match/vendor.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/limits.h"

/*
 * The names Kaspersky's packages give as their maker (docs/signatures.md, "Vendor rule"),
 * longest first so "Kaspersky Lab ZAO" is not read as "Kaspersky Lab" plus a word.
 */
static const char *const vendor_kaspersky_names[] = {
	"Kaspersky Lab Ltd.", "Kaspersky Lab Ltd", "Kaspersky Lab ZAO", "Kaspersky Lab JSC",
	"Kaspersky Labs", "AO Kaspersky Lab", "JSC Kaspersky Lab", "ZAO Kaspersky Lab",
	"Kaspersky Lab", "Kaspersky",
};

/* What may follow the organisation name: nothing, an address, a list or a remark. */
static bool vendor_name_ends(const char *s)
{
	while (*s == ' ' || *s == '\t') {
		s++;
	}
	return *s == '\0' || *s == '<' || *s == ',' || *s == '(';
}

bool vendor_is_kaspersky(const char *field)
{
	size_t i;

	if (field == NULL) {
		return false;
	}
	while (*field == ' ' || *field == '\t') {
		field++;
	}
	for (i = 0; i < sizeof(vendor_kaspersky_names) / sizeof(vendor_kaspersky_names[0]); i++) {
		const char *n = vendor_kaspersky_names[i];
		size_t len = strlen(n);

		if (strncasecmp(field, n, len) == 0 && vendor_name_ends(field + len)) {
			return true;
		}
	}
	return false;
}

bool vendor_pkg_is_kaspersky(const struct pkg *p)
{
	return vendor_is_kaspersky(p->maintainer) || vendor_is_kaspersky(p->vendor) ||
		vendor_is_kaspersky(p->packager);
}

static bool vendor_named_by_sig(const struct sig_set *s, const char *name)
{
	size_t i, j;

	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *g = sig_set_get(s, i);

		for (j = 0; j < g->npackages; j++) {
			if (match_package_name(&g->packages[j], name)) {
				return true;
			}
		}
	}
	return false;
}

/*
 * The family whose component name the package carries ("kesl", or a build of it such as
 * "kesl-astra"), or NULL: a Kaspersky package of a known family is that family's evidence.
 */
static const struct sig *vendor_family(const struct sig_set *s, const char *name)
{
	size_t i, j;

	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *g = sig_set_get(s, i);

		for (j = 0; j < g->components.n && !g->fallback; j++) {
			size_t n = strlen(g->components.v[j]);

			if (strncmp(name, g->components.v[j], n) == 0 &&
			    (name[n] == '\0' || name[n] == '-')) {
				return g;
			}
		}
	}
	return NULL;
}

/* "kaspersky.package.<name>", the name folded into the signature id alphabet. */
static void vendor_id(char *id, size_t n, const char *name)
{
	size_t k = (size_t)snprintf(id, n, "kaspersky.package.%s", name);
	size_t i;

	k = k < n ? k : n - 1;
	for (i = strlen("kaspersky.package."); i < k; i++) {
		char c = id[i];

		if (c >= 'A' && c <= 'Z') {
			id[i] = (char)(c - 'A' + 'a');
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
			c == '-')) {
			id[i] = '-';
		}
	}
}

static void vendor_ev(struct report_evidence *ev, const struct pkg *p)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = REPORT_EV_PACKAGE;
	ev->state = p->state == PKG_CONFIG_FILES ? REPORT_STATE_REMNANT : REPORT_STATE_INSTALLED;
	ev->confidence = REPORT_CONF_MEDIUM;
	ev->pattern = "vendor:Kaspersky";
	ev->manager = p->manager;
	ev->name = p->name;
	ev->version = p->version;
	ev->arch = p->arch[0] != '\0' ? p->arch : NULL;
	ev->status = p->status;
	ev->source = p->source;
}

static int vendor_add(const struct match_ctx *m, const struct pkg *p)
{
	char id[KS_SIG_ID_MAX + 1], product[KS_PKG_FIELD_MAX + 64], remove[2 * KS_PKG_FIELD_MAX];
	const char *mgr = strcmp(p->manager, "rpm") == 0 ? "dnf remove" : "apt-get purge";
	static char vendor[] = "Kaspersky";
	struct report_evidence ev;
	struct sig sig;

	vendor_id(id, sizeof(id), p->name);
	if (p->summary != NULL && p->summary[0] != '\0') {
		(void)snprintf(product, sizeof(product), "%s", p->summary);
	} else {
		(void)snprintf(product, sizeof(product), "Kaspersky package %s", p->name);
	}
	(void)snprintf(remove, sizeof(remove), "No signature knows this package; its vendor "
		"fields name Kaspersky. Remove it with %s %s, then delete what it leaves under "
		"/opt/kaspersky, /var/opt/kaspersky, /etc/opt/kaspersky and /var/log/kaspersky.",
		mgr, p->name);
	memset(&sig, 0, sizeof(sig));
	sig.id = id;
	sig.vendor = vendor;
	sig.product = product;
	sig.remove = remove;
	vendor_ev(&ev, p);
	return match_add(m, &sig, &ev);
}

long vendor_match_packages(const struct match_ctx *m, const struct pkg_list *pkgs)
{
	const struct sig *family;
	long added = 0;
	size_t k;

	for (k = 0; k < pkgs->n; k++) {
		const struct pkg *p = &pkgs->v[k];

		if (p->state == PKG_NOT_INSTALLED || !vendor_pkg_is_kaspersky(p) ||
		    vendor_named_by_sig(m->sigs, p->name)) {
			continue;
		}
		family = vendor_family(m->sigs, p->name);
		if (family != NULL) {
			struct report_evidence ev;

			vendor_ev(&ev, p);
			if (match_add(m, family, &ev) != 0) {
				return -1;
			}
		} else if (vendor_add(m, p) != 0) {
			return -1;
		}
		added++;
	}
	return added;
}
