/*
 * The dpkg database, read the way dpkg itself loads it (lib/dpkg/parse.c, dbmodify.c):
 * var/lib/dpkg/status, then the journal updates/NNNN on top, plus the per-package files of
 * status.d/ that distroless images ship instead of a status file.
 *
 * What dpkg accepts and what it rejects decides what we accept: kscan's package list must
 * equal `dpkg-query -W` on any database dpkg can load, and a database dpkg would refuse to
 * load is corrupt, so the source fails and the verdict can never be "clean". The syntax:
 *   - "Name: value"; a line starting with white space continues the previous field;
 *   - stanzas end at an empty line. A line of only white space is NOT a separator: dpkg
 *     takes it as a blank continuation line (inside a stanza) or an empty field name
 *     (outside one), so "stanza, spaces, stanza" is one stanza with two Package fields;
 *   - field names are case-insensitive and may not repeat inside a stanza;
 *   - there are no comments: "#padded" (dpkg's own tmp.i filler) is a field name without
 *     a colon, i.e. an error.
 * Deliberate differences, all on input dpkg never writes (checked against dpkg-query
 * 1.21): a NUL byte is an error (dpkg would cut the value there); so is a Status of words
 * glued together ("installok installed", which dpkg's prefix matcher takes), an
 * Architecture spread over two lines (dpkg warns and keeps the newline in the name), and
 * a second stanza for one package and architecture in one file (dpkg refuses it when both
 * are installed and not "Multi-Arch: same", and keeps the last one otherwise). A last
 * line without '\n' is accepted: dpkg refuses it, but the content is whole, and failing
 * would only hide packages.
 */
#include "scanner/sources/dpkg.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/limits.h"
#include "base/lineread.h"
#include "base/vec.h"
#include "base/xstd.h"

#define DPKG_STATUS "/var/lib/dpkg/status"
#define DPKG_UPDATES "/var/lib/dpkg/updates"
#define DPKG_STATUSD "/var/lib/dpkg/status.d"
/* dpkg's IMPORTANTMAXLEN: the longest journal file name it accepts. */
#define DPKG_UPDATE_NAME_MAX 10u
/* Field-name hash slots: a power of two, twice the field cap. */
#define DPKG_FS_SLOTS (2u * KS_DPKG_FIELDS_MAX)
/* Values quoted in messages come from the file: keep them short and printable. */
#define DPKG_QUOTE_MAX 64u
#define DPKG_NONE SIZE_MAX

/* The three words of Status, in dpkg's order (the enum values index the tables). */
enum dpkg_want { DPKG_WANT_UNKNOWN, DPKG_WANT_INSTALL, DPKG_WANT_HOLD, DPKG_WANT_DEINSTALL,
	DPKG_WANT_PURGE };
enum dpkg_eflag { DPKG_EFLAG_OK, DPKG_EFLAG_REINSTREQ };
enum dpkg_stat { DPKG_STAT_NOTINSTALLED, DPKG_STAT_CONFIGFILES, DPKG_STAT_HALFINSTALLED,
	DPKG_STAT_UNPACKED, DPKG_STAT_HALFCONFIGURED, DPKG_STAT_TRIGGERSAWAITED,
	DPKG_STAT_TRIGGERSPENDING, DPKG_STAT_INSTALLED };
enum dpkg_ma { DPKG_MA_NO, DPKG_MA_SAME, DPKG_MA_ALLOWED, DPKG_MA_FOREIGN };

static const char *const dpkg_want_words[] = { "unknown", "install", "hold", "deinstall",
	"purge" };
static const char dpkg_want_abbrev[] = "uihrp";
static const char *const dpkg_eflag_words[] = { "ok", "reinstreq" };
static const char dpkg_eflag_abbrev[] = " R";
static const char *const dpkg_stat_words[] = { "not-installed", "config-files",
	"half-installed", "unpacked", "half-configured", "triggers-awaited", "triggers-pending",
	"installed" };
static const char dpkg_stat_abbrev[] = "ncHUFWti";
static const char *const dpkg_ma_words[] = { "no", "same", "allowed", "foreign" };

/* The fields we read; the others are only checked for syntax and repetition. */
enum dpkg_field { DPKG_F_OTHER, DPKG_F_PACKAGE, DPKG_F_VERSION, DPKG_F_ARCH, DPKG_F_STATUS,
	DPKG_F_MULTIARCH, DPKG_F_CONFIGVERSION, DPKG_F_TRIGPEND, DPKG_F_TRIGAW,
	DPKG_F_MAINTAINER, DPKG_F_DESCRIPTION };

static const char *const dpkg_field_names[] = { "", "Package", "Version", "Architecture",
	"Status", "Multi-Arch", "Config-Version", "Triggers-Pending", "Triggers-Awaited",
	"Maintainer", "Description" };

/*
 * How stanzas are keyed and what a stanza without Status means. STATUS: one record per
 * package and architecture, no Status = not-installed (dpkg's default). UPDATE: a journal
 * entry replaces the record dpkg would pick. STATUSD: like STATUS, but no Status means
 * installed: distroless images list only installed packages and write no Status (Syft and
 * Trivy read them the same way).
 */
enum dpkg_mode { DPKG_MODE_STATUS, DPKG_MODE_UPDATE, DPKG_MODE_STATUSD };

struct dpkg_rec {
	char *name;
	char *version;
	char *arch;
	char *maintainer;
	/* the first line of Description */
	char *summary;
	/* owned by the database's sources */
	char *source;
	size_t line;
	/* next record of the same name, or DPKG_NONE */
	size_t next;
	unsigned char want;
	unsigned char eflag;
	unsigned char stat;
	unsigned char ma;
};

/* Records, and a hash from package name to the first record of that name. */
struct dpkg_db {
	struct dpkg_rec *v;
	size_t n;
	size_t cap;
	size_t *heads;
	size_t hcap;
	size_t nnames;
	char **sources;
	size_t nsources;
	size_t srccap;
};

/* What the stanza being parsed says so far. */
struct dpkg_stanza {
	size_t line;
	size_t nfields;
	bool has_status;
	bool has_cv;
	bool has_trigpend;
	bool has_trigaw;
	unsigned char want;
	unsigned char eflag;
	unsigned char stat;
	unsigned char ma;
	char name[KS_PKG_FIELD_MAX + 1];
	char version[KS_PKG_FIELD_MAX + 1];
	char arch[KS_PKG_FIELD_MAX + 1];
	char maintainer[KS_PKG_FIELD_MAX + 1];
	char summary[KS_PKG_FIELD_MAX + 1];
};

