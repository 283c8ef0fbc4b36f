#include "signatures/sig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yaml.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/xstd.h"
#include "base/yread.h"
#include "signatures/builtin.h"

/* User text quoted in a message is cut here: enough to recognise it, not to flood a line. */
#define SIG_QUOTE_MAX 60u
/* Room for SIG_QUOTE_MAX bytes each escaped to at most 4, the quotes, "..." and the NUL. */
#define SIG_QUOTE_BUF (SIG_QUOTE_MAX * 4u + 8u)
/* Literal characters a package or file glob needs: enough to name a product, not "k*". */
#define SIG_GLOB_LITERALS_MIN 3u

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

/*
 * Arrays grow by doubling from 8. The capacity follows from the count, so plain structs
 * without a capacity member (struct sig_names) can grow too. Call before storing element
 * @n. @return the (maybe moved) array, or NULL with @v untouched.
 */
static void *sig_grow(void *v, size_t n, size_t size)
{
	if (n != 0 && (n < 8 || (n & (n - 1)) != 0)) {
		return v;
	}
	return reallocarray(v, n == 0 ? 8 : n * 2, size);
}

/* ---- A set of strings, for duplicate checks: open addressing, keys copied. ---- */

struct sset_slot {
	char *key;
	struct sig_loc loc;
	size_t tag;
};

struct sset {
	struct sset_slot *v;
	size_t n;
	size_t cap;
};

static size_t sset_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	while (*s != '\0') {
		h = (h ^ (unsigned char)*s++) * 0x100000001b3u;
	}
	return (size_t)h;
}

static struct sset_slot *sset_find(struct sset_slot *v, size_t cap, const char *key)
{
	size_t i = sset_hash(key) & (cap - 1);

	while (v[i].key != NULL && strcmp(v[i].key, key) != 0) {
		i = (i + 1) & (cap - 1);
	}
	return &v[i];
}

static int sset_rehash(struct sset *t)
{
	size_t cap = t->cap == 0 ? 16 : t->cap * 2, i;
	struct sset_slot *v = calloc(cap, sizeof(*v));

	if (v == NULL) {
		return -1;
	}
	for (i = 0; i < t->cap; i++) {
		if (t->v[i].key != NULL) {
			*sset_find(v, cap, t->v[i].key) = t->v[i];
		}
	}
	free(t->v);
	t->v = v;
	t->cap = cap;
	return 0;
}

/*
 * Adds @key. @return 1 if it is new, 0 if it was there (*@first is the earlier entry),
 * -1 on ENOMEM.
 */
static int sset_add(struct sset *t, const char *key, struct sig_loc loc, size_t tag,
	const struct sset_slot **first)
{
	struct sset_slot *s;

	if ((t->n + 1) * 2 > t->cap && sset_rehash(t) != 0) {
		return -1;
	}
	s = sset_find(t->v, t->cap, key);
	if (s->key != NULL) {
		*first = s;
		return 0;
	}
	s->key = strdup(key);
	if (s->key == NULL) {
		return -1;
	}
	s->loc = loc;
	s->tag = tag;
	t->n++;
	return 1;
}

