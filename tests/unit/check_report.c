/* Unit tests for the report layer: model, JSON and text writers. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/fmt/fmt_json.h"
#include "report/fmt/fmt_text.h"
#include "report/deliver/output.h"
#include "report/report.h"
#include "base/limits.h"
#include "base/xstd.h"
#include "check_util.h"

#define SHA_A "ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34"

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static struct report *new_report(void)
{
	struct report *r = report_new("0.1.0");

	ck_assert_ptr_nonnull(r);
	return r;
}

static struct report_evidence ev_path(enum report_state st, const char *path)
{
	struct report_evidence e;

	memset(&e, 0, sizeof(e));
	e.kind = REPORT_EV_PATH;
	e.confidence = REPORT_CONF_HIGH;
	e.state = st;
	e.path = path;
	e.ftype = "dir";
	e.role = "install";
	return e;
}

static struct report_evidence ev_pkg(const char *name, const char *version)
{
	struct report_evidence e;

	memset(&e, 0, sizeof(e));
	e.kind = REPORT_EV_PACKAGE;
	e.confidence = REPORT_CONF_HIGH;
	e.state = REPORT_STATE_INSTALLED;
	e.manager = "dpkg";
	e.name = name;
	e.version = version;
	e.arch = "amd64";
	e.status = "install ok installed";
	e.pattern = name;
	e.source = "/var/lib/dpkg/status";
	return e;
}

static struct report_finding *kesl(struct report *r)
{
	struct report_finding *f = report_finding(r, "kaspersky.kesl", "Kaspersky",
		"Kaspersky Endpoint Security for Linux", "apt-get purge kesl");

	ck_assert_ptr_nonnull(f);
	return f;
}

static void add_ev(struct report_finding *f, struct report_evidence e)
{
	ck_assert_int_eq(report_add_evidence(f, &e), 0);
}

/* Host and scan facts every full report has. */
static void fill_host(struct report *r)
{
	ck_assert_int_eq(report_set_str(&r->hostname, "web01"), 0);
	ck_assert_int_eq(report_set_str(&r->machine_id, "0123456789abcdef0123456789abcdef"), 0);
	ck_assert_int_eq(report_set_str(&r->os_id, "debian"), 0);
	ck_assert_int_eq(report_set_str(&r->os_version_id, "12"), 0);
	ck_assert_int_eq(report_set_str(&r->os_pretty_name, "Debian GNU/Linux 12 (bookworm)"), 0);
	ck_assert_int_eq(report_set_str(&r->kernel, "6.1.0-18-amd64"), 0);
	ck_assert_int_eq(report_set_str(&r->root, "/"), 0);
	ck_assert_int_eq(report_set_str(&r->mode, "quick"), 0);
	r->started_ms = INT64_C(1795326705123);
	r->finished_ms = INT64_C(1795326706357);
	r->duration_ms = 1234;
	ck_assert_int_eq(report_add_pack(r, "builtin:kaspersky-kesl.yaml", "2026.11", SHA_A, true,
		5), 0);
	ck_assert_int_eq(report_set_str(&r->packs[0].date, "2026-11-01"), 0);
	ck_assert_int_eq(report_set_str(&r->packs[0].expires, "2027-05-01"), 0);
}

static struct report_source *add_src(struct report *r, const char *name,
	enum report_src_status st, const char *error)
{
	struct report_source *s = report_add_source(r, name, st);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(report_source_error(s, error), 0);
	return s;
}

/* ---- model ---- */

/*
 * report_obligation: every pack's obligations once each (the same framework and control in
 * two packs counts once), or only those of a finding's pack; none for an unknown pack.
 */