/* A field name seen in the current stanza (valid while gen matches the parser's). */
struct dpkg_fslot {
	uint32_t gen;
	uint32_t hash;
	size_t off;
	size_t len;
	size_t line;
};

struct dpkg_parse {
	struct dpkg_db *db;
	enum dpkg_mode mode;
	/* the input's path for messages, and the database's copy of it for records */
	const char *label;
	char *source;
	struct kerr *err;
	size_t line;
	size_t stanzas;
	bool in_stanza;
	enum dpkg_field cur;
	uint32_t gen;
	size_t names_used;
	struct dpkg_stanza st;
	struct dpkg_fslot slots[DPKG_FS_SLOTS];
	char names[KS_DPKG_FIELDS_MAX * (KS_DPKG_FIELD_NAME_MAX + 1)];
};

struct dpkg_quote {
	char s[DPKG_QUOTE_MAX + 4];
};

struct dpkg_names {
	char **v;
	size_t n;
	size_t cap;
};

/* dpkg's c_isspace: the C locale's white space, whatever the process locale is. */
static bool dpkg_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool dpkg_isalnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static char dpkg_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool dpkg_eq_nocase(const char *word, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (word[i] == '\0' || word[i] != dpkg_lower(s[i])) {
			return false;
		}
	}
	return word[n] == '\0';
}

/* Index of @s[0..n) in @words (lower case), ignoring ASCII case; -1 if absent. */
static int dpkg_word(const char *const *words, size_t nwords, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < nwords; i++) {
		if (dpkg_eq_nocase(words[i], s, n)) {
			return (int)i;
		}
	}
	return -1;
}

static uint32_t dpkg_hash32(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	}
	return h;
}

static const char *dpkg_quote(struct dpkg_quote *q, const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < DPKG_QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		q->s[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < n) {
		memcpy(q->s + k, "...", 3);
		k += 3;
	}
	q->s[k] = '\0';
	return q->s;
}

/* Sets "LABEL:LINE: what" in the parser's error. @return -1. */
static int dpkg_fail(struct dpkg_parse *p, enum kerr_code code, size_t line, const char *fmt,
	...) KS_PRINTF(4, 5);