static void sset_free(struct sset *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++) {
		free(t->v[i].key);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- Freeing the model. ---- */

static void sig_names_free(struct sig_names *n)
{
	size_t i;

	for (i = 0; i < n->n; i++) {
		free(n->v[i]);
	}
	free(n->v);
	free(n->conf);
}

static void sig_free_fields(struct sig *g)
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

void sig_set_free(struct sig_set *s)
{
	size_t i;

	if (s == NULL) {
		return;
	}
	for (i = 0; i < s->nsigs; i++) {
		sig_free_fields(&s->sigs[i]);
	}
	free(s->sigs);
	for (i = 0; i < s->npacks; i++) {
		free(s->packs[i].name);
		free(s->packs[i].version);
	}
	free(s->packs);
	for (i = 0; i < s->ndiags; i++) {
		free(s->diags[i]);
	}
	free(s->diags);
	free(s);
}

/* ---- Diagnostics of the set. ---- */

/*
 * Appends "NAME:LINE:COL: MSG". Past KS_SIG_SET_DIAGS_MAX the line is dropped: the load still
 * fails, and the caller's kerr still says why. @return 0, or -1 on ENOMEM.
 */
static int sig_add_diag(struct sig_set *s, const char *name, struct sig_loc at, const char *msg)
{
	char line[KS_SIG_DIAG_MAX];
	char **v;

	if (s->ndiags >= KS_SIG_SET_DIAGS_MAX) {
		return 0;
	}
	/* truncation is harmless: the line keeps its position and the start of the message */
	(void)snprintf(line, sizeof(line), "%s:%u:%u: %s", name, at.line, at.col, msg);
	v = sig_grow(s->diags, s->ndiags, sizeof(*v));
	if (v == NULL) {
		return -1;
	}
	s->diags = v;
	s->diags[s->ndiags] = strdup(line);
	if (s->diags[s->ndiags] == NULL) {
		return -1;
	}
	s->ndiags++;
	return 0;
}

/*
 * Keeps a refusal of a whole file (ownership, signature) as a diagnostic, as written: it is
 * about the file, not a place in it. @return -1 always (the load fails).
 */
static int sig_diag_from(struct sig_set *s, struct kerr *err)
{
	char **v;

	if (s->ndiags >= KS_SIG_SET_DIAGS_MAX) {
		return -1;
	}
	v = sig_grow(s->diags, s->ndiags, sizeof(*v));
	if (v == NULL) {
		return -1;
	}
	s->diags = v;
	s->diags[s->ndiags] = strdup(err->msg);
	if (s->diags[s->ndiags] != NULL) {
		s->ndiags++;
	}
	return -1;
}

/* Appends @sfx to diagnostic @i. @return 0, or -1 on ENOMEM. */
static int sig_diag_append(struct sig_set *s, size_t i, const char *sfx)
{
	size_t a = strlen(s->diags[i]), b = strlen(sfx);
	char *p = realloc(s->diags[i], a + b + 1);

	if (p == NULL) {
		return -1;
	}
	memcpy(p + a, sfx, b + 1);
	s->diags[i] = p;
	return 0;
}

/* ---- Showing user text in messages. ---- */

static void sig_quote_byte(char *out, size_t *o, unsigned c)
{
	static const char hex[] = "0123456789abcdef";

	out[(*o)++] = '\\';
	if (c == '"' || c == '\\') {
		out[(*o)++] = (char)c;
		return;
	}
	out[(*o)++] = 'x';
	out[(*o)++] = hex[(c >> 4) & 0xf];
	out[(*o)++] = hex[c & 0xf];
}

/*
 * Writes @s[0..n) to @out (SIG_QUOTE_BUF bytes) in double quotes, cut after SIG_QUOTE_MAX
 * bytes on a character boundary, with quotes, backslashes and control characters (C0, DEL,
 * C1) escaped: messages go to terminals and logs one per line. @return @out.
 */
static const char *sig_quote(char *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, k;

	out[o++] = '"';
	while (i < n && i < SIG_QUOTE_MAX) {
		if (u[i] < 0x20 || u[i] == 0x7f || u[i] == '"' || u[i] == '\\') {
			sig_quote_byte(out, &o, u[i++]);
			continue;
		}
		k = xstd_utf8_seq(u + i, n - i);
		if (k == 0 || (k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)) {
			sig_quote_byte(out, &o, u[i++]);
			continue;
		}
		if (i + k > SIG_QUOTE_MAX) {
			break;
		}
		memcpy(out + o, u + i, k);
		o += k;
		i += k;
	}
	if (i < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* ---- The loader: one pack, libyaml events, a small recursive descent. ---- */

/* One load: the parser, where it is, and what the pack will add if it is valid. */
struct ld {
	yaml_parser_t parser;
	yaml_event_t ev;
	bool have_ev;
	/* the current event was already reported (alias, tag, over-long scalar): skip it */
	bool bad_ev;
	const char *data;
	size_t len;
	const char *name;
	struct sig_set *set;
	/* the set's first diagnostic of this load */
	size_t diag_from;
	/* diagnostics from here on still need " in signature ..." */
	size_t ctx_from;
	unsigned depth;
	/* syntax error, cap reached or out of memory: no more events are read */
	bool stop;
	bool nomem;
	/* the code of the first problem */
	enum kerr_code code;
	/* the signature being read, for messages: its 1-based position, its id once valid */
	bool in_sig;
	size_t sig_num;
	const char *sig_id;
	/* what the pack adds */
	struct sig *sigs;
	size_t nsigs;
	struct sset ids;
	char *version;
	char *description;
	/* date: and expires:, "" when absent */
	char date[11];
	char expires[11];
	int64_t date_days;
	int64_t expires_days;
};

/* A sequence being read and where its entries go. */
struct ld_list {
	const char *key;
	/* 0-based position of the current entry */
	size_t index;
	struct sig *sig;
	struct sig_names *names;
	bool (*check)(struct ld *l, const char *key, const char *s, size_t n,
		struct sig_loc at);
	/* names may be written {name, confidence} and keep a confidence each */
	bool with_conf;
	struct sset seen;
};

static struct sig_loc ld_loc(yaml_mark_t m)
{
	struct sig_loc at;

	at.line = m.line >= UINT32_MAX ? UINT32_MAX : (uint32_t)m.line + 1;
	at.col = m.column >= UINT32_MAX ? UINT32_MAX : (uint32_t)m.column + 1;
	return at;
}

static struct sig_loc ld_here(const struct ld *l)
{
	return ld_loc(l->ev.start_mark);
}

static void ld_nomem(struct ld *l)
{
	l->nomem = true;
	l->stop = true;
}

/* Gives the diagnostics of the current signature their context. */
static void ld_ctx_flush(struct ld *l)
{
	char sfx[64 + KS_SIG_ID_MAX];
	size_t i;

	if (l->in_sig && l->ctx_from < l->set->ndiags) {
		if (l->sig_id != NULL) {
			(void)snprintf(sfx, sizeof(sfx), " in signature \"%s\"", l->sig_id);
		} else {
			(void)snprintf(sfx, sizeof(sfx), " in signature #%zu", l->sig_num);
		}
		for (i = l->ctx_from; i < l->set->ndiags; i++) {
			if (sig_diag_append(l->set, i, sfx) != 0) {
				ld_nomem(l);
				break;
			}
		}
	}
	l->ctx_from = l->set->ndiags;
}

static void ld_add(struct ld *l, struct sig_loc at, const char *msg)
{
	if (sig_add_diag(l->set, l->name, at, msg) != 0) {
		ld_nomem(l);
	}
}

static void ld_vfail(struct ld *l, enum kerr_code code, struct sig_loc at, const char *fmt,
	va_list ap) KS_PRINTF(4, 0);

/* Records a problem; the last slot of KS_SIG_DIAGS_MAX says that the load stopped. */
static void ld_vfail(struct ld *l, enum kerr_code code, struct sig_loc at, const char *fmt,
	va_list ap)
{
	char msg[KS_SIG_DIAG_MAX];

	if (l->stop) {
		return;
	}
	if (l->code == KERR_OK) {
		l->code = code;
	}
	if (l->set->ndiags - l->diag_from + 1 >= KS_SIG_DIAGS_MAX) {
		ld_ctx_flush(l);
		ld_add(l, at, "too many errors, stopping here");
		l->ctx_from = l->set->ndiags;
		l->stop = true;
		return;
	}
	/* truncation is harmless: see KS_SIG_DIAG_MAX */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	ld_add(l, at, msg);
}

static void ld_err(struct ld *l, struct sig_loc at, const char *fmt, ...) KS_PRINTF(3, 4);

static void ld_err(struct ld *l, struct sig_loc at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ld_vfail(l, KERR_INPUT, at, fmt, ap);
	va_end(ap);
}

static void ld_limit(struct ld *l, struct sig_loc at, const char *fmt, ...) KS_PRINTF(3, 4);

static void ld_limit(struct ld *l, struct sig_loc at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ld_vfail(l, KERR_LIMIT, at, fmt, ap);
	va_end(ap);
}

static struct sig_loc ld_offset_loc(const struct ld *l, size_t off)
{
	struct yread_loc at = yread_loc_at(l->data, l->len, off);

	return (struct sig_loc){at.line, at.col};
}

static void ld_syntax(struct ld *l)
{
	const yaml_parser_t *p = &l->parser;
	char prob[128], ctx[128];

	if (p->error == YAML_MEMORY_ERROR) {
		ld_nomem(l);
		return;
	}
	ld_ctx_flush(l);
	yread_lower(prob, sizeof(prob), p->problem != NULL ? p->problem : "unknown error");
	if (p->error == YAML_READER_ERROR) {
		ld_err(l, ld_offset_loc(l, p->problem_offset), "not a valid utf-8 text file: %s",
			prob);
	} else if (p->context != NULL) {
		yread_lower(ctx, sizeof(ctx), p->context);
		ld_err(l, ld_loc(p->problem_mark), "syntax error: %s (%s that starts at %u:%u)",
			prob, ctx, ld_loc(p->context_mark).line, ld_loc(p->context_mark).col);
	} else {
		ld_err(l, ld_loc(p->problem_mark), "syntax error: %s", prob);
	}
	/* a syntax error is about the text, not about the signature it happens to be in */
	l->ctx_from = l->set->ndiags;
	l->stop = true;
}

/* Checks what any node may not have: anchors, tags, aliases, depth, over-long scalars. */
static void ld_check_node(struct ld *l, const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor != NULL) {
		ld_err(l, ld_here(l), "anchors are not allowed in signature packs");
	}
	if (tag != NULL) {
		ld_err(l, ld_here(l), "tags are not allowed in signature packs");
		l->bad_ev = true;
	}
}

static void ld_check_event(struct ld *l)
{
	const yaml_event_t *e = &l->ev;

	if (e->type == YAML_ALIAS_EVENT) {
		ld_err(l, ld_here(l), "aliases are not allowed in signature packs");
		l->bad_ev = true;
	} else if (e->type == YAML_SCALAR_EVENT) {
		ld_check_node(l, e->data.scalar.anchor, e->data.scalar.tag);
		if (e->data.scalar.length > KS_SIG_SCALAR_MAX) {
			ld_err(l, ld_here(l), "value longer than %u bytes", KS_SIG_SCALAR_MAX);
			l->bad_ev = true;
		}
	} else if (e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT) {
		if (e->type == YAML_SEQUENCE_START_EVENT) {
			ld_check_node(l, e->data.sequence_start.anchor, e->data.sequence_start.tag);
		} else {
			ld_check_node(l, e->data.mapping_start.anchor, e->data.mapping_start.tag);
		}
		if (++l->depth > KS_SIG_DEPTH_MAX) {
			ld_err(l, ld_here(l), "nesting deeper than %u levels", KS_SIG_DEPTH_MAX);
			l->stop = true;
		}
	} else if (e->type == YAML_SEQUENCE_END_EVENT || e->type == YAML_MAPPING_END_EVENT) {
		l->depth--;
	}
}

/* Moves to the next event. @return false when loading stops (the reason is recorded). */
static bool ld_next(struct ld *l)
{
	if (l->stop) {
		return false;
	}
	if (l->have_ev) {
		yaml_event_delete(&l->ev);
		l->have_ev = false;
	}
	if (!yaml_parser_parse(&l->parser, &l->ev)) {
		ld_syntax(l);
		return false;
	}
	l->have_ev = true;
	l->bad_ev = false;
	ld_check_event(l);
	return !l->stop;
}

/* Skips the node at the current event; leaves the current event at its last event. */
static void ld_skip(struct ld *l)
{
	unsigned outer;

	if (l->ev.type != YAML_SEQUENCE_START_EVENT && l->ev.type != YAML_MAPPING_START_EVENT) {
		return;
	}
	outer = l->depth - 1;
	while (l->depth > outer) {
		if (!ld_next(l)) {
			return;
		}
	}
}

/* ---- Scalar types, as YAML 1.1 and the 1.2 core schema would resolve a plain scalar: the
 * rules are yread.c's, shared with the configuration file. ---- */

static const char *ld_got(const struct ld *l)
{
	return yread_event_got(&l->ev);
}

/* "for "key"" for a key's value, "in "key"" for an entry of a key's list. */
static const char *ld_prep(bool entry)
{
	return entry ? "in" : "for";
}

/* Reports that the current node is not @what. @key NULL means the pack's top node. */
static void ld_wrong(struct ld *l, const char *what, const char *key, bool entry)
{
	/* a plain yes, 1.0 or 12 was meant as text more often than not */
	bool hint = strcmp(what, "a string") == 0 && l->ev.type == YAML_SCALAR_EVENT &&
		yread_event_type(&l->ev) != YREAD_NULL;

	if (key == NULL) {
		ld_err(l, ld_here(l), "expected %s at the top of the pack, got %s", what,
			ld_got(l));
	} else {
		ld_err(l, ld_here(l), "expected %s %s \"%s\", got %s%s", what, ld_prep(entry), key,
			ld_got(l), hint ? " (quote it)" : "");
	}
}

/* @return true if the current event starts a node of @type; otherwise reports, skips it. */
static bool ld_want(struct ld *l, yaml_event_type_t type, const char *what, const char *key,
	bool entry)
{
	if (l->bad_ev) {
		ld_skip(l);
		return false;
	}
	if (l->ev.type == type) {
		return true;
	}
	ld_wrong(l, what, key, entry);
	ld_skip(l);
	return false;
}

/* Text without control characters; free text (@multi) may have line breaks and tabs. */
static bool ld_text_ok(const char *s, size_t n, bool multi)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (!xstd_utf8_valid(s, n)) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (multi && (u[i] == '\n' || u[i] == '\t')) {
			continue;
		}
		if (u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 && i + 1 < n && u[i + 1] < 0xa0)) {
			return false;
		}
	}
	return true;
}

/*
 * Reads a non-empty string at the current event. *@s points into the event: copy it before
 * the next ld_next(). @return false if it was reported.
 */
static bool ld_str(struct ld *l, const char *key, bool entry, bool multi, const char **s,
	size_t *n)
{
	if (!ld_want(l, YAML_SCALAR_EVENT, "a string", key, entry)) {
		return false;
	}
	if (yread_event_type(&l->ev) != YREAD_STRING) {
		ld_wrong(l, "a string", key, entry);
		return false;
	}
	*s = (const char *)l->ev.data.scalar.value;
	*n = l->ev.data.scalar.length;
	if (*n == 0) {
		ld_err(l, ld_here(l), "empty string %s \"%s\"", ld_prep(entry), key);
		return false;
	}
	if (memchr(*s, '\0', *n) != NULL || !ld_text_ok(*s, *n, multi)) {
		ld_err(l, ld_here(l), "control character in the value %s \"%s\"", ld_prep(entry),
			key);
		return false;
	}
	return true;
}

static bool ld_dup(struct ld *l, const char *s, size_t n, char **out)
{
	*out = strndup(s, n);
	if (*out == NULL) {
		ld_nomem(l);
		return false;
	}
	return true;
}

/* ---- Values: what each key holds. ---- */

/* Index of the "]" closing the bracket expression at @s[i] ("[", then "!" or "^", "]"). */
static size_t ld_bracket_end(const char *s, size_t n, size_t i)
{
	size_t j = i + 1;

	j += j < n && (s[j] == '!' || s[j] == '^');
	j += j < n && s[j] == ']';
	while (j < n && s[j] != ']') {
		j++;
	}
	return j;
}

/* Bracket expressions must close: fnmatch(3) would silently take an open "[" literally. */
static bool ld_glob_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
		} else if (s[i] == '[') {
			i = ld_bracket_end(s, n, i);
			if (i == n) {
				return false;
			}
		}
	}
	return true;
}

/*
 * A glob needs SIG_GLOB_LITERALS_MIN literal characters (outside brackets): "*", "*.*" or
 * "k*" would turn every host into a finding. Exact names are not globs and need nothing.
 * Call after ld_glob_ok().
 */
