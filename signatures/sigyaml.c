#include "signatures/sigyaml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/strset.h"
#include "base/vec.h"
#include "base/xstd.h"
#include "signatures/sigcheck.h"

/* One pack being read: the reader, what the pack adds, and which signature is being read. */
struct ld {
	struct yread *y;
	/* signatures loaded before this pack, for KS_SIG_SIGNATURES_MAX */
	size_t have;
	struct sigyaml_pack *pack;
	/* ids of this pack, for duplicates */
	struct strset ids;
	/* the signature being read, for messages: its id once valid */
	const char *sig_id;
};

struct ld_list;

typedef void ld_entry_fn(struct ld *l, struct ld_list *li);

/* A sequence being read and where its entries go. */
struct ld_list {
	struct ld *l;
	ld_entry_fn *fn;
	const char *key;
	/* 0-based position of the current entry */
	size_t index;
	struct sig *sig;
	struct sig_names *names;
	bool (*check)(const char *key, const char *s, size_t n, char msg[SIGCHECK_MSG_MAX]);
	/* names may be written {name, confidence} and keep a confidence each */
	bool with_conf;
	struct strset seen;
};

static const struct yread_limits ld_limits = {
	KS_SIG_SCALAR_MAX, KS_SIG_DEPTH_MAX, KS_SIG_DIAGS_MAX, "signature packs",
	"a signature pack", "the pack",
};

static void ld_value(void *ctx, const struct yread_field *f, void *obj);

static struct sig_loc ld_here(const struct ld *l)
{
	struct yread_loc at = yread_here(l->y);

	return (struct sig_loc){at.line, at.col};
}

static void ld_err(struct ld *l, struct sig_loc at, const char *fmt, ...) KS_PRINTF(3, 4);

/* yread_err() at a position kept in the model (struct sig_loc). */
static void ld_err(struct ld *l, struct sig_loc at, const char *fmt, ...)
{
	char msg[KS_SIG_DIAG_MAX];
	va_list ap;

	va_start(ap, fmt);
	/* truncation is harmless: see KS_SIG_DIAG_MAX */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	yread_err(l->y, (struct yread_loc){at.line, at.col}, "%s", msg);
}

/* Reports @msg at @at unless @ok (a sigcheck_*() verdict). @return @ok. */
static bool ld_check(struct ld *l, bool ok, struct sig_loc at, const char *msg)
{
	if (!ok) {
		ld_err(l, at, "%s", msg);
	}
	return ok;
}

static void ld_list_entry(void *ctx, size_t index)
{
	struct ld_list *li = ctx;

	li->index = index;
	li->fn(li->l, li);
}

/*
 * Appends the @size bytes at @item to the array @v of *@n elements.
 * @return the (maybe moved) array, or NULL on ENOMEM (reported) with @v untouched.
 */
static void *ld_append(struct ld *l, void *v, size_t *n, const void *item, size_t size)
{
	char *p = v;

	if (vec_reserve_implied(&p, *n, size, SIZE_MAX) != 0) {
		yread_nomem(l->y);
		return NULL;
	}
	memcpy(p + *n * size, item, size);
	(*n)++;
	return p;
}

/* Reads the sequence at the current event, one entry at a time. @return its entries. */
static size_t ld_seq(struct ld *l, struct ld_list *li, ld_entry_fn *fn)
{
	li->l = l;
	li->fn = fn;
	return yread_seq(l->y, li->key, "a sequence", KS_SIG_LIST_MAX, ld_list_entry, li);
}

/* ---- Values: what each key holds. ---- */

static bool ld_dup(struct ld *l, const char *s, size_t n, char **out)
{
	*out = strndup(s, n);
	if (*out == NULL) {
		yread_nomem(l->y);
		return false;
	}
	return true;
}

static void ld_text(struct ld *l, const char *key, char **out, bool multi)
{
	const char *s;
	size_t n;

	if (yread_str(l->y, key, multi ? YREAD_MULTILINE : 0, &s, &n)) {
		(void)ld_dup(l, s, n, out);
	}
}

