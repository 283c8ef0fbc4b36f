/* Unit tests for the matcher: package names, states, and what must not match. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "scanner/match/match.h"
#include "scanner/sources/pkg.h"
#include "signatures/sig.h"
#include "signatures/sigload.h"
#include "check_util.h"

static const char pack[] = "schema: 1\n"
			   "signatures:\n"
			   "  - id: test.kesl\n"
			   "    vendor: Kaspersky\n"
			   "    product: Endpoint Security\n"
			   "    remove: apt-get purge kesl\n"
			   "    packages:\n"
			   "      - {name: kesl}\n"
			   "      - {name: kesl-gui}\n"
			   "  - id: test.klnagent\n"
			   "    vendor: Kaspersky\n"
			   "    product: Network Agent\n"
			   "    packages:\n"
			   "      - {name: 'klnagent*'}\n";

static struct sig_set *load(void)
{
	return cu_load_pack(pack);
}

static void add(struct pkg_list *l, const char *name, enum pkg_state st, const char *status)
{
	struct pkg p;

	memset(&p, 0, sizeof(p));
	p.manager = "dpkg";
	p.name = (char *)(uintptr_t)name;
	p.version = (char *)(uintptr_t) "1.0-1";
	p.arch = (char *)(uintptr_t) "amd64";
	p.status = (char *)(uintptr_t)status;
	p.source = (char *)(uintptr_t) "/var/lib/dpkg/status";
	p.state = st;
	ck_assert_int_eq(pkg_list_add(l, &p), 0);
}

static const char fallback_pack[] = "schema: 1\n"
				    "signatures:\n"
				    "  - id: test.kesl\n"
				    "    vendor: Kaspersky\n"
				    "    product: KESL\n"
				    "    paths: [{path: /opt/kaspersky/kesl, role: install}]\n"
				    "  - id: test.any\n"
				    "    vendor: Kaspersky\n"
				    "    product: Unidentified\n"
				    "    fallback: true\n"
				    "    paths: [{path: \"/opt/kaspersky/*\", role: remnant}]\n";

/* Adds path evidence at @path to the finding of signature @i of @s. */
static void add_path(struct report *r, const struct sig_set *s, size_t i, const char *path)
{
	const struct sig *g = sig_set_get(s, i);
	struct paths_hit hit;
	struct kerr e;

	memset(&hit, 0, sizeof(hit));
	hit.path = path;
	hit.ftype = "dir";
	ck_assert_int_eq(match_path(&(struct match_ctx){s, NULL, r, &e}, g, &g->paths[0], &hit),
		0);
}

/* The catch-all keeps only paths no specific signature has at, above or below them. */
START_TEST(fallback_keeps_unclaimed)
{
	struct sig_set *s = sig_set_new();
	struct report *r = report_new("0.1.0");
	const struct report_finding *f;
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(r);
	kerr_clear(&e);
	ck_assert_int_eq(sigload_mem(s, "t.yaml", fallback_pack, strlen(fallback_pack),
				 false, &e), 0);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	add_path(r, s, 0, "/opt/kaspersky/kesl/bin");
	add_path(r, s, 1, "/opt/kaspersky/kesl");
	add_path(r, s, 1, "/opt/kaspersky/kesl2");
	add_path(r, s, 1, "/opt/kaspersky/ke");
	match_fallback(&(struct match_ctx){s, NULL, r, &e});
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_uint_eq(r->nfindings, 2);
	f = r->findings[0];
	ck_assert_str_eq(f->signature, "test.any");
	ck_assert_uint_eq(f->nev, 2);
	ck_assert_str_eq(f->ev[0].path, "/opt/kaspersky/ke");
	ck_assert_str_eq(f->ev[1].path, "/opt/kaspersky/kesl2");
	report_free(r);

	/* everything claimed: no finding at all */
	r = report_new("0.1.0");
	ck_assert_ptr_nonnull(r);
	add_path(r, s, 0, "/opt/kaspersky/kesl");
	add_path(r, s, 1, "/opt/kaspersky/kesl");
	match_fallback(&(struct match_ctx){s, NULL, r, &e});
	ck_assert_int_eq(report_finish(r), 0);
	ck_assert_uint_eq(r->nfindings, 1);
	ck_assert_str_eq(r->findings[0]->signature, "test.kesl");
	report_free(r);
	sig_set_free(s);
}
END_TEST