static bool ld_glob_specific(const char *s, size_t n)
{
	size_t i, literal = 0;

	if (!xstd_has_glob(s)) {
		return true;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '[') {
			i = ld_bracket_end(s, n, i);
		} else if (s[i] != '*' && s[i] != '?') {
			i += s[i] == '\\' && i + 1 < n;
			literal++;
		}
	}
	return literal >= SIG_GLOB_LITERALS_MIN;
}

static bool ld_charset(const char *s, size_t n, const char *extra)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr(alnum, s[i]) == NULL && strchr(extra, s[i]) == NULL) {
			return false;
		}
	}
	return true;
}

static void ld_text(struct ld *l, const char *key, char **out, bool multi)
{
	const char *s;
	size_t n;

	if (ld_str(l, key, false, multi, &s, &n)) {
		(void)ld_dup(l, s, n, out);
	}
}

static void ld_schema(struct ld *l)
{
	char q[SIG_QUOTE_BUF];
	const char *v;

	if (!ld_want(l, YAML_SCALAR_EVENT, "an integer", "schema", false)) {
		return;
	}
	if (yread_event_type(&l->ev) != YREAD_INT) {
		ld_wrong(l, "an integer", "schema", false);
		return;
	}
	v = (const char *)l->ev.data.scalar.value;
	if (strcmp(v, "1") != 0) {
		ld_err(l, ld_here(l), "unsupported schema %s: this kscan reads schema 1",
			sig_quote(q, v, strlen(v)));
	}
}

static void ld_id(struct ld *l, struct sig *g)
{
	const struct sset_slot *first;
	char q[SIG_QUOTE_BUF];
	struct sig_loc at = ld_here(l);
	const char *s;
	size_t n;
	int r;

	if (!ld_str(l, "id", false, false, &s, &n)) {
		return;
	}
	if (n > KS_SIG_ID_MAX) {
		ld_err(l, at, "id %s is longer than %u bytes", sig_quote(q, s, n), KS_SIG_ID_MAX);
		return;
	}
	if (!ld_charset(s, n, "._-") || strpbrk(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL ||
	    !ld_charset(s, 1, "")) {
		ld_err(l, at, "invalid id %s (a-z, 0-9, \".\", \"_\" and \"-\" only, starting "
			"with a letter or digit)", sig_quote(q, s, n));
		return;
	}
	if (!ld_dup(l, s, n, &g->id)) {
		return;
	}
	r = sset_add(&l->ids, g->id, at, 0, &first);
	if (r < 0) {
		ld_nomem(l);
	} else if (r == 0) {
		ld_err(l, at, "duplicate id %s (first at %u:%u)", sig_quote(q, s, n),
			first->loc.line, first->loc.col);
	} else {
		l->sig_id = g->id;
	}
}

static bool ld_check_ref(struct ld *l, const char *key, const char *s, size_t n,
	struct sig_loc at)
{
	char q[SIG_QUOTE_BUF];
	size_t skip = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;

	if (skip == 0 || n == skip || s[skip] == '/' || strpbrk(s, " \"<>\\^`{|}") != NULL) {
		ld_err(l, at, "%s in \"%s\" is not an http(s) url", sig_quote(q, s, n), key);
		return false;
	}
	return true;
}

/* processes, services, kernel_modules: names as the kernel and systemd spell them. */
static bool ld_check_plain(struct ld *l, const char *key, const char *s, size_t n,
	struct sig_loc at)
{
	const char *extra = strcmp(key, "processes") == 0 ? "._+-@:" :
		strcmp(key, "services") == 0 ? "._-@:\\" : "_-";
	char q[SIG_QUOTE_BUF];

	if (n > NAME_MAX || !ld_charset(s, n, extra)) {
		ld_err(l, at, "invalid name %s in \"%s\" (letters, digits and %s only, no globs)",
			sig_quote(q, s, n), key, extra);
		return false;
	}
	return true;
}

/* accounts: user and group names as useradd and groupadd take them (and a little more). */
static bool ld_check_account(struct ld *l, const char *key, const char *s, size_t n,
	struct sig_loc at)
{
	char q[SIG_QUOTE_BUF];

	if (n > NAME_MAX || s[0] == '-' || !ld_charset(s, n, "._-")) {
		ld_err(l, at, "invalid name %s in \"%s\" (letters, digits and ._- only, not "
			"starting with -, no globs)", sig_quote(q, s, n), key);
		return false;
	}
	return true;
}

static bool ld_check_package(struct ld *l, const char *s, size_t n, struct sig_loc at)
{
	char q[SIG_QUOTE_BUF];

	if (!ld_charset(s, n, "._+-*?[]!^")) {
		ld_err(l, at, "invalid package name %s (letters, digits, \"._+-\" and glob "
			"characters only)", sig_quote(q, s, n));
	} else if (!ld_glob_ok(s, n)) {
		ld_err(l, at, "unterminated \"[\" in package name %s", sig_quote(q, s, n));
	} else if (!ld_glob_specific(s, n)) {
		ld_err(l, at, "package name %s is too broad (a glob needs %u literal characters)",
			sig_quote(q, s, n), SIG_GLOB_LITERALS_MIN);
	} else {
		return true;
	}
	return false;
}

/* One path component: @c[0..n), of @s (the whole path, for messages). */
static bool ld_check_component(struct ld *l, const char *s, const char *c, size_t n,
	struct sig_loc at)
{
	char q[SIG_QUOTE_BUF];

	if (n == 0) {
		ld_err(l, at, "path %s has an empty component", sig_quote(q, s, strlen(s)));
	} else if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
		ld_err(l, at, "path %s has a \".\" or \"..\" component",
			sig_quote(q, s, strlen(s)));
	} else if (n > NAME_MAX) {
		ld_err(l, at, "path %s has a component longer than %u bytes",
			sig_quote(q, s, strlen(s)), (unsigned)NAME_MAX);
	} else if (!ld_glob_ok(c, n)) {
		ld_err(l, at, "unterminated \"[\" in path %s", sig_quote(q, s, strlen(s)));
	} else {
		return true;
	}
	return false;
}

static bool ld_check_path(struct ld *l, const char *s, size_t n, struct sig_loc at)
{
	char q[SIG_QUOTE_BUF];
	size_t count = 0;
	const char *c, *end;

	if (s[0] != '/' || n == 1) {
		ld_err(l, at, "path %s is not an absolute path below \"/\"", sig_quote(q, s, n));
		return false;
	}
	if (s[n - 1] == '/') {
		ld_err(l, at, "path %s ends with \"/\"", sig_quote(q, s, n));
		return false;
	}
	for (c = s + 1; c <= s + n; c = end + 1) {
		end = memchr(c, '/', (size_t)(s + n - c));
		end = end == NULL ? s + n : end;
		if (!ld_check_component(l, s, c, (size_t)(end - c), at)) {
			return false;
		}
		if (++count > KS_PATH_COMPONENTS_MAX) {
			ld_err(l, at, "path %s has more than %u components", sig_quote(q, s, n),
				KS_PATH_COMPONENTS_MAX);
			return false;
		}
	}
	return true;
}

/* A file name: one component, a glob if @glob (files) or a plain name (hashes). */
static bool ld_check_basename(struct ld *l, const char *s, size_t n, bool glob,
	struct sig_loc at)
{
	char q[SIG_QUOTE_BUF];

	if (memchr(s, '/', n) != NULL) {
		ld_err(l, at, "file name %s has a \"/\" (give a name, not a path)",
			sig_quote(q, s, n));
	} else if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || n > NAME_MAX) {
		ld_err(l, at, "%s is not a file name", sig_quote(q, s, n));
	} else if (glob && !ld_glob_ok(s, n)) {
		ld_err(l, at, "unterminated \"[\" in file name %s", sig_quote(q, s, n));
	} else if (glob && !ld_glob_specific(s, n)) {
		ld_err(l, at, "file name %s is too broad (a glob needs %u literal characters)",
			sig_quote(q, s, n), SIG_GLOB_LITERALS_MIN);
	} else {
		return true;
	}
	return false;
}

static void ld_role(struct ld *l, enum sig_role *out)
{
	char q[SIG_QUOTE_BUF];
	const char *s;
	size_t n;

	if (!ld_str(l, "role", false, false, &s, &n)) {
		return;
	}
	if (strcmp(s, "install") == 0) {
		*out = SIG_ROLE_INSTALL;
	} else if (strcmp(s, "remnant") == 0) {
		*out = SIG_ROLE_REMNANT;
	} else if (strcmp(s, "installer") == 0) {
		*out = SIG_ROLE_INSTALLER;
	} else {
		ld_err(l, ld_here(l), "unknown role %s (use install, remnant or installer)",
			sig_quote(q, s, n));
	}
}

static void ld_confidence(struct ld *l, enum sig_confidence *out)
{
	char q[SIG_QUOTE_BUF];
	const char *s;
	size_t n;

	if (!ld_str(l, "confidence", false, false, &s, &n)) {
		return;
	}
	if (strcmp(s, "low") == 0) {
		*out = SIG_CONF_LOW;
	} else if (strcmp(s, "medium") == 0) {
		*out = SIG_CONF_MEDIUM;
	} else if (strcmp(s, "high") == 0) {
		*out = SIG_CONF_HIGH;
	} else {
		ld_err(l, ld_here(l), "unknown confidence %s (use low, medium or high)",
			sig_quote(q, s, n));
	}
}

/* A boolean: only true or false, since YAML 1.1 and 1.2 disagree on yes, on and the rest. */
static void ld_bool(struct ld *l, const char *key, bool *out)
{
	char q[SIG_QUOTE_BUF];
	const char *s;

	if (!ld_want(l, YAML_SCALAR_EVENT, "true or false", key, false)) {
		return;
	}
	s = (const char *)l->ev.data.scalar.value;
	if (l->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strcmp(s, "true") == 0) {
		*out = true;
	} else if (l->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		   strcmp(s, "false") == 0) {
		*out = false;
	} else if (l->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		   yread_event_type(&l->ev) == YREAD_BOOL) {
		ld_err(l, ld_here(l), "write true or false for \"%s\", not %s", key,
			sig_quote(q, s, strlen(s)));
	} else {
		ld_wrong(l, "true or false", key, false);
	}
}