static void ld_schema(struct ld *l)
{
	char q[YREAD_QUOTE_BUF];
	const char *v = yread_scalar(l->y, "schema", "an integer", YREAD_TYPES(YREAD_INT));

	if (v != NULL && strcmp(v, "1") != 0) {
		ld_err(l, ld_here(l), "unsupported schema %s: this kscan reads schema 1",
			yread_quote(q, v, strlen(v)));
	}
}

static void ld_id(struct ld *l, struct sig *g)
{
	const struct strset_slot *first;
	char q[YREAD_QUOTE_BUF], msg[SIGCHECK_MSG_MAX];
	struct sig_loc at = ld_here(l);
	const char *s;
	size_t n;
	int r;

	if (!yread_str(l->y, "id", 0, &s, &n) || !ld_check(l, sigcheck_id(s, n, msg), at, msg) ||
	    !ld_dup(l, s, n, &g->id)) {
		return;
	}
	r = strset_add(&l->ids, g->id, at.line, at.col, 0, &first);
	if (r < 0) {
		yread_nomem(l->y);
	} else if (r == 0) {
		ld_err(l, at, "duplicate id %s (first at %u:%u)", yread_quote(q, s, n),
			first->line, first->col);
	} else {
		l->sig_id = g->id;
	}
}

/*
 * Reads a string that must be one of @words (NULL-terminated); @use lists them for the
 * message. @return its index, or -1 (reported).
 */
static int ld_word(struct ld *l, const char *key, const char *const *words, const char *use)
{
	char q[YREAD_QUOTE_BUF];
	const char *s;
	size_t n;
	int i;

	if (!yread_str(l->y, key, 0, &s, &n)) {
		return -1;
	}
	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(s, words[i]) == 0) {
			return i;
		}
	}
	ld_err(l, ld_here(l), "unknown %s %s (use %s)", key, yread_quote(q, s, n), use);
	return -1;
}

static void ld_role(struct ld *l, enum sig_role *out)
{
	static const char *const words[] = {"install", "remnant", "installer", NULL};
	static const enum sig_role roles[] = {SIG_ROLE_INSTALL, SIG_ROLE_REMNANT,
		SIG_ROLE_INSTALLER};
	int i = ld_word(l, "role", words, "install, remnant or installer");

	if (i >= 0) {
		*out = roles[i];
	}
}

static void ld_confidence(struct ld *l, enum sig_confidence *out)
{
	static const char *const words[] = {"low", "medium", "high", NULL};
	static const enum sig_confidence levels[] = {SIG_CONF_LOW, SIG_CONF_MEDIUM, SIG_CONF_HIGH};
	int i = ld_word(l, "confidence", words, "low, medium or high");

	if (i >= 0) {
		*out = levels[i];
	}
}


/* date, expires: "YYYY-MM-DD", a day that exists. */
static void ld_date(struct ld *l, const char *key, char out[11], int64_t *days)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;
	size_t n;

	if (yread_str(l->y, key, 0, &s, &n) &&
	    ld_check(l, sigcheck_date(key, s, n, days, msg), ld_here(l), msg)) {
		memcpy(out, s, 11);
	}
}

static void ld_package_name(struct ld *l, struct sig_package *p)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;
	size_t n;

	p->loc = ld_here(l);
	if (yread_str(l->y, "name", 0, &s, &n) &&
	    ld_check(l, sigcheck_package(s, n, msg), p->loc, msg) && ld_dup(l, s, n, &p->name)) {
		p->glob = xstd_has_glob(p->name);
	}
}

static void ld_path(struct ld *l, struct sig_path *p)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;
	size_t n;

	p->loc = ld_here(l);
	if (yread_str(l->y, "path", 0, &s, &n) &&
	    ld_check(l, sigcheck_path(s, n, msg), p->loc, msg) && ld_dup(l, s, n, &p->path)) {
		p->glob = xstd_has_glob(p->path);
	}
}

static void ld_file_name(struct ld *l, struct sig_file *f)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;
	size_t n;

	f->loc = ld_here(l);
	if (yread_str(l->y, "name", 0, &s, &n) &&
	    ld_check(l, sigcheck_basename(s, n, true, msg), f->loc, msg) &&
	    ld_dup(l, s, n, &f->name)) {
		f->glob = xstd_has_glob(f->name);
	}
}

