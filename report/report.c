#include "config.h"

#include "report/report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/fscov.h"
#include "base/limits.h"
#include "base/vec.h"
#include "base/xstd.h"

/* A random (version 4) UUID, RFC 9562 section 5.4, in lower case. */
static int report_uuid4(char out[37])
{
	unsigned char b[16];
	char hex[33];

	if (xstd_random(b, sizeof(b)) != 0) {
		return -1;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	xstd_hex(b, sizeof(b), hex);
	memcpy(out, hex, 8);
	out[8] = '-';
	memcpy(out + 9, hex + 8, 4);
	out[13] = '-';
	memcpy(out + 14, hex + 12, 4);
	out[18] = '-';
	memcpy(out + 19, hex + 16, 4);
	out[23] = '-';
	memcpy(out + 24, hex + 20, 12);
	out[36] = '\0';
	return 0;
}

struct report *report_new(const char *kscan_version)
{
	struct report *r;

	if (kscan_version == NULL) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		return NULL;
	}
	if (report_uuid4(r->report_id) != 0 ||
	    report_set_str(&r->kscan_version, kscan_version) != 0) {
		free(r);
		return NULL;
	}
	return r;
}

/* Evidence strings are const for callers; the copies the report keeps are its to free. */
static void report_free_const(const char *p)
{
	free((void *)(uintptr_t)p);
}

static void report_evidence_free(struct report_evidence *e)
{
	report_free_const(e->role);
	report_free_const(e->pattern);
	report_free_const(e->manager);
	report_free_const(e->name);
	report_free_const(e->version);
	report_free_const(e->arch);
	report_free_const(e->status);
	report_free_const(e->path);
	report_free_const(e->ftype);
	report_free_const(e->target);
	report_free_const(e->sha256);
	report_free_const(e->source);
	report_free_const(e->proto);
	report_free_const(e->address);
	report_free_const(e->account);
	report_free_const(e->user);
	report_free_const(e->command);
	report_free_const(e->format);
	report_free_const(e->vendor);
	report_free_const(e->summary);
}

static void report_step_free(struct report_step *st)
{
	size_t i;

	free(st->description);
	free(st->command);
	for (i = 0; i < st->ntargets; i++) {
		free(st->targets[i]);
	}
	free(st->targets);
}

static void report_finding_free(struct report_finding *f)
{
	size_t i;

	for (i = 0; i < f->nev; i++) {
		report_evidence_free(&f->ev[i]);
	}
	free(f->ev);
	free(f->slots);
	for (i = 0; i < f->nsteps; i++) {
		report_step_free(&f->steps[i]);
	}
	free(f->steps);
	free(f->pack);
	free(f->pack_version);
	free(f->reference);
	free(f->signature);
	free(f->vendor);
	free(f->product);
	free(f->remove);
	free(f);
}

static void report_idlist_free(struct report_idlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i]);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool report_delivery_any(const struct report_delivery *d)
{
	return d->dropped.total > 0 || d->corrupt.total > 0 || d->quarantined.total > 0;
}

void report_delivery_free(struct report_delivery *d)
{
	report_idlist_free(&d->dropped);
	report_idlist_free(&d->corrupt);
	report_idlist_free(&d->quarantined);
	memset(d->dropped_why, 0, sizeof(d->dropped_why));
}

void report_free(struct report *r)
{
	size_t i;

	if (r == NULL) {
		return;
	}
	for (i = 0; i < r->npacks; i++) {
		free(r->packs[i].name);
		free(r->packs[i].version);
		free(r->packs[i].sha256);
		free(r->packs[i].date);
		free(r->packs[i].expires);
		for (size_t k = 0; k < r->packs[i].ncompliance; k++) {
			free(r->packs[i].compliance[k].framework);
			free(r->packs[i].compliance[k].control);
			free(r->packs[i].compliance[k].reference);
		}
		free(r->packs[i].compliance);
	}
	free(r->packs);
	for (i = 0; i < r->nsources; i++) {
		free(r->sources[i].location);
		free(r->sources[i].error);
		fscov_free(r->sources[i].fs);
	}
	free(r->sources);
	for (i = 0; i < r->nfindings; i++) {
		report_finding_free(r->findings[i]);
	}
	free(r->findings);
	for (i = 0; i < r->nerrors; i++) {
		free(r->errors[i]);
	}
	free(r->errors);
	free(r->kscan_version);
	free(r->hostname);
	free(r->machine_id);
	free(r->os_id);
	free(r->os_version_id);
	free(r->os_pretty_name);
	free(r->kernel);
	free(r->root);
	free(r->mode);
	free(r->sandbox_note);
	free(r->verdict_reason);
	report_delivery_free(&r->delivery);
	free(r);
}

