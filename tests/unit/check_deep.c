/* Unit tests for scanner/deep: the sweep of a scratch tree, through the matcher's sink. */
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/fscov.h"
#include "report/report.h"
#include "scanner/deep/deep.h"
#include "scanner/match/deepmatch.h"
#include "signatures/sig.h"
#include "check_util.h"

/* sha256 of "deb\n" (no size: checked only on a file whose name matched) and of "payload\n" */
#define DEEP_DEB_SHA "dae45e9c4c5641b0e8a58b6c3f0de0dd946b9ac47502cc45ef451f3119ebacd7"
#define DEEP_PAYLOAD_SHA "d4e4877bac978b7952f0d544fc52ebff5411d351d129f1f056fa43f11da9af2b"

static const char pack[] = "schema: 1\n"
			   "signatures:\n"
			   "  - id: test.kesl\n"
			   "    vendor: Kaspersky\n"
			   "    product: Endpoint Security\n"
			   "    files:\n"
			   "      - {name: \"kesl_[0-9]*.deb\", role: installer}\n"
			   "    hashes:\n"
			   "      - {sha256: \"" DEEP_DEB_SHA "\", name: deb, role: installer}\n"
			   "      - {sha256: \"" DEEP_PAYLOAD_SHA "\", size: 8, name: agent.bin,"
			   " role: remnant}\n";

/* A tree outside the root, which the links below point into. */
static char outside[PATH_MAX];
/* The signatures of the pack above, loaded for each test. */
static struct sig_set *sigs;

static struct sig_set *load(void)
{
	return cu_load_pack(pack);
}

static long sink_file(void *ctx, const struct deep_file *f)
{
	return deepmatch_file(ctx, f);
}

/* Sweeps cu_tmp (2 workers) against sigs into a finished report; fails the test on error. */
static struct report *sweep(void)
{
	struct report *rep = report_new("test");
	struct match_ctx m;
	struct deep_sink sink = {sink_file, &m};
	struct deep_opts o;
	struct rootfs *r = cu_open_root(cu_tmp);
	struct kerr e;

	ck_assert_ptr_nonnull(rep);
	kerr_clear(&e);
	m.sigs = sigs;
	m.root = r;
	m.rep = rep;
	m.err = &e;
	memset(&o, 0, sizeof(o));
	o.jobs = 2;
	ck_assert_msg(deep_scan(r, sigs, &o, &sink, rep, &e) == 0, "deep_scan: %s", e.msg);
	ck_assert_int_eq(report_finish(rep), 0);
	rootfs_close(r);
	return rep;
}

/* The evidence of @kind at @path, or NULL. */
static const struct report_evidence *evidence(const struct report *rep,
	enum report_ev_kind kind, const char *path)
{
	size_t i, k;

	for (i = 0; i < rep->nfindings; i++) {
		for (k = 0; k < rep->findings[i]->nev; k++) {
			const struct report_evidence *ev = &rep->findings[i]->ev[k];

			if (ev->kind == kind && strcmp(ev->path, path) == 0) {
				return ev;
			}
		}
	}
	return NULL;
}

static size_t nevidence(const struct report *rep)
{
	size_t i, n = 0;

	for (i = 0; i < rep->nfindings; i++) {
		n += rep->findings[i]->nev;
	}
	return n;
}

static uint64_t count(const struct report_source *src, const char *key)
{
	size_t i;

	for (i = 0; i < src->ncounts; i++) {
		if (strcmp(src->counts[i].key, key) == 0) {
			return src->counts[i].value;
		}
	}
	ck_abort_msg("no count %s", key);
	return 0;
}

static const struct report_source *fs_source(const struct report *rep)
{
	ck_assert_uint_eq(rep->nsources, 1);
	ck_assert_str_eq(rep->sources[0].name, "fs");
	return &rep->sources[0];
}

/* Sweeps cu_tmp, where nothing may match: no evidence, nothing hashed, the source ok. */
static struct report *sweep_clean(void)
{
	struct report *rep = sweep();

	ck_assert_int_eq(rep->verdict, REPORT_CLEAN);
	ck_assert_uint_eq(nevidence(rep), 0);
	ck_assert_int_eq(fs_source(rep)->status, REPORT_SRC_OK);
	ck_assert_uint_eq(count(fs_source(rep), "files_hashed"), 0);
	return rep;
}