/* date, expires: "YYYY-MM-DD", a day that exists. */
static void ld_date(struct ld *l, const char *key, char out[11], int64_t *days)
{
	char q[SIG_QUOTE_BUF];
	const char *s;
	size_t n;

	if (!ld_str(l, key, false, false, &s, &n)) {
		return;
	}
	if (n != 10 || sig_parse_date(s, days) != 0) {
		ld_err(l, ld_here(l), "%s %s is not a date YYYY-MM-DD (a real day, 1970 to "
			"9999)", key, sig_quote(q, s, n));
		return;
	}
	memcpy(out, s, 11);
}

static void ld_package_name(struct ld *l, struct sig_package *p)
{
	const char *s;
	size_t n;

	p->loc = ld_here(l);
	if (ld_str(l, "name", false, false, &s, &n) && ld_check_package(l, s, n, p->loc) &&
	    ld_dup(l, s, n, &p->name)) {
		p->glob = xstd_has_glob(p->name);
	}
}

static void ld_path(struct ld *l, struct sig_path *p)
{
	const char *s;
	size_t n;

	p->loc = ld_here(l);
	if (ld_str(l, "path", false, false, &s, &n) && ld_check_path(l, s, n, p->loc) &&
	    ld_dup(l, s, n, &p->path)) {
		p->glob = xstd_has_glob(p->path);
	}
}

static void ld_file_name(struct ld *l, struct sig_file *f)
{
	const char *s;
	size_t n;

	f->loc = ld_here(l);
	if (ld_str(l, "name", false, false, &s, &n) && ld_check_basename(l, s, n, true, f->loc) &&
	    ld_dup(l, s, n, &f->name)) {
		f->glob = xstd_has_glob(f->name);
	}
}

static void ld_hash_name(struct ld *l, struct sig_hash *h)
{
	const char *s;
	size_t n;

	if (ld_str(l, "name", false, false, &s, &n) &&
	    ld_check_basename(l, s, n, false, ld_here(l))) {
		(void)ld_dup(l, s, n, &h->name);
	}
}

static void ld_sha256(struct ld *l, struct sig_hash *h)
{
	char q[SIG_QUOTE_BUF], hex[65];
	const char *s;
	size_t n, i;

	h->loc = ld_here(l);
	if (!ld_str(l, "sha256", false, false, &s, &n)) {
		return;
	}
	for (i = 0; i < n && i < 64; i++) {
		hex[i] = s[i] >= 'A' && s[i] <= 'F' ? (char)(s[i] - 'A' + 'a') : s[i];
	}
	hex[i] = '\0';
	if (n != 64 || strspn(hex, "0123456789abcdef") != 64 ||
	    xstd_unhex(hex, h->sha256, sizeof(h->sha256)) != 0) {
		ld_err(l, h->loc, "sha256 %s is not 64 hexadecimal digits", sig_quote(q, s, n));
		return;
	}
	memcpy(h->hex, hex, sizeof(h->hex));
}

/* size: a plain decimal integer; signs, floats, hex, octal and leading zeros are refused. */
static void ld_size(struct ld *l, struct sig_hash *h)
{
	char q[SIG_QUOTE_BUF];
	const char *s;

	if (!ld_want(l, YAML_SCALAR_EVENT, "a non-negative integer", "size", false)) {
		return;
	}
	if (yread_event_type(&l->ev) != YREAD_INT) {
		ld_wrong(l, "a non-negative integer", "size", false);
		return;
	}
	s = (const char *)l->ev.data.scalar.value;
	if (strspn(s, "0123456789") != strlen(s) || (s[0] == '0' && s[1] != '\0')) {
		ld_err(l, ld_here(l), "size %s is not a plain decimal number of bytes",
			sig_quote(q, s, strlen(s)));
	} else if (xstd_strtou64(s, (uint64_t)INT64_MAX, &h->size) != 0) {
		ld_err(l, ld_here(l), "size %s is larger than any file can be",
			sig_quote(q, s, strlen(s)));
	} else {
		h->has_size = true;
	}
}

/* ---- Mappings: a table of keys per kind of mapping. ---- */

enum ld_kind {
	LD_K_SCHEMA = 0,
	LD_K_LINE,
	LD_K_TEXT,
	LD_K_SIGS,
	LD_K_ID,
	LD_K_REFS,
	LD_K_PACKAGES,
	LD_K_PATHS,
	LD_K_FILES,
	LD_K_HASHES,
	LD_K_NAMES,
	LD_K_PKGNAME,
	LD_K_PATH,
	LD_K_FILENAME,
	LD_K_ROLE,
	LD_K_SHA256,
	LD_K_SIZE,
	LD_K_HASHNAME,
	LD_K_KMODS,
	LD_K_KMODNAME,
	LD_K_PORTS,
	LD_K_PORT,
	LD_K_PROTO,
	LD_K_UNINSTALL,
	LD_K_UPATH,
	LD_K_ARGS,
	LD_K_CONF,
	LD_K_BOOL,
	LD_K_DATE,
	LD_K_EXPIRES,
	LD_K_ENAME,
};

struct ld_field {
	const char *key;
	enum ld_kind kind;
	/* where the value goes in the object being read */
	size_t off;
	bool required;
};

static void ld_value(struct ld *l, const struct ld_field *f, void *obj);

/* Reads one key; @return its index in @f, or @nf if the value is to be skipped. */
static size_t ld_key(struct ld *l, const struct ld_field *f, size_t nf, uint32_t *seen,
	const char *what)
{
	char q[SIG_QUOTE_BUF];
	const char *k;
	size_t i;

	if (l->ev.type != YAML_SCALAR_EVENT || l->bad_ev) {
		if (!l->bad_ev) {
			ld_err(l, ld_here(l), "keys must be strings%s, got %s", what, ld_got(l));
		}
		ld_skip(l);
		return nf;
	}
	k = (const char *)l->ev.data.scalar.value;
	/* compare lengths too: a quoted key can hold a NUL ("schema\0x") */
	for (i = 0; i < nf; i++) {
		if (l->ev.data.scalar.length == strlen(f[i].key) && strcmp(k, f[i].key) == 0) {
			break;
		}
	}
	if (i == nf) {
		ld_err(l, ld_here(l), "unknown key %s%s",
			sig_quote(q, k, l->ev.data.scalar.length), what);
	} else if ((*seen & (1u << i)) != 0) {
		ld_err(l, ld_here(l), "duplicate key \"%s\"%s", f[i].key, what);
		i = nf;
	} else {
		*seen |= 1u << i;
	}
	return i;
}

/*
 * Reads the mapping at the current event (a MAPPING-START) into @obj. @what places it in
 * messages: "" in a signature (the signature context is added later), " in ..." otherwise.
 */
static void ld_map(struct ld *l, const struct ld_field *f, size_t nf, void *obj,
	const char *what)
{
	struct sig_loc start = ld_here(l);
	uint32_t seen = 0;
	size_t i;

	for (;;) {
		if (!ld_next(l)) {
			return;
		}
		if (l->ev.type == YAML_MAPPING_END_EVENT) {
			break;
		}
		i = ld_key(l, f, nf, &seen, what);
		if (!ld_next(l)) {
			return;
		}
		if (i == nf) {
			ld_skip(l);
		} else {
			ld_value(l, &f[i], obj);
		}
	}
	for (i = 0; i < nf; i++) {
		if (f[i].required && (seen & (1u << i)) == 0) {
			ld_err(l, start, "missing key \"%s\"%s", f[i].key, what);
		}
	}
}

typedef void ld_entry_fn(struct ld *l, struct ld_list *li);

/* Reads the sequence at the current event, one entry at a time. @return its entries. */
static size_t ld_seq(struct ld *l, struct ld_list *li, ld_entry_fn *fn)
{
	size_t n = 0;

	if (!ld_want(l, YAML_SEQUENCE_START_EVENT, "a sequence", li->key, false)) {
		return 0;
	}
	for (;;) {
		if (!ld_next(l) || l->ev.type == YAML_SEQUENCE_END_EVENT) {
			return n;
		}
		if (n == KS_SIG_LIST_MAX) {
			ld_err(l, ld_here(l), "more than %u entries in \"%s\"", KS_SIG_LIST_MAX,
				li->key);
		}
		li->index = n++;
		if (n > KS_SIG_LIST_MAX) {
			ld_skip(l);
		} else {
			fn(l, li);
		}
	}
}

/* Records @key in the list's duplicate check. @return true if it is new. */
static bool ld_unique(struct ld *l, struct ld_list *li, const char *key, struct sig_loc at)
{
	const struct sset_slot *first;
	char q[SIG_QUOTE_BUF];
	int r = sset_add(&li->seen, key, at, 0, &first);

	if (r < 0) {
		ld_nomem(l);
		return false;
	}
	if (r == 0) {
		ld_err(l, at, "duplicate entry %s in \"%s\" (first at %u:%u)",
			sig_quote(q, key, strlen(key)), li->key, first->loc.line, first->loc.col);
		return false;
	}
	return true;
}

static bool ld_entry(struct ld *l, struct ld_list *li, const struct ld_field *f, size_t nf,
	void *item);

/* A processes, services or accounts entry written as a mapping, while it is read. */
struct ld_named {
	const struct ld_list *li;
	char *name;
	enum sig_confidence conf;
	struct sig_loc loc;
};

static const struct ld_field ld_named_fields[] = {
	{"name", LD_K_ENAME, 0, true},
	{"confidence", LD_K_CONF, offsetof(struct ld_named, conf), false},
};

static void ld_named_name(struct ld *l, struct ld_named *e)
{
	const char *s;
	size_t n;

	e->loc = ld_here(l);
	if (ld_str(l, "name", false, false, &s, &n) &&
	    e->li->check(l, e->li->key, s, n, e->loc)) {
		(void)ld_dup(l, s, n, &e->name);
	}
}