START_TEST(test_obligations)
{
	struct report *r = report_new("0.1.0");
	const struct report_compliance *c;
	struct report_finding *f;
	const char *got[8];
	size_t it, n;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(report_add_pack(r, "a.yaml", "1", SHA_A, false, 1), 0);
	ck_assert_int_eq(report_pack_add_compliance(&r->packs[0], "F1", "c1", NULL), 0);
	ck_assert_int_eq(report_pack_add_compliance(&r->packs[0], "F2", "c2", NULL), 0);
	ck_assert_int_eq(report_add_pack(r, "b.yaml", "1", SHA_A, false, 1), 0);
	ck_assert_int_eq(report_add_pack(r, "c.yaml", "1", SHA_A, false, 1), 0);
	ck_assert_int_eq(report_pack_add_compliance(&r->packs[2], "F2", "c2", NULL), 0);
	ck_assert_int_eq(report_pack_add_compliance(&r->packs[2], "F3", "c3", "https://x/"), 0);
	for (it = 0, n = 0; (c = report_obligation(r, NULL, &it)) != NULL && n < 8; n++) {
		got[n] = c->framework;
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(got[0], "F1");
	ck_assert_str_eq(got[1], "F2");
	ck_assert_str_eq(got[2], "F3");
	f = report_finding(r, "x.y", "V", "P", NULL);
	ck_assert_ptr_nonnull(f);
	it = 0;
	ck_assert_ptr_null(report_obligation(r, f, &it));
	ck_assert_int_eq(report_finding_rule(f, "c.yaml", "1", NULL), 0);
	for (it = 0, n = 0; (c = report_obligation(r, f, &it)) != NULL && n < 8; n++) {
		got[n] = c->framework;
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(got[0], "F2");
	ck_assert_str_eq(got[1], "F3");
	report_free(r);
}
END_TEST

START_TEST(test_new_id)
{
	struct report *a = new_report(), *b = new_report();
	const char *id = a->report_id;
	size_t i;

	ck_assert_uint_eq(strlen(id), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			ck_assert_int_eq(id[i], '-');
		} else {
			ck_assert_ptr_nonnull(strchr("0123456789abcdef", id[i]));
		}
	}
	ck_assert_int_eq(id[14], '4');
	ck_assert_ptr_nonnull(strchr("89ab", id[19]));
	ck_assert_str_ne(a->report_id, b->report_id);
	ck_assert_str_eq(a->kscan_version, "0.1.0");
	report_free(a);
	report_free(b);
	errno = 0;
	ck_assert_ptr_null(report_new(NULL));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_set_str)
{
	char *s = NULL, *big = malloc(KS_REPORT_STR_MAX + 2);

	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(report_set_str(&s, "one"), 0);
	ck_assert_str_eq(s, "one");
	memset(big, 'x', KS_REPORT_STR_MAX + 1);
	big[KS_REPORT_STR_MAX + 1] = '\0';
	errno = 0;
	ck_assert_int_eq(report_set_str(&s, big), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_str_eq(s, "one");
	big[KS_REPORT_STR_MAX] = '\0';
	ck_assert_int_eq(report_set_str(&s, big), 0);
	ck_assert_uint_eq(strlen(s), KS_REPORT_STR_MAX);
	ck_assert_int_eq(report_set_str(&s, NULL), 0);
	ck_assert_ptr_null(s);
	free(big);
}
END_TEST

/* The evidence used by the dedup test, with every field set. */
static struct report_evidence ev_full(void)
{
	struct report_evidence e;

	memset(&e, 0, sizeof(e));
	e.kind = REPORT_EV_HASH;
	e.confidence = REPORT_CONF_HIGH;
	e.state = REPORT_STATE_INSTALLER;
	e.role = "installer";
	e.pattern = "kesl*.deb";
	e.manager = "dpkg";
	e.name = "kesl";
	e.version = "12.0.0-6672";
	e.arch = "amd64";
	e.status = "install ok installed";
	e.path = "/home/u/kesl_12.0.0-6672_amd64.deb";
	e.ftype = "file";
	e.target = "t";
	e.sha256 = SHA_A;
	e.source = "deep";
	e.size = 10;
	e.has_size = true;
	e.mtime_ms = 5;
	e.has_mtime = true;
	return e;
}

/* Variant _i changes one field; variant 0 changes nothing (a copy in other storage). */
static void ev_vary(struct report_evidence *e, int which)
{
	const char **s[] = { &e->role, &e->pattern, &e->manager, &e->name, &e->version, &e->arch,
		&e->status, &e->path, &e->ftype, &e->target, &e->sha256, &e->source };

	if (which >= 1 && which <= (int)XSTD_COUNTOF(s)) {
		*s[which - 1] = "different";
		return;
	}
	switch (which) {
	case 13:
		e->kind = REPORT_EV_FILE;
		break;
	case 14:
		e->state = REPORT_STATE_REMNANT;
		break;
	case 15:
		e->size = 11;
		break;
	case 16:
		e->has_size = false;
		break;
	case 17:
		e->mtime_ms = 6;
		break;
	case 18:
		e->has_mtime = false;
		break;
	case 19:
		e->name = NULL;
		break;
	case 20:
		e->name = "";
		break;
	default:
		break;
	}
}

START_TEST(test_dedup)
{
	struct report *r = new_report();
	struct report_finding *f = kesl(r);
	struct report_evidence a = ev_full(), b = ev_full();
	char path[64];

	/* equal content in other storage is still the same evidence */
	memcpy(path, a.path, strlen(a.path) + 1);
	b.path = path;
	ev_vary(&b, _i);
	add_ev(f, a);
	add_ev(f, b);
	add_ev(f, a);
	add_ev(f, b);
	ck_assert_uint_eq(f->nev, _i == 0 ? 1 : 2);
	ck_assert_uint_eq(f->ev_dropped, 0);
	report_free(r);
}
END_TEST

START_TEST(test_dedup_unset_fields)
{
	struct report *r = new_report();
	struct report_finding *f = kesl(r);
	struct report_evidence a = ev_full(), b = ev_full();

	/* a size or mtime that is not set is not part of the evidence */
	a.has_size = b.has_size = false;
	a.has_mtime = b.has_mtime = false;
	a.size = 1;
	b.size = 2;
	a.mtime_ms = 1;
	b.mtime_ms = 2;
	add_ev(f, a);
	add_ev(f, b);
	ck_assert_uint_eq(f->nev, 1);
	ck_assert(!f->ev[0].has_size);
	report_free(r);
}
END_TEST

START_TEST(test_evidence_invalid)
{
	struct report *r = new_report();
	struct report_finding *f = kesl(r);
	struct report_evidence e = ev_path(REPORT_STATE_NONE, "/opt/kaspersky");

	errno = 0;
	ck_assert_int_eq(report_add_evidence(f, &e), -1);
	ck_assert_int_eq(errno, EINVAL);
	e.state = (enum report_state)(REPORT_STATE_RUNNING + 1);
	ck_assert_int_eq(report_add_evidence(f, &e), -1);
	e.state = REPORT_STATE_REMNANT;
	e.kind = REPORT_EV_KIND_COUNT;
	errno = 0;
	ck_assert_int_eq(report_add_evidence(f, &e), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* a source that forgot the confidence is caught, not reported as anything */
	e.kind = REPORT_EV_PATH;
	e.confidence = (enum report_confidence)0;
	errno = 0;
	ck_assert_int_eq(report_add_evidence(f, &e), -1);
	ck_assert_int_eq(errno, EINVAL);
	e.confidence = (enum report_confidence)(REPORT_CONF_HIGH + 1);
	ck_assert_int_eq(report_add_evidence(f, &e), -1);
	ck_assert_uint_eq(f->nev, 0);
	report_free(r);
}
END_TEST

/* A finding is as confident as its best evidence, dropped past the cap included. */
START_TEST(test_confidence)
{
	struct report *r = new_report();
	struct report_finding *f = kesl(r);
	struct report_evidence e = ev_path(REPORT_STATE_REMNANT, "/opt/kaspersky/a");
	char path[64];
	size_t i;

	e.confidence = REPORT_CONF_LOW;
	add_ev(f, e);
	e.path = "/opt/kaspersky/b";
	add_ev(f, e);
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_int_eq(r->findings[0]->confidence, REPORT_CONF_LOW);
	ck_assert(report_finding_low_confidence(r->findings[0]));
	/* the same facts at another confidence are another item */
	e.confidence = REPORT_CONF_MEDIUM;
	add_ev(f, e);
	ck_assert_uint_eq(f->nev, 3);
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_int_eq(f->confidence, REPORT_CONF_MEDIUM);
	ck_assert(!report_finding_low_confidence(f));
	report_free(r);

	r = new_report();
	f = kesl(r);
	e.confidence = REPORT_CONF_LOW;
	for (i = 0; i < KS_EVIDENCE_PER_FINDING_MAX; i++) {
		ck_assert_int_lt(snprintf(path, sizeof(path), "/opt/x/%zu", i), (int)sizeof(path));
		e.path = path;
		add_ev(f, e);
	}
	e.path = "/opt/x/high";
	e.confidence = REPORT_CONF_HIGH;
	add_ev(f, e);
	ck_assert_uint_eq(f->ev_dropped, 1);
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_int_eq(f->confidence, REPORT_CONF_HIGH);
	ck_assert(!report_finding_low_confidence(f));
	report_free(r);
}
END_TEST

static bool drop_under_b(const struct report_evidence *e, void *ctx)
{
	(void)ctx;
	return e->path != NULL && strncmp(e->path, "/opt/b", 6) == 0;
}

/* Removed evidence is forgotten: its kind and state no longer count; nothing left, no finding. */
START_TEST(test_remove_evidence)
{
	struct report *r = new_report();
	struct report_finding *f = kesl(r);
	struct report_finding *g = report_finding(r, "x.only-b", "V", "P", NULL);

	add_ev(f, ev_pkg("kesl", "1"));
	add_ev(f, ev_path(REPORT_STATE_INSTALLED, "/opt/a"));
	add_ev(f, ev_path(REPORT_STATE_INSTALLED, "/opt/b/x"));
	ck_assert_ptr_nonnull(g);
	add_ev(g, ev_path(REPORT_STATE_REMNANT, "/opt/b"));
	ck_assert_uint_eq(report_remove_evidence(f, drop_under_b, NULL), 1);
	ck_assert_uint_eq(report_remove_evidence(g, drop_under_b, NULL), 1);
	ck_assert_uint_eq(f->nev, 2);
	ck_assert_uint_eq(f->kinds, 1u << REPORT_EV_PACKAGE | 1u << REPORT_EV_PATH);
	ck_assert_uint_eq(g->kinds, 0);
	/* the index was dropped with the moved items: adding again still deduplicates */
	add_ev(f, ev_path(REPORT_STATE_INSTALLED, "/opt/a"));
	ck_assert_uint_eq(f->nev, 2);
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_uint_eq(r->nfindings, 1);
	ck_assert_str_eq(r->findings[0]->signature, "kaspersky.kesl");
	report_free(r);
}
END_TEST

/* Stale packs make a report without findings incomplete, only with a maximum age. */
START_TEST(test_stale_packs)
{
	struct report *r = new_report();

	ck_assert_int_eq(report_add_pack(r, "a.yaml", "1", SHA_A, false, 1), 0);
	ck_assert_int_eq(report_add_pack(r, "b.yaml", "1", SHA_A, false, 1), 0);
	ck_assert_int_eq(report_add_pack(r, "c.yaml", "1", SHA_A, false, 1), 0);
	r->packs[0].stale = true;
	r->packs[2].stale = true;
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_int_eq(r->verdict, REPORT_CLEAN);
	r->max_age_days = 30;
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_int_eq(r->verdict, REPORT_INCOMPLETE);
	ck_assert_str_eq(r->verdict_reason, "stale signatures: a.yaml c.yaml");
	ck_assert_ptr_nonnull(report_add_source(r, "rpm", REPORT_SRC_FAILED));
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_str_eq(r->verdict_reason, "source rpm failed; stale signatures: a.yaml c.yaml");
	add_ev(kesl(r), ev_pkg("kesl", "1"));
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_int_eq(r->verdict, REPORT_DETECTED);
	report_free(r);
}
END_TEST

START_TEST(test_evidence_cap)
{
	struct report *r = new_report();
	struct report_finding *f = kesl(r);
	struct report_evidence e;
	struct buf b;
	char path[64];
	size_t i;

	for (i = 0; i < KS_EVIDENCE_PER_FINDING_MAX; i++) {
		ck_assert_int_lt(snprintf(path, sizeof(path), "/var/log/kaspersky/%zu", i),
			(int)sizeof(path));
		add_ev(f, ev_path(REPORT_STATE_REMNANT, path));
	}
	ck_assert_uint_eq(f->nev, KS_EVIDENCE_PER_FINDING_MAX);
	/* at the cap, a duplicate of kept evidence is still recognised, not counted */
	add_ev(f, ev_path(REPORT_STATE_REMNANT, "/var/log/kaspersky/7"));
	ck_assert_uint_eq(f->ev_dropped, 0);
	add_ev(f, ev_path(REPORT_STATE_REMNANT, "/var/log/kaspersky/new"));
	memset(&e, 0, sizeof(e));
	e.kind = REPORT_EV_PROCESS;
	e.confidence = REPORT_CONF_HIGH;
	e.state = REPORT_STATE_RUNNING;
	e.name = "kesl";
	add_ev(f, e);
	ck_assert_uint_eq(f->nev, KS_EVIDENCE_PER_FINDING_MAX);
	ck_assert_uint_eq(f->ev_dropped, 2);
	ck_assert_int_eq(report_finish(r), 0);
	/* a dropped item still makes the finding as strong as it proves */
	ck_assert_int_eq(r->findings[0]->state, REPORT_STATE_RUNNING);
	ck_assert_uint_eq(r->findings[0]->kinds, 1u << REPORT_EV_PATH | 1u << REPORT_EV_PROCESS);
	buf_init(&b, KS_REPORT_MAX);
	ck_assert_int_eq(fmt_json_write(r, &b, false), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&b), "\"evidence_dropped\":2}"));
	ck_assert_ptr_nonnull(strstr(buf_str(&b),
		"\"state\":\"running\",\"confidence\":\"high\",\"low_confidence\":false,"
		"\"remove\":[],\"remove_hint\":\"apt-get purge kesl\","
		"\"evidence_kinds\":[\"path\",\"process\"]"));
	buf_free(&b);
	report_free(r);
}
END_TEST

/* Evidence past the memory budget (half of KS_REPORT_MAX) is dropped and counted. */
START_TEST(test_evidence_budget)
{
	struct report *r = new_report();
	struct report_finding *f = kesl(r);
	size_t n = (KS_REPORT_MAX / 2) / KS_REPORT_STR_MAX + 16, i;
	char *path = malloc(KS_REPORT_STR_MAX + 1);

	ck_assert_ptr_nonnull(path);
	memset(path, 'p', KS_REPORT_STR_MAX);
	path[KS_REPORT_STR_MAX] = '\0';
	for (i = 0; i < n; i++) {
		/* a distinct path each time: the index written in the first bytes */
		ck_assert_int_gt(snprintf(path, 16, "/%014zu", i), 0);
		path[15] = 'p';
		add_ev(f, ev_path(REPORT_STATE_REMNANT, path));
	}
	ck_assert_uint_eq(f->nev + f->ev_dropped, n);
	ck_assert_uint_ge(f->ev_dropped, 16);
	ck_assert_uint_lt(f->ev_dropped, 64);
	ck_assert_uint_le(f->nev * (KS_REPORT_STR_MAX + 1), KS_REPORT_MAX / 2);
	free(path);
	report_free(r);
}
END_TEST

START_TEST(test_errors_cap)
{
	struct report *r = new_report();
	char *big = malloc(KS_REPORT_STR_MAX + 100);
	int i;

	ck_assert_ptr_nonnull(big);
	memset(big, 'e', KS_REPORT_STR_MAX + 99);
	big[KS_REPORT_STR_MAX + 99] = '\0';
	ck_assert_int_eq(report_add_error(r, "cannot read %s: %s", "/etc/hostname", "EACCES"), 0);
	ck_assert_int_eq(report_add_error(r, "long: %s", big), 0);
	ck_assert_str_eq(r->errors[0], "cannot read /etc/hostname: EACCES");
	ck_assert_uint_eq(strlen(r->errors[1]), KS_REPORT_STR_MAX);
	ck_assert_int_eq(strncmp(r->errors[1], "long: eee", 9), 0);
	for (i = 2; i < (int)KS_REPORT_ERRORS_MAX + 5; i++) {
		ck_assert_int_eq(report_add_error(r, "error %d", i), 0);
	}
	ck_assert_uint_eq(r->nerrors, KS_REPORT_ERRORS_MAX);
	ck_assert_uint_eq(r->errors_dropped, 5);
	ck_assert_str_eq(r->errors[KS_REPORT_ERRORS_MAX - 1], "error 99");
	free(big);
	report_free(r);
}
END_TEST

START_TEST(test_counts)
{
	static const char *const keys[] = { "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8" };
	struct report *r = new_report();
	struct report_source *s = add_src(r, "dpkg", REPORT_SRC_OK, NULL);
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(keys); i++) {
		report_source_count(s, keys[i], i);
	}
	ck_assert_uint_eq(s->ncounts, REPORT_COUNTS_MAX);
	report_source_count(s, "k3", 42);
	ck_assert_uint_eq(s->ncounts, REPORT_COUNTS_MAX);
	ck_assert_str_eq(s->counts[3].key, "k3");
	ck_assert_uint_eq(s->counts[3].value, 42);
	ck_assert_str_eq(s->counts[7].key, "k7");
	report_free(r);
}
END_TEST

