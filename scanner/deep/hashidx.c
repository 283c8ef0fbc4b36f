#include "scanner/deep/hashidx.h"
#include "base/xstd.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* One hash entry; entries are sorted by (size, digest). */
struct hx_hash {
	uint64_t size;
	unsigned char sha256[32];
	const struct sig *sig;
	const struct sig_hash *hash;
};

/* A size's run of entries; n == 0 marks an empty slot. */
struct hx_size {
	uint64_t size;
	size_t start;
	size_t n;
};

/* An exact name or a glob. */
struct hx_name {
	const char *name;
	/* globs: bytes before the first metacharacter, compared before fnmatch() */
	size_t prefix;
	const struct sig *sig;
	const struct sig_file *file;
};

/* Globs with no literal first byte go in this bucket, tested against every name. */
#define HX_ANY 256

struct hashidx {
	struct hx_hash *hashes;
	size_t nhashes;
	struct hx_size *sizes;
	size_t nslots;
	size_t nsizes;
	uint64_t max_size;

	/* exact names sorted by name; slots hold the index + 1 of each name's first entry */
	struct hx_name *names;
	size_t nnames;
	size_t *name_slots;
	size_t nname_slots;

	/* globs sorted by first byte; bucket b is globs[first[b] .. first[b + 1]) */
	struct hx_name *globs;
	size_t nglobs;
	size_t first[HX_ANY + 2];
};

static uint64_t hx_mix(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdu;
	v ^= v >> 33;
	v *= 0xc4ceb9fe1a85ec53u;
	v ^= v >> 33;
	return v;
}

static uint64_t hx_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s != '\0'; s++) {
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	}
	return h;
}

static int hx_hash_cmp(const void *a, const void *b)
{
	const struct hx_hash *x = a, *y = b;

	if (x->size != y->size) {
		return x->size < y->size ? -1 : 1;
	}
	return memcmp(x->sha256, y->sha256, 32);
}

static int hx_name_cmp(const void *a, const void *b)
{
	const struct hx_name *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static unsigned hx_bucket(const struct hx_name *g)
{
	return g->prefix > 0 ? (unsigned char)g->name[0] : HX_ANY;
}

static int hx_glob_cmp(const void *a, const void *b)
{
	unsigned x = hx_bucket(a), y = hx_bucket(b);

	return (x > y) - (x < y);
}

static size_t hx_literal_prefix(const char *pat)
{
	return strcspn(pat, "*?[\\");
}

/* Counts what the set holds, then allocates the arrays at their final sizes. */
static int hx_alloc(struct hashidx *x, const struct sig_set *s)
{
	size_t i, k, nh = 0, nn = 0, ng = 0;

	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *g = sig_set_get(s, i);

		nh += g->nhashes;
		for (k = 0; k < g->nfiles; k++) {
			if (g->files[k].glob) {
				ng++;
			} else {
				nn++;
			}
		}
	}
	x->hashes = calloc(nh + 1, sizeof(*x->hashes));
	x->names = calloc(nn + 1, sizeof(*x->names));
	x->globs = calloc(ng + 1, sizeof(*x->globs));
	if (x->hashes == NULL || x->names == NULL || x->globs == NULL) {
		return -1;
	}
	return 0;
}

static void hx_fill(struct hashidx *x, const struct sig_set *s)
{
	size_t i, k;

	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *g = sig_set_get(s, i);

		for (k = 0; k < g->nhashes; k++) {
			struct hx_hash *h;

			/* a size-less hash is only checked against its signature's files */
			if (!g->hashes[k].has_size) {
				continue;
			}
			h = &x->hashes[x->nhashes++];

			h->size = g->hashes[k].size;
			memcpy(h->sha256, g->hashes[k].sha256, 32);
			h->sig = g;
			h->hash = &g->hashes[k];
		}
		for (k = 0; k < g->nfiles; k++) {
			const struct sig_file *f = &g->files[k];
			struct hx_name *n = f->glob ? &x->globs[x->nglobs++]
						    : &x->names[x->nnames++];

			n->name = f->name;
			n->prefix = f->glob ? hx_literal_prefix(f->name) : strlen(f->name);
			n->sig = g;
			n->file = f;
		}
	}
}

static struct hx_size *hx_size_slot(const struct hashidx *x, uint64_t size)
{
	size_t mask = x->nslots - 1, i = (size_t)hx_mix(size) & mask;

	while (x->sizes[i].n != 0 && x->sizes[i].size != size) {
		i = (i + 1) & mask;
	}
	return &x->sizes[i];
}

/* The size table, at most half full: one slot per distinct size. */
static int hx_sizes(struct hashidx *x)
{
	size_t n = 16, i;

	while (n < 2 * x->nhashes + 2) {
		n *= 2;
	}
	x->sizes = calloc(n, sizeof(*x->sizes));
	if (x->sizes == NULL) {
		return -1;
	}
	x->nslots = n;
	for (i = 0; i < x->nhashes; i++) {
		struct hx_size *sl = hx_size_slot(x, x->hashes[i].size);

		if (sl->n == 0) {
			sl->size = x->hashes[i].size;
			sl->start = i;
			x->nsizes++;
		}
		sl->n++;
		if (x->hashes[i].size > x->max_size) {
			x->max_size = x->hashes[i].size;
		}
	}
	return 0;
}