static void ld_hash_name(struct ld *l, struct sig_hash *h)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;
	size_t n;

	if (yread_str(l->y, "name", 0, &s, &n) &&
	    ld_check(l, sigcheck_basename(s, n, false, msg), ld_here(l), msg)) {
		(void)ld_dup(l, s, n, &h->name);
	}
}

static void ld_sha256(struct ld *l, struct sig_hash *h)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;
	size_t n;

	h->loc = ld_here(l);
	if (yread_str(l->y, "sha256", 0, &s, &n)) {
		(void)ld_check(l, sigcheck_sha256(s, n, h->sha256, h->hex, msg), h->loc, msg);
	}
}

static void ld_size(struct ld *l, struct sig_hash *h)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s = yread_scalar(l->y, "size", "a non-negative integer",
		YREAD_TYPES(YREAD_INT));

	if (s != NULL && ld_check(l, sigcheck_size(s, &h->size, msg), ld_here(l), msg)) {
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
	LD_K_COMPLIANCE,
	LD_K_URL,
};

/* Records @key in the list's duplicate check. @return true if it is new. */
static bool ld_unique(struct ld *l, struct ld_list *li, const char *key, struct sig_loc at)
{
	const struct strset_slot *first;
	char q[YREAD_QUOTE_BUF];
	int r = strset_add(&li->seen, key, at.line, at.col, 0, &first);

	if (r < 0) {
		yread_nomem(l->y);
		return false;
	}
	if (r == 0) {
		ld_err(l, at, "duplicate entry %s in \"%s\" (first at %u:%u)",
			yread_quote(q, key, strlen(key)), li->key, first->line, first->col);
		return false;
	}
	return true;
}

static bool ld_entry(struct ld *l, struct ld_list *li, const struct yread_field *f, size_t nf,
	void *item);

/* A processes, services or accounts entry written as a mapping, while it is read. */
struct ld_named {
	const struct ld_list *li;
	char *name;
	enum sig_confidence conf;
	struct sig_loc loc;
};

static const struct yread_field ld_named_fields[] = {
	{"name", LD_K_ENAME, 0, true, 0, 0},
	{"confidence", LD_K_CONF, offsetof(struct ld_named, conf), false, 0, 0},
};

static void ld_named_name(struct ld *l, struct ld_named *e)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;
	size_t n;

	e->loc = ld_here(l);
	if (yread_str(l->y, "name", 0, &s, &n) &&
	    ld_check(l, e->li->check(e->li->key, s, n, msg), e->loc, msg)) {
		(void)ld_dup(l, s, n, &e->name);
	}
}

/* Appends @copy (taken) with confidence @conf to the list's names. */
static void ld_name_keep(struct ld *l, struct ld_list *li, char *copy, enum sig_confidence conf)
{
	struct sig_names *names = li->names;

	if (vec_reserve_implied(&names->v, names->n, sizeof(*names->v), SIZE_MAX) != 0) {
		goto free_copy;
	}
	if (li->with_conf) {
		if (vec_reserve_implied(&names->conf, names->n, sizeof(*names->conf),
			    SIZE_MAX) != 0) {
			goto free_copy;
		}
		names->conf[names->n] = conf;
	}
	names->v[names->n++] = copy;
	return;

free_copy:
	free(copy);
	yread_nomem(l->y);
}