static int dpkg_fail(struct dpkg_parse *p, enum kerr_code code, size_t line, const char *fmt,
	...)
{
	char what[KS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	/* truncation is harmless: the whole message is cut to KS_ERR_MSG_MAX anyway */
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return kerr_set(p->err, code, "%s:%zu: %s", p->label, line, what);
}

static int dpkg_nomem(struct kerr *err)
{
	return kerr_set(err, KERR_NOMEM, "out of memory reading the dpkg database");
}

/* "name" or "name:arch", as dpkg names an instance in its messages. */
static const char *dpkg_instance(struct dpkg_quote *q, const char *name, const char *arch)
{
	char both[2 * DPKG_QUOTE_MAX + 2];
	int n = snprintf(both, sizeof(both), "%.*s%s%.*s", (int)DPKG_QUOTE_MAX, name,
		arch[0] != '\0' ? ":" : "", (int)DPKG_QUOTE_MAX, arch);

	return dpkg_quote(q, both, n < 0 ? 0 : strlen(both));
}

/* ---- the in-memory database ---- */

static void dpkg_db_init(struct dpkg_db *db)
{
	memset(db, 0, sizeof(*db));
}

static void dpkg_db_free(struct dpkg_db *db)
{
	size_t i;

	for (i = 0; i < db->n; i++) {
		free(db->v[i].name);
		free(db->v[i].version);
		free(db->v[i].arch);
		free(db->v[i].maintainer);
		free(db->v[i].summary);
	}
	for (i = 0; i < db->nsources; i++) {
		free(db->sources[i]);
	}
	free(db->v);
	free(db->heads);
	free(db->sources);
	dpkg_db_init(db);
}

/* Keeps a copy of @path for the records read from it. @return the copy, or NULL. */
static char *dpkg_db_source(struct dpkg_db *db, const char *path)
{
	char *s;

	if (vec_reserve(&db->sources, db->nsources, &db->srccap, sizeof(*db->sources),
		    SIZE_MAX) != 0) {
		return NULL;
	}
	s = strdup(path);
	if (s != NULL) {
		db->sources[db->nsources++] = s;
	}
	return s;
}

static size_t dpkg_db_probe(const struct dpkg_db *db, size_t *heads, size_t hcap,
	const char *name)
{
	size_t i = dpkg_hash32(name, strlen(name)) & (hcap - 1);

	while (heads[i] != DPKG_NONE && strcmp(db->v[heads[i]].name, name) != 0) {
		i = (i + 1) & (hcap - 1);
	}
	return i;
}

/* Makes room for one more name, keeping the table at most half full. */
static int dpkg_db_reserve(struct dpkg_db *db)
{
	size_t hcap, i, *heads;

	if ((db->nnames + 1) * 2 <= db->hcap) {
		return 0;
	}
	hcap = db->hcap == 0 ? 1024 : db->hcap * 2;
	heads = reallocarray(NULL, hcap, sizeof(*heads));
	if (heads == NULL) {
		return -1;
	}
	for (i = 0; i < hcap; i++) {
		heads[i] = DPKG_NONE;
	}
	for (i = 0; i < db->hcap; i++) {
		if (db->heads[i] != DPKG_NONE) {
			heads[dpkg_db_probe(db, heads, hcap, db->v[db->heads[i]].name)] =
				db->heads[i];
		}
	}
	free(db->heads);
	db->heads = heads;
	db->hcap = hcap;
	return 0;
}

/* The hash slot of @name: holds its first record, or DPKG_NONE. */
static size_t *dpkg_db_head(struct dpkg_db *db, const char *name)
{
	return &db->heads[dpkg_db_probe(db, db->heads, db->hcap, name)];
}

/* Copies what the stanza says into @rec (name excepted). */
static int dpkg_rec_set(struct dpkg_rec *rec, const struct dpkg_parse *p)
{
	char *version = strdup(p->st.version);
	char *arch = strdup(p->st.arch);
	char *maint = strdup(p->st.maintainer);
	char *summary = strdup(p->st.summary);

	if (version == NULL || arch == NULL || maint == NULL || summary == NULL) {
		free(version);
		free(arch);
		free(maint);
		free(summary);
		return -1;
	}
	free(rec->version);
	free(rec->arch);
	free(rec->maintainer);
	free(rec->summary);
	rec->version = version;
	rec->arch = arch;
	rec->maintainer = maint;
	rec->summary = summary;
	rec->source = p->source;
	rec->line = p->st.line;
	rec->want = p->st.want;
	rec->eflag = p->st.eflag;
	rec->stat = p->st.stat;
	rec->ma = p->st.ma;
	return 0;
}

/* Appends a record for the stanza, linked after @last (or as the name's first record). */
static int dpkg_db_append(struct dpkg_parse *p, size_t *head, size_t last)
{
	struct dpkg_db *db = p->db;
	struct dpkg_rec *rec;

	if (db->n >= KS_PKG_MAX) {
		return dpkg_fail(p, KERR_LIMIT, p->st.line, "more than %u packages", KS_PKG_MAX);
	}
	if (vec_reserve(&db->v, db->n, &db->cap, sizeof(*db->v), KS_PKG_MAX) != 0) {
		return dpkg_nomem(p->err);
	}
	rec = &db->v[db->n];
	memset(rec, 0, sizeof(*rec));
	rec->next = DPKG_NONE;
	rec->name = strdup(p->st.name);
	if (rec->name == NULL || dpkg_rec_set(rec, p) != 0) {
		free(rec->name);
		return dpkg_nomem(p->err);
	}
	if (last == DPKG_NONE) {
		*head = db->n;
		db->nnames++;
	} else {
		db->v[last].next = db->n;
	}
	db->n++;
	return 0;
}

/* ---- checks dpkg makes when it files a stanza (parse.c) ---- */

/*
 * dpkg refuses a package name with two installed instances unless all of them are
 * "Multi-Arch: same" (parse_find_set_slot). @with_new counts the stanza as well.
 */
static int dpkg_check_instances(struct dpkg_parse *p, size_t head, bool with_new)
{
	const struct dpkg_db *db = p->db;
	size_t single = 0, multi = 0, i, n = 0;
	struct dpkg_quote q;

	if (with_new && p->st.stat != DPKG_STAT_NOTINSTALLED) {
		single += p->st.ma != DPKG_MA_SAME;
		multi += p->st.ma == DPKG_MA_SAME;
	}
	for (i = head; i != DPKG_NONE; i = db->v[i].next, n++) {
		if (db->v[i].stat != DPKG_STAT_NOTINSTALLED) {
			single += db->v[i].ma != DPKG_MA_SAME;
			multi += db->v[i].ma == DPKG_MA_SAME;
		}
	}
	if (n >= KS_DPKG_INSTANCES_MAX) {
		return dpkg_fail(p, KERR_LIMIT, p->st.line, "package '%s' has more than %u records",
			dpkg_quote(&q, p->st.name, strlen(p->st.name)), KS_DPKG_INSTANCES_MAX);
	}
	if (single > 1 || (single > 0 && multi > 0)) {
		return dpkg_fail(p, KERR_CORRUPT, p->st.line,
			"package '%s' is installed for several architectures, not all of them "
			"'Multi-Arch: same'", dpkg_quote(&q, p->st.name, strlen(p->st.name)));
	}
	return 0;
}

/* A status (or status.d) stanza: one record per package and architecture. */
static int dpkg_db_insert(struct dpkg_parse *p)
{
	struct dpkg_db *db = p->db;
	size_t *head, i, last = DPKG_NONE;
	struct dpkg_quote q;

	if (dpkg_db_reserve(db) != 0) {
		return dpkg_nomem(p->err);
	}
	head = dpkg_db_head(db, p->st.name);
	for (i = *head; i != DPKG_NONE; i = db->v[i].next) {
		if (strcmp(db->v[i].arch, p->st.arch) == 0) {
			return dpkg_fail(p, KERR_CORRUPT, p->st.line,
				"second stanza for package '%s' (the first is at line %zu)",
				dpkg_instance(&q, p->st.name, p->st.arch), db->v[i].line);
		}
		last = i;
	}
	if (dpkg_check_instances(p, *head, true) != 0) {
		return -1;
	}
	return dpkg_db_append(p, head, last);
}

/*
 * A journal entry replaces the record dpkg's parse_find_pkg_slot picks: with one installed
 * instance, that one (a cross-grade may change its architecture) unless both are
 * "Multi-Arch: same"; otherwise the record of the same architecture, or a new one.
 */
static int dpkg_db_update(struct dpkg_parse *p)
{
	struct dpkg_db *db = p->db;
	size_t *head, i, last = DPKG_NONE, target = DPKG_NONE, inst = DPKG_NONE, ninst = 0;
	struct dpkg_quote q;

	if (dpkg_db_reserve(db) != 0) {
		return dpkg_nomem(p->err);
	}
	head = dpkg_db_head(db, p->st.name);
	if (dpkg_check_instances(p, *head, false) != 0) {
		return -1;
	}
	for (i = *head; i != DPKG_NONE; i = db->v[i].next) {
		if (db->v[i].stat != DPKG_STAT_NOTINSTALLED) {
			ninst++;
			inst = i;
		}
		if (target == DPKG_NONE && strcmp(db->v[i].arch, p->st.arch) == 0) {
			target = i;
		}
		last = i;
	}
	if (ninst > 1 && p->st.ma != DPKG_MA_SAME) {
		return dpkg_fail(p, KERR_CORRUPT, p->st.line,
			"package '%s' is not 'Multi-Arch: same' but has %zu installed instances",
			dpkg_instance(&q, p->st.name, p->st.arch), ninst);
	}
	if (ninst == 1 && !(db->v[inst].ma == DPKG_MA_SAME && p->st.ma == DPKG_MA_SAME)) {
		target = inst;
	}
	if (target == DPKG_NONE) {
		return dpkg_db_append(p, head, last);
	}
	return dpkg_rec_set(&db->v[target], p) == 0 ? 0 : dpkg_nomem(p->err);
}

/* pkg_parse_verify: what a stanza must say given its Status. */
static int dpkg_check_fields(struct dpkg_parse *p)
{
	const struct dpkg_stanza *st = &p->st;
	struct dpkg_quote q;

	if (st->name[0] == '\0') {
		return dpkg_fail(p, KERR_CORRUPT, st->line, "stanza without a Package field");
	}
	dpkg_quote(&q, st->name, strlen(st->name));
	if (st->version[0] == '\0' && st->stat != DPKG_STAT_NOTINSTALLED &&
	    st->stat != DPKG_STAT_HALFINSTALLED) {
		return dpkg_fail(p, KERR_CORRUPT, st->line, "package '%s' is %s but has no Version",
			q.s, dpkg_stat_words[st->stat]);
	}
	if (st->ma == DPKG_MA_SAME && st->arch[0] == '\0') {
		return dpkg_fail(p, KERR_CORRUPT, st->line,
			"package '%s' is 'Multi-Arch: same' but has no Architecture", q.s);
	}
	if (st->ma == DPKG_MA_SAME && strcmp(st->arch, "all") == 0) {
		return dpkg_fail(p, KERR_CORRUPT, st->line,
			"package '%s' is 'Multi-Arch: same' and Architecture 'all'", q.s);
	}
	if (st->has_cv && (st->stat == DPKG_STAT_INSTALLED ||
			   st->stat == DPKG_STAT_NOTINSTALLED ||
			   st->stat == DPKG_STAT_TRIGGERSPENDING)) {
		return dpkg_fail(p, KERR_CORRUPT, st->line,
			"package '%s' has a Config-Version but is %s", q.s,
			dpkg_stat_words[st->stat]);
	}
	return 0;
}

/* pkg_parse_verify: the trigger fields must agree with the status. */
static int dpkg_check_triggers(struct dpkg_parse *p)
{
	const struct dpkg_stanza *st = &p->st;
	const char *stat = dpkg_stat_words[st->stat];
	struct dpkg_quote q;

	dpkg_quote(&q, st->name, strlen(st->name));
	if (st->has_trigaw && (st->stat <= DPKG_STAT_CONFIGFILES ||
			       st->stat >= DPKG_STAT_TRIGGERSPENDING)) {
		return dpkg_fail(p, KERR_CORRUPT, st->line,
			"package '%s' is %s but awaits triggers", q.s, stat);
	}
	if (!st->has_trigaw && st->stat == DPKG_STAT_TRIGGERSAWAITED) {
		return dpkg_fail(p, KERR_CORRUPT, st->line,
			"package '%s' is %s but awaits no triggers", q.s, stat);
	}
	if (st->has_trigpend && st->stat != DPKG_STAT_TRIGGERSPENDING &&
	    st->stat != DPKG_STAT_TRIGGERSAWAITED) {
		return dpkg_fail(p, KERR_CORRUPT, st->line,
			"package '%s' is %s but has pending triggers", q.s, stat);
	}
	if (!st->has_trigpend && st->stat == DPKG_STAT_TRIGGERSPENDING) {
		return dpkg_fail(p, KERR_CORRUPT, st->line,
			"package '%s' is %s but has no pending triggers", q.s, stat);
	}
	return 0;
}

/* pkg_parse_verify forgets selections that mean nothing: they show as "un". */
static void dpkg_fix_want(struct dpkg_parse *p)
{
	struct dpkg_stanza *st = &p->st;

	if (st->stat != DPKG_STAT_NOTINSTALLED || st->eflag != DPKG_EFLAG_OK) {
		return;
	}
	if (st->want == DPKG_WANT_PURGE || st->want == DPKG_WANT_DEINSTALL) {
		st->want = DPKG_WANT_UNKNOWN;
	}
	if (p->mode != DPKG_MODE_UPDATE && st->want == DPKG_WANT_INSTALL && st->arch[0] == '\0') {
		st->want = DPKG_WANT_UNKNOWN;
	}
}

/* ---- the stanza parser ---- */

static void dpkg_stanza_begin(struct dpkg_parse *p)
{
	struct dpkg_stanza *st = &p->st;

	st->line = p->line;
	st->nfields = 0;
	st->has_status = false;
	st->has_cv = false;
	st->has_trigpend = false;
	st->has_trigaw = false;
	st->ma = DPKG_MA_NO;
	st->name[0] = '\0';
	st->version[0] = '\0';
	st->arch[0] = '\0';
	st->maintainer[0] = '\0';
	st->summary[0] = '\0';
	p->in_stanza = true;
	p->cur = DPKG_F_OTHER;
	p->names_used = 0;
	/* a new generation empties the field-name set without touching its slots */
	if (++p->gen == 0) {
		memset(p->slots, 0, sizeof(p->slots));
		p->gen = 1;
	}
}

static int dpkg_stanza_end(struct dpkg_parse *p)
{
	struct dpkg_stanza *st = &p->st;

	p->in_stanza = false;
	p->stanzas++;
	if (!st->has_status) {
		bool installed = p->mode == DPKG_MODE_STATUSD;

		st->want = installed ? DPKG_WANT_INSTALL : DPKG_WANT_UNKNOWN;
		st->eflag = DPKG_EFLAG_OK;
		st->stat = installed ? DPKG_STAT_INSTALLED : DPKG_STAT_NOTINSTALLED;
	}
	if (dpkg_check_fields(p) != 0 || dpkg_check_triggers(p) != 0) {
		return -1;
	}
	dpkg_fix_want(p);
	return p->mode == DPKG_MODE_UPDATE ? dpkg_db_update(p) : dpkg_db_insert(p);
}

/* Records @name[0..n) (lower-cased) in the stanza's set; a repeat is an error. */
static int dpkg_field_seen(struct dpkg_parse *p, const char *name, size_t n, const char **lname)
{
	const size_t mask = DPKG_FS_SLOTS - 1;
	char *dst = p->names + p->names_used;
	struct dpkg_quote q;
	uint32_t h;
	size_t i;

	if (p->st.nfields >= KS_DPKG_FIELDS_MAX) {
		return dpkg_fail(p, KERR_LIMIT, p->line, "stanza starting at line %zu has more "
			"than %u fields", p->st.line, KS_DPKG_FIELDS_MAX);
	}
	for (i = 0; i < n; i++) {
		dst[i] = dpkg_lower(name[i]);
	}
	dst[n] = '\0';
	h = dpkg_hash32(dst, n);
	for (i = h & mask; p->slots[i].gen == p->gen; i = (i + 1) & mask) {
		const struct dpkg_fslot *s = &p->slots[i];

		if (s->hash == h && s->len == n && memcmp(p->names + s->off, dst, n) == 0) {
			return dpkg_fail(p, KERR_CORRUPT, p->line, "field '%s' repeated in the "
				"stanza (first at line %zu): missing blank line between stanzas?",
				dpkg_quote(&q, name, n), s->line);
		}
	}
	p->slots[i] = (struct dpkg_fslot){ p->gen, h, p->names_used, n, p->line };
	p->names_used += n + 1;
	p->st.nfields++;
	*lname = dst;
	return 0;
}

static enum dpkg_field dpkg_field_id(const char *lname)
{
	size_t i;

	for (i = 1; i < XSTD_COUNTOF(dpkg_field_names); i++) {
		/* @lname is lower case already: compare it with the lower-cased table name */
		if (dpkg_eq_nocase(lname, dpkg_field_names[i], strlen(dpkg_field_names[i]))) {
			return (enum dpkg_field)i;
		}
	}
	return DPKG_F_OTHER;
}

static int dpkg_copy(struct dpkg_parse *p, char *dst, const char *v, size_t n)
{
	if (n > KS_PKG_FIELD_MAX) {
		return dpkg_fail(p, KERR_LIMIT, p->line, "%s longer than %u bytes",
			dpkg_field_names[p->cur], KS_PKG_FIELD_MAX);
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* Only read for reports and the vendor rule: a long value is cut, never refused. */
static int dpkg_copy_cut(char *dst, const char *v, size_t n)
{
	if (n > KS_PKG_FIELD_MAX) {
		n = KS_PKG_FIELD_MAX;
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* dpkg's pkg_name_is_invalid(); the name is kept lower-cased, as dpkg stores it. */
static int dpkg_set_name(struct dpkg_parse *p, const char *v, size_t n)
{
	struct dpkg_quote q;
	size_t i;

	if (n == 0 || !dpkg_isalnum(v[0])) {
		return dpkg_fail(p, KERR_CORRUPT, p->line, "invalid package name '%s': it must "
			"start with a letter or digit", dpkg_quote(&q, v, n));
	}
	for (i = 1; i < n; i++) {
		if (!dpkg_isalnum(v[i]) && strchr("-+._", v[i]) == NULL) {
			return dpkg_fail(p, KERR_CORRUPT, p->line, "invalid package name '%s'",
				dpkg_quote(&q, v, n));
		}
	}
	if (dpkg_copy(p, p->st.name, v, n) != 0) {
		return -1;
	}
	for (i = 0; i < n; i++) {
		p->st.name[i] = dpkg_lower(p->st.name[i]);
	}
	return 0;
}

/* Splits @v[0..n) at white space into at most @max words; @return the word count. */
static size_t dpkg_split(const char *v, size_t n, const char **w, size_t *wl, size_t max)
{
	size_t i = 0, k = 0;

	while (i < n) {
		size_t s;

		while (i < n && dpkg_isspace(v[i])) {
			i++;
		}
		if (i == n) {
			break;
		}
		s = i;
		while (i < n && !dpkg_isspace(v[i])) {
			i++;
		}
		if (k < max) {
			w[k] = v + s;
			wl[k] = i - s;
		}
		k++;
	}
	return k;
}

/* "want eflag status", each word from dpkg's tables, any ASCII case. */
static int dpkg_set_status(struct dpkg_parse *p, const char *v, size_t n)
{
	const char *w[3];
	size_t wl[3];
	struct dpkg_quote q;
	int want = -1, eflag = -1, stat = -1;

	if (dpkg_split(v, n, w, wl, 3) == 3) {
		want = dpkg_word(dpkg_want_words, XSTD_COUNTOF(dpkg_want_words), w[0], wl[0]);
		eflag = dpkg_word(dpkg_eflag_words, XSTD_COUNTOF(dpkg_eflag_words), w[1], wl[1]);
		stat = dpkg_word(dpkg_stat_words, XSTD_COUNTOF(dpkg_stat_words), w[2], wl[2]);
	}
	if (want < 0 || eflag < 0 || stat < 0) {
		return dpkg_fail(p, KERR_CORRUPT, p->line, "invalid Status '%s'",
			dpkg_quote(&q, v, n));
	}
	p->st.want = (unsigned char)want;
	p->st.eflag = (unsigned char)eflag;
	p->st.stat = (unsigned char)stat;
	p->st.has_status = true;
	return 0;
}

static int dpkg_set_multiarch(struct dpkg_parse *p, const char *v, size_t n)
{
	struct dpkg_quote q;
	int ma;

	if (n == 0) {
		return 0;
	}
	ma = dpkg_word(dpkg_ma_words, XSTD_COUNTOF(dpkg_ma_words), v, n);
	if (ma < 0) {
		return dpkg_fail(p, KERR_CORRUPT, p->line, "invalid Multi-Arch '%s'",
			dpkg_quote(&q, v, n));
	}
	p->st.ma = (unsigned char)ma;
	return 0;
}

static int dpkg_field_value(struct dpkg_parse *p, const char *v, size_t n)
{
	switch (p->cur) {
	case DPKG_F_PACKAGE:
		return dpkg_set_name(p, v, n);
	case DPKG_F_VERSION:
		return dpkg_copy(p, p->st.version, v, n);
	case DPKG_F_ARCH:
		return dpkg_copy(p, p->st.arch, v, n);
	case DPKG_F_MAINTAINER:
		return dpkg_copy_cut(p->st.maintainer, v, n);
	case DPKG_F_DESCRIPTION:
		return dpkg_copy_cut(p->st.summary, v, n);
	case DPKG_F_STATUS:
		return dpkg_set_status(p, v, n);
	case DPKG_F_MULTIARCH:
		return dpkg_set_multiarch(p, v, n);
	case DPKG_F_CONFIGVERSION:
		p->st.has_cv = n > 0;
		return 0;
	case DPKG_F_TRIGPEND:
		p->st.has_trigpend = n > 0;
		return 0;
	case DPKG_F_TRIGAW:
		p->st.has_trigaw = n > 0;
		return 0;
	case DPKG_F_OTHER:
	default:
		return 0;
	}
}

/* "Name: value", with dpkg's rules for the name (parse_stanza). */
static int dpkg_field(struct dpkg_parse *p, const char *line, size_t len)
{
	struct dpkg_quote q;
	const char *lname = "";
	size_t n = 0, i;

	while (n < len && line[n] != ':' && !dpkg_isspace(line[n])) {
		n++;
	}
	for (i = n; i < len && dpkg_isspace(line[i]); i++) {
	}
	if (n == 0) {
		return dpkg_fail(p, KERR_CORRUPT, p->line, "empty field name");
	}
	if (i == len || line[i] != ':') {
		return dpkg_fail(p, KERR_CORRUPT, p->line, "'%s' is neither a field (no colon "
			"after the name) nor a continuation line", dpkg_quote(&q, line, len));
	}
	if (line[0] == '-' || n < 2) {
		return dpkg_fail(p, KERR_CORRUPT, p->line, "invalid field name '%s'",
			dpkg_quote(&q, line, n));
	}
	if (n > KS_DPKG_FIELD_NAME_MAX) {
		return dpkg_fail(p, KERR_LIMIT, p->line, "field name longer than %u bytes",
			KS_DPKG_FIELD_NAME_MAX);
	}
	if (!p->in_stanza) {
		dpkg_stanza_begin(p);
	}
	if (dpkg_field_seen(p, line, n, &lname) != 0) {
		return -1;
	}
	p->cur = dpkg_field_id(lname);
	for (i++; i < len && dpkg_isspace(line[i]); i++) {
	}
	while (len > i && dpkg_isspace(line[len - 1])) {
		len--;
	}
	return dpkg_field_value(p, line + i, len - i);
}

static int dpkg_continuation(struct dpkg_parse *p, const char *line, size_t len)
{
	size_t i = 0;

	if (!p->in_stanza) {
		return dpkg_fail(p, KERR_CORRUPT, p->line, "line starts with white space outside a "
			"stanza (only an empty line separates stanzas)");
	}
	while (i < len && dpkg_isspace(line[i])) {
		i++;
	}
	if (i == len) {
		/* dpkg takes a blank continuation line as part of the value, with a warning */
		return 0;
	}
	switch (p->cur) {
	case DPKG_F_PACKAGE:
	case DPKG_F_VERSION:
	case DPKG_F_ARCH:
	case DPKG_F_STATUS:
	case DPKG_F_MULTIARCH:
		return dpkg_fail(p, KERR_CORRUPT, p->line, "%s continues on a second line",
			dpkg_field_names[p->cur]);
	case DPKG_F_CONFIGVERSION:
		p->st.has_cv = true;
		return 0;
	case DPKG_F_TRIGPEND:
		p->st.has_trigpend = true;
		return 0;
	case DPKG_F_TRIGAW:
		p->st.has_trigaw = true;
		return 0;
	case DPKG_F_MAINTAINER:
	case DPKG_F_DESCRIPTION:
	case DPKG_F_OTHER:
	default:
		return 0;
	}
}

static int dpkg_parse_line(struct dpkg_parse *p, const char *line, size_t len)
{
	if (memchr(line, '\0', len) != NULL) {
		return dpkg_fail(p, KERR_CORRUPT, p->line, "NUL byte: binary data, not a "
			"control file");
	}
	if (len == 0) {
		return p->in_stanza ? dpkg_stanza_end(p) : 0;
	}
	if (dpkg_isspace(line[0])) {
		return dpkg_continuation(p, line, len);
	}
	return dpkg_field(p, line, len);
}

/* Parses every line of @lr into the parser's database; the last stanza needs no blank. */
static int dpkg_parse_stream(struct dpkg_parse *p, struct lineread *lr)
{
	const char *line;
	size_t len;
	int rc;

	while ((rc = lineread_next(lr, &line, &len)) == 1) {
		p->line = lineread_lineno(lr);
		if (lineread_offset(lr) > KS_DPKG_FILE_MAX) {
			return dpkg_fail(p, KERR_LIMIT, p->line, "file larger than %zu bytes",
				KS_DPKG_FILE_MAX);
		}
		if (dpkg_parse_line(p, line, len) != 0) {
			return -1;
		}
	}
	if (rc < 0 && errno == E2BIG) {
		return dpkg_fail(p, KERR_LIMIT, p->line + 1, "line longer than %zu bytes",
			KS_DPKG_LINE_MAX);
	}
	if (rc < 0) {
		return kerr_sys(p->err, errno == ENOMEM ? KERR_NOMEM : KERR_IO, errno,
			"%s:%zu: read", p->label, p->line + 1);
	}
	return p->in_stanza ? dpkg_stanza_end(p) : 0;
}

static struct dpkg_parse *dpkg_parse_new(struct kerr *err)
{
	struct dpkg_parse *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		dpkg_nomem(err);
		return NULL;
	}
	p->err = err;
	return p;
}

/* Points the parser at a new input; @label is copied into @db for the records. */
static int dpkg_parse_reset(struct dpkg_parse *p, struct dpkg_db *db, enum dpkg_mode mode,
	const char *label)
{
	p->db = db;
	p->mode = mode;
	p->label = label;
	p->source = dpkg_db_source(db, label);
	p->line = 0;
	p->stanzas = 0;
	p->in_stanza = false;
	return p->source != NULL ? 0 : dpkg_nomem(p->err);
}

/* ---- output ---- */

static enum pkg_state dpkg_state(unsigned char stat)
{
	switch ((enum dpkg_stat)stat) {
	case DPKG_STAT_INSTALLED:
		return PKG_INSTALLED;
	case DPKG_STAT_CONFIGFILES:
		return PKG_CONFIG_FILES;
	case DPKG_STAT_NOTINSTALLED:
		return PKG_NOT_INSTALLED;
	case DPKG_STAT_HALFINSTALLED:
	case DPKG_STAT_UNPACKED:
	case DPKG_STAT_HALFCONFIGURED:
	case DPKG_STAT_TRIGGERSAWAITED:
	case DPKG_STAT_TRIGGERSPENDING:
	default:
		return PKG_PARTIAL;
	}
}

/* pkg_list_add() failed with @e: past KS_PKG_MAX, or out of memory. */
static int dpkg_add_error(struct kerr *err, int e)
{
	if (e == E2BIG) {
		return kerr_set(err, KERR_LIMIT, "more than %u packages", KS_PKG_MAX);
	}
	return dpkg_nomem(err);
}

/* Appends the records to @out, the not-installed ones too if @all. */
static int dpkg_db_export(const struct dpkg_db *db, bool all, struct pkg_list *out,
	struct kerr *err)
{
	size_t i;

	for (i = 0; i < db->n; i++) {
		const struct dpkg_rec *rec = &db->v[i];
		char status[64];
		struct pkg pk;

		if (!all && rec->stat == DPKG_STAT_NOTINSTALLED) {
			continue;
		}
		/* at most 36 bytes: cannot be cut */
		(void)snprintf(status, sizeof(status), "%s %s %s", dpkg_want_words[rec->want],
			dpkg_eflag_words[rec->eflag], dpkg_stat_words[rec->stat]);
		memset(&pk, 0, sizeof(pk));
		pk.manager = "dpkg";
		pk.name = rec->name;
		pk.version = rec->version;
		pk.arch = rec->arch;
		pk.maintainer = rec->maintainer;
		pk.summary = rec->summary;
		pk.status = status;
		pk.abbrev[0] = dpkg_want_abbrev[rec->want];
		pk.abbrev[1] = dpkg_stat_abbrev[rec->stat];
		pk.abbrev[2] = dpkg_eflag_abbrev[rec->eflag];
		pk.state = dpkg_state(rec->stat);
		pk.source = rec->source;
		if (pkg_list_add(out, &pk) != 0) {
			return dpkg_add_error(err, errno);
		}
	}
	return 0;
}

/* ---- files and directories of the root ---- */

static const char *dpkg_type_name(mode_t mode)
{
	if (S_ISDIR(mode)) {
		return "a directory";
	}
	if (S_ISLNK(mode)) {
		return "a symbolic link";
	}
	if (S_ISFIFO(mode)) {
		return "a FIFO";
	}
	if (S_ISSOCK(mode)) {
		return "a socket";
	}
	if (S_ISCHR(mode) || S_ISBLK(mode)) {
		return "a device";
	}
	return "not a regular file";
}

/* Says why @path could not be opened, naming a symlink's target or the file's type. */
static int dpkg_open_error(const struct rootfs *r, const char *path, int flags, int e,
	struct kerr *err)
{
	struct dpkg_quote q;
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (rootfs_lstat(r, path, &st) != 0) {
		return kerr_sys(err, KERR_IO, e, "%s: cannot open", path);
	}
	if (S_ISLNK(st.st_mode) && !(flags & ROOTFS_NOFOLLOW)) {
		n = rootfs_readlink(r, path, target, sizeof(target));
		return kerr_set(err, KERR_IO, "%s: symbolic link to '%s', which is not a regular "
			"file inside the root (%s)", path,
			dpkg_quote(&q, target, n < 0 ? 0 : strlen(target)), strerror(e));
	}
	if (e == EINVAL || e == EISDIR) {
		return kerr_set(err, KERR_IO, "%s: %s, not a regular file", path,
			dpkg_type_name(st.st_mode));
	}
	return kerr_sys(err, KERR_IO, e, "%s: cannot open", path);
}

/* Reads the control file @path of the root into the parser's database. */
static int dpkg_read_file(const struct rootfs *r, struct dpkg_parse *p, const char *path,
	int flags)
{
	struct lineread *lr;
	int fd, rc;

	fd = rootfs_open_regular(r, path, flags);
	if (fd < 0) {
		return dpkg_open_error(r, path, flags, errno, p->err);
	}
	lr = lineread_fd(fd, KS_DPKG_LINE_MAX);
	if (lr == NULL) {
		rc = dpkg_nomem(p->err);
		goto close_fd;
	}
	rc = dpkg_parse_stream(p, lr);
	lineread_free(lr);
close_fd:
	xstd_close_quietly(fd);
	return rc;
}

static void dpkg_names_free(struct dpkg_names *names)
{
	size_t i;

	for (i = 0; i < names->n; i++) {
		free(names->v[i]);
	}
	free(names->v);
	memset(names, 0, sizeof(*names));
}

static int dpkg_names_add(struct dpkg_names *names, const char *name)
{
	char *s;

	if (vec_reserve(&names->v, names->n, &names->cap, sizeof(*names->v), SIZE_MAX) != 0) {
		return -1;
	}
	s = strdup(name);
	if (s == NULL) {
		return -1;
	}
	names->v[names->n++] = s;
	return 0;
}

static int dpkg_names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dpkg_readdir(DIR *d, const char *path, struct dpkg_names *names, struct kerr *err)
{
	struct dirent *de;
	size_t seen = 0;

	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
			continue;
		}
		if (++seen > KS_DPKG_DIR_ENTRIES_MAX) {
			return kerr_set(err, KERR_LIMIT, "%s: more than %u entries", path,
				KS_DPKG_DIR_ENTRIES_MAX);
		}
		if (dpkg_names_add(names, de->d_name) != 0) {
			return dpkg_nomem(err);
		}
	}
	if (errno != 0) {
		return kerr_sys(err, KERR_IO, errno, "%s: cannot list", path);
	}
	if (names->n > 1) {
		xstd_qsort(names->v, names->n, sizeof(names->v[0]), dpkg_names_cmp);
	}
	return 0;
}

/* Lists the directory @path of the root, sorted. @return 1, 0 if absent, or -1. */
static int dpkg_list_dir(const struct rootfs *r, const char *path, struct dpkg_names *names,
	struct kerr *err)
{
	struct stat st;
	DIR *d;
	int fd, rc;

	if (rootfs_lstat(r, path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			return 0;
		}
		return kerr_sys(err, KERR_IO, errno, "%s", path);
	}
	fd = rootfs_open_dir(r, path, 0);
	if (fd < 0) {
		return kerr_sys(err, KERR_IO, errno, "%s: cannot open directory", path);
	}
	d = fdopendir(fd);
	if (d == NULL) {
		rc = kerr_sys(err, KERR_IO, errno, "%s: cannot open directory", path);
		xstd_close_quietly(fd);
		return rc;
	}
	rc = dpkg_readdir(d, path, names, err);
	(void)closedir(d);
	return rc == 0 ? 1 : -1;
}

static int dpkg_join(char *out, size_t size, const char *dir, const char *name,
	struct kerr *err)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		return kerr_set(err, KERR_LIMIT, "%s/%s: path too long", dir, name);
	}
	return 0;
}