/* Appends @copy (taken) with confidence @conf to the list's names. */
static void ld_name_keep(struct ld *l, struct ld_list *li, char *copy, enum sig_confidence conf)
{
	struct sig_names *names = li->names;
	enum sig_confidence *c;
	char **v;

	v = sig_grow(names->v, names->n, sizeof(*v));
	if (v == NULL) {
		goto free_copy;
	}
	names->v = v;
	if (li->with_conf) {
		c = sig_grow(names->conf, names->n, sizeof(*c));
		if (c == NULL) {
			goto free_copy;
		}
		names->conf = c;
		names->conf[names->n] = conf;
	}
	names->v[names->n++] = copy;
	return;

free_copy:
	free(copy);
	ld_nomem(l);
}

static void ld_name_entry(struct ld *l, struct ld_list *li)
{
	struct ld_named e;
	const char *s;
	size_t n;

	memset(&e, 0, sizeof(e));
	e.li = li;
	e.loc = ld_here(l);
	if (li->with_conf && l->ev.type == YAML_MAPPING_START_EVENT && !l->bad_ev) {
		if (!ld_entry(l, li, ld_named_fields, XSTD_COUNTOF(ld_named_fields), &e) ||
		    e.name == NULL) {
			goto free_name;
		}
	} else if (!ld_str(l, li->key, true, false, &s, &n) ||
		   !li->check(l, li->key, s, n, e.loc) || !ld_dup(l, s, n, &e.name)) {
		return;
	}
	if (!ld_unique(l, li, e.name, e.loc)) {
		goto free_name;
	}
	ld_name_keep(l, li, e.name, e.conf);
	return;

free_name:
	free(e.name);
}

static void ld_names(struct ld *l, const char *key, struct sig_names *out)
{
	struct ld_list li;

	memset(&li, 0, sizeof(li));
	li.key = key;
	li.names = out;
	li.check = strcmp(key, "references") == 0 ? ld_check_ref :
		strcmp(key, "accounts") == 0 ? ld_check_account : ld_check_plain;
	li.with_conf = strcmp(key, "references") != 0;
	(void)ld_seq(l, &li, ld_name_entry);
	sset_free(&li.seen);
}

static const struct ld_field ld_package_fields[] = {
	{"name", LD_K_PKGNAME, 0, true},
	{"confidence", LD_K_CONF, offsetof(struct sig_package, confidence), false},
};

static const struct ld_field ld_path_fields[] = {
	{"path", LD_K_PATH, 0, true},
	{"role", LD_K_ROLE, offsetof(struct sig_path, role), true},
	{"confidence", LD_K_CONF, offsetof(struct sig_path, confidence), false},
};

static const struct ld_field ld_file_fields[] = {
	{"name", LD_K_FILENAME, 0, true},
	{"role", LD_K_ROLE, offsetof(struct sig_file, role), true},
	{"confidence", LD_K_CONF, offsetof(struct sig_file, confidence), false},
};

/* size is checked with the whole signature: it may go only when `files` names the file */
static const struct ld_field ld_hash_fields[] = {
	{"sha256", LD_K_SHA256, 0, true},
	{"size", LD_K_SIZE, 0, false},
	{"name", LD_K_HASHNAME, 0, false},
	{"role", LD_K_ROLE, offsetof(struct sig_hash, role), true},
	{"confidence", LD_K_CONF, offsetof(struct sig_hash, confidence), false},
};

/*
 * Reads one entry of packages/paths/files/hashes (a mapping described by @f) into @item.
 * @return true if it has the key the list is keyed on (*@key is set).
 */
static bool ld_entry(struct ld *l, struct ld_list *li, const struct ld_field *f, size_t nf,
	void *item)
{
	char what[64];

	if (!ld_want(l, YAML_MAPPING_START_EVENT, "a mapping", li->key, true)) {
		return false;
	}
	(void)snprintf(what, sizeof(what), " in a \"%s\" entry", li->key);
	ld_map(l, f, nf, item, what);
	return !l->stop;
}

static void ld_package_entry(struct ld *l, struct ld_list *li)
{
	struct sig *g = li->sig;
	struct sig_package p, *v;

	memset(&p, 0, sizeof(p));
	if (!ld_entry(l, li, ld_package_fields, XSTD_COUNTOF(ld_package_fields), &p) ||
	    p.name == NULL || !ld_unique(l, li, p.name, p.loc)) {
		goto free_name;
	}
	v = sig_grow(g->packages, g->npackages, sizeof(*v));
	if (v == NULL) {
		ld_nomem(l);
		goto free_name;
	}
	g->packages = v;
	g->packages[g->npackages++] = p;
	return;

free_name:
	free(p.name);
}

static void ld_path_entry(struct ld *l, struct ld_list *li)
{
	struct sig *g = li->sig;
	struct sig_path p, *v;

	memset(&p, 0, sizeof(p));
	if (!ld_entry(l, li, ld_path_fields, XSTD_COUNTOF(ld_path_fields), &p) ||
	    p.path == NULL || !ld_unique(l, li, p.path, p.loc)) {
		goto free_path;
	}
	v = sig_grow(g->paths, g->npaths, sizeof(*v));
	if (v == NULL) {
		ld_nomem(l);
		goto free_path;
	}
	g->paths = v;
	g->paths[g->npaths++] = p;
	return;

free_path:
	free(p.path);
}

static void ld_file_entry(struct ld *l, struct ld_list *li)
{
	struct sig *g = li->sig;
	struct sig_file f, *v;

	memset(&f, 0, sizeof(f));
	if (!ld_entry(l, li, ld_file_fields, XSTD_COUNTOF(ld_file_fields), &f) ||
	    f.name == NULL || !ld_unique(l, li, f.name, f.loc)) {
		goto free_name;
	}
	v = sig_grow(g->files, g->nfiles, sizeof(*v));
	if (v == NULL) {
		ld_nomem(l);
		goto free_name;
	}
	g->files = v;
	g->files[g->nfiles++] = f;
	return;

free_name:
	free(f.name);
}

static void ld_hash_entry(struct ld *l, struct ld_list *li)
{
	struct sig *g = li->sig;
	struct sig_hash h, *v;

	memset(&h, 0, sizeof(h));
	if (!ld_entry(l, li, ld_hash_fields, XSTD_COUNTOF(ld_hash_fields), &h) ||
	    h.hex[0] == '\0' || !ld_unique(l, li, h.hex, h.loc)) {
		goto free_name;
	}
	v = sig_grow(g->hashes, g->nhashes, sizeof(*v));
	if (v == NULL) {
		ld_nomem(l);
		goto free_name;
	}
	g->hashes = v;
	g->hashes[g->nhashes++] = h;
	return;

free_name:
	free(h.name);
}

static void ld_entries(struct ld *l, const char *key, struct sig *g, ld_entry_fn *fn)
{
	struct ld_list li;

	memset(&li, 0, sizeof(li));
	li.key = key;
	li.sig = g;
	(void)ld_seq(l, &li, fn);
	sset_free(&li.seen);
}

/* ---- kernel_modules, ports and uninstall: the entries added for the host probes. ---- */

/* A kernel_modules entry while it is read: a plain name, or {name, role}. */
struct ld_kmod {
	char *name;
	enum sig_role role;
	enum sig_confidence conf;
	struct sig_loc loc;
};

static const struct ld_field ld_kmod_fields[] = {
	{"name", LD_K_KMODNAME, 0, true},
	{"role", LD_K_ROLE, offsetof(struct ld_kmod, role), true},
	{"confidence", LD_K_CONF, offsetof(struct ld_kmod, conf), false},
};

static void ld_kmod_name(struct ld *l, struct ld_kmod *k)
{
	const char *s;
	size_t n;

	k->loc = ld_here(l);
	if (ld_str(l, "name", false, false, &s, &n) &&
	    ld_check_plain(l, "kernel_modules", s, n, k->loc)) {
		(void)ld_dup(l, s, n, &k->name);
	}
}

/* Keeps @k (its name is taken) in the signature: names and roles grow together. */
static void ld_kmod_keep(struct ld *l, struct ld_list *li, struct ld_kmod *k)
{
	struct sig *g = li->sig;
	enum sig_confidence *c;
	enum sig_role *r;
	char **v;

	if (!ld_unique(l, li, k->name, k->loc)) {
		return;
	}
	v = sig_grow(g->kernel_modules.v, g->kernel_modules.n, sizeof(*v));
	if (v == NULL) {
		ld_nomem(l);
		return;
	}
	g->kernel_modules.v = v;
	r = sig_grow(g->kernel_module_roles, g->kernel_modules.n, sizeof(*r));
	if (r == NULL) {
		ld_nomem(l);
		return;
	}
	g->kernel_module_roles = r;
	c = sig_grow(g->kernel_modules.conf, g->kernel_modules.n, sizeof(*c));
	if (c == NULL) {
		ld_nomem(l);
		return;
	}
	g->kernel_modules.conf = c;
	g->kernel_modules.conf[g->kernel_modules.n] = k->conf;
	g->kernel_module_roles[g->kernel_modules.n] = k->role;
	g->kernel_modules.v[g->kernel_modules.n++] = k->name;
	k->name = NULL;
}

static void ld_kmod_entry(struct ld *l, struct ld_list *li)
{
	struct ld_kmod k;
	const char *s;
	size_t n;

	memset(&k, 0, sizeof(k));
	k.loc = ld_here(l);
	k.role = SIG_ROLE_INSTALL;
	if (l->ev.type == YAML_MAPPING_START_EVENT && !l->bad_ev) {
		if (!ld_entry(l, li, ld_kmod_fields, XSTD_COUNTOF(ld_kmod_fields), &k) ||
		    k.name == NULL) {
			goto free_name;
		}
		if (k.role == SIG_ROLE_INSTALLER) {
			ld_err(l, k.loc, "a module file is an install or a remnant, not an "
				"installer, in \"kernel_modules\"");
			goto free_name;
		}
	} else if (!ld_str(l, li->key, true, false, &s, &n) ||
		   !ld_check_plain(l, li->key, s, n, k.loc) || !ld_dup(l, s, n, &k.name)) {
		return;
	}
	ld_kmod_keep(l, li, &k);

free_name:
	free(k.name);
}