static void ld_name_entry(struct ld *l, struct ld_list *li)
{
	char msg[SIGCHECK_MSG_MAX];
	struct ld_named e;
	const char *s;
	size_t n;

	memset(&e, 0, sizeof(e));
	e.li = li;
	e.loc = ld_here(l);
	if (li->with_conf && yread_event(l->y)->type == YAML_MAPPING_START_EVENT &&
	    !yread_bad(l->y)) {
		if (!ld_entry(l, li, ld_named_fields, XSTD_COUNTOF(ld_named_fields), &e) ||
		    e.name == NULL) {
			goto free_name;
		}
	} else if (!yread_str(l->y, li->key, YREAD_ENTRY, &s, &n) ||
		   !ld_check(l, li->check(li->key, s, n, msg), e.loc, msg) ||
		   !ld_dup(l, s, n, &e.name)) {
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
	li.check = strcmp(key, "references") == 0 ? sigcheck_ref :
		strcmp(key, "accounts") == 0 || strcmp(key, "components") == 0 ||
		strcmp(key, "shared_by") == 0 ?
		sigcheck_account : sigcheck_plain;
	li.with_conf = strcmp(key, "references") != 0;
	(void)ld_seq(l, &li, ld_name_entry);
	strset_free(&li.seen);
}

static const struct yread_field ld_package_fields[] = {
	{"name", LD_K_PKGNAME, 0, true, 0, 0},
	{"confidence", LD_K_CONF, offsetof(struct sig_package, confidence), false, 0, 0},
};

static const struct yread_field ld_path_fields[] = {
	{"path", LD_K_PATH, 0, true, 0, 0},
	{"role", LD_K_ROLE, offsetof(struct sig_path, role), true, 0, 0},
	{"confidence", LD_K_CONF, offsetof(struct sig_path, confidence), false, 0, 0},
};

static const struct yread_field ld_file_fields[] = {
	{"name", LD_K_FILENAME, 0, true, 0, 0},
	{"role", LD_K_ROLE, offsetof(struct sig_file, role), true, 0, 0},
	{"confidence", LD_K_CONF, offsetof(struct sig_file, confidence), false, 0, 0},
};

/* size is checked with the whole signature: it may go only when `files` names the file */
static const struct yread_field ld_hash_fields[] = {
	{"sha256", LD_K_SHA256, 0, true, 0, 0},
	{"size", LD_K_SIZE, 0, false, 0, 0},
	{"name", LD_K_HASHNAME, 0, false, 0, 0},
	{"role", LD_K_ROLE, offsetof(struct sig_hash, role), true, 0, 0},
	{"confidence", LD_K_CONF, offsetof(struct sig_hash, confidence), false, 0, 0},
};

/*
 * Reads one entry of packages/paths/files/hashes (a mapping described by @f) into @item.
 * @return true if it has the key the list is keyed on (*@key is set).
 */
static bool ld_entry(struct ld *l, struct ld_list *li, const struct yread_field *f, size_t nf,
	void *item)
{
	char what[64];

	if (!yread_want(l->y, YAML_MAPPING_START_EVENT, "a mapping", li->key, true)) {
		return false;
	}
	(void)snprintf(what, sizeof(what), " in a \"%s\" entry", li->key);
	yread_map(l->y, f, nf, what, ld_value, l, item);
	return !yread_stopped(l->y);
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
	v = ld_append(l, g->packages, &g->npackages, &p, sizeof(p));
	if (v == NULL) {
		goto free_name;
	}
	g->packages = v;
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
	v = ld_append(l, g->paths, &g->npaths, &p, sizeof(p));
	if (v == NULL) {
		goto free_path;
	}
	g->paths = v;
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
	v = ld_append(l, g->files, &g->nfiles, &f, sizeof(f));
	if (v == NULL) {
		goto free_name;
	}
	g->files = v;
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
	v = ld_append(l, g->hashes, &g->nhashes, &h, sizeof(h));
	if (v == NULL) {
		goto free_name;
	}
	g->hashes = v;
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
	strset_free(&li.seen);
}

/* ---- kernel_modules, ports and uninstall: the entries added for the host probes. ---- */

/* A kernel_modules entry while it is read: a plain name, or {name, role}. */
struct ld_kmod {
	char *name;
	enum sig_role role;
	enum sig_confidence conf;
	struct sig_loc loc;
};

static const struct yread_field ld_kmod_fields[] = {
	{"name", LD_K_KMODNAME, 0, true, 0, 0},
	{"role", LD_K_ROLE, offsetof(struct ld_kmod, role), true, 0, 0},
	{"confidence", LD_K_CONF, offsetof(struct ld_kmod, conf), false, 0, 0},
};

static void ld_kmod_name(struct ld *l, struct ld_kmod *k)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;
	size_t n;

	k->loc = ld_here(l);
	if (yread_str(l->y, "name", 0, &s, &n) &&
	    ld_check(l, sigcheck_plain("kernel_modules", s, n, msg), k->loc, msg)) {
		(void)ld_dup(l, s, n, &k->name);
	}
}