int report_set_str(char **dst, const char *s)
{
	char *copy = NULL;

	if (s != NULL) {
		copy = xstd_strndup_max(s, strlen(s), KS_REPORT_STR_MAX);
		if (copy == NULL) {
			return -1;
		}
	}
	free(*dst);
	*dst = copy;
	return 0;
}

int report_add_pack(struct report *r, const char *name, const char *version,
	const char *sha256, bool builtin, size_t nsignatures)
{
	struct report_pack *p;

	/* the model keeps no capacity for packs: the count implies it */
	if (vec_reserve_implied(&r->packs, r->npacks, sizeof(*p), KS_SIG_PACKS_MAX) != 0) {
		return -1;
	}
	p = &r->packs[r->npacks];
	memset(p, 0, sizeof(*p));
	if (report_set_str(&p->name, name) != 0 || report_set_str(&p->version, version) != 0 ||
	    report_set_str(&p->sha256, sha256) != 0) {
		free(p->name);
		free(p->version);
		return -1;
	}
	p->builtin = builtin;
	p->nsignatures = nsignatures;
	r->npacks++;
	return 0;
}

/* Failed says the most, then ok (it read something), then absent. */
static enum report_src_status report_src_merge(enum report_src_status a,
	enum report_src_status b)
{
	if (a == REPORT_SRC_FAILED || b == REPORT_SRC_FAILED) {
		return REPORT_SRC_FAILED;
	}
	if (a == REPORT_SRC_OK || b == REPORT_SRC_OK) {
		return REPORT_SRC_OK;
	}
	return REPORT_SRC_ABSENT;
}

struct report_source *report_add_source(struct report *r, const char *name,
	enum report_src_status status)
{
	struct report_source *s;
	size_t i;

	for (i = 0; i < r->nsources; i++) {
		if (strcmp(r->sources[i].name, name) == 0) {
			r->sources[i].status = report_src_merge(r->sources[i].status, status);
			return &r->sources[i];
		}
	}
	if (r->nsources >= KS_REPORT_SOURCES_MAX) {
		errno = E2BIG;
		return NULL;
	}
	/* allocated whole once (a few KiB), so the pointers handed out never move */
	if (r->sources == NULL) {
		r->sources = calloc(KS_REPORT_SOURCES_MAX, sizeof(*r->sources));
		if (r->sources == NULL) {
			return NULL;
		}
	}
	s = &r->sources[r->nsources++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->status = status;
	return s;
}

int report_source_error(struct report_source *s, const char *msg)
{
	return report_set_str(&s->error, msg);
}

int report_source_location(struct report_source *s, const char *location)
{
	return report_set_str(&s->location, location);
}

void report_source_count(struct report_source *s, const char *key, uint64_t value)
{
	size_t i;

	for (i = 0; i < s->ncounts; i++) {
		if (strcmp(s->counts[i].key, key) == 0) {
			s->counts[i].value = value;
			return;
		}
	}
	if (s->ncounts < REPORT_COUNTS_MAX) {
		s->counts[s->ncounts].key = key;
		s->counts[s->ncounts].value = value;
		s->ncounts++;
	}
}

static struct report_finding *report_finding_new(struct report *r, const char *id,
	const char *vendor, const char *product, const char *remove)
{
	struct report_finding *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		return NULL;
	}
	f->owner = r;
	if (report_set_str(&f->signature, id) != 0 || report_set_str(&f->vendor, vendor) != 0 ||
	    report_set_str(&f->product, product) != 0 ||
	    report_set_str(&f->remove, remove) != 0) {
		report_finding_free(f);
		return NULL;
	}
	return f;
}