static const struct ld_field ld_port_fields[] = {
	{"port", LD_K_PORT, 0, true},
	{"proto", LD_K_PROTO, offsetof(struct sig_port, proto), true},
};

/* port: a plain decimal integer from 1 to 65535, like size. */
static void ld_port(struct ld *l, struct sig_port *p)
{
	char q[SIG_QUOTE_BUF];
	const char *s;
	uint64_t v;

	p->loc = ld_here(l);
	if (!ld_want(l, YAML_SCALAR_EVENT, "an integer", "port", false)) {
		return;
	}
	if (yread_event_type(&l->ev) != YREAD_INT) {
		ld_wrong(l, "an integer", "port", false);
		return;
	}
	s = (const char *)l->ev.data.scalar.value;
	if (strspn(s, "0123456789") != strlen(s) || s[0] == '0' ||
	    xstd_strtou64(s, UINT16_MAX, &v) != 0) {
		ld_err(l, p->loc, "port %s is not a number from 1 to 65535",
			sig_quote(q, s, strlen(s)));
		return;
	}
	p->port = (uint16_t)v;
}

static void ld_proto(struct ld *l, enum sig_proto *out)
{
	char q[SIG_QUOTE_BUF];
	const char *s;
	size_t n;

	if (!ld_str(l, "proto", false, false, &s, &n)) {
		return;
	}
	if (strcmp(s, "tcp") == 0) {
		*out = SIG_PROTO_TCP;
	} else if (strcmp(s, "udp") == 0) {
		*out = SIG_PROTO_UDP;
	} else {
		ld_err(l, ld_here(l), "unknown proto %s (use tcp or udp)", sig_quote(q, s, n));
	}
}

static void ld_port_entry(struct ld *l, struct ld_list *li)
{
	struct sig *g = li->sig;
	struct sig_port p, *v;
	char key[16];

	memset(&p, 0, sizeof(p));
	if (!ld_entry(l, li, ld_port_fields, XSTD_COUNTOF(ld_port_fields), &p) || p.port == 0) {
		return;
	}
	(void)snprintf(key, sizeof(key), "%s/%u", sig_proto_name(p.proto), (unsigned)p.port);
	if (!ld_unique(l, li, key, p.loc)) {
		return;
	}
	v = sig_grow(g->ports, g->nports, sizeof(*v));
	if (v == NULL) {
		ld_nomem(l);
		return;
	}
	g->ports = v;
	g->ports[g->nports++] = p;
}

static const struct ld_field ld_uninstall_fields[] = {
	{"path", LD_K_UPATH, 0, true},
	{"args", LD_K_ARGS, offsetof(struct sig_uninstall, args), false},
};

/* The uninstaller is run as named: a glob could pick any file, so it must be one path. */
static void ld_uninstall_path(struct ld *l, struct sig_uninstall *u)
{
	char q[SIG_QUOTE_BUF];
	const char *s;
	size_t n;

	u->loc = ld_here(l);
	if (!ld_str(l, "path", false, false, &s, &n) || !ld_check_path(l, s, n, u->loc)) {
		return;
	}
	if (strpbrk(s, "*?[") != NULL) {
		ld_err(l, u->loc, "uninstall path %s is a glob (name the one file to run)",
			sig_quote(q, s, n));
		return;
	}
	(void)ld_dup(l, s, n, &u->path);
}

/* One argument: any one-line text; arguments may repeat ("-v -v"). */
static void ld_arg_entry(struct ld *l, struct ld_list *li)
{
	struct sig_names *args = li->names;
	const char *s;
	char *copy, **v;
	size_t n;

	if (!ld_str(l, li->key, true, false, &s, &n) || !ld_dup(l, s, n, &copy)) {
		return;
	}
	v = sig_grow(args->v, args->n, sizeof(*v));
	if (v == NULL) {
		free(copy);
		ld_nomem(l);
		return;
	}
	args->v = v;
	args->v[args->n++] = copy;
}

static void ld_args(struct ld *l, struct sig_names *out)
{
	struct ld_list li;

	memset(&li, 0, sizeof(li));
	li.key = "args";
	li.names = out;
	(void)ld_seq(l, &li, ld_arg_entry);
}

static void ld_uninstall_entry(struct ld *l, struct ld_list *li)
{
	struct sig *g = li->sig;
	struct sig_uninstall u, *v;

	memset(&u, 0, sizeof(u));
	if (!ld_entry(l, li, ld_uninstall_fields, XSTD_COUNTOF(ld_uninstall_fields), &u) ||
	    u.path == NULL || !ld_unique(l, li, u.path, u.loc)) {
		goto free_entry;
	}
	v = sig_grow(g->uninstall, g->nuninstall, sizeof(*v));
	if (v == NULL) {
		ld_nomem(l);
		goto free_entry;
	}
	g->uninstall = v;
	g->uninstall[g->nuninstall++] = u;
	return;

free_entry:
	free(u.path);
	sig_names_free(&u.args);
}

static const struct ld_field ld_sig_fields[] = {
	{"id", LD_K_ID, 0, true},
	{"vendor", LD_K_LINE, offsetof(struct sig, vendor), true},
	{"product", LD_K_LINE, offsetof(struct sig, product), true},
	{"description", LD_K_TEXT, offsetof(struct sig, description), false},
	{"remove", LD_K_TEXT, offsetof(struct sig, remove), false},
	{"references", LD_K_REFS, offsetof(struct sig, references), false},
	{"packages", LD_K_PACKAGES, 0, false},
	{"paths", LD_K_PATHS, 0, false},
	{"files", LD_K_FILES, 0, false},
	{"hashes", LD_K_HASHES, 0, false},
	{"processes", LD_K_NAMES, offsetof(struct sig, processes), false},
	{"services", LD_K_NAMES, offsetof(struct sig, services), false},
	{"kernel_modules", LD_K_KMODS, 0, false},
	{"accounts", LD_K_NAMES, offsetof(struct sig, accounts), false},
	{"ports", LD_K_PORTS, 0, false},
	{"uninstall", LD_K_UNINSTALL, 0, false},
	{"confidence", LD_K_CONF, offsetof(struct sig, confidence), false},
	{"fallback", LD_K_BOOL, offsetof(struct sig, fallback), false},
};

/* A size-less hash is checked only against files `files` matched: without one it never is. */
static void ld_sig_hash_sizes(struct ld *l, const struct sig *g)
{
	size_t i;

	for (i = 0; i < g->nhashes && g->nfiles == 0; i++) {
		if (!g->hashes[i].has_size) {
			ld_err(l, g->hashes[i].loc, "hashes[%zu]: size is required unless the "
				"signature names the file by a `files` glob: without a size the "
				"sweep would have to hash every file", i);
		}
	}
}

static void ld_conf_default(enum sig_confidence *c, enum sig_confidence def)
{
	if (*c == SIG_CONF_UNSET) {
		*c = def;
	}
}

static void ld_names_conf(struct sig_names *names, enum sig_confidence def)
{
	size_t i;

	for (i = 0; names->conf != NULL && i < names->n; i++) {
		ld_conf_default(&names->conf[i], def);
	}
}

/* Entries without their own confidence take the signature's, which defaults to high. */
static void ld_sig_confidence(struct sig *g)
{
	size_t i;

	ld_conf_default(&g->confidence, SIG_CONF_HIGH);
	for (i = 0; i < g->npackages; i++) {
		ld_conf_default(&g->packages[i].confidence, g->confidence);
	}
	for (i = 0; i < g->npaths; i++) {
		ld_conf_default(&g->paths[i].confidence, g->confidence);
	}
	for (i = 0; i < g->nfiles; i++) {
		ld_conf_default(&g->files[i].confidence, g->confidence);
	}
	for (i = 0; i < g->nhashes; i++) {
		ld_conf_default(&g->hashes[i].confidence, g->confidence);
	}
	ld_names_conf(&g->processes, g->confidence);
	ld_names_conf(&g->services, g->confidence);
	ld_names_conf(&g->kernel_modules, g->confidence);
	ld_names_conf(&g->accounts, g->confidence);
}

static void ld_sig_matches(struct ld *l, const struct sig *g, size_t num)
{
	char label[32 + KS_SIG_ID_MAX];

	if (l->sig_id != NULL) {
		(void)snprintf(label, sizeof(label), "\"%s\"", l->sig_id);
	} else {
		(void)snprintf(label, sizeof(label), "#%zu", num);
	}
	/* a port is only counted with a process of the product that listens on it */
	if (g->nports > 0 && g->processes.n + g->npaths == 0) {
		ld_err(l, g->ports[0].loc, "signature %s has \"ports\" but no \"processes\" or "
			"\"paths\" (a port alone proves nothing)", label);
	}
	if (g->npackages + g->npaths + g->nfiles + g->nhashes + g->processes.n + g->services.n +
	    g->kernel_modules.n + g->accounts.n != 0) {
		return;
	}
	ld_err(l, g->loc, "signature %s matches nothing (it has no packages, paths, files, "
		"hashes, processes, services, kernel_modules or accounts)", label);
}

/* Keeps @g with the pack's signatures (freed with them if the pack turns out bad). */
static void ld_sig_keep(struct ld *l, struct sig *g)
{
	struct sig *v = sig_grow(l->sigs, l->nsigs, sizeof(*v));

	if (v == NULL) {
		sig_free_fields(g);
		ld_nomem(l);
		return;
	}
	l->sigs = v;
	l->sigs[l->nsigs++] = *g;
}