START_TEST(names_exact_and_glob)
{
	struct sig_package exact = {.name = (char *)(uintptr_t) "kesl", .glob = false};
	struct sig_package glob = {.name = (char *)(uintptr_t) "klnagent*", .glob = true};

	ck_assert(match_package_name(&exact, "kesl"));
	ck_assert(!match_package_name(&exact, "kesl-gui"));
	ck_assert(!match_package_name(&exact, "keslint"));
	ck_assert(!match_package_name(&exact, "KESL"));
	ck_assert(!match_package_name(&exact, "kes"));
	ck_assert(match_package_name(&glob, "klnagent"));
	ck_assert(match_package_name(&glob, "klnagent64"));
	ck_assert(!match_package_name(&glob, "klavaro"));
	ck_assert(!match_package_name(&glob, "xklnagent"));
}
END_TEST

START_TEST(states_and_decoys)
{
	struct sig_set *s = load();
	struct report *rep = report_new("test");
	struct pkg_list l;
	struct kerr e;

	ck_assert_ptr_nonnull(rep);
	pkg_list_init(&l);
	add(&l, "kesl", PKG_CONFIG_FILES, "deinstall ok config-files");
	add(&l, "kesl-gui", PKG_PARTIAL, "install ok half-configured");
	add(&l, "klnagent64", PKG_NOT_INSTALLED, "purge ok not-installed");
	add(&l, "kscreen", PKG_INSTALLED, "install ok installed");
	add(&l, "klavaro", PKG_INSTALLED, "install ok installed");
	add(&l, "keslint", PKG_INSTALLED, "install ok installed");
	kerr_clear(&e);
	ck_assert_int_eq(match_packages(&(struct match_ctx){s, NULL, rep, &e}, &l), 2);
	ck_assert_int_eq(report_finish(rep), 0);
	ck_assert_uint_eq(rep->nfindings, 1);
	ck_assert_str_eq(rep->findings[0]->signature, "test.kesl");
	ck_assert_str_eq(rep->findings[0]->remove, "apt-get purge kesl");
	/* half-configured still has its files on disk: installed wins over the rc remnant */
	ck_assert_int_eq(rep->findings[0]->state, REPORT_STATE_INSTALLED);
	ck_assert_uint_eq(rep->findings[0]->nev, 2);
	ck_assert_int_eq(rep->verdict, REPORT_DETECTED);
	report_free(rep);
	pkg_list_free(&l);
	sig_set_free(s);
}
END_TEST

START_TEST(config_files_alone_is_remnant)
{
	struct sig_set *s = load();
	struct report *rep = report_new("test");
	struct pkg_list l;
	struct kerr e;

	pkg_list_init(&l);
	add(&l, "kesl", PKG_CONFIG_FILES, "deinstall ok config-files");
	kerr_clear(&e);
	ck_assert_int_eq(match_packages(&(struct match_ctx){s, NULL, rep, &e}, &l), 1);
	ck_assert_int_eq(report_finish(rep), 0);
	ck_assert_int_eq(rep->findings[0]->state, REPORT_STATE_REMNANT);
	ck_assert_str_eq(rep->findings[0]->ev[0].status, "deinstall ok config-files");
	ck_assert_str_eq(rep->findings[0]->ev[0].pattern, "kesl");
	report_free(rep);
	pkg_list_free(&l);
	sig_set_free(s);
}
END_TEST

START_TEST(role_states)
{
	ck_assert_int_eq(match_role_state(SIG_ROLE_INSTALL), REPORT_STATE_INSTALLED);
	ck_assert_int_eq(match_role_state(SIG_ROLE_REMNANT), REPORT_STATE_REMNANT);
	ck_assert_int_eq(match_role_state(SIG_ROLE_INSTALLER), REPORT_STATE_INSTALLER);
}
END_TEST

static Suite *match_suite(void)
{
	Suite *s = suite_create("match");
	TCase *tc = tcase_create("packages");

	tcase_add_test(tc, names_exact_and_glob);
	tcase_add_test(tc, states_and_decoys);
	tcase_add_test(tc, config_files_alone_is_remnant);
	tcase_add_test(tc, role_states);
	tcase_add_test(tc, fallback_keeps_unclaimed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(match_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
