#include "signatures/sig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/strset.h"
#include "base/vec.h"

struct sig_set {
	struct sig *sigs;
	size_t nsigs;
	struct sig_pack *packs;
	size_t npacks;
	char **diags;
	size_t ndiags;
	/* a load failed: finishing (and so scanning) must be refused */
	bool failed;
	bool finished;
	struct sig_gate gate;
};

/* ---- Freeing the model. ---- */

void sig_names_free(struct sig_names *n)
{
	size_t i;

	for (i = 0; i < n->n; i++) {
		free(n->v[i]);
	}
	free(n->v);
	free(n->conf);
}

void sig_free(struct sig *g)
{
	size_t i;

	free(g->id);
	free(g->vendor);
	free(g->product);
	free(g->description);
	free(g->remove);
	sig_names_free(&g->references);
	for (i = 0; i < g->npackages; i++) {
		free(g->packages[i].name);
	}
	free(g->packages);
	for (i = 0; i < g->npaths; i++) {
		free(g->paths[i].path);
	}
	free(g->paths);
	for (i = 0; i < g->nfiles; i++) {
		free(g->files[i].name);
	}
	free(g->files);
	for (i = 0; i < g->nhashes; i++) {
		free(g->hashes[i].name);
	}
	free(g->hashes);
	sig_names_free(&g->processes);
	sig_names_free(&g->services);
	sig_names_free(&g->kernel_modules);
	free(g->kernel_module_roles);
	sig_names_free(&g->accounts);
	sig_names_free(&g->components);
	sig_names_free(&g->shared_by);
	free(g->ports);
	for (i = 0; i < g->nuninstall; i++) {
		free(g->uninstall[i].path);
		sig_names_free(&g->uninstall[i].args);
	}
	free(g->uninstall);
}

struct sig_set *sig_set_new(void)
{
	return calloc(1, sizeof(struct sig_set));
}

void sig_compliance_free(struct sig_compliance *c)
{
	free(c->framework);
	free(c->control);
	free(c->reference);
	memset(c, 0, sizeof(*c));
}

void sig_set_free(struct sig_set *s)
{
	size_t i;

	if (s == NULL) {
		return;
	}
	for (i = 0; i < s->nsigs; i++) {
		sig_free(&s->sigs[i]);
	}
	free(s->sigs);
	for (i = 0; i < s->npacks; i++) {
		free(s->packs[i].name);
		free(s->packs[i].version);
		for (size_t k = 0; k < s->packs[i].ncompliance; k++) {
			sig_compliance_free(&s->packs[i].compliance[k]);
		}
		free(s->packs[i].compliance);
	}
	free(s->packs);
	for (i = 0; i < s->ndiags; i++) {
		free(s->diags[i]);
	}
	free(s->diags);
	free(s);
}

/* ---- Diagnostics of the set. ---- */

/* Past KS_SIG_SET_DIAGS_MAX a line is dropped: the load still fails, and its kerr says why. */
int sig_set_add_diag(struct sig_set *s, const char *line)
{
	if (s->ndiags >= KS_SIG_SET_DIAGS_MAX) {
		return 0;
	}
	if (vec_reserve_implied(&s->diags, s->ndiags, sizeof(*s->diags), SIZE_MAX) != 0) {
		return -1;
	}
	s->diags[s->ndiags] = strdup(line);
	if (s->diags[s->ndiags] == NULL) {
		return -1;
	}
	s->ndiags++;
	return 0;
}

void sig_set_fail(struct sig_set *s)
{
	s->failed = true;
}

bool sig_set_finished(const struct sig_set *s)
{
	return s->finished;
}

void sig_set_gate(struct sig_set *s, const struct sig_gate *g)
{
	s->gate = *g;
}

const struct sig_gate *sig_set_get_gate(const struct sig_set *s)
{
	return &s->gate;
}

/* ---- Adding a pack, all or nothing. ---- */

/* Appends @n signatures, all or none; each gets pack index @pack. @return 0, or -1. */
static int sig_set_add_sigs(struct sig_set *s, struct sig *sigs, size_t n, size_t pack)
{
	size_t i, old = s->nsigs;

	for (i = 0; i < n; i++) {
		if (vec_reserve_implied(&s->sigs, s->nsigs, sizeof(*s->sigs), SIZE_MAX) != 0) {
			s->nsigs = old;
			return -1;
		}
		s->sigs[s->nsigs] = sigs[i];
		s->sigs[s->nsigs++].pack = pack;
	}
	return 0;
}