struct report_finding *report_finding(struct report *r, const char *id, const char *vendor,
	const char *product, const char *remove)
{
	struct report_finding *f;
	size_t i;

	for (i = 0; i < r->nfindings; i++) {
		if (strcmp(r->findings[i]->signature, id) == 0) {
			return r->findings[i];
		}
	}
	if (vec_reserve(&r->findings, r->nfindings, &r->findings_cap,
		    sizeof(*r->findings), KS_SIG_SIGNATURES_MAX) != 0) {
		return NULL;
	}
	f = report_finding_new(r, id, vendor, product, remove);
	if (f == NULL) {
		return NULL;
	}
	r->findings[r->nfindings++] = f;
	return f;
}

int report_finding_rule(struct report_finding *f, const char *pack, const char *version,
	const char *reference)
{
	if (f->pack != NULL) {
		return 0;
	}
	if (report_set_str(&f->pack, pack) != 0 ||
	    report_set_str(&f->pack_version, version != NULL && version[0] != '\0' ? version :
										  NULL) != 0 ||
	    report_set_str(&f->reference, reference) != 0) {
		return -1;
	}
	return 0;
}

int report_pack_add_compliance(struct report_pack *p, const char *framework,
	const char *control, const char *reference)
{
	struct report_compliance *c;

	if (vec_reserve_implied(&p->compliance, p->ncompliance, sizeof(*c),
		    KS_SIG_COMPLIANCE_MAX) != 0) {
		return -1;
	}
	c = &p->compliance[p->ncompliance];
	memset(c, 0, sizeof(*c));
	if (report_set_str(&c->framework, framework) != 0 ||
	    report_set_str(&c->control, control) != 0 ||
	    report_set_str(&c->reference, reference) != 0) {
		free(c->framework);
		free(c->control);
		free(c->reference);
		return -1;
	}
	p->ncompliance++;
	return 0;
}

/* Whether obligation @k of pack @pack is the first of its framework and control. */
static bool report_obligation_first(const struct report *r, size_t pack, size_t k)
{
	const struct report_compliance *c = &r->packs[pack].compliance[k];
	size_t i, m;

	for (i = 0; i <= pack; i++) {
		for (m = 0; m < r->packs[i].ncompliance && (i < pack || m < k); m++) {
			const struct report_compliance *o = &r->packs[i].compliance[m];

			if (strcmp(o->framework, c->framework) == 0 &&
			    strcmp(o->control, c->control) == 0) {
				return false;
			}
		}
	}
	return true;
}

/* The index of the pack @f's signature came from, or r->npacks when unknown. */
static size_t report_finding_pack(const struct report *r, const struct report_finding *f)
{
	size_t i;

	for (i = 0; f->pack != NULL && i < r->npacks; i++) {
		if (strcmp(r->packs[i].name, f->pack) == 0) {
			return i;
		}
	}
	return r->npacks;
}

const struct report_compliance *report_obligation(const struct report *r,
	const struct report_finding *f, size_t *it)
{
	size_t only = f != NULL ? report_finding_pack(r, f) : r->npacks;
	size_t i, k = *it;

	/* *it counts every pack's entries in order: skip to the pack it falls in */
	for (i = 0; i < r->npacks; i++) {
		for (; k < r->packs[i].ncompliance; k++) {
			(*it)++;
			if (f != NULL ? i == only : report_obligation_first(r, i, k)) {
				return &r->packs[i].compliance[k];
			}
		}
		k -= r->packs[i].ncompliance;
	}
	return NULL;
}

/* Orders NULL before any string, so optional fields compare too. */
static int report_strcmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		return (a != NULL) - (b != NULL);
	}
	return strcmp(a, b);
}

static int report_cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

/*
 * Total order on evidence: the documented keys first (kind, path, name, manager, arch,
 * version), then every other field, so 0 means identical and output never depends on the
 * order the scanner found things.
 */
