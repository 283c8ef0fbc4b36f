/*
 * Unit tests for scanner/probes: which paths a signature path covers, and every probe that
 * works on a mounted root run against a fixture: the evidence each adds (with its state,
 * role and pattern), the decoys that must not match, and the sources it records.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"
#include "base/buf.h"
#include "scanner/match/probematch.h"
#include "scanner/sources/rootfs.h"
#include "signatures/sig.h"
#include "signatures/sigload.h"
#include "base/xstd.h"
#include "check_util.h"

static const struct {
	const char *pattern;
	const char *path;
	bool under;
} under_cases[] = {
	{"/opt/kaspersky/kesl", "/opt/kaspersky/kesl", true},
	{"/opt/kaspersky/kesl", "/opt/kaspersky/kesl/libexec/kesl", true},
	{"/opt/kaspersky/kesl", "//opt//kaspersky/kesl/libexec/kesl", true},
	{"/opt/kaspersky/kesl", "/opt/kaspersky/keslint/bin/x", false},
	{"/opt/kaspersky/kesl", "/opt/kaspersky", false},
	{"/opt/kaspersky/kesl", "/opt/kaspersky/kesl/../../../usr/bin/x", false},
	{"/opt/kaspersky/kesl", "/opt/kaspersky/./kesl/x", false},
	{"/opt/kaspersky/kesl", "opt/kaspersky/kesl/x", false},
	{"/opt/kav/5.[0-9]*", "/opt/kav/5.5/kav4unix/bin/keepup2date", true},
	{"/opt/kav/5.[0-9]*", "/opt/kav/latest/kav4unix/bin/keepup2date", false},
	{"/var/opt/kaspersky/klnagent*", "/var/opt/kaspersky/klnagent_srv/1093/x", true},
	{"/opt/*/kesl", "/opt/.hidden/kesl", false},
	{"/opt/*/kesl", "/opt/kaspersky/kesl/bin", true},
	{"/opt/a\\*", "/opt/a*/x", true},
	{"/opt/a\\*", "/opt/ab/x", false},
};

START_TEST(test_path_under)
{
	ck_assert_msg(probematch_path_under(under_cases[_i].pattern, under_cases[_i].path) ==
		under_cases[_i].under, "%s under %s", under_cases[_i].path,
		under_cases[_i].pattern);
}
END_TEST

static const char pack[] =
	"schema: 1\n"
	"signatures:\n"
	"  - id: test.kesl\n"
	"    vendor: Kaspersky\n"
	"    product: Test KESL\n"
	"    paths:\n"
	"      - {path: /opt/kaspersky/kesl, role: install}\n"
	"      - {path: /var/opt/kaspersky/kesl, role: remnant}\n"
	"    processes: [kesl]\n"
	"    services: [kesl.service, kesl-supervisor.service]\n"
	"    kernel_modules: [kav4fs-oas, {name: redirfs, role: remnant}]\n"
	"    accounts: [kesladmin, kluser]\n"
	"    ports: [{port: 15000, proto: udp}]\n"
	"  - id: test.other\n"
	"    vendor: Other\n"
	"    product: Other\n"
	"    accounts: [kluser]\n";

/* Each piece of evidence as one line: what a test compares. */
static void ev_line(struct buf *b, const struct report_evidence *e)
{
	buf_addf(b, "%s %s %s %s", report_ev_kind_name(e->kind), report_state_name(e->state),
		e->name != NULL ? e->name : "-", e->path != NULL ? e->path : "-");
	if (e->role != NULL) {
		buf_addf(b, " role=%s", e->role);
	}
	if (e->pattern != NULL) {
		buf_addf(b, " pattern=%s", e->pattern);
	}
	if (e->manager != NULL) {
		buf_addf(b, " manager=%s", e->manager);
	}
	if (e->has_enabled) {
		buf_addf(b, " enabled=%d", e->enabled);
	}
	if (e->version != NULL) {
		buf_addf(b, " version=%s", e->version);
	}
	if (e->account != NULL) {
		buf_addf(b, " %s=%u", e->account, e->has_uid ? e->uid : e->gid);
	}
	if (e->line != 0) {
		buf_addf(b, " line=%" PRIu64, e->line);
	}
	if (e->user != NULL) {
		buf_addf(b, " user=%s", e->user);
	}
	if (e->command != NULL) {
		buf_addf(b, " command=%s", e->command);
	}
	if (e->source != NULL) {
		buf_addf(b, " from=%s", e->source);
	}
	buf_addc(b, '\n');
}