/* Adding a source twice merges: failed wins, then ok, then absent. */
static const struct {
	enum report_src_status first, second, want;
} merge_cases[] = {
	{ REPORT_SRC_OK, REPORT_SRC_OK, REPORT_SRC_OK },
	{ REPORT_SRC_OK, REPORT_SRC_ABSENT, REPORT_SRC_OK },
	{ REPORT_SRC_ABSENT, REPORT_SRC_OK, REPORT_SRC_OK },
	{ REPORT_SRC_ABSENT, REPORT_SRC_ABSENT, REPORT_SRC_ABSENT },
	{ REPORT_SRC_OK, REPORT_SRC_FAILED, REPORT_SRC_FAILED },
	{ REPORT_SRC_FAILED, REPORT_SRC_OK, REPORT_SRC_FAILED },
	{ REPORT_SRC_FAILED, REPORT_SRC_ABSENT, REPORT_SRC_FAILED },
	{ REPORT_SRC_ABSENT, REPORT_SRC_FAILED, REPORT_SRC_FAILED },
};

START_TEST(test_source_merge)
{
	struct report *r = new_report();
	struct report_source *a = add_src(r, "dpkg", merge_cases[_i].first, NULL);
	struct report_source *b = add_src(r, "dpkg", merge_cases[_i].second, NULL);

	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(r->nsources, 1);
	ck_assert_int_eq(a->status, merge_cases[_i].want);
	report_free(r);
}
END_TEST

START_TEST(test_sources_stable_and_capped)
{
	static char names[40][8];
	struct report *r = new_report();
	struct report_source *first = add_src(r, "dpkg", REPORT_SRC_OK, "e");
	int i;

	for (i = 0; i < 40; i++) {
		ck_assert_int_lt(snprintf(names[i], sizeof(names[i]), "s%d", i), 8);
	}
	for (i = 0; i < 31; i++) {
		ck_assert_ptr_nonnull(report_add_source(r, names[i], REPORT_SRC_OK));
	}
	/* earlier pointers survive later additions */
	ck_assert_ptr_eq(first, &r->sources[0]);
	ck_assert_str_eq(first->error, "e");
	errno = 0;
	ck_assert_ptr_null(report_add_source(r, names[31], REPORT_SRC_OK));
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_uint_eq(r->nsources, 32);
	report_free(r);
}
END_TEST