int sig_set_add_pack(struct sig_set *s, const char *name, const char *version,
	const struct sig_pack *pack, struct sig *sigs, size_t n)
{
	struct sig_pack p = *pack;
	bool grown;

	p.name = strdup(name);
	p.version = strdup(version != NULL ? version : "");
	grown = vec_reserve_implied(&s->packs, s->npacks, sizeof(*s->packs), SIZE_MAX) == 0;
	if (!grown || p.name == NULL || p.version == NULL ||
	    sig_set_add_sigs(s, sigs, n, s->npacks) != 0) {
		free(p.name);
		free(p.version);
		return -1;
	}
	p.nsignatures = n;
	s->packs[s->npacks++] = p;
	return 0;
}

/* ---- The whole set. ---- */

/* Ids must be unique over all packs: matches and reports name signatures by id. */
static int sig_check_ids(struct sig_set *s, size_t *first_diag)
{
	const struct strset_slot *first;
	struct strset ids = {NULL, 0, 0};
	char line[KS_SIG_DIAG_MAX];
	size_t i, bad = 0;
	int r = 0;

	*first_diag = s->ndiags;
	for (i = 0; i < s->nsigs && bad < KS_SIG_DIAGS_MAX; i++) {
		const struct sig *g = &s->sigs[i];

		r = strset_add(&ids, g->id, g->loc.line, g->loc.col, g->pack, &first);
		if (r < 0) {
			break;
		}
		if (r == 0) {
			bad++;
			/* truncation is harmless: the line keeps its position and the start */
			(void)snprintf(line, sizeof(line), "%s:%u:%u: duplicate id \"%s\" (also in "
				"%s:%u:%u)", s->packs[g->pack].name, g->loc.line, g->loc.col, g->id,
				s->packs[first->tag].name, first->line, first->col);
			if (sig_set_add_diag(s, line) != 0) {
				r = -1;
				break;
			}
		}
	}
	strset_free(&ids);
	return r < 0 ? -1 : (int)(bad > 0);
}

int sig_set_finish(struct sig_set *s, struct kerr *err)
{
	size_t first;
	int r;

	if (s->finished) {
		return 0;
	}
	if (s->failed) {
		return kerr_set(err, KERR_INPUT, "a signature pack has errors: not using any");
	}
	r = sig_check_ids(s, &first);
	if (r < 0) {
		s->failed = true;
		return kerr_set(err, KERR_NOMEM, "out of memory while checking signature ids");
	}
	if (r > 0) {
		s->failed = true;
		if (first < s->ndiags) {
			return kerr_set(err, KERR_INPUT, "%s", s->diags[first]);
		}
		return kerr_set(err, KERR_INPUT, "duplicate signature ids");
	}
	s->finished = true;
	return 0;
}

size_t sig_set_count(const struct sig_set *s)
{
	return s->nsigs;
}

const struct sig *sig_set_get(const struct sig_set *s, size_t i)
{
	return i < s->nsigs ? &s->sigs[i] : NULL;
}

size_t sig_set_npacks(const struct sig_set *s)
{
	return s->npacks;
}

const struct sig_pack *sig_set_pack(const struct sig_set *s, size_t i)
{
	return i < s->npacks ? &s->packs[i] : NULL;
}

size_t sig_set_ndiags(const struct sig_set *s)
{
	return s->ndiags;
}

const char *sig_set_diag(const struct sig_set *s, size_t i)
{
	return i < s->ndiags ? s->diags[i] : NULL;
}

const char *sig_role_name(enum sig_role r)
{
	switch (r) {
	case SIG_ROLE_INSTALL:
		return "install";
	case SIG_ROLE_REMNANT:
		return "remnant";
	case SIG_ROLE_INSTALLER:
		return "installer";
	default:
		return "unknown";
	}
}

const char *sig_proto_name(enum sig_proto p)
{
	switch (p) {
	case SIG_PROTO_TCP:
		return "tcp";
	case SIG_PROTO_UDP:
		return "udp";
	default:
		return "unknown";
	}
}

const char *sig_confidence_name(enum sig_confidence c)
{
	switch (c) {
	case SIG_CONF_LOW:
		return "low";
	case SIG_CONF_MEDIUM:
		return "medium";
	case SIG_CONF_HIGH:
		return "high";
	case SIG_CONF_UNSET:
	default:
		return "unknown";
	}
}

static bool sig_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int sig_parse_date(const char *s, int64_t *days)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t y, m, d, i, n = 0;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || strspn(s, "0123456789") != 4 ||
	    strspn(s + 5, "0123456789") != 2 || strspn(s + 8, "0123456789") != 2) {
		return -1;
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && sig_leap(y))) {
		return -1;
	}
	for (i = 1970; i < y; i++) {
		n += sig_leap(i) ? 366 : 365;
	}
	for (i = 1; i < m; i++) {
		n += mdays[i - 1] + (i == 2 && sig_leap(y));
	}
	*days = n + d - 1;
	return 0;
}