static int report_ev_cmp(const struct report_evidence *a, const struct report_evidence *b)
{
	const char *const sa[] = { a->path, a->name, a->manager, a->arch, a->version, a->role,
		a->pattern, a->status, a->ftype, a->target, a->sha256, a->source, a->proto,
		a->address, a->account, a->user, a->command, a->format, a->vendor,
		a->summary };
	const char *const sb[] = { b->path, b->name, b->manager, b->arch, b->version, b->role,
		b->pattern, b->status, b->ftype, b->target, b->sha256, b->source, b->proto,
		b->address, b->account, b->user, b->command, b->format, b->vendor,
		b->summary };
	const int64_t na[] = { a->pid, a->has_uid, a->uid, a->has_gid, a->gid, a->has_started,
		a->started_ms, a->has_enabled, a->enabled, a->port };
	const int64_t nb[] = { b->pid, b->has_uid, b->uid, b->has_gid, b->gid, b->has_started,
		b->started_ms, b->has_enabled, b->enabled, b->port };
	size_t i;
	int c;

	c = report_cmp_i64(a->kind, b->kind);
	for (i = 0; c == 0 && i < XSTD_COUNTOF(sa); i++) {
		c = report_strcmp(sa[i], sb[i]);
	}
	if (c == 0) {
		c = report_cmp_i64(a->state, b->state);
	}
	if (c == 0) {
		c = report_cmp_i64(a->confidence, b->confidence);
	}
	if (c == 0) {
		c = report_cmp_i64(a->has_size, b->has_size);
	}
	if (c == 0) {
		c = a->size < b->size ? -1 : a->size > b->size;
	}
	if (c == 0) {
		c = report_cmp_i64(a->has_mtime, b->has_mtime);
	}
	if (c == 0) {
		c = report_cmp_i64(a->mtime_ms, b->mtime_ms);
	}
	if (c == 0) {
		c = a->line < b->line ? -1 : a->line > b->line;
	}
	for (i = 0; c == 0 && i < XSTD_COUNTOF(na); i++) {
		c = report_cmp_i64(na[i], nb[i]);
	}
	return c;
}

/* FNV-1a over every field; NULL and "" hash differently. */
static uint64_t report_ev_hash(const struct report_evidence *e)
{
	const char *const s[] = { e->role, e->pattern, e->manager, e->name, e->version, e->arch,
		e->status, e->path, e->ftype, e->target, e->sha256, e->source, e->proto,
		e->address, e->account, e->user, e->command, e->format, e->vendor,
		e->summary };
	uint64_t nums[] = { (uint64_t)e->kind, (uint64_t)e->state, (uint64_t)e->confidence,
		e->size,
		(uint64_t)e->mtime_ms, (uint64_t)e->has_size << 1 | e->has_mtime, e->pid,
		(uint64_t)e->uid << 1 | e->has_uid, (uint64_t)e->gid << 1 | e->has_gid,
		(uint64_t)e->started_ms, (uint64_t)e->has_started << 2 | e->has_enabled << 1 |
		e->enabled, e->port, e->line };
	uint64_t h = 0xcbf29ce484222325u;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(s); i++) {
		const unsigned char *p = (const unsigned char *)(s[i] != NULL ? s[i] : "");

		h = (h ^ (s[i] != NULL ? 1u : 2u)) * 0x100000001b3u;
		for (; *p != '\0'; p++) {
			h = (h ^ *p) * 0x100000001b3u;
		}
	}
	for (i = 0; i < XSTD_COUNTOF(nums); i++) {
		h = (h ^ nums[i]) * 0x100000001b3u;
	}
	return h;
}

/* The slot holding evidence equal to @e, or the empty slot where it would go. */
static size_t *report_slot(const struct report_finding *f, const struct report_evidence *e)
{
	size_t mask = f->nslots - 1;
	size_t i = (size_t)report_ev_hash(e) & mask;

	while (f->slots[i] != 0 && report_ev_cmp(&f->ev[f->slots[i] - 1], e) != 0) {
		i = (i + 1) & mask;
	}
	return &f->slots[i];
}