static bool dpkg_is_journal_name(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++) {
		if (name[i] < '0' || name[i] > '9') {
			return false;
		}
	}
	return i > 0;
}

/* dpkg's update_file_filter: digits only, at most 10 of them, all names the same length. */
static int dpkg_check_journal_names(const struct dpkg_names *names, struct kerr *err)
{
	size_t i, len = 0;
	const char *first = NULL;

	for (i = 0; i < names->n; i++) {
		const char *name = names->v[i];

		if (!dpkg_is_journal_name(name)) {
			continue;
		}
		if (strlen(name) > DPKG_UPDATE_NAME_MAX) {
			return kerr_set(err, KERR_CORRUPT, "%s/%s: journal file name longer than "
				"%u digits", DPKG_UPDATES, name, DPKG_UPDATE_NAME_MAX);
		}
		if (first != NULL && strlen(name) != len) {
			return kerr_set(err, KERR_CORRUPT, "%s: journal file names of different "
				"lengths ('%s' and '%s')", DPKG_UPDATES, first, name);
		}
		first = name;
		len = strlen(name);
	}
	return 0;
}

/*
 * Applies the journal dpkg writes before it rewrites status: updates/NNNN in numeric
 * order (names have one length, so that is name order). tmp.i, dpkg's entry in progress,
 * and anything else not made of digits is ignored, as dpkg does.
 */