/* Keeps @k (its name is taken) in the signature: names and roles grow together. */
static void ld_kmod_keep(struct ld *l, struct ld_list *li, struct ld_kmod *k)
{
	struct sig *g = li->sig;
	size_t n;

	if (!ld_unique(l, li, k->name, k->loc)) {
		return;
	}
	n = g->kernel_modules.n;
	if (vec_reserve_implied(&g->kernel_modules.v, n, sizeof(char *), SIZE_MAX) != 0 ||
	    vec_reserve_implied(&g->kernel_module_roles, n, sizeof(*g->kernel_module_roles),
		    SIZE_MAX) != 0 ||
	    vec_reserve_implied(&g->kernel_modules.conf, n, sizeof(*g->kernel_modules.conf),
		    SIZE_MAX) != 0) {
		yread_nomem(l->y);
		return;
	}
	g->kernel_modules.conf[g->kernel_modules.n] = k->conf;
	g->kernel_module_roles[g->kernel_modules.n] = k->role;
	g->kernel_modules.v[g->kernel_modules.n++] = k->name;
	k->name = NULL;
}

static void ld_kmod_entry(struct ld *l, struct ld_list *li)
{
	char msg[SIGCHECK_MSG_MAX];
	struct ld_kmod k;
	const char *s;
	size_t n;

	memset(&k, 0, sizeof(k));
	k.loc = ld_here(l);
	k.role = SIG_ROLE_INSTALL;
	if (yread_event(l->y)->type == YAML_MAPPING_START_EVENT && !yread_bad(l->y)) {
		if (!ld_entry(l, li, ld_kmod_fields, XSTD_COUNTOF(ld_kmod_fields), &k) ||
		    k.name == NULL) {
			goto free_name;
		}
		if (k.role == SIG_ROLE_INSTALLER) {
			ld_err(l, k.loc, "a module file is an install or a remnant, not an "
				"installer, in \"kernel_modules\"");
			goto free_name;
		}
	} else if (!yread_str(l->y, li->key, YREAD_ENTRY, &s, &n) ||
		   !ld_check(l, sigcheck_plain(li->key, s, n, msg), k.loc, msg) ||
		   !ld_dup(l, s, n, &k.name)) {
		return;
	}
	ld_kmod_keep(l, li, &k);

free_name:
	free(k.name);
}

static const struct yread_field ld_port_fields[] = {
	{"port", LD_K_PORT, 0, true, 0, 0},
	{"proto", LD_K_PROTO, offsetof(struct sig_port, proto), true, 0, 0},
};

/* port: a plain decimal integer from 1 to 65535, like size. */
static void ld_port(struct ld *l, struct sig_port *p)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;

	p->loc = ld_here(l);
	s = yread_scalar(l->y, "port", "an integer", YREAD_TYPES(YREAD_INT));
	if (s != NULL) {
		(void)ld_check(l, sigcheck_port(s, &p->port, msg), p->loc, msg);
	}
}

static void ld_proto(struct ld *l, enum sig_proto *out)
{
	static const char *const words[] = {"tcp", "udp", NULL};
	static const enum sig_proto protos[] = {SIG_PROTO_TCP, SIG_PROTO_UDP};
	int i = ld_word(l, "proto", words, "tcp or udp");

	if (i >= 0) {
		*out = protos[i];
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
	v = ld_append(l, g->ports, &g->nports, &p, sizeof(p));
	if (v == NULL) {
		return;
	}
	g->ports = v;
}

static const struct yread_field ld_uninstall_fields[] = {
	{"path", LD_K_UPATH, 0, true, 0, 0},
	{"args", LD_K_ARGS, offsetof(struct sig_uninstall, args), false, 0, 0},
};

/* The uninstaller is run as named: a glob could pick any file, so it must be one path. */
static void ld_uninstall_path(struct ld *l, struct sig_uninstall *u)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;
	size_t n;

	u->loc = ld_here(l);
	if (yread_str(l->y, "path", 0, &s, &n) &&
	    ld_check(l, sigcheck_uninstall_path(s, n, msg), u->loc, msg)) {
		(void)ld_dup(l, s, n, &u->path);
	}
}