static char *findings_of(const struct report *r)
{
	struct buf b;
	size_t i, k;
	char *s;

	buf_init(&b, 1 << 20);
	for (i = 0; i < r->nfindings; i++) {
		buf_addf(&b, "[%s] %s\n", r->findings[i]->signature,
			report_state_name(r->findings[i]->state));
		for (k = 0; k < r->findings[i]->nev; k++) {
			ev_line(&b, &r->findings[i]->ev[k]);
		}
	}
	s = buf_take(&b, NULL);
	ck_assert_ptr_nonnull(s);
	return s;
}

static const struct report_source *source(const struct report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nsources; i++) {
		if (strcmp(r->sources[i].name, name) == 0) {
			return &r->sources[i];
		}
	}
	ck_abort_msg("no source %s", name);
	return NULL;
}

static uint64_t count(const struct report_source *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->ncounts; i++) {
		if (strcmp(s->counts[i].key, key) == 0) {
			return s->counts[i].value;
		}
	}
	ck_abort_msg("no count %s in %s", key, s->name);
	return 0;
}

/* Both phases, as scan.c runs them (without a sandbox in between). */
static int probes_run_all(const struct rootfs *fs, const struct sig_set *s, struct report *r,
	struct kerr *e)
{
	struct match_ctx m = {s, fs, r, e};
	struct probes *p = probematch_new(&m);
	int rc;

	if (p == NULL) {
		return -1;
	}
	rc = probematch_live(p) != 0 || probematch_files(p) != 0 ? -1 : 0;
	probematch_destroy(p);
	return rc;
}