static int dpkg_read_updates(const struct rootfs *r, struct dpkg_parse *p, struct dpkg_db *db,
	struct dpkg_counts *counts)
{
	struct dpkg_names names = { NULL, 0, 0 };
	char path[PATH_MAX];
	size_t i;
	int rc;

	rc = dpkg_list_dir(r, DPKG_UPDATES, &names, p->err);
	if (rc > 0) {
		rc = dpkg_check_journal_names(&names, p->err);
	}
	for (i = 0; rc == 0 && i < names.n; i++) {
		if (!dpkg_is_journal_name(names.v[i])) {
			continue;
		}
		rc = dpkg_join(path, sizeof(path), DPKG_UPDATES, names.v[i], p->err);
		if (rc == 0) {
			rc = dpkg_parse_reset(p, db, DPKG_MODE_UPDATE, path);
		}
		if (rc == 0) {
			rc = dpkg_read_file(r, p, path, ROOTFS_NOFOLLOW);
		}
		if (rc == 0) {
			counts->updates_files++;
		}
	}
	dpkg_names_free(&names);
	if (rc < 0) {
		return -1;
	}
	return counts->updates_files > 0;
}

static bool dpkg_is_md5sums(const char *name)
{
	size_t n = strlen(name), k = strlen(".md5sums");

	return n >= k && strcmp(name + n - k, ".md5sums") == 0;
}