/* One argument: any one-line text; arguments may repeat ("-v -v"). */
static void ld_arg_entry(struct ld *l, struct ld_list *li)
{
	struct sig_names *args = li->names;
	const char *s;
	char *copy;
	size_t n;

	if (!yread_str(l->y, li->key, YREAD_ENTRY, &s, &n) || !ld_dup(l, s, n, &copy)) {
		return;
	}
	if (vec_reserve_implied(&args->v, args->n, sizeof(*args->v), SIZE_MAX) != 0) {
		free(copy);
		yread_nomem(l->y);
		return;
	}
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
	v = ld_append(l, g->uninstall, &g->nuninstall, &u, sizeof(u));
	if (v == NULL) {
		goto free_entry;
	}
	g->uninstall = v;
	return;

free_entry:
	free(u.path);
	sig_names_free(&u.args);
}

static const struct yread_field ld_sig_fields[] = {
	{"id", LD_K_ID, 0, true, 0, 0},
	{"vendor", LD_K_LINE, offsetof(struct sig, vendor), true, 0, 0},
	{"product", LD_K_LINE, offsetof(struct sig, product), true, 0, 0},
	{"description", LD_K_TEXT, offsetof(struct sig, description), false, 0, 0},
	{"remove", LD_K_TEXT, offsetof(struct sig, remove), false, 0, 0},
	{"references", LD_K_REFS, offsetof(struct sig, references), false, 0, 0},
	{"packages", LD_K_PACKAGES, 0, false, 0, 0},
	{"paths", LD_K_PATHS, 0, false, 0, 0},
	{"files", LD_K_FILES, 0, false, 0, 0},
	{"hashes", LD_K_HASHES, 0, false, 0, 0},
	{"processes", LD_K_NAMES, offsetof(struct sig, processes), false, 0, 0},
	{"services", LD_K_NAMES, offsetof(struct sig, services), false, 0, 0},
	{"kernel_modules", LD_K_KMODS, 0, false, 0, 0},
	{"accounts", LD_K_NAMES, offsetof(struct sig, accounts), false, 0, 0},
	{"ports", LD_K_PORTS, 0, false, 0, 0},
	{"uninstall", LD_K_UNINSTALL, 0, false, 0, 0},
	{"confidence", LD_K_CONF, offsetof(struct sig, confidence), false, 0, 0},
	{"fallback", LD_K_BOOL, offsetof(struct sig, fallback), false, 0, 0},
	{"components", LD_K_NAMES, offsetof(struct sig, components), false, 0, 0},
	{"shared", LD_K_BOOL, offsetof(struct sig, shared), false, 0, 0},
	{"shared_by", LD_K_NAMES, offsetof(struct sig, shared_by), false, 0, 0},
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
	struct sigyaml_pack *p = l->pack;
	if (vec_reserve_implied(&p->sigs, p->nsigs, sizeof(*p->sigs), SIZE_MAX) != 0) {
		sig_free(g);
		yread_nomem(l->y);
		return;
	}
	p->sigs[p->nsigs++] = *g;
}

/* Gives the diagnostics of signature #@num their context, by id once it is known. */
static void ld_sig_ctx_end(struct ld *l, size_t num)
{
	char sfx[64 + KS_SIG_ID_MAX];

	if (l->sig_id != NULL) {
		(void)snprintf(sfx, sizeof(sfx), " in signature \"%s\"", l->sig_id);
	} else {
		(void)snprintf(sfx, sizeof(sfx), " in signature #%zu", num);
	}
	yread_ctx_end(l->y, sfx);
}

static void ld_sig_entry(struct ld *l, struct ld_list *li)
{
	struct sig g;

	if (l->have + l->pack->nsigs >= KS_SIG_SIGNATURES_MAX) {
		yread_fail(l->y, KERR_LIMIT, yread_here(l->y), "more than %u signatures",
			KS_SIG_SIGNATURES_MAX);
		yread_stop(l->y);
		return;
	}
	if (!yread_want(l->y, YAML_MAPPING_START_EVENT, "a mapping", li->key, true)) {
		return;
	}
	memset(&g, 0, sizeof(g));
	g.loc = ld_here(l);
	l->sig_id = NULL;
	yread_ctx_begin(l->y);
	yread_map(l->y, ld_sig_fields, XSTD_COUNTOF(ld_sig_fields), "", ld_value, l, &g);
	ld_sig_hash_sizes(l, &g);
	ld_sig_ctx_end(l, li->index + 1);
	if (!yread_stopped(l->y)) {
		ld_sig_matches(l, &g, li->index + 1);
	}
	sigcheck_confidence_defaults(&g);
	ld_sig_keep(l, &g);
}