static void setup(void)
{
	cu_tmp_setup();
	cu_mkdtemp(outside, sizeof(outside), "deep-outside");
	sigs = load();
}

static void teardown(void)
{
	sig_set_free(sigs);
	cu_rmtree(outside);
	cu_tmp_teardown();
}

START_TEST(name_match_is_file_evidence)
{
	const struct report_evidence *ev;
	struct report *rep;

	cu_write_at(cu_tmp, "home/alice/kesl_12.deb", "deb\n", 0644);
	cu_write_at(cu_tmp, "home/alice/kesl_notes.txt", "deb\n", 0644);
	rep = sweep();
	ck_assert_int_eq(rep->verdict, REPORT_DETECTED);
	ck_assert_uint_eq(rep->nfindings, 1);
	ck_assert_str_eq(rep->findings[0]->signature, "test.kesl");
	ev = evidence(rep, REPORT_EV_FILE, "/home/alice/kesl_12.deb");
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev->pattern, "kesl_[0-9]*.deb");
	ck_assert_str_eq(ev->role, "installer");
	ck_assert_int_eq(ev->state, REPORT_STATE_INSTALLER);
	ck_assert_str_eq(ev->sha256, DEEP_DEB_SHA);
	ck_assert_uint_eq(ev->size, 4);
	/* the size-less hash of the same signature, checked because the name matched */
	ev = evidence(rep, REPORT_EV_HASH, "/home/alice/kesl_12.deb");
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev->pattern, "deb");
	ck_assert_uint_eq(nevidence(rep), 2);
	ck_assert_uint_eq(count(fs_source(rep), "matched"), 2);
	report_free(rep);
}
END_TEST

START_TEST(hash_match_is_hash_evidence)
{
	const struct report_evidence *ev;
	struct report *rep;

	cu_write_at(cu_tmp, "srv/blob", "payload\n", 0644);
	/* the same size, another content */
	cu_write_at(cu_tmp, "srv/other", "payloaX\n", 0644);
	rep = sweep();
	ck_assert_uint_eq(nevidence(rep), 1);
	ev = evidence(rep, REPORT_EV_HASH, "/srv/blob");
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev->sha256, DEEP_PAYLOAD_SHA);
	ck_assert_str_eq(ev->pattern, "agent.bin");
	ck_assert_str_eq(ev->role, "remnant");
	ck_assert_int_eq(ev->state, REPORT_STATE_REMNANT);
	ck_assert_str_eq(ev->ftype, "file");
	ck_assert_uint_eq(count(fs_source(rep), "files_hashed"), 2);
	ck_assert_uint_eq(count(fs_source(rep), "matched"), 1);
	report_free(rep);
}
END_TEST

START_TEST(symlinks_out_of_the_root_are_not_followed)
{
	struct report *rep;

	cu_write_at(outside, "kesl_9.deb", "deb\n", 0644);
	cu_write_at(outside, "blob", "payload\n", 0644);
	cu_mkdirs(cu_tmp, 0755);
	/* a directory link and file links named like an installer, all pointing outside */
	cu_sh("ln -s '%s' '%s/outdir' && ln -s '%s/kesl_9.deb' '%s/kesl_8.deb' && "
	      "ln -s '%s/blob' '%s/blob'", outside, cu_tmp, outside, cu_tmp, outside, cu_tmp);
	rep = sweep_clean();
	ck_assert_uint_eq(count(fs_source(rep), "symlinks"), 3);
	ck_assert_uint_eq(count(fs_source(rep), "files"), 0);
	report_free(rep);
}
END_TEST

START_TEST(fifo_is_not_opened)
{
	struct report *rep;

	/* opening it would block the sweep (and time the test out) */
	cu_mkdirs(cu_tmp, 0755);
	cu_sh("mkfifo '%s/kesl_5.deb'", cu_tmp);
	rep = sweep_clean();
	ck_assert_uint_eq(count(fs_source(rep), "files"), 0);
	report_free(rep);
}
END_TEST

static Suite *deep_suite(void)
{
	Suite *s = suite_create("deep");
	TCase *tc = tcase_create("sweep");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, name_match_is_file_evidence);
	tcase_add_test(tc, hash_match_is_hash_evidence);
	tcase_add_test(tc, symlinks_out_of_the_root_are_not_followed);
	tcase_add_test(tc, fifo_is_not_opened);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(deep_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