/* (Re)builds the index with room for twice the evidence slots, so it stays half empty. */
static int report_index(struct report_finding *f)
{
	size_t n = 16, i;

	while (n < 2 * (f->cap + 1)) {
		n *= 2;
	}
	free(f->slots);
	f->slots = calloc(n, sizeof(*f->slots));
	if (f->slots == NULL) {
		f->nslots = 0;
		return -1;
	}
	f->nslots = n;
	for (i = 0; i < f->nev; i++) {
		*report_slot(f, &f->ev[i]) = i + 1;
	}
	return 0;
}

/* What keeping @e costs against the memory budget: the structure and its strings. */
static size_t report_ev_bytes(const struct report_evidence *e)
{
	const char *const s[] = { e->role, e->pattern, e->manager, e->name, e->version, e->arch,
		e->status, e->path, e->ftype, e->target, e->sha256, e->source, e->proto,
		e->address, e->account, e->user, e->command, e->format, e->vendor,
		e->summary };
	size_t i, n = sizeof(*e);

	for (i = 0; i < XSTD_COUNTOF(s); i++) {
		n += s[i] != NULL ? strlen(s[i]) + 1 : 0;
	}
	return n;
}

/* Deep copy of @src into @dst. */
static int report_ev_copy(struct report_evidence *dst, const struct report_evidence *src)
{
	const char **const d[] = { &dst->role, &dst->pattern, &dst->manager, &dst->name,
		&dst->version, &dst->arch, &dst->status, &dst->path, &dst->ftype, &dst->target,
		&dst->sha256, &dst->source, &dst->proto, &dst->address, &dst->account, &dst->user,
		&dst->command, &dst->format, &dst->vendor, &dst->summary };
	const char *const s[] = { src->role, src->pattern, src->manager, src->name, src->version,
		src->arch, src->status, src->path, src->ftype, src->target, src->sha256,
		src->source, src->proto, src->address, src->account, src->user, src->command,
		src->format, src->vendor, src->summary };
	size_t i;

	*dst = *src;
	for (i = 0; i < XSTD_COUNTOF(d); i++) {
		*d[i] = NULL;
	}
	for (i = 0; i < XSTD_COUNTOF(d); i++) {
		if (s[i] == NULL) {
			continue;
		}
		*d[i] = xstd_strndup_max(s[i], strlen(s[i]), KS_REPORT_STR_MAX);
		if (*d[i] == NULL) {
			report_evidence_free(dst);
			return -1;
		}
	}
	return 0;
}

/* What any evidence offered says about the finding, kept or dropped. */
static void report_note(struct report_finding *f, const struct report_evidence *e)
{
	f->kinds |= 1u << e->kind;
	if (e->kind == REPORT_EV_SERVICE) {
		f->has_service = true;
		f->enabled = f->enabled || (e->has_enabled && e->enabled);
	}
}

/* Counts evidence that does not fit, keeping what it would have said about the finding. */
static void report_drop(struct report_finding *f, const struct report_evidence *e)
{
	f->ev_dropped++;
	report_note(f, e);
	f->dropped_kinds |= 1u << e->kind;
	f->dropped_service = f->dropped_service || e->kind == REPORT_EV_SERVICE;
	f->dropped_enabled = f->dropped_enabled || (e->kind == REPORT_EV_SERVICE &&
		e->has_enabled && e->enabled);
	if (e->state > f->dropped_state) {
		f->dropped_state = e->state;
	}
	if (e->confidence > f->dropped_conf) {
		f->dropped_conf = e->confidence;
	}
}