static void ld_sigs(struct ld *l)
{
	struct sig_loc at = ld_here(l);
	struct ld_list li;

	memset(&li, 0, sizeof(li));
	li.key = "signatures";
	if (ld_seq(l, &li, ld_sig_entry) == 0 &&
	    yread_event(l->y)->type == YAML_SEQUENCE_END_EVENT) {
		ld_err(l, at, "\"signatures\" is empty");
	}
}

/* ---- compliance: the pack's legal basis ---- */

static const struct yread_field ld_compliance_fields[] = {
	{"framework", LD_K_LINE, offsetof(struct sig_compliance, framework), true, 0, 0},
	{"control", LD_K_LINE, offsetof(struct sig_compliance, control), true, 0, 0},
	{"reference", LD_K_URL, offsetof(struct sig_compliance, reference), false, 0, 0},
};

/* reference: an https URL, as a signature's references are. */
static void ld_url(struct ld *l, const char *key, char **out)
{
	char msg[SIGCHECK_MSG_MAX];
	const char *s;
	size_t n;

	if (yread_str(l->y, key, 0, &s, &n) && ld_check(l, sigcheck_ref(key, s, n, msg),
		ld_here(l), msg)) {
		(void)ld_dup(l, s, n, out);
	}
}

/* One obligation; a framework and control named twice is a mistake. */
static void ld_compliance_entry(struct ld *l, struct ld_list *li)
{
	struct sigyaml_pack *p = l->pack;
	struct sig_compliance c, *v;
	char key[2 * KS_SIG_SCALAR_MAX + 2];

	memset(&c, 0, sizeof(c));
	c.loc = ld_here(l);
	if (!ld_entry(l, li, ld_compliance_fields, XSTD_COUNTOF(ld_compliance_fields), &c) ||
	    c.framework == NULL || c.control == NULL) {
		goto free_entry;
	}
	if (p->ncompliance == KS_SIG_COMPLIANCE_MAX) {
		ld_err(l, c.loc, "more than %u \"compliance\" entries", KS_SIG_COMPLIANCE_MAX);
		goto free_entry;
	}
	(void)snprintf(key, sizeof(key), "%s: %s", c.framework, c.control);
	if (!ld_unique(l, li, key, c.loc)) {
		goto free_entry;
	}
	v = ld_append(l, p->compliance, &p->ncompliance, &c, sizeof(c));
	if (v == NULL) {
		goto free_entry;
	}
	p->compliance = v;
	return;

free_entry:
	sig_compliance_free(&c);
}

static void ld_compliance(struct ld *l)
{
	struct ld_list li;

	memset(&li, 0, sizeof(li));
	li.key = "compliance";
	(void)ld_seq(l, &li, ld_compliance_entry);
	strset_free(&li.seen);
}

/* The lists of a signature: each entry a mapping read by its own function. */
static ld_entry_fn *const ld_list_fns[] = {
	[LD_K_PACKAGES] = ld_package_entry,
	[LD_K_PATHS] = ld_path_entry,
	[LD_K_FILES] = ld_file_entry,
	[LD_K_HASHES] = ld_hash_entry,
	[LD_K_KMODS] = ld_kmod_entry,
	[LD_K_PORTS] = ld_port_entry,
	[LD_K_UNINSTALL] = ld_uninstall_entry,
};