static size_t *hx_name_slot(const struct hashidx *x, const char *name)
{
	size_t mask = x->nname_slots - 1, i = (size_t)hx_str(name) & mask;

	while (x->name_slots[i] != 0 && strcmp(x->names[x->name_slots[i] - 1].name, name) != 0) {
		i = (i + 1) & mask;
	}
	return &x->name_slots[i];
}

static int hx_name_set(struct hashidx *x)
{
	size_t n = 16, i;

	while (n < 2 * x->nnames + 2) {
		n *= 2;
	}
	x->name_slots = calloc(n, sizeof(size_t));
	if (x->name_slots == NULL) {
		return -1;
	}
	x->nname_slots = n;
	for (i = 0; i < x->nnames; i++) {
		size_t *sl = hx_name_slot(x, x->names[i].name);

		if (*sl == 0) {
			*sl = i + 1;
		}
	}
	return 0;
}

static void hx_glob_buckets(struct hashidx *x)
{
	size_t i, b = 0;

	for (i = 0; i < x->nglobs; i++) {
		unsigned gb = hx_bucket(&x->globs[i]);

		while (b <= gb) {
			x->first[b++] = i;
		}
	}
	while (b < HX_ANY + 2) {
		x->first[b++] = x->nglobs;
	}
}

struct hashidx *hashidx_new(const struct sig_set *s)
{
	struct hashidx *x = calloc(1, sizeof(*x));

	if (x == NULL) {
		return NULL;
	}
	if (hx_alloc(x, s) != 0) {
		goto fail;
	}
	hx_fill(x, s);
	xstd_qsort(x->hashes, x->nhashes, sizeof(*x->hashes), hx_hash_cmp);
	xstd_qsort(x->names, x->nnames, sizeof(*x->names), hx_name_cmp);
	/* stable enough: globs of one bucket keep no particular order, all are tested */
	xstd_qsort(x->globs, x->nglobs, sizeof(*x->globs), hx_glob_cmp);
	if (hx_sizes(x) != 0 || hx_name_set(x) != 0) {
		goto fail;
	}
	hx_glob_buckets(x);
	return x;

fail:
	hashidx_free(x);
	errno = ENOMEM;
	return NULL;
}

void hashidx_free(struct hashidx *x)
{
	if (x == NULL) {
		return;
	}
	free(x->hashes);
	free(x->sizes);
	free(x->names);
	free(x->name_slots);
	free(x->globs);
	free(x);
}

size_t hashidx_nhashes(const struct hashidx *x)
{
	return x->nhashes;
}

size_t hashidx_nsizes(const struct hashidx *x)
{
	return x->nsizes;
}

size_t hashidx_nnames(const struct hashidx *x)
{
	return x->nnames + x->nglobs;
}

uint64_t hashidx_max_size(const struct hashidx *x)
{
	return x->max_size;
}

bool hashidx_has_size(const struct hashidx *x, uint64_t size)
{
	return x->nhashes > 0 && hx_size_slot(x, size)->n != 0;
}

size_t hashidx_lookup(const struct hashidx *x, uint64_t size, const unsigned char sha256[32],
	struct hashidx_hit *hits, size_t max)
{
	const struct hx_size *sl;
	size_t lo, hi, found = 0;

	if (x->nhashes == 0) {
		return 0;
	}
	sl = hx_size_slot(x, size);
	lo = sl->start;
	hi = sl->start + sl->n;
	/* lower bound of the digest in the size's sorted run */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(x->hashes[mid].sha256, sha256, 32) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	for (; lo < sl->start + sl->n && memcmp(x->hashes[lo].sha256, sha256, 32) == 0; lo++) {
		if (found < max) {
			hits[found].sig = x->hashes[lo].sig;
			hits[found].file = NULL;
			hits[found].hash = x->hashes[lo].hash;
		}
		found++;
	}
	return found;
}

static void hx_hit(const struct hx_name *n, struct hashidx_hit *hits, size_t max, size_t *found)
{
	if (*found < max) {
		hits[*found].sig = n->sig;
		hits[*found].file = n->file;
		hits[*found].hash = NULL;
	}
	(*found)++;
}

/* Globs of bucket @b that match @name. */
static void hx_globs(const struct hashidx *x, unsigned b, const char *name, size_t len,
	struct hashidx_hit *hits, size_t max, size_t *found)
{
	size_t i;

	for (i = x->first[b]; i < x->first[b + 1]; i++) {
		const struct hx_name *g = &x->globs[i];

		if (g->prefix <= len && memcmp(g->name, name, g->prefix) == 0 &&
		    fnmatch(g->name, name, 0) == 0) {
			hx_hit(g, hits, max, found);
		}
	}
}

size_t hashidx_names(const struct hashidx *x, const char *name, struct hashidx_hit *hits,
	size_t max)
{
	size_t found = 0, len = strlen(name), i;

	if (x->nnames > 0) {
		size_t sl = *hx_name_slot(x, name);

		for (i = sl; sl != 0 && i <= x->nnames && strcmp(x->names[i - 1].name, name) == 0;
			i++) {
			hx_hit(&x->names[i - 1], hits, max, &found);
		}
	}
	if (x->nglobs > 0 && len > 0) {
		hx_globs(x, (unsigned char)name[0], name, len, hits, max, &found);
		hx_globs(x, HX_ANY, name, len, hits, max, &found);
	}
	return found;
}