/* One status.d file: its own database (duplicates across files are not dpkg's business). */
static int dpkg_read_statusd_file(const struct rootfs *r, struct dpkg_parse *p,
	const char *path, struct pkg_list *out)
{
	struct dpkg_db db;
	int rc;

	dpkg_db_init(&db);
	rc = dpkg_parse_reset(p, &db, DPKG_MODE_STATUSD, path);
	if (rc == 0) {
		rc = dpkg_read_file(r, p, path, ROOTFS_NOFOLLOW);
	}
	if (rc == 0) {
		rc = dpkg_db_export(&db, false, out, p->err);
	}
	dpkg_db_free(&db);
	return rc;
}

/* Distroless images: one control file per package in status.d/, beside its .md5sums. */
static int dpkg_read_statusd(const struct rootfs *r, struct dpkg_parse *p,
	struct pkg_list *out, struct dpkg_counts *counts)
{
	struct dpkg_names names = { NULL, 0, 0 };
	char path[PATH_MAX];
	size_t i;
	int found, rc = 0;

	found = dpkg_list_dir(r, DPKG_STATUSD, &names, p->err);
	for (i = 0; found > 0 && rc == 0 && i < names.n; i++) {
		if (dpkg_is_md5sums(names.v[i])) {
			continue;
		}
		rc = dpkg_join(path, sizeof(path), DPKG_STATUSD, names.v[i], p->err);
		if (rc == 0) {
			rc = dpkg_read_statusd_file(r, p, path, out);
		}
		if (rc == 0) {
			counts->statusd_files++;
		}
	}
	dpkg_names_free(&names);
	return rc < 0 ? -1 : found;
}