int report_add_evidence(struct report_finding *f, const struct report_evidence *ev)
{
	struct report_evidence key = *ev;
	size_t *slot, bytes;

	/* evidence that proves nothing, or of no known kind, is a caller's bug */
	if ((unsigned)ev->kind >= REPORT_EV_KIND_COUNT || ev->state < REPORT_STATE_INSTALLER ||
	    ev->state > REPORT_STATE_RUNNING || ev->confidence < REPORT_CONF_LOW ||
	    ev->confidence > REPORT_CONF_HIGH) {
		errno = EINVAL;
		return -1;
	}
	/* a size or time that is not set is no part of the evidence */
	key.size = key.has_size ? key.size : 0;
	key.mtime_ms = key.has_mtime ? key.mtime_ms : 0;
	key.uid = key.has_uid ? key.uid : 0;
	key.gid = key.has_gid ? key.gid : 0;
	key.started_ms = key.has_started ? key.started_ms : 0;
	key.enabled = key.has_enabled && key.enabled;
	if (vec_reserve(&f->ev, f->nev, &f->cap, sizeof(*f->ev),
		    KS_EVIDENCE_PER_FINDING_MAX) != 0 && errno != E2BIG) {
		return -1;
	}
	if ((f->slots == NULL || f->nslots < 2 * (f->cap + 1)) && report_index(f) != 0) {
		return -1;
	}
	slot = report_slot(f, &key);
	if (*slot != 0) {
		return 0;
	}
	bytes = report_ev_bytes(&key);
	if (f->nev >= KS_EVIDENCE_PER_FINDING_MAX ||
	    bytes > KS_REPORT_EVIDENCE_BYTES_MAX - f->owner->ev_bytes) {
		report_drop(f, &key);
		return 0;
	}
	if (report_ev_copy(&f->ev[f->nev], &key) != 0) {
		return -1;
	}
	*slot = ++f->nev;
	report_note(f, &key);
	f->owner->ev_bytes += bytes;
	return 0;
}

size_t report_remove_evidence(struct report_finding *f,
	bool (*drop)(const struct report_evidence *e, void *ctx), void *ctx)
{
	size_t i, kept = 0, gone;

	f->kinds = f->dropped_kinds;
	f->has_service = f->dropped_service;
	f->enabled = f->dropped_enabled;
	for (i = 0; i < f->nev; i++) {
		if (drop(&f->ev[i], ctx)) {
			f->owner->ev_bytes -= report_ev_bytes(&f->ev[i]);
			report_evidence_free(&f->ev[i]);
			continue;
		}
		report_note(f, &f->ev[i]);
		f->ev[kept++] = f->ev[i];
	}
	gone = f->nev - kept;
	f->nev = kept;
	/* the evidence moved: the index is rebuilt on the next add */
	free(f->slots);
	f->slots = NULL;
	f->nslots = 0;
	return gone;
}

bool report_finding_low_confidence(const struct report_finding *f)
{
	return f->confidence == REPORT_CONF_LOW;
}

/* Copies @targets[0..n) into a new array. @return it, or NULL with errno. */
static char **report_copy_targets(const char *const *targets, size_t n)
{
	char **v = calloc(n > 0 ? n : 1, sizeof(*v));
	size_t i;

	if (v == NULL) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		v[i] = xstd_strndup_max(targets[i], strlen(targets[i]), KS_REPORT_STR_MAX);
		if (v[i] == NULL) {
			while (i > 0) {
				free(v[--i]);
			}
			free(v);
			return NULL;
		}
	}
	return v;
}

int report_add_step(struct report_finding *f, const char *action, const char *description,
	const char *command, const char *const *targets, size_t ntargets)
{
	struct report_step st;

	if (ntargets > KS_PLAN_TARGETS_MAX) {
		errno = E2BIG;
		return -1;
	}
	if (f->nsteps >= KS_PLAN_STEPS_MAX) {
		f->steps_dropped++;
		return 0;
	}
	memset(&st, 0, sizeof(st));
	st.action = action;
	st.targets = report_copy_targets(targets, ntargets);
	if (st.targets == NULL) {
		return -1;
	}
	st.ntargets = ntargets;
	if (report_set_str(&st.description, description) != 0 ||
	    report_set_str(&st.command, command) != 0) {
		goto free_step;
	}
	/* a plan has a handful of steps: no capacity field, the count implies it */
	if (vec_reserve_implied(&f->steps, f->nsteps, sizeof(*f->steps), KS_PLAN_STEPS_MAX) != 0) {
		goto free_step;
	}
	f->steps[f->nsteps++] = st;
	return 0;

free_step:
	report_step_free(&st);
	return -1;
}