START_TEST(test_packs_cap)
{
	struct report *r = new_report();
	size_t i;

	for (i = 0; i < KS_SIG_PACKS_MAX; i++) {
		ck_assert_int_eq(report_add_pack(r, "p.yaml", "1", SHA_A, false, i), 0);
	}
	errno = 0;
	ck_assert_int_eq(report_add_pack(r, "p.yaml", "1", SHA_A, false, 0), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_uint_eq(r->npacks, KS_SIG_PACKS_MAX);
	ck_assert_uint_eq(r->packs[KS_SIG_PACKS_MAX - 1].nsignatures, KS_SIG_PACKS_MAX - 1);
	report_free(r);
}
END_TEST

START_TEST(test_finding_lookup)
{
	struct report *r = new_report();
	struct report_finding *f = kesl(r), *g;
	char id[32];
	int i;

	for (i = 0; i < 100; i++) {
		ck_assert_int_lt(snprintf(id, sizeof(id), "other.%03d", i), (int)sizeof(id));
		ck_assert_ptr_nonnull(report_finding(r, id, "V", "P", NULL));
	}
	g = report_finding(r, "kaspersky.kesl", "Other", "Other", "other");
	/* the same finding, where it was, with the fields of its first use */
	ck_assert_ptr_eq(f, g);
	ck_assert_str_eq(g->vendor, "Kaspersky");
	ck_assert_str_eq(g->remove, "apt-get purge kesl");
	ck_assert_uint_eq(r->nfindings, 101);
	report_free(r);
}
END_TEST

START_TEST(test_sorting)
{
	struct report *r = new_report();
	struct report_finding *z = report_finding(r, "z.last", "V", "Z", NULL);
	struct report_finding *a = report_finding(r, "a.first", "V", "A", NULL);
	struct report_finding *m = kesl(r);
	struct report_evidence e;
	const struct report_evidence *v;

	add_ev(z, ev_path(REPORT_STATE_REMNANT, "/z"));
	add_ev(a, ev_path(REPORT_STATE_REMNANT, "/a"));
	add_ev(m, ev_path(REPORT_STATE_REMNANT, "/var/opt/kaspersky/kesl"));
	memset(&e, 0, sizeof(e));
	e.kind = REPORT_EV_PROCESS;
	e.confidence = REPORT_CONF_HIGH;
	e.state = REPORT_STATE_RUNNING;
	e.name = "kesl";
	add_ev(m, e);
	add_ev(m, ev_pkg("kesl-gui", "1"));
	add_ev(m, ev_path(REPORT_STATE_INSTALLED, "/opt/kaspersky/kesl"));
	add_ev(m, ev_pkg("kesl", "2"));
	add_ev(m, ev_pkg("kesl", "1"));
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_uint_eq(r->nfindings, 3);
	ck_assert_str_eq(r->findings[0]->signature, "a.first");
	ck_assert_str_eq(r->findings[1]->signature, "kaspersky.kesl");
	ck_assert_str_eq(r->findings[2]->signature, "z.last");
	v = r->findings[1]->ev;
	ck_assert_uint_eq(r->findings[1]->nev, 6);
	/* kind (package, path, ..., process), then path, name, manager, arch, version */
	ck_assert_str_eq(v[0].name, "kesl");
	ck_assert_str_eq(v[0].version, "1");
	ck_assert_str_eq(v[1].name, "kesl");
	ck_assert_str_eq(v[1].version, "2");
	ck_assert_str_eq(v[2].name, "kesl-gui");
	ck_assert_str_eq(v[3].path, "/opt/kaspersky/kesl");
	ck_assert_str_eq(v[4].path, "/var/opt/kaspersky/kesl");
	ck_assert_int_eq(v[5].kind, REPORT_EV_PROCESS);
	report_free(r);
}
END_TEST

/* Strongest wins: each case is a set of states (bits) and the state it must give. */
static const struct {
	unsigned states;
	enum report_state want;
} state_cases[] = {
	{ 1u << REPORT_STATE_INSTALLER, REPORT_STATE_INSTALLER },
	{ 1u << REPORT_STATE_REMNANT, REPORT_STATE_REMNANT },
	{ 1u << REPORT_STATE_INSTALLER | 1u << REPORT_STATE_REMNANT, REPORT_STATE_REMNANT },
	{ 1u << REPORT_STATE_REMNANT | 1u << REPORT_STATE_INSTALLED, REPORT_STATE_INSTALLED },
	{ 1u << REPORT_STATE_INSTALLER | 1u << REPORT_STATE_INSTALLED, REPORT_STATE_INSTALLED },
	{ 1u << REPORT_STATE_INSTALLED | 1u << REPORT_STATE_RUNNING, REPORT_STATE_RUNNING },
	{ 1u << REPORT_STATE_INSTALLER | 1u << REPORT_STATE_RUNNING, REPORT_STATE_RUNNING },
	{ 0x1eu, REPORT_STATE_RUNNING },
};

START_TEST(test_state_strongest)
{
	static const char *const paths[] = { "/0", "/1", "/2", "/3", "/4" };
	struct report *r = new_report();
	struct report_finding *f = kesl(r);
	int s;

	/* added weakest last, so order of arrival cannot be what decides */
	for (s = REPORT_STATE_RUNNING; s >= REPORT_STATE_INSTALLER; s--) {
		if (state_cases[_i].states & 1u << s) {
			add_ev(f, ev_path((enum report_state)s, paths[s]));
		}
	}
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_int_eq(r->findings[0]->state, state_cases[_i].want);
	report_free(r);
}
END_TEST

/* Verdict rules: findings and source outcomes in, verdict and reason out. */
static const struct {
	bool finding;
	enum report_src_status dpkg, rpm;
	const char *dpkg_err, *rpm_err;
	enum report_verdict want;
	const char *reason;
} verdict_cases[] = {
	{ false, REPORT_SRC_OK, REPORT_SRC_OK, NULL, NULL, REPORT_CLEAN, NULL },
	{ false, REPORT_SRC_OK, REPORT_SRC_ABSENT, NULL, NULL, REPORT_CLEAN, NULL },
	{ false, REPORT_SRC_ABSENT, REPORT_SRC_ABSENT, NULL, NULL, REPORT_CLEAN, NULL },
	{ false, REPORT_SRC_FAILED, REPORT_SRC_OK, "status: Permission denied", NULL,
		REPORT_INCOMPLETE, "source dpkg failed: status: Permission denied" },
	{ false, REPORT_SRC_ABSENT, REPORT_SRC_FAILED, NULL, "Packages: corrupt",
		REPORT_INCOMPLETE, "source rpm failed: Packages: corrupt" },
	{ false, REPORT_SRC_FAILED, REPORT_SRC_FAILED, "boom", NULL, REPORT_INCOMPLETE,
		"source dpkg failed: boom; source rpm failed" },
	{ true, REPORT_SRC_OK, REPORT_SRC_OK, NULL, NULL, REPORT_DETECTED, NULL },
	{ true, REPORT_SRC_ABSENT, REPORT_SRC_ABSENT, NULL, NULL, REPORT_DETECTED, NULL },
	{ true, REPORT_SRC_FAILED, REPORT_SRC_OK, "boom", NULL, REPORT_DETECTED, NULL },
	{ true, REPORT_SRC_FAILED, REPORT_SRC_FAILED, "a", "b", REPORT_DETECTED, NULL },
};

START_TEST(test_verdict)
{
	struct report *r = new_report();
	int pass;

	add_src(r, "dpkg", verdict_cases[_i].dpkg, verdict_cases[_i].dpkg_err);
	add_src(r, "rpm", verdict_cases[_i].rpm, verdict_cases[_i].rpm_err);
	if (verdict_cases[_i].finding) {
		add_ev(kesl(r), ev_pkg("kesl", "1"));
	}
	/* a second report_finish() gives the same answer */
	for (pass = 0; pass < 2; pass++) {
		ck_assert_int_eq(report_finish(r), 0);
		ck_assert_int_eq(r->verdict, verdict_cases[_i].want);
		if (verdict_cases[_i].reason == NULL) {
			ck_assert_ptr_null(r->verdict_reason);
		} else {
			ck_assert_str_eq(r->verdict_reason, verdict_cases[_i].reason);
		}
	}
	report_free(r);
}
END_TEST

START_TEST(test_verdict_no_sources)
{
	struct report *r = new_report();

	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_int_eq(r->verdict, REPORT_CLEAN);
	ck_assert_ptr_null(r->verdict_reason);
	report_free(r);
}
END_TEST

START_TEST(test_finish_drops_empty_findings)
{
	struct report *r = new_report();

	add_src(r, "dpkg", REPORT_SRC_FAILED, "boom");
	(void)kesl(r);
	add_ev(report_finding(r, "b", "V", "P", NULL), ev_pkg("b", "1"));
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_uint_eq(r->nfindings, 1);
	ck_assert_str_eq(r->findings[0]->signature, "b");
	ck_assert_int_eq(r->verdict, REPORT_DETECTED);
	report_free(r);

	r = new_report();
	add_src(r, "dpkg", REPORT_SRC_FAILED, "boom");
	(void)kesl(r);
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_uint_eq(r->nfindings, 0);
	ck_assert_int_eq(r->verdict, REPORT_INCOMPLETE);
	report_free(r);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(report_state_name(REPORT_STATE_INSTALLER), "installer");
	ck_assert_str_eq(report_state_name(REPORT_STATE_REMNANT), "remnant");
	ck_assert_str_eq(report_state_name(REPORT_STATE_INSTALLED), "installed");
	ck_assert_str_eq(report_state_name(REPORT_STATE_RUNNING), "running");
	ck_assert_str_eq(report_ev_kind_name(REPORT_EV_PACKAGE), "package");
	ck_assert_str_eq(report_ev_kind_name(REPORT_EV_PATH), "path");
	ck_assert_str_eq(report_ev_kind_name(REPORT_EV_FILE), "file");
	ck_assert_str_eq(report_ev_kind_name(REPORT_EV_HASH), "hash");
	ck_assert_str_eq(report_ev_kind_name(REPORT_EV_PROCESS), "process");
	ck_assert_str_eq(report_ev_kind_name(REPORT_EV_SERVICE), "service");
	ck_assert_str_eq(report_ev_kind_name(REPORT_EV_KERNEL_MODULE), "kernel_module");
	ck_assert_str_eq(report_src_status_name(REPORT_SRC_OK), "ok");
	ck_assert_str_eq(report_src_status_name(REPORT_SRC_ABSENT), "absent");
	ck_assert_str_eq(report_src_status_name(REPORT_SRC_FAILED), "failed");
	ck_assert_str_eq(report_verdict_name(REPORT_CLEAN), "clean");
	ck_assert_str_eq(report_verdict_name(REPORT_DETECTED), "detected");
	ck_assert_str_eq(report_verdict_name(REPORT_INCOMPLETE), "incomplete");
}
END_TEST

/* ---- JSON writer ---- */

/* A detected report with every kind of field, a hostile path and a failed source. */
static struct report *sample_detected(void)
{
	struct report *r = new_report();
	struct report_source *s;
	struct report_finding *f = kesl(r);
	struct report_evidence e;

	fill_host(r);
	s = add_src(r, "dpkg", REPORT_SRC_OK, NULL);
	ck_assert_int_eq(report_source_location(s, "/var/lib/dpkg/status"), 0);
	report_source_count(s, "packages", 1234);
	add_src(r, "rpm", REPORT_SRC_ABSENT, NULL);
	add_src(r, "paths", REPORT_SRC_FAILED, "/var/opt: Permission denied");
	add_ev(f, ev_pkg("kesl", "12.0.0-6672"));
	e = ev_path(REPORT_STATE_INSTALLED, "/var/opt/kaspersky/kesl/install-current");
	e.ftype = "symlink";
	e.target = "install_12.0.0.6672";
	e.has_mtime = true;
	e.mtime_ms = INT64_C(1795326000000);
	add_ev(f, e);
	memset(&e, 0, sizeof(e));
	e.kind = REPORT_EV_PROCESS;
	e.confidence = REPORT_CONF_HIGH;
	e.state = REPORT_STATE_RUNNING;
	e.name = "kesl";
	e.path = "/opt/kaspersky/kesl/libexec/kesl";
	add_ev(f, e);
	f = report_finding(r, "kaspersky.klnagent", "Kaspersky", "Network Agent", NULL);
	ck_assert_ptr_nonnull(f);
	e = ev_path(REPORT_STATE_REMNANT, "/var/log/kaspersky/ev\x1b[2Jil\n\xff.log");
	e.ftype = "file";
	e.role = "remnant";
	e.has_size = true;
	e.size = 4096;
	add_ev(f, e);
	memset(&e, 0, sizeof(e));
	e.kind = REPORT_EV_HASH;
	e.confidence = REPORT_CONF_HIGH;
	e.state = REPORT_STATE_INSTALLER;
	e.path = "/home/alice/klnagent64_15.1.0-20748_amd64.deb";
	e.sha256 = SHA_A;
	e.has_size = true;
	e.size = 123456789;
	e.role = "installer";
	e.ftype = "file";
	add_ev(f, e);
	ck_assert_int_eq(report_add_error(r, "cannot read /etc/hostname: %s", "EACCES"), 0);
	ck_assert_int_eq(report_finish(r), 0);
	return r;
}

static struct report *sample_clean(void)
{
	struct report *r = new_report();

	fill_host(r);
	add_src(r, "dpkg", REPORT_SRC_OK, NULL);
	add_src(r, "rpm", REPORT_SRC_ABSENT, NULL);
	ck_assert_int_eq(report_finish(r), 0);
	return r;
}

static struct report *sample_incomplete(void)
{
	struct report *r = new_report();
	int i;

	/* a mounted root: no kernel, no hostname, a non-UTF-8 root and error */
	ck_assert_int_eq(report_set_str(&r->root, "/mnt/img\xe9"), 0);
	ck_assert_int_eq(report_set_str(&r->mode, "quick"), 0);
	ck_assert_int_eq(report_set_str(&r->os_id, "rhel"), 0);
	add_src(r, "dpkg", REPORT_SRC_ABSENT, NULL);
	add_src(r, "rpm", REPORT_SRC_FAILED, "/var/lib/rpm/rpmdb.sqlite: bad \xff header");
	for (i = 0; i < (int)KS_REPORT_ERRORS_MAX + 3; i++) {
		ck_assert_int_eq(report_add_error(r, "error %d \xc0", i), 0);
	}
	ck_assert_int_eq(report_finish(r), 0);
	return r;
}

static struct report *(*const samples[])(void) = {
	sample_detected, sample_clean, sample_incomplete,
};

/* Expressions over the parsed report r that must hold for each sample. */
static const char *const sample_checks[][6] = {
	{
		"r['verdict'] == 'detected' and 'verdict_reason' not in r",
		"[f['signature'] for f in r['findings']] == "
		"['kaspersky.kesl', 'kaspersky.klnagent']",
		"r['findings'][0]['state'] == 'running' and "
		"r['findings'][0]['evidence_kinds'] == ['package', 'path', 'process']",
		"[e['kind'] for e in r['findings'][1]['evidence']] == ['path', 'hash']",
		"base64.b64decode(r['findings'][1]['evidence'][0]['path_b64']) == "
		"b'/var/log/kaspersky/ev\\x1b[2Jil\\n\\xff.log'",
		"list(r['sources']) == ['dpkg', 'rpm', 'paths'] and "
		"r['sources']['dpkg']['counts'] == {'packages': 1234} and "
		"r['sources']['paths']['status'] == 'failed'",
	},
	{
		"r['verdict'] == 'clean' and r['findings'] == [] and r['errors'] == []",
		"r['host']['os'] == {'id': 'debian', 'version_id': '12', "
		"'pretty_name': 'Debian GNU/Linux 12 (bookworm)'}",
		"r['scan'] == {'root': '/', 'mode': 'quick', 'live': False, 'started_at': "
		"'2026-11-22T05:51:45.123Z', 'finished_at': '2026-11-22T05:51:46.357Z', "
		"'duration_ms': 1234, 'sandbox': {'no_new_privs': False, 'landlock_abi': 0}}",
		"r['signatures']['packs'] == [{'name': 'builtin:kaspersky-kesl.yaml', "
		"'version': '2026.11', 'sha256': '" SHA_A "', 'builtin': True, 'verified': False, "
		"'signatures': 5, 'date': '2026-11-01', 'expires': '2027-05-01', 'stale': False}]",
		"r['kscan'] == {'version': '0.1.0'} and r['schema'] == 7",
		"'errors_dropped' not in r and 'null' not in open(sys.argv[2]).read()",
	},
	{
		"r['verdict'] == 'incomplete' and r['verdict_reason'] == "
		"'source rpm failed: /var/lib/rpm/rpmdb.sqlite: bad \\ufffd header'",
		"base64.b64decode(r['sources']['rpm']['error_b64']) == "
		"b'/var/lib/rpm/rpmdb.sqlite: bad \\xff header'",
		"r['scan']['root'] == '/mnt/img\\ufffd' and "
		"base64.b64decode(r['scan']['root_b64']) == b'/mnt/img\\xe9'",
		"len(r['errors']) == 100 and r['errors_dropped'] == 3 and "
		"r['errors'][0] == 'error 0 \\ufffd'",
		"r['host'] == {'os': {'id': 'rhel'}}",
		"r['sources']['dpkg'] == {'status': 'absent', 'counts': {}}",
	},
};

/*
 * Validates a report against report/report.schema.json with python3-jsonschema, or, if
 * that module is missing, a hand-written check of required keys and types. Broken copies
 * must be refused, so a validator that accepts anything fails the test.
 */
static const char validate_py[] =
	"import base64, copy, json, sys\n"
	"schema = json.load(open(sys.argv[1]))\n"
	"r = json.loads(open(sys.argv[2], 'rb').read().decode('utf-8'))\n"
	"try:\n"
	"    import jsonschema\n"
	"    V = jsonschema.Draft202012Validator\n"
	"    V.check_schema(schema)\n"
	"    val = V(schema, format_checker=V.FORMAT_CHECKER)\n"
	"    def errors(d):\n"
	"        return [e.message for e in val.iter_errors(d)]\n"
	"except ImportError:\n"
	"    print('# python3-jsonschema missing: hand-written check')\n"
	"    def need(d, keys, where, errs):\n"
	"        for k, t in keys.items():\n"
	"            if not isinstance(d.get(k), t):\n"
	"                errs.append(where + k)\n"
	"    def errors(d):\n"
	"        e = []\n"
	"        need(d, {'schema': int, 'report_id': str, 'kscan': dict, 'signatures': dict,\n"
	"            'host': dict, 'scan': dict, 'sources': dict, 'verdict': str,\n"
	"            'findings': list, 'errors': list}, '', e)\n"
	"        if e:\n"
	"            return e\n"
	"        top = {'schema', 'report_id', 'kscan', 'signatures', 'host', 'scan', 'sources',\n"
	"            'verdict', 'verdict_reason', 'findings', 'errors', 'errors_dropped'}\n"
	"        e += ['unknown ' + k for k in d if k not in top]\n"
	"        if d['verdict'] not in ('clean', 'detected', 'incomplete'):\n"
	"            e.append('verdict')\n"
	"        need(d['scan'], {'root': str, 'mode': str, 'started_at': str,\n"
	"            'finished_at': str, 'duration_ms': int}, 'scan.', e)\n"
	"        for s in d['sources'].values():\n"
	"            need(s, {'status': str, 'counts': dict}, 'source.', e)\n"
	"        for f in d['findings']:\n"
	"            need(f, {'signature': str, 'state': str, 'evidence_kinds': list,\n"
	"                'evidence': list}, 'finding.', e)\n"
	"            for x in f.get('evidence', []):\n"
	"                need(x, {'kind': str, 'state': str}, 'evidence.', e)\n"
	"        return e\n"
	"errs = errors(r)\n"
	"if errs:\n"
	"    sys.exit('schema: %s' % errs[:5])\n"
	"bad = []\n"
	"for k in ('verdict', 'scan', 'errors'):\n"
	"    b = copy.deepcopy(r); del b[k]; bad.append(b)\n"
	"b = copy.deepcopy(r); b['surprise'] = 1; bad.append(b)\n"
	"b = copy.deepcopy(r); b['scan']['duration_ms'] = '1'; bad.append(b)\n"
	"b = copy.deepcopy(r); b['verdict'] = 'maybe'; bad.append(b)\n"
	"for i, b in enumerate(bad):\n"
	"    if not errors(b):\n"
	"        sys.exit('validator accepted broken copy %d' % i)\n"
	"for expr in sys.argv[3:]:\n"
	"    if not eval(expr):\n"
	"        sys.exit('false: ' + expr)\n";

static void run_validator(const char *dir, const char *json_path, const char *const *checks,
	size_t nchecks)
{
	const char *src = getenv("KSCAN_SRC");
	char script[PATH_MAX], schema[PATH_MAX];
	const char *argv[16];
	size_t n = 0, i;
	pid_t pid;
	int status;

	ck_assert_msg(src != NULL, "KSCAN_SRC is not set: run through meson test");
	cu_fmt(script, sizeof(script), "%s/validate.py", dir);
	ck_assert_int_lt(snprintf(schema, sizeof(schema), "%s/report/report.schema.json", src),
		(int)sizeof(schema));
	cu_write(script, validate_py, strlen(validate_py), 0600);
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = schema;
	argv[n++] = json_path;
	for (i = 0; i < nchecks && checks[i] != NULL; i++) {
		argv[n++] = checks[i];
	}
	argv[n] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* execvp() takes char *const[] for history's sake; it does not write them */
		execvp("python3", (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(unlink(script), 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}

START_TEST(test_json_schema)
{
	struct report *r = samples[_i / 2]();
	char dir[PATH_MAX], path[PATH_MAX];
	struct buf b;
	struct kerr err;

	cu_mkdtemp(dir, sizeof(dir), "report");
	buf_init(&b, KS_REPORT_MAX);
	ck_assert_int_eq(fmt_json_write(r, &b, _i % 2 == 1), 0);
	ck_assert_int_eq(buf_str(&b)[buf_len(&b) - 1], '\n');
	ck_assert(xstd_utf8_valid(buf_str(&b), buf_len(&b)));
	cu_fmt(path, sizeof(path), "%s/report.json", dir);
	ck_assert_int_eq(output_write(path, buf_str(&b), buf_len(&b), 0640, &err), 0);
	run_validator(dir, path, sample_checks[_i / 2], XSTD_COUNTOF(sample_checks[0]));
	buf_free(&b);
	report_free(r);
	cu_rmtree(dir);
}
END_TEST

/* The same facts found in another order give the same document. */
START_TEST(test_json_deterministic)
{
	struct report *a = new_report(), *b = new_report();
	struct report_finding *fa, *fb;
	struct buf ja, jb;

	memcpy(b->report_id, a->report_id, sizeof(a->report_id));
	fa = kesl(a);
	add_ev(fa, ev_path(REPORT_STATE_INSTALLED, "/opt/kaspersky/kesl"));
	add_ev(fa, ev_pkg("kesl", "1"));
	add_ev(report_finding(a, "a", "V", "P", NULL), ev_pkg("a", "1"));
	add_ev(report_finding(b, "a", "V", "P", NULL), ev_pkg("a", "1"));
	fb = kesl(b);
	add_ev(fb, ev_pkg("kesl", "1"));
	add_ev(fb, ev_path(REPORT_STATE_INSTALLED, "/opt/kaspersky/kesl"));
	add_ev(fb, ev_pkg("kesl", "1"));
	ck_assert_int_eq(report_finish(a), 0);
	ck_assert_int_eq(report_finish(b), 0);
	buf_init(&ja, KS_REPORT_MAX);
	buf_init(&jb, KS_REPORT_MAX);
	ck_assert_int_eq(fmt_json_write(a, &ja, true), 0);
	ck_assert_int_eq(fmt_json_write(b, &jb, true), 0);
	ck_assert_str_eq(buf_str(&ja), buf_str(&jb));
	buf_free(&ja);
	buf_free(&jb);
	report_free(a);
	report_free(b);
}
END_TEST

START_TEST(test_json_exact_members)
{
	struct report *r = new_report();
	struct report_evidence e;
	struct buf b;

	memset(&e, 0, sizeof(e));
	e.kind = REPORT_EV_KERNEL_MODULE;
	e.confidence = REPORT_CONF_HIGH;
	e.state = REPORT_STATE_RUNNING;
	e.name = "kav4fs_oas";
	e.has_mtime = true;
	/* before 1970: no faithful RFC 3339 form, so left out */
	e.mtime_ms = -1500;
	add_ev(kesl(r), e);
	ck_assert_int_eq(report_finish(r), 0);
	buf_init(&b, KS_REPORT_MAX);
	ck_assert_int_eq(fmt_json_write(r, &b, false), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&b),
		"\"sources\":{},\"verdict\":\"detected\",\"findings\":[{\"signature\":"
		"\"kaspersky.kesl\",\"vendor\":\"Kaspersky\",\"product\":\"Kaspersky Endpoint "
		"Security for Linux\",\"state\":\"running\",\"confidence\":\"high\","
		"\"low_confidence\":false,\"remove\":[],"
		"\"remove_hint\":\"apt-get purge kesl\",\"evidence_kinds\":[\"kernel_module\"],"
		"\"evidence\":[{\"kind\":\"kernel_module\","
		"\"state\":\"running\",\"confidence\":\"high\",\"name\":\"kav4fs_oas\"}]}],"
		"\"errors\":[]}\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&b), "\"host\":{\"os\":{}},\"scan\":{\"live\":false,"
		"\"started_at\""));
	buf_free(&b);
	report_free(r);
}
END_TEST

/* Every kind once, added in reverse: evidence in kind order, evidence_kinds by name. */
START_TEST(test_json_all_kinds)
{
	struct report *r = new_report();
	struct report_finding *f = kesl(r);
	struct report_evidence e;
	struct buf b;
	int k;

	for (k = REPORT_EV_KIND_COUNT - 1; k >= 0; k--) {
		memset(&e, 0, sizeof(e));
		e.kind = (enum report_ev_kind)k;
		e.confidence = REPORT_CONF_HIGH;
		e.state = REPORT_STATE_INSTALLED;
		e.name = "n";
		add_ev(f, e);
	}
	ck_assert_int_eq(report_finish(r), 0);
	buf_init(&b, KS_REPORT_MAX);
	ck_assert_int_eq(fmt_json_write(r, &b, false), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&b), "\"evidence_kinds\":[\"account\","
		"\"archive\",\"cron\",\"file\",\"hash\",\"kernel_module\",\"package\",\"path\","
		"\"process\",\"service\",\"socket\"],"
		"\"evidence\":[{\"kind\":\"package\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"},"
		"{\"kind\":\"path\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"},"
		"{\"kind\":\"file\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"},"
		"{\"kind\":\"hash\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"},"
		"{\"kind\":\"process\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"},"
		"{\"kind\":\"service\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"},"
		"{\"kind\":\"kernel_module\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"},"
		"{\"kind\":\"account\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"},"
		"{\"kind\":\"socket\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"},"
		"{\"kind\":\"cron\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"},"
		"{\"kind\":\"archive\",\"state\":\"installed\","
		"\"confidence\":\"high\",\"name\":\"n\"}]}]"));
	buf_free(&b);
	report_free(r);
}
END_TEST