static void ld_sig_entry(struct ld *l, struct ld_list *li)
{
	struct sig g;

	if (l->set->nsigs + l->nsigs >= KS_SIG_SIGNATURES_MAX) {
		ld_limit(l, ld_here(l), "more than %u signatures", KS_SIG_SIGNATURES_MAX);
		l->stop = true;
		return;
	}
	if (!ld_want(l, YAML_MAPPING_START_EVENT, "a mapping", li->key, true)) {
		return;
	}
	memset(&g, 0, sizeof(g));
	g.loc = ld_here(l);
	l->in_sig = true;
	l->sig_num = li->index + 1;
	l->sig_id = NULL;
	l->ctx_from = l->set->ndiags;
	ld_map(l, ld_sig_fields, XSTD_COUNTOF(ld_sig_fields), &g, "");
	ld_sig_hash_sizes(l, &g);
	ld_ctx_flush(l);
	l->in_sig = false;
	if (!l->stop) {
		ld_sig_matches(l, &g, li->index + 1);
	}
	ld_sig_confidence(&g);
	ld_sig_keep(l, &g);
}

static void ld_sigs(struct ld *l)
{
	struct sig_loc at = ld_here(l);
	struct ld_list li;

	memset(&li, 0, sizeof(li));
	li.key = "signatures";
	if (ld_seq(l, &li, ld_sig_entry) == 0 && l->ev.type == YAML_SEQUENCE_END_EVENT) {
		ld_err(l, at, "\"signatures\" is empty");
	}
}

static void ld_value(struct ld *l, const struct ld_field *f, void *obj)
{
	void *p = (char *)obj + f->off;

	switch (f->kind) {
	case LD_K_SCHEMA:
		ld_schema(l);
		break;
	case LD_K_LINE:
	case LD_K_TEXT:
		ld_text(l, f->key, p, f->kind == LD_K_TEXT);
		break;
	case LD_K_SIGS:
		ld_sigs(l);
		break;
	case LD_K_ID:
		ld_id(l, obj);
		break;
	case LD_K_REFS:
	case LD_K_NAMES:
		ld_names(l, f->key, p);
		break;
	case LD_K_PACKAGES:
		ld_entries(l, f->key, obj, ld_package_entry);
		break;
	case LD_K_PATHS:
		ld_entries(l, f->key, obj, ld_path_entry);
		break;
	case LD_K_FILES:
		ld_entries(l, f->key, obj, ld_file_entry);
		break;
	case LD_K_HASHES:
		ld_entries(l, f->key, obj, ld_hash_entry);
		break;
	case LD_K_PKGNAME:
		ld_package_name(l, obj);
		break;
	case LD_K_PATH:
		ld_path(l, obj);
		break;
	case LD_K_FILENAME:
		ld_file_name(l, obj);
		break;
	case LD_K_ROLE:
		ld_role(l, p);
		break;
	case LD_K_SHA256:
		ld_sha256(l, obj);
		break;
	case LD_K_SIZE:
		ld_size(l, obj);
		break;
	case LD_K_HASHNAME:
		ld_hash_name(l, obj);
		break;
	case LD_K_KMODS:
		ld_entries(l, f->key, obj, ld_kmod_entry);
		break;
	case LD_K_KMODNAME:
		ld_kmod_name(l, obj);
		break;
	case LD_K_PORTS:
		ld_entries(l, f->key, obj, ld_port_entry);
		break;
	case LD_K_PORT:
		ld_port(l, obj);
		break;
	case LD_K_PROTO:
		ld_proto(l, p);
		break;
	case LD_K_UNINSTALL:
		ld_entries(l, f->key, obj, ld_uninstall_entry);
		break;
	case LD_K_UPATH:
		ld_uninstall_path(l, obj);
		break;
	case LD_K_ARGS:
		ld_args(l, p);
		break;
	case LD_K_CONF:
		ld_confidence(l, p);
		break;
	case LD_K_BOOL:
		ld_bool(l, f->key, p);
		break;
	case LD_K_DATE:
		ld_date(l, f->key, l->date, &l->date_days);
		break;
	case LD_K_EXPIRES:
		ld_date(l, f->key, l->expires, &l->expires_days);
		break;
	case LD_K_ENAME:
		ld_named_name(l, obj);
		break;
	default:
		ld_skip(l);
		break;
	}
}

static const struct ld_field ld_top_fields[] = {
	{"schema", LD_K_SCHEMA, 0, true},
	{"version", LD_K_LINE, offsetof(struct ld, version), false},
	{"description", LD_K_TEXT, offsetof(struct ld, description), false},
	{"date", LD_K_DATE, 0, false},
	{"expires", LD_K_EXPIRES, 0, false},
	{"signatures", LD_K_SIGS, 0, true},
};

/* The whole stream: exactly one document whose root is the pack's mapping. */
static void ld_stream(struct ld *l)
{
	const struct sig_loc origin = {1, 1};

	if (!ld_next(l) || !ld_next(l)) {
		return;
	}
	if (l->ev.type == YAML_STREAM_END_EVENT) {
		ld_err(l, origin, "the pack is empty");
		return;
	}
	if (!ld_next(l)) {
		return;
	}
	if (ld_want(l, YAML_MAPPING_START_EVENT, "a mapping", NULL, false)) {
		ld_map(l, ld_top_fields, XSTD_COUNTOF(ld_top_fields), l, " at the top of the pack");
	}
	if (!ld_next(l) || !ld_next(l)) {
		return;
	}
	if (l->ev.type != YAML_STREAM_END_EVENT) {
		ld_err(l, ld_here(l), "a signature pack is one YAML document; found another here");
	}
}

static int ld_init(struct ld *l, struct sig_set *s, const char *name, const char *data,
	size_t len)
{
	memset(l, 0, sizeof(*l));
	if (!yaml_parser_initialize(&l->parser)) {
		return -1;
	}
	/*
	 * Packs are UTF-8, so the encoding is set rather than guessed. libyaml then no longer
	 * consumes a byte order mark itself and would take it for indentation: drop it here.
	 */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	yaml_parser_set_input_string(&l->parser, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&l->parser, YAML_UTF8_ENCODING);
	l->data = data;
	l->len = len;
	l->name = name;
	l->set = s;
	l->diag_from = s->ndiags;
	l->ctx_from = s->ndiags;
	return 0;
}

static void ld_free(struct ld *l)
{
	size_t i;

	if (l->have_ev) {
		yaml_event_delete(&l->ev);
	}
	yaml_parser_delete(&l->parser);
	for (i = 0; i < l->nsigs; i++) {
		sig_free_fields(&l->sigs[i]);
	}
	free(l->sigs);
	sset_free(&l->ids);
	free(l->version);
	free(l->description);
}

/* ---- Adding a valid pack to the set, all or nothing. ---- */

static int sig_sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const EVP_MD *type = EVP_sha256();

	if (type == NULL || EVP_Digest(data, len, md, &mdlen, type, NULL) != 1 || mdlen != 32) {
		return -1;
	}
	xstd_hex(md, 32, out);
	return 0;
}

/* Moves the pack's signatures into the set. Copies first, so a failure changes nothing. */
static int ld_commit(struct ld *l, bool builtin, const char *hex)
{
	struct sig_set *s = l->set;
	struct sig_pack pack, *packs;
	struct sig *sigs;
	size_t i, old = s->nsigs;

	memset(&pack, 0, sizeof(pack));
	pack.name = strdup(l->name);
	pack.version = strdup(l->version != NULL ? l->version : "");
	packs = sig_grow(s->packs, s->npacks, sizeof(*packs));
	if (packs != NULL) {
		s->packs = packs;
	}
	for (i = 0; i < l->nsigs && packs != NULL && pack.name != NULL && pack.version != NULL;
	     i++) {
		sigs = sig_grow(s->sigs, s->nsigs, sizeof(*sigs));
		if (sigs == NULL) {
			break;
		}
		s->sigs = sigs;
		s->sigs[s->nsigs] = l->sigs[i];
		s->sigs[s->nsigs++].pack = s->npacks;
	}
	if (i < l->nsigs || packs == NULL || pack.name == NULL || pack.version == NULL) {
		s->nsigs = old;
		free(pack.name);
		free(pack.version);
		return -1;
	}
	memcpy(pack.sha256, hex, sizeof(pack.sha256));
	memcpy(pack.date, l->date, sizeof(pack.date));
	memcpy(pack.expires, l->expires, sizeof(pack.expires));
	pack.date_days = l->date_days;
	pack.expires_days = l->expires_days;
	pack.builtin = builtin;
	pack.nsignatures = l->nsigs;
	s->packs[s->npacks++] = pack;
	l->nsigs = 0;
	return 0;
}

static int ld_result(struct ld *l, bool builtin, const char *hex, struct kerr *err)
{
	struct sig_set *s = l->set;

	if (!l->nomem && l->code == KERR_OK && ld_commit(l, builtin, hex) == 0) {
		return 0;
	}
	s->failed = true;
	if (l->nomem || l->code == KERR_OK) {
		return kerr_set(err, KERR_NOMEM, "%s: out of memory while loading the pack",
			l->name);
	}
	if (s->ndiags > l->diag_from) {
		return kerr_set(err, l->code, "%s", s->diags[l->diag_from]);
	}
	return kerr_set(err, l->code, "%s: invalid signature pack", l->name);
}

/* A pack over KS_SIG_FILE_MAX, found before parsing (memory) or while reading (files). */
static int sig_too_big(struct sig_set *s, const char *name, struct kerr *err)
{
	const struct sig_loc origin = {1, 1};
	char msg[64];

	s->failed = true;
	(void)snprintf(msg, sizeof(msg), "the pack is larger than %u bytes", KS_SIG_FILE_MAX);
	if (sig_add_diag(s, name, origin, msg) != 0) {
		return kerr_set(err, KERR_NOMEM, "%s: out of memory", name);
	}
	return kerr_set(err, KERR_LIMIT, "%s:1:1: %s", name, msg);
}