bool report_finding_running(const struct report_finding *f)
{
	return f->state == REPORT_STATE_RUNNING;
}

int report_add_error(struct report *r, const char *fmt, ...)
{
	size_t size;
	va_list ap;
	char *msg;
	int n;

	if (r->nerrors >= KS_REPORT_ERRORS_MAX) {
		r->errors_dropped++;
		return 0;
	}
	/* no capacity field for errors either: the count implies it */
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return -1;
	}
	size = ((size_t)n < KS_REPORT_STR_MAX ? (size_t)n : KS_REPORT_STR_MAX) + 1;
	msg = malloc(size);
	if (msg == NULL) {
		return -1;
	}
	va_start(ap, fmt);
	/* a message past KS_REPORT_STR_MAX is cut: the cap is documented */
	(void)vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	if (vec_reserve_implied(&r->errors, r->nerrors, sizeof(*r->errors),
		    KS_REPORT_ERRORS_MAX) != 0) {
		free(msg);
		return -1;
	}
	r->errors[r->nerrors++] = msg;
	return 0;
}

int report_idlist_add(struct report_idlist *l, const char *s)
{
	char *copy;

	if (l->n >= KS_SPOOL_JOURNAL_IDS_MAX) {
		l->total++;
		return 0;
	}
	copy = xstd_strndup_max(s, strlen(s), KS_REPORT_STR_MAX);
	if (copy == NULL) {
		return -1;
	}
	/* no capacity field: the count implies it */
	if (vec_reserve_implied(&l->v, l->n, sizeof(*l->v), KS_SPOOL_JOURNAL_IDS_MAX) != 0) {
		free(copy);
		return -1;
	}
	l->v[l->n++] = copy;
	l->total++;
	return 0;
}

static int report_ev_qcmp(const void *a, const void *b)
{
	return report_ev_cmp(a, b);
}

static int report_finding_qcmp(const void *a, const void *b)
{
	const struct report_finding *const *fa = a;
	const struct report_finding *const *fb = b;

	return strcmp((*fa)->signature, (*fb)->signature);
}

/* Sorts one finding's evidence and sets its state: the strongest of all it was offered. */
static void report_finish_finding(struct report_finding *f)
{
	size_t i;

	if (f->nev > 1) {
		xstd_qsort(f->ev, f->nev, sizeof(*f->ev), report_ev_qcmp);
	}
	/* sorting moved the evidence: the index is rebuilt on the next add */
	free(f->slots);
	f->slots = NULL;
	f->nslots = 0;
	f->state = f->dropped_state;
	f->confidence = f->dropped_conf;
	for (i = 0; i < f->nev; i++) {
		if (f->ev[i].state > f->state) {
			f->state = f->ev[i].state;
		}
		if (f->ev[i].confidence > f->confidence) {
			f->confidence = f->ev[i].confidence;
		}
	}
}

/* "stale signatures: NAME NAME" when a maximum age is set and some pack is stale. */
static void report_stale_packs(const struct report *r, struct buf *b)
{
	bool first = true;
	size_t i;

	if (r->max_age_days == 0) {
		return;
	}
	for (i = 0; i < r->npacks; i++) {
		if (!r->packs[i].stale) {
			continue;
		}
		if (first) {
			buf_addf(b, "%sstale signatures:", buf_len(b) > 0 ? "; " : "");
			first = false;
		}
		buf_addf(b, " %s", r->packs[i].name);
	}
}

/* "source dpkg failed: <error>; source rpm failed" for every failed source, or NULL. */
static int report_failed_sources(const struct report *r, char **reason)
{
	struct buf b;
	size_t i;

	*reason = NULL;
	buf_init(&b, KS_REPORT_STR_MAX);
	for (i = 0; i < r->nsources; i++) {
		const struct report_source *s = &r->sources[i];

		if (s->status != REPORT_SRC_FAILED) {
			continue;
		}
		buf_addf(&b, "%ssource %s failed", buf_len(&b) > 0 ? "; " : "", s->name);
		if (s->error != NULL) {
			buf_addf(&b, ": %s", s->error);
		}
	}
	report_stale_packs(r, &b);
	if (buf_error(&b) == E2BIG) {
		/* reasons are summaries: a cut one still names the first sources */
		buf_reset(&b);
		buf_adds(&b, "several sources failed or packs are stale (see sources and "
			"signatures.packs)");
	}
	if (buf_len(&b) > 0) {
		*reason = buf_take(&b, NULL);
		if (*reason == NULL) {
			return -1;
		}
	}
	buf_free(&b);
	return 0;
}

