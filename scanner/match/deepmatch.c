#include "scanner/match/deepmatch.h"

#include <errno.h>
#include <string.h>

#include "scanner/match/vendor.h"

/* The finding of a Kaspersky-made archive no signature names: the vendor rule's. */
#define DEEPMATCH_VENDOR_ID "kaspersky.vendor-package"

/* The evidence of @f for the index entry @h: its name ("file") or its digest ("hash"). */
static int deepmatch_hit(const struct match_ctx *m, const struct deep_file *f,
	const struct hashidx_hit *h)
{
	struct report_evidence ev;

	if (h->file != NULL) {
		match_ev_entry(&ev, REPORT_EV_FILE, h->file->role, h->file->confidence,
			h->file->name);
		ev.sha256 = f->sha256_hex;
	} else {
		match_ev_entry(&ev, REPORT_EV_HASH, h->hash->role, h->hash->confidence,
			h->hash->name);
		ev.sha256 = h->hash->hex;
	}
	ev.path = f->path;
	ev.ftype = "file";
	ev.size = f->size;
	ev.has_size = true;
	ev.mtime_ms = f->mtime_ms;
	ev.has_mtime = true;
	return match_add(m, h->sig, &ev);
}

static long deepmatch_hits(const struct match_ctx *m, const struct deep_file *f,
	const struct hashidx_hit *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (deepmatch_hit(m, f, &h[i]) != 0) {
			return -1;
		}
	}
	return (long)n;
}

/*
 * The size-less hashes of the signatures whose `files` names matched: the file was hashed
 * for its name, and only such a file is ever compared with them.
 */
static long deepmatch_named_hashes(const struct match_ctx *m, const struct deep_file *f)
{
	long added = 0;
	size_t i, k;

	for (i = 0; i < f->nnames; i++) {
		const struct sig *g = f->names[i].sig;

		for (k = 0; k < g->nhashes; k++) {
			struct hashidx_hit h = {g, NULL, &g->hashes[k]};

			if (h.hash->has_size || memcmp(h.hash->sha256, f->sha256, 32) != 0) {
				continue;
			}
			/* two names of one signature matching give the same evidence: kept once */
			if (deepmatch_hit(m, f, &h) != 0) {
				return -1;
			}
			added++;
		}
	}
	return added;
}

/* The evidence fields every archive item shares: the archive's own metadata. */
static void deepmatch_kit_ev(struct report_evidence *ev, const struct deep_file *f)
{
	ev->format = f->kit->format;
	ev->name = f->kit->name;
	ev->version = f->kit->version;
	ev->arch = f->kit->arch;
	ev->vendor = f->kit->vendor;
	ev->summary = f->kit->summary;
	ev->path = f->path;
	ev->ftype = "file";
	ev->size = f->size;
	ev->has_size = true;
	ev->mtime_ms = f->mtime_ms;
	ev->has_mtime = true;
}

/* A package archive whose name a signature's package entry matches. */
static long deepmatch_kit_packages(const struct match_ctx *m, const struct deep_file *f)
{
	struct report_evidence ev;
	long added = 0;
	size_t i, j;

	for (i = 0; i < sig_set_count(m->sigs); i++) {
		const struct sig *g = sig_set_get(m->sigs, i);

		for (j = 0; j < g->npackages; j++) {
			const struct sig_package *p = &g->packages[j];

			if (!match_package_name(p, f->kit->name)) {
				continue;
			}
			match_ev_entry(&ev, REPORT_EV_ARCHIVE, SIG_ROLE_INSTALLER, p->confidence,
				p->name);
			deepmatch_kit_ev(&ev, f);
			if (match_add(m, g, &ev) != 0) {
				return -1;
			}
			added++;
			/* one entry per signature: a glob and a name say the same */
			break;
		}
	}
	return added;
}

/*
 * The vendor rule: an archive Kaspersky made that no signature names is still an
 * installer, at medium confidence, named from its own summary.
 */
static long deepmatch_kit_vendor(const struct match_ctx *m, const struct deep_file *f)
{
	const struct kit_meta *k = f->kit;
	struct report_finding *r;
	struct report_evidence ev;

	if (!vendor_is_kaspersky(k->vendor)) {
		return 0;
	}
	r = report_finding(m->rep, DEEPMATCH_VENDOR_ID, "Kaspersky",
		k->summary != NULL ? k->summary : k->name, NULL);
	if (r == NULL) {
		return kerr_set(m->err, KERR_NOMEM, "out of memory");
	}
	match_ev_entry(&ev, REPORT_EV_ARCHIVE, SIG_ROLE_INSTALLER, SIG_CONF_MEDIUM, NULL);
	deepmatch_kit_ev(&ev, f);
	if (report_add_evidence(r, &ev) != 0) {
		return kerr_sys(m->err, errno == ENOMEM ? KERR_NOMEM : KERR_LIMIT, errno,
			"evidence for %s", DEEPMATCH_VENDOR_ID);
	}
	return 1;
}

/* Tarball and zip members the packs name: the kit is an installer of their signature. */
static long deepmatch_kit_members(const struct match_ctx *m, const struct deep_file *f)
{
	struct report_evidence ev;
	size_t i;

	for (i = 0; i < f->nmembers; i++) {
		const struct hashidx_hit *h = &f->members[i].hit;

		match_ev_entry(&ev, REPORT_EV_ARCHIVE, SIG_ROLE_INSTALLER, h->file->confidence,
			h->file->name);
		ev.format = f->kit->format;
		ev.name = f->members[i].name;
		ev.path = f->path;
		ev.ftype = "file";
		ev.size = f->size;
		ev.has_size = true;
		ev.mtime_ms = f->mtime_ms;
		ev.has_mtime = true;
		if (match_add(m, h->sig, &ev) != 0) {
			return -1;
		}
	}
	return (long)f->nmembers;
}

static long deepmatch_kit(const struct match_ctx *m, const struct deep_file *f)
{
	long n;

	if (f->nmembers > 0) {
		return deepmatch_kit_members(m, f);
	}
	if (f->kit->name == NULL) {
		return 0;
	}
	n = deepmatch_kit_packages(m, f);
	return n == 0 ? deepmatch_kit_vendor(m, f) : n;
}

long deepmatch_file(const struct match_ctx *m, const struct deep_file *f)
{
	long names, named = 0, digests;

	if (f->kit != NULL) {
		return deepmatch_kit(m, f);
	}

	names = deepmatch_hits(m, f, f->names, f->nnames);
	if (names < 0) {
		return -1;
	}
	if (f->sha256 != NULL) {
		named = deepmatch_named_hashes(m, f);
		if (named < 0) {
			return -1;
		}
	}
	digests = deepmatch_hits(m, f, f->digests, f->ndigests);
	if (digests < 0) {
		return -1;
	}
	return names + named + digests;
}