/* Keys inside a list entry: each fills a member of the entry @obj. */
static void ld_entry_value(struct ld *l, const struct yread_field *f, void *obj)
{
	switch (f->kind) {
	case LD_K_PKGNAME:
		ld_package_name(l, obj);
		break;
	case LD_K_PATH:
		ld_path(l, obj);
		break;
	case LD_K_FILENAME:
		ld_file_name(l, obj);
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
	case LD_K_KMODNAME:
		ld_kmod_name(l, obj);
		break;
	case LD_K_PORT:
		ld_port(l, obj);
		break;
	case LD_K_UPATH:
		ld_uninstall_path(l, obj);
		break;
	case LD_K_ENAME:
		ld_named_name(l, obj);
		break;
	default:
		yread_skip(l->y);
		break;
	}
}

/* yread_map()'s reader for every mapping of a pack: the top, a signature, an entry. */
static void ld_value(void *ctx, const struct yread_field *f, void *obj)
{
	struct ld *l = ctx;
	void *p = (char *)obj + f->off;

	if (f->kind < XSTD_COUNTOF(ld_list_fns) && ld_list_fns[f->kind] != NULL) {
		ld_entries(l, f->key, obj, ld_list_fns[f->kind]);
		return;
	}
	switch (f->kind) {
	case LD_K_SCHEMA:
		ld_schema(l);
		break;
	case LD_K_LINE:
	case LD_K_TEXT:
		ld_text(l, f->key, p, f->kind == LD_K_TEXT);
		break;
	case LD_K_DATE:
	case LD_K_EXPIRES:
		ld_date(l, f->key, p, f->kind == LD_K_DATE ? &l->pack->date_days :
			&l->pack->expires_days);
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
	case LD_K_ARGS:
		ld_args(l, p);
		break;
	case LD_K_ROLE:
		ld_role(l, p);
		break;
	case LD_K_CONF:
		ld_confidence(l, p);
		break;
	case LD_K_PROTO:
		ld_proto(l, p);
		break;
	case LD_K_BOOL:
		yread_bool(l->y, f->key, p);
		break;
	case LD_K_COMPLIANCE:
		ld_compliance(l);
		break;
	case LD_K_URL:
		ld_url(l, f->key, p);
		break;
	default:
		ld_entry_value(l, f, obj);
		break;
	}
}

#define LD_PACK(m) offsetof(struct sigyaml_pack, m)

static const struct yread_field ld_top_fields[] = {
	{"schema", LD_K_SCHEMA, 0, true, 0, 0},
	{"version", LD_K_LINE, LD_PACK(version), false, 0, 0},
	{"description", LD_K_TEXT, LD_PACK(description), false, 0, 0},
	{"date", LD_K_DATE, LD_PACK(date), false, 0, 0},
	{"expires", LD_K_EXPIRES, LD_PACK(expires), false, 0, 0},
	{"compliance", LD_K_COMPLIANCE, 0, false, 0, 0},
	{"signatures", LD_K_SIGS, 0, true, 0, 0},
};

/* The whole stream: exactly one document whose root is the pack's mapping. */
static void ld_stream(struct ld *l)
{
	const struct yread_loc origin = {1, 1};

	if (!yread_begin(l->y)) {
		if (!yread_stopped(l->y)) {
			yread_err(l->y, origin, "the pack is empty");
		}
		return;
	}
	if (yread_want(l->y, YAML_MAPPING_START_EVENT, "a mapping", NULL, false)) {
		yread_map(l->y, ld_top_fields, XSTD_COUNTOF(ld_top_fields),
			" at the top of the pack", ld_value, l, l->pack);
	}
	yread_end(l->y);
}

struct yread *sigyaml_read(const char *name, const char *data, size_t len, size_t have,
	struct sigyaml_pack *out)
{
	struct ld l;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	l.have = have;
	l.pack = out;
	l.y = yread_new(name, data, len, &ld_limits);
	if (l.y == NULL) {
		return NULL;
	}
	ld_stream(&l);
	strset_free(&l.ids);
	return l.y;
}

void sigyaml_pack_free(struct sigyaml_pack *p)
{
	size_t i;

	for (i = 0; i < p->nsigs; i++) {
		sig_free(&p->sigs[i]);
	}
	free(p->sigs);
	for (i = 0; i < p->ncompliance; i++) {
		sig_compliance_free(&p->compliance[i]);
	}
	free(p->compliance);
	free(p->version);
	free(p->description);
	memset(p, 0, sizeof(*p));
}