int sig_set_load_mem(struct sig_set *s, const char *name, const char *data, size_t len,
	bool builtin, struct kerr *err)
{
	char hex[65];
	struct ld l;
	int rc;

	if (s->finished) {
		return kerr_set(err, KERR_INTERNAL, "%s: the signature set is already finished",
			name);
	}
	if (s->npacks >= KS_SIG_PACKS_MAX) {
		s->failed = true;
		return kerr_set(err, KERR_LIMIT, "%s: more than %u signature packs", name,
			KS_SIG_PACKS_MAX);
	}
	if (len > KS_SIG_FILE_MAX) {
		return sig_too_big(s, name, err);
	}
	if (sig_sha256_hex(data, len, hex) != 0) {
		s->failed = true;
		return kerr_set(err, KERR_INTERNAL, "%s: cannot compute the pack's sha256", name);
	}
	if (ld_init(&l, s, name, data, len) != 0) {
		s->failed = true;
		return kerr_set(err, KERR_NOMEM, "%s: out of memory", name);
	}
	ld_stream(&l);
	rc = ld_result(&l, builtin, hex, err);
	ld_free(&l);
	return rc;
}

/* ---- Files and directories. ---- */

/* Reads the pack open on @fd (closed here) and loads it under @name. */
void sig_set_gate(struct sig_set *s, const struct sig_gate *g)
{
	s->gate = *g;
}

/* Runs the set's gate, if any, on a pack read from a file. */
static int sig_run_gate(struct sig_set *s, const char *name, int fd, const struct buf *b,
	bool *verified, struct kerr *err)
{
	struct stat st;

	*verified = false;
	if (s->gate.check == NULL) {
		return 0;
	}
	if (fstat(fd, &st) != 0) {
		return kerr_sys(err, KERR_IO, errno, "%s: cannot stat", name);
	}
	return s->gate.check(s->gate.ctx, name, &st, buf_str(b), buf_len(b), verified, err);
}

static int sig_load_fd(struct sig_set *s, const char *name, int fd, struct kerr *err)
{
	bool verified;
	struct buf b;
	int rc;

	buf_init(&b, KS_SIG_FILE_MAX);
	if (xstd_read_fd(fd, KS_SIG_FILE_MAX, &b) != 0) {
		if (errno == E2BIG) {
			rc = sig_too_big(s, name, err);
		} else {
			s->failed = true;
			rc = kerr_sys(err, KERR_IO, errno, "%s: cannot read", name);
		}
		goto free_buf;
	}
	if (sig_run_gate(s, name, fd, &b, &verified, err) != 0) {
		s->failed = true;
		rc = sig_diag_from(s, err);
		goto free_buf;
	}
	rc = sig_set_load_mem(s, name, buf_str(&b), buf_len(&b), false, err);
	if (rc == 0 && s->npacks > 0) {
		s->packs[s->npacks - 1].verified = verified;
	}

free_buf:
	buf_free(&b);
	xstd_close_quietly(fd);
	return rc;
}

/* Packs in a directory: *.yaml and *.yml; dot files (editor locks, backups) are not. */
static bool sig_is_pack_name(const char *n)
{
	size_t len = strlen(n);

	if (n[0] == '.') {
		return false;
	}
	return (len > 5 && strcmp(n + len - 5, ".yaml") == 0) ||
		(len > 4 && strcmp(n + len - 4, ".yml") == 0);
}

static int sig_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct sig_names_list {
	char **v;
	size_t n;
};

static void sig_names_list_free(struct sig_names_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i]);
	}
	free(l->v);
}

/* Collects the pack names of @d, sorted. */
static int sig_list_dir(DIR *d, const char *path, struct sig_names_list *out, struct kerr *err)
{
	struct dirent *de;
	size_t seen = 0;
	char **v;

	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (++seen > KS_SIG_DIR_ENTRIES_MAX) {
			return kerr_set(err, KERR_LIMIT, "%s: more than %u directory entries", path,
				KS_SIG_DIR_ENTRIES_MAX);
		}
		if (!sig_is_pack_name(de->d_name)) {
			continue;
		}
		if (out->n == KS_SIG_PACKS_MAX) {
			return kerr_set(err, KERR_LIMIT, "%s: more than %u signature packs", path,
				KS_SIG_PACKS_MAX);
		}
		v = sig_grow(out->v, out->n, sizeof(*v));
		if (v == NULL || (v[out->n] = strdup(de->d_name)) == NULL) {
			out->v = v != NULL ? v : out->v;
			return kerr_set(err, KERR_NOMEM, "%s: out of memory", path);
		}
		out->v = v;
		out->n++;
	}
	if (errno != 0) {
		return kerr_sys(err, KERR_IO, errno, "%s: cannot read the directory", path);
	}
	if (out->n == 0) {
		return kerr_set(err, KERR_INPUT, "%s: no *.yaml or *.yml signature packs here",
			path);
	}
	xstd_qsort(out->v, out->n, sizeof(*out->v), sig_cmp_names);
	return 0;
}

/* Loads @dir/@entry: a regular file, never a symlink, FIFO or device. */
static int sig_load_entry(struct sig_set *s, const char *dir, int dfd, const char *entry,
	struct kerr *err)
{
	struct stat st;
	struct buf name;
	int fd, rc = -1;

	buf_init(&name, (size_t)PATH_MAX * 2);
	/* the buffer's error is sticky: the last append reports any failure */
	(void)buf_adds(&name, dir);
	if (buf_len(&name) > 0 && buf_str(&name)[buf_len(&name) - 1] != '/') {
		(void)buf_addc(&name, '/');
	}
	if (buf_adds(&name, entry) != 0) {
		rc = kerr_sys(err, KERR_IO, errno, "%s/%s: cannot build the path", dir, entry);
		goto free_name;
	}
	fd = openat(dfd, entry, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP) {
		rc = kerr_set(err, KERR_INPUT, "%s: is a symbolic link; packs in a directory must "
			"be regular files", buf_str(&name));
	} else if (fd < 0) {
		rc = kerr_sys(err, KERR_IO, errno, "%s: cannot open", buf_str(&name));
	} else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = kerr_set(err, KERR_INPUT, "%s: not a regular file", buf_str(&name));
		xstd_close_quietly(fd);
	} else {
		rc = sig_load_fd(s, buf_str(&name), fd, err);
	}

free_name:
	buf_free(&name);
	return rc;
}

/*
 * Loads every pack of the directory open on @fd (closed here), in name order. A bad pack
 * does not stop the others from being checked, so lint shows every problem at once; the
 * first error is the one returned.
 */
static int sig_load_dir(struct sig_set *s, const char *path, int fd, struct kerr *err)
{
	struct sig_names_list names = {NULL, 0};
	struct kerr e;
	DIR *d = fdopendir(fd);
	size_t i;
	int rc = 0;

	if (d == NULL) {
		xstd_close_quietly(fd);
		s->failed = true;
		return kerr_sys(err, KERR_IO, errno, "%s: cannot read the directory", path);
	}
	if (sig_list_dir(d, path, &names, err) != 0) {
		s->failed = true;
		rc = -1;
		goto free_names;
	}
	for (i = 0; i < names.n; i++) {
		kerr_clear(&e);
		if (sig_load_entry(s, path, dirfd(d), names.v[i], &e) != 0) {
			s->failed = true;
			if (rc == 0 && err != NULL) {
				*err = e;
			}
			rc = -1;
		}
	}

free_names:
	sig_names_list_free(&names);
	(void)closedir(d);
	return rc;
}

int sig_set_load_path(struct sig_set *s, const char *path, struct kerr *err)
{
	struct stat st;
	int fd;

	/* the path itself was named by the user: follow it if it is a link */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		s->failed = true;
		return kerr_sys(err, KERR_IO, errno, "%s: cannot open", path);
	}
	if (fstat(fd, &st) != 0) {
		s->failed = true;
		kerr_sys(err, KERR_IO, errno, "%s: cannot stat", path);
		xstd_close_quietly(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		bool unused;

		/* whoever can write the directory can swap its packs: the gate sees it too */
		if (s->gate.check != NULL &&
		    s->gate.check(s->gate.ctx, path, &st, NULL, 0, &unused, err) != 0) {
			s->failed = true;
			xstd_close_quietly(fd);
			return sig_diag_from(s, err);
		}
		return sig_load_dir(s, path, fd, err);
	}
	if (!S_ISREG(st.st_mode)) {
		s->failed = true;
		xstd_close_quietly(fd);
		return kerr_set(err, KERR_INPUT, "%s: not a regular file or a directory", path);
	}
	return sig_load_fd(s, path, fd, err);
}

int sig_set_load_builtin(struct sig_set *s, struct kerr *err)
{
	char name[NAME_MAX + 16];
	size_t i;
	int n;

	for (i = 0; i < sig_builtin_npacks; i++) {
		const struct sig_builtin *b = &sig_builtin_packs[i];

		n = snprintf(name, sizeof(name), "builtin:%s", b->name);
		if (n < 0 || (size_t)n >= sizeof(name)) {
			s->failed = true;
			return kerr_set(err, KERR_INTERNAL, "built-in pack name too long: %s",
				b->name);
		}
		if (sig_set_load_mem(s, name, b->data, b->len, true, err) != 0) {
			return -1;
		}
	}
	return 0;
}

/* ---- The whole set. ---- */

/* Ids must be unique over all packs: matches and reports name signatures by id. */
static int sig_check_ids(struct sig_set *s, size_t *first_diag)
{
	const struct sset_slot *first;
	struct sset ids = {NULL, 0, 0};
	char msg[KS_SIG_DIAG_MAX];
	size_t i, bad = 0;
	int r = 0;

	*first_diag = s->ndiags;
	for (i = 0; i < s->nsigs && bad < KS_SIG_DIAGS_MAX; i++) {
		const struct sig *g = &s->sigs[i];

		r = sset_add(&ids, g->id, g->loc, g->pack, &first);
		if (r < 0) {
			break;
		}
		if (r == 0) {
			bad++;
			(void)snprintf(msg, sizeof(msg), "duplicate id \"%s\" (also in %s:%u:%u)",
				g->id, s->packs[first->tag].name, first->loc.line, first->loc.col);
			if (sig_add_diag(s, s->packs[g->pack].name, g->loc, msg) != 0) {
				r = -1;
				break;
			}
		}
	}
	sset_free(&ids);
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
