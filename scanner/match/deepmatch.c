#include "scanner/match/deepmatch.h"

#include <string.h>

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

long deepmatch_file(const struct match_ctx *m, const struct deep_file *f)
{
	long names, named = 0, digests;

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