START_TEST(test_json_buffer_cap)
{
	struct report *r = sample_detected();
	struct buf b;

	buf_init(&b, 100);
	errno = 0;
	ck_assert_int_eq(fmt_json_write(r, &b, false), -1);
	ck_assert_int_eq(errno, E2BIG);
	buf_free(&b);
	report_free(r);
}
END_TEST

/* ---- text writer ---- */

static char *text_of(struct report *r, bool color)
{
	struct buf b;
	char *s;

	buf_init(&b, KS_REPORT_MAX);
	ck_assert_int_eq(fmt_text_write(r, &b, color), 0);
	s = buf_take(&b, NULL);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* No line of @t is wider than 100 columns (UTF-8 lead bytes). */
static void text_fits(const char *t)
{
	size_t cols = 0, line = 1;

	for (; *t != '\0'; t++) {
		if (*t == '\n') {
			cols = 0;
			line++;
			continue;
		}
		cols += ((unsigned char)*t & 0xc0) != 0x80 ? 1 : 0;
		ck_assert_msg(cols <= 100, "line %zu is wider than 100 columns", line);
	}
}

START_TEST(test_text_detected)
{
	struct report *r = sample_detected();
	char *t = text_of(r, false);

	ck_assert(starts_with(t, "== DETECTED == 2 products found (1 running, 1 remnant); "
		"3 sources: 1 ok, 1 absent, 1 failed\n"
		"Warning: some sources failed (see Coverage), there may be more\n"));
	ck_assert_ptr_nonnull(strstr(t, "\n[1] Kaspersky Endpoint Security for Linux "
		"(kaspersky.kesl): running, high confidence\n"));
	/* wrapped at 100 columns, under the value column */
	ck_assert_ptr_nonnull(strstr(t, "\n      installed  package        high    "
		"kesl 12.0.0-6672 amd64 (dpkg, status \"install ok installed\",\n"
		"                                        from /var/lib/dpkg/status)\n"));
	ck_assert_ptr_nonnull(strstr(t, "\n      running    process        high    kesl "
		"(/opt/kaspersky/kesl/libexec/kesl)\n"));
	ck_assert_ptr_nonnull(strstr(t, "install-current (symlink ->\n"
		"                                        install_12.0.0.6672, "
		"modified 2026-11-22T05:40:00.000Z, role\n"
		"                                        install)\n"));
	/* a sha256 too long for the value column starts nearer the margin */
	ck_assert_ptr_nonnull(strstr(t, "bytes, sha256\n          ab12cd34"));
	ck_assert_ptr_nonnull(strstr(t, "\nSignatures: 1 pack, 5 signatures, version 2026.11\n"
		"            builtin:kaspersky-kesl.yaml\n"));
	text_fits(t);
	ck_assert_ptr_nonnull(strstr(t, "\n    remove:   no step could be planned from the "
		"evidence\n    hint:     apt-get purge kesl\n"));
	ck_assert_ptr_nonnull(strstr(t, "\n    hint:     (no hint in the signature)\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nCoverage:\n"
		"  dpkg           ok       /var/lib/dpkg/status  packages 1234\n"
		"  rpm            absent\n"
		"  paths          failed\n"
		"                 error: /var/opt: Permission denied\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nErrors (1):\n  - cannot read /etc/hostname: EACCES\n"));
	free(t);
	report_free(r);
}
END_TEST

START_TEST(test_text_clean_incomplete)
{
	struct report *r = sample_clean();
	char *t = text_of(r, false);

	ck_assert(starts_with(t, "== CLEAN == no product found, every source ran; "
		"2 sources: 1 ok, 1 absent, 0 failed\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nFindings: none\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nErrors: none\n"));
	free(t);
	report_free(r);

	r = sample_incomplete();
	t = text_of(r, false);
	ck_assert(starts_with(t, "== INCOMPLETE == no product found, but the scan is not "
		"complete; 2 sources: 0 ok, 1 absent, 1 failed\n"
		"Reason: source rpm failed: /var/lib/rpm/rpmdb.sqlite: bad \\xff header\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nErrors (103):\n  - error 0 \\xc0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\n  ... and 3 more not kept\n"));
	free(t);
	report_free(r);
}
END_TEST

/*
 * A long plan command is wrapped with " \\" so it still pastes as one command, never inside
 * a quoted name; a step's description continues under its text.
 */
START_TEST(test_text_wrap)
{
	struct report *r = new_report();
	struct report_finding *f = kesl(r);
	static const char *const targets[] = {"/opt/x"};
	char *t;

	add_ev(f, ev_path(REPORT_STATE_REMNANT, "/opt/kaspersky/kesl"));
	ck_assert_int_eq(report_add_step(f, "delete_paths", "Delete what the product left on "
		"disk, every path that this scan found and that no package of the system owns",
		"rm -rf -- /opt/kaspersky/kesl/install_12.0.0.6672 /var/opt/kaspersky/kesl/"
		"install-current '/home/alice/some long name with spaces.deb' /var/log/kaspersky",
		targets, 1), 0);
	ck_assert_int_eq(report_finish(r), 0);
	t = text_of(r, false);
	text_fits(t);
	ck_assert_ptr_nonnull(strstr(t, "\n      1. Delete what the product left on disk, every "
		"path that this scan found and that no package\n"
		"         of the system owns\n"));
	ck_assert_ptr_nonnull(strstr(t, "\n         $ rm -rf -- /opt/kaspersky/kesl/"
		"install_12.0.0.6672 \\\n"
		"           /var/opt/kaspersky/kesl/install-current "
		"'/home/alice/some long name with spaces.deb' \\\n"
		"           /var/log/kaspersky\n"));
	free(t);
	report_free(r);
}
END_TEST

/* Hostile names: each must come out as visible escapes, on the evidence's own line. */
static const struct {
	const char *name;
	const char *shown;
} text_esc_cases[] = {
	{ "/tmp/ev\x1b[2Jil", "/tmp/ev\\x1b[2Jil" },
	{ "/tmp/a\nFAKE LINE", "\"/tmp/a\\x0aFAKE LINE\"" },
	{ "/tmp/cr\rx", "/tmp/cr\\x0dx" },
	{ "/tmp/del\x7f", "/tmp/del\\x7f" },
	{ "/tmp/bad\xff\xfe", "/tmp/bad\\xff\\xfe" },
	{ "/tmp/csi\xc2\x9b" "31m", "/tmp/csi\\xc2\\x9b31m" },
	{ "/tmp/rlo\xe2\x80\xae" "gpj.exe", "/tmp/rlo\\xe2\\x80\\xaegpj.exe" },
	{ "/tmp/ls\xe2\x80\xa8x", "/tmp/ls\\xe2\\x80\\xa8x" },
	{ "/tmp/back\\x41", "/tmp/back\\\\x41" },
	{ "/tmp/quote\"d", "\"/tmp/quote\\\"d\"" },
	{ "/opt/caf\xc3\xa9", "/opt/caf\xc3\xa9" },
};

START_TEST(test_text_escape)
{
	struct report *r = new_report();
	struct report_evidence e = ev_path(REPORT_STATE_REMNANT, text_esc_cases[_i].name);
	char *t, *line;
	size_t i, lines = 0;

	add_ev(kesl(r), e);
	ck_assert_int_eq(report_add_error(r, "x%sy", text_esc_cases[_i].name), 0);
	ck_assert_int_eq(report_finish(r), 0);
	t = text_of(r, false);
	line = strstr(t, "\n      remnant    path           high    ");
	ck_assert_ptr_nonnull(line);
	line += strlen("\n      remnant    path           high    ");
	ck_assert(starts_with(line, text_esc_cases[_i].shown));
	ck_assert_int_eq(line[strlen(text_esc_cases[_i].shown)], ' ');
	for (i = 0; t[i] != '\0'; i++) {
		unsigned char c = (unsigned char)t[i];

		ck_assert(c >= 0x20 || c == '\n');
		ck_assert_int_ne(c, 0x7f);
		lines += c == '\n';
	}
	ck_assert(xstd_utf8_valid(t, strlen(t)));
	/* a newline in a name cannot add a line: banner, 5 header lines, blank, "Findings",
	 * 6 lines of the finding, blank, "Coverage" and its line, blank, "Errors" and its line */
	ck_assert_uint_eq(lines, 20);
	free(t);
	report_free(r);
}
END_TEST

START_TEST(test_text_color)
{
	static const char *const want[] = { "\033[1;32m== CLEAN ==\033[0m ",
		"\033[1;31m== DETECTED ==\033[0m ", "\033[1;33m== INCOMPLETE ==\033[0m " };
	struct report *r = samples[_i]();
	char *plain = text_of(r, false), *color = text_of(r, true);
	enum report_verdict v = r->verdict;

	ck_assert_ptr_null(strchr(plain, '\033'));
	ck_assert(starts_with(color, want[v]));
	/* only the banner is colored */
	ck_assert_ptr_null(strchr(color + strlen(want[v]), '\033'));
	free(plain);
	free(color);
	report_free(r);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_new_id);
	tcase_add_test(tc, test_obligations);
	tcase_add_test(tc, test_set_str);
	tcase_add_loop_test(tc, test_dedup, 0, 21);
	tcase_add_test(tc, test_dedup_unset_fields);
	tcase_add_test(tc, test_evidence_invalid);
	tcase_add_test(tc, test_confidence);
	tcase_add_test(tc, test_remove_evidence);
	tcase_add_test(tc, test_stale_packs);
	tcase_add_test(tc, test_evidence_cap);
	tcase_add_test(tc, test_evidence_budget);
	tcase_add_test(tc, test_errors_cap);
	tcase_add_test(tc, test_counts);
	tcase_add_loop_test(tc, test_source_merge, 0, (int)XSTD_COUNTOF(merge_cases));
	tcase_add_test(tc, test_sources_stable_and_capped);
	tcase_add_test(tc, test_packs_cap);
	tcase_add_test(tc, test_finding_lookup);
	tcase_add_test(tc, test_sorting);
	tcase_add_loop_test(tc, test_state_strongest, 0, (int)XSTD_COUNTOF(state_cases));
	tcase_add_loop_test(tc, test_verdict, 0, (int)XSTD_COUNTOF(verdict_cases));
	tcase_add_test(tc, test_verdict_no_sources);
	tcase_add_test(tc, test_finish_drops_empty_findings);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_json_schema, 0, 2 * (int)XSTD_COUNTOF(samples));
	tcase_add_test(tc, test_json_deterministic);
	tcase_add_test(tc, test_json_exact_members);
	tcase_add_test(tc, test_json_all_kinds);
	tcase_add_test(tc, test_json_buffer_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, test_text_detected);
	tcase_add_test(tc, test_text_clean_incomplete);
	tcase_add_test(tc, test_text_wrap);
	tcase_add_loop_test(tc, test_text_escape, 0, (int)XSTD_COUNTOF(text_esc_cases));
	tcase_add_loop_test(tc, test_text_color, 0, (int)XSTD_COUNTOF(samples));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