static struct report *run(void)
{
	struct sig_set *s = sig_set_new();
	struct report *r = report_new("0.1.0");
	struct rootfs *fs;
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(r);
	kerr_clear(&e);
	ck_assert_msg(sigload_mem(s, "t.yaml", pack, strlen(pack), false, &e) == 0, "%s",
		e.msg);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	fs = rootfs_open(cu_tmp, &e);
	ck_assert_msg(fs != NULL, "%s", e.msg);
	ck_assert_msg(probes_run_all(fs, s, r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(report_finish(r), 0);
	rootfs_close(fs);
	sig_set_free(s);
	return r;
}

START_TEST(test_probes_root)
{
	struct report *r;
	char *got;

	cu_sh("cd '%s' && mkdir -p lib/systemd/system etc/systemd/system/multi-user.target.wants "
		"etc/init.d etc/rc2.d lib/modules/6.1.0-test/extra lib/modules/6.1.0-test/kernel "
		"etc/cron.d var/spool/cron/crontabs opt/kaspersky/kesl/bin && "
		"echo '[Unit]' > lib/systemd/system/kesl.service && "
		"echo '[Unit]' > lib/systemd/system/keslint.service && "
		"ln -s /lib/systemd/system/keslint.service "
		"etc/systemd/system/multi-user.target.wants/keslint.service && "
		"echo '#!/bin/sh' > etc/init.d/kesl-supervisor && "
		"ln -s ../init.d/kesl-supervisor etc/rc2.d/S01kesl-supervisor && "
		"echo x > lib/modules/6.1.0-test/extra/kav4fs_oas.ko && "
		"echo x > lib/modules/6.1.0-test/extra/redirfs.ko.xz && "
		"echo x > lib/modules/6.1.0-test/kernel/kvm.ko && "
		"printf '%%s\\n' 'root:x:0:0::/root:/bin/sh' 'kluser:x:1001:1001::/:/bin/false' "
		"'klusteradm:x:1002:1002::/home/k:/bin/sh' > etc/passwd && "
		"printf '%%s\\n' 'root:x:0:' 'kesladmin:x:999:' 'keslint:x:1000:' > etc/group && "
		"echo x > opt/kaspersky/kesl/bin/kesl-control && "
		"echo '@daily root /opt/kaspersky/kesl/bin/kesl-control --update' > etc/crontab && "
		"echo '* * * * * root /opt/kaspersky/keslint/bin/x /opt/kasperskyfan' > "
		"etc/cron.d/decoy && "
		"echo '0 * * * * /var/opt/kaspersky/kesl/bin/cleanup' > "
		"var/spool/cron/crontabs/kluser",
		cu_tmp);
	r = run();
	ck_assert(!r->live);
	got = findings_of(r);
	ck_assert_str_eq(got,
		"[test.kesl] installed\n"
		"service installed kesl-supervisor /etc/init.d/kesl-supervisor "
		"pattern=kesl-supervisor.service manager=sysv enabled=1 from=/etc/rc2.d/S01kesl-"
		"supervisor\n"
		"service installed kesl.service /lib/systemd/system/kesl.service "
		"pattern=kesl.service manager=systemd enabled=0\n"
		"kernel_module installed kav4fs_oas /lib/modules/6.1.0-test/extra/kav4fs_oas.ko "
		"role=install pattern=kav4fs-oas version=6.1.0-test\n"
		"kernel_module remnant redirfs /lib/modules/6.1.0-test/extra/redirfs.ko.xz "
		"role=remnant pattern=redirfs version=6.1.0-test\n"
		"account remnant kesladmin - group=999 line=2 from=/etc/group\n"
		"account remnant kluser - user=1001 line=2 from=/etc/passwd\n"
		"cron installed - /etc/crontab role=install pattern=/opt/kaspersky/kesl line=1 "
		"user=root command=/opt/kaspersky/kesl/bin/kesl-control --update\n"
		"cron remnant - /var/spool/cron/crontabs/kluser role=remnant "
		"pattern=/var/opt/kaspersky/kesl line=1 user=kluser "
		"command=/var/opt/kaspersky/kesl/bin/cleanup\n"
		"[test.other] remnant\n"
		"account remnant kluser - user=1001 line=2 from=/etc/passwd\n");
	ck_assert_int_eq(source(r, "processes")->status, REPORT_SRC_ABSENT);
	ck_assert_int_eq(source(r, "sockets")->status, REPORT_SRC_ABSENT);
	ck_assert_int_eq(source(r, "services")->status, REPORT_SRC_OK);
	ck_assert_uint_eq(count(source(r, "services"), "matched"), 2);
	ck_assert_int_eq(source(r, "kernel_modules")->status, REPORT_SRC_OK);
	ck_assert_uint_eq(count(source(r, "kernel_modules"), "files"), 3);
	ck_assert_uint_eq(count(source(r, "kernel_modules"), "loaded"), 0);
	ck_assert_int_eq(source(r, "accounts")->status, REPORT_SRC_OK);
	ck_assert_uint_eq(count(source(r, "accounts"), "matched"), 3);
	ck_assert_int_eq(source(r, "cron")->status, REPORT_SRC_OK);
	ck_assert_uint_eq(count(source(r, "cron"), "jobs"), 3);
	ck_assert_uint_eq(count(source(r, "cron"), "matched"), 2);
	/* the kesl finding has a service, none enabled but the SysV one */
	ck_assert(r->findings[0]->has_service);
	ck_assert(r->findings[0]->enabled);
	free(got);
	report_free(r);
}
END_TEST

/* A root with nothing the probes read: absent, never failed, never a finding. */
START_TEST(test_probes_empty_root)
{
	struct report *r = run();
	size_t i;

	ck_assert_uint_eq(r->nfindings, 0);
	ck_assert_int_eq(r->verdict, REPORT_CLEAN);
	for (i = 0; i < r->nsources; i++) {
		ck_assert_msg(r->sources[i].status == REPORT_SRC_ABSENT, "%s",
			r->sources[i].name);
	}
	ck_assert_uint_eq(r->nsources, 6);
	report_free(r);
}
END_TEST

/* A probe that cannot read what is there fails its source: the verdict is incomplete. */
START_TEST(test_probes_unreadable)
{
	struct report *r;

	cu_sh("mkdir -p '%s/etc/passwd' '%s/etc/cron.d' && ln -s loop '%s/etc/cron.d/loop' && "
		"ln -s loop2 '%s/etc/cron.d/loop2' && mkdir -p '%s/etc/systemd' && "
		"ln -s x '%s/etc/systemd/x'", cu_tmp, cu_tmp, cu_tmp, cu_tmp, cu_tmp, cu_tmp);
	r = run();
	ck_assert_int_eq(source(r, "accounts")->status, REPORT_SRC_FAILED);
	ck_assert_str_eq(source(r, "accounts")->error, "/etc/passwd: Is a directory");
	ck_assert_int_eq(r->verdict, REPORT_INCOMPLETE);
	ck_assert_str_eq(r->verdict_reason,
		"source accounts failed: /etc/passwd: Is a directory");
	report_free(r);
}
END_TEST

static Suite *probes_suite(void)
{
	Suite *s = suite_create("probes");
	TCase *paths = tcase_create("paths");
	TCase *root_tc = tcase_create("root");

	tcase_add_loop_test(paths, test_path_under, 0, (int)XSTD_COUNTOF(under_cases));
	suite_add_tcase(s, paths);
	tcase_add_checked_fixture(root_tc, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(root_tc, test_probes_root);
	tcase_add_test(root_tc, test_probes_empty_root);
	tcase_add_test(root_tc, test_probes_unreadable);
	suite_add_tcase(s, root_tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(probes_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