/* @return 1 if status was read, 0 if it does not exist, -1 if it exists but fails. */
static int dpkg_read_status(const struct rootfs *r, struct dpkg_parse *p, struct dpkg_db *db,
	struct dpkg_counts *counts)
{
	struct stat st;

	/* lstat, so that a symlink leading nowhere inside the root fails instead of vanishing */
	if (rootfs_lstat(r, DPKG_STATUS, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			return 0;
		}
		return kerr_sys(p->err, KERR_IO, errno, "%s", DPKG_STATUS);
	}
	if (dpkg_parse_reset(p, db, DPKG_MODE_STATUS, DPKG_STATUS) != 0 ||
	    dpkg_read_file(r, p, DPKG_STATUS, 0) != 0) {
		return -1;
	}
	counts->status_records = p->stanzas;
	return 1;
}

int dpkg_read(const struct rootfs *r, struct pkg_list *out, struct dpkg_counts *counts,
	struct kerr *err)
{
	struct dpkg_parse *p;
	struct dpkg_db db;
	size_t n0 = out->n;
	int found = 0, rc;

	memset(counts, 0, sizeof(*counts));
	p = dpkg_parse_new(err);
	if (p == NULL) {
		return -1;
	}
	dpkg_db_init(&db);
	rc = dpkg_read_status(r, p, &db, counts);
	found |= rc > 0;
	if (rc >= 0) {
		rc = dpkg_read_updates(r, p, &db, counts);
		found |= rc > 0;
	}
	if (rc >= 0) {
		rc = dpkg_db_export(&db, false, out, err);
	}
	if (rc >= 0) {
		rc = dpkg_read_statusd(r, p, out, counts);
		found |= rc > 0;
	}
	if (rc < 0) {
		pkg_list_truncate(out, n0);
	}
	counts->packages = out->n - n0;
	dpkg_db_free(&db);
	free(p);
	return rc < 0 ? -1 : found;
}

long dpkg_parse_mem(const char *data, size_t len, const char *label, struct pkg_list *out,
	struct kerr *err)
{
	struct dpkg_parse *p;
	struct lineread *lr;
	struct dpkg_db db;
	size_t n0 = out->n;
	long n = -1;

	if (len > KS_DPKG_FILE_MAX) {
		return kerr_set(err, KERR_LIMIT, "%s: larger than %zu bytes", label,
			KS_DPKG_FILE_MAX);
	}
	p = dpkg_parse_new(err);
	if (p == NULL) {
		return -1;
	}
	dpkg_db_init(&db);
	lr = lineread_mem(data, len, KS_DPKG_LINE_MAX);
	if (lr == NULL) {
		dpkg_nomem(err);
		goto free_parser;
	}
	if (dpkg_parse_reset(p, &db, DPKG_MODE_STATUS, label) == 0 &&
	    dpkg_parse_stream(p, lr) == 0 && dpkg_db_export(&db, true, out, err) == 0) {
		n = (long)p->stanzas;
	}
	if (n < 0) {
		pkg_list_truncate(out, n0);
	}
	lineread_free(lr);
free_parser:
	dpkg_db_free(&db);
	free(p);
	return n;
}