int report_finish(struct report *r)
{
	size_t i, kept = 0;
	char *reason;

	for (i = 0; i < r->nfindings; i++) {
		struct report_finding *f = r->findings[i];

		if (f->nev == 0 && f->ev_dropped == 0) {
			report_finding_free(f);
			continue;
		}
		report_finish_finding(f);
		r->findings[kept++] = f;
	}
	r->nfindings = kept;
	if (r->nfindings > 1) {
		xstd_qsort(r->findings, r->nfindings, sizeof(*r->findings), report_finding_qcmp);
	}
	if (report_failed_sources(r, &reason) != 0) {
		return -1;
	}
	free(r->verdict_reason);
	r->verdict_reason = NULL;
	if (r->nfindings > 0) {
		r->verdict = REPORT_DETECTED;
		free(reason);
	} else if (reason != NULL) {
		r->verdict = REPORT_INCOMPLETE;
		r->verdict_reason = reason;
	} else {
		r->verdict = REPORT_CLEAN;
	}
	return 0;
}

const char *report_verdict_reason(const struct report *r)
{
	return r->verdict_reason != NULL ? r->verdict_reason : "a source failed";
}

const char *report_state_name(enum report_state s)
{
	switch (s) {
	case REPORT_STATE_NONE:
		return "none";
	case REPORT_STATE_INSTALLER:
		return "installer";
	case REPORT_STATE_REMNANT:
		return "remnant";
	case REPORT_STATE_INSTALLED:
		return "installed";
	case REPORT_STATE_RUNNING:
		return "running";
	default:
		return "unknown";
	}
}

const char *report_confidence_name(enum report_confidence c)
{
	switch (c) {
	case REPORT_CONF_LOW:
		return "low";
	case REPORT_CONF_MEDIUM:
		return "medium";
	case REPORT_CONF_HIGH:
		return "high";
	default:
		return "unknown";
	}
}

const char *report_ev_kind_name(enum report_ev_kind k)
{
	switch (k) {
	case REPORT_EV_PACKAGE:
		return "package";
	case REPORT_EV_PATH:
		return "path";
	case REPORT_EV_FILE:
		return "file";
	case REPORT_EV_HASH:
		return "hash";
	case REPORT_EV_PROCESS:
		return "process";
	case REPORT_EV_SERVICE:
		return "service";
	case REPORT_EV_KERNEL_MODULE:
		return "kernel_module";
	case REPORT_EV_ACCOUNT:
		return "account";
	case REPORT_EV_SOCKET:
		return "socket";
	case REPORT_EV_CRON:
		return "cron";
	case REPORT_EV_ARCHIVE:
		return "archive";
	case REPORT_EV_KIND_COUNT:
	default:
		return "unknown";
	}
}

const char *report_src_status_name(enum report_src_status s)
{
	switch (s) {
	case REPORT_SRC_OK:
		return "ok";
	case REPORT_SRC_ABSENT:
		return "absent";
	case REPORT_SRC_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}

const char *report_verdict_name(enum report_verdict v)
{
	switch (v) {
	case REPORT_CLEAN:
		return "clean";
	case REPORT_DETECTED:
		return "detected";
	case REPORT_INCOMPLETE:
		return "incomplete";
	default:
		return "unknown";
	}
}

const char *report_drop_name(enum report_drop why)
{
	static const char *const names[REPORT_DROP_KINDS] = {
		[REPORT_DROP_EVICTED] = "evicted",
		[REPORT_DROP_TOO_LARGE] = "too_large",
		[REPORT_DROP_UNWRITTEN] = "unwritten",
	};

	return (unsigned)why < REPORT_DROP_KINDS ? names[why] : "unknown";
}
