/*
 * Unit tests for scanner/plan: shell quoting, and the exact steps planned from evidence:
 * their order, the tools the scanned system has, the vendor uninstaller only when it is
 * there, nested and too-broad paths, and steps split past the target cap.
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
#include "base/limits.h"
#include "scanner/match/plan.h"
#include "signatures/sig.h"
#include "signatures/sigload.h"
#include "base/xstd.h"
#include "check_util.h"

START_TEST(test_quote)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{"kesl", "kesl"}, {"/opt/kav/5.5", "/opt/kav/5.5"}, {"klnagent64.service",
			"klnagent64.service"}, {"a b", "'a b'"}, {"it's", "'it'\\''s'"}, {"", "''"},
		{"$(reboot)", "'$(reboot)'"}, {"x;rm -rf /", "'x;rm -rf /'"}, {"a\nb", "'a\nb'"},
		{"--conf=/x", "--conf=/x"}, {"*", "'*'"},
	};
	struct buf b;
	size_t i;

	buf_init(&b, 1024);
	for (i = 0; i < XSTD_COUNTOF(cases); i++) {
		buf_reset(&b);
		plan_shell_quote(&b, cases[i].in);
		ck_assert_str_eq(buf_str(&b), cases[i].out);
	}
	buf_free(&b);
}
END_TEST

static const char pack[] =
	"schema: 1\n"
	"signatures:\n"
	"  - id: test.kesl\n"
	"    vendor: Kaspersky\n"
	"    product: Test KESL\n"
	"    packages: [{name: kesl}]\n"
	"    uninstall:\n"
	"      - {path: /opt/kaspersky/kesl/bin/uninstall.sh, args: [--purge, it's]}\n"
	"      - {path: /opt/kaspersky/kesl/bin/not-there}\n";

static struct sig_set *load_pack(void)
{
	struct sig_set *s = sig_set_new();
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	kerr_clear(&e);
	ck_assert_msg(sigload_mem(s, "t.yaml", pack, strlen(pack), false, &e) == 0, "%s",
		e.msg);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	return s;
}

static void add(struct report_finding *f, struct report_evidence e)
{
	ck_assert_int_eq(report_add_evidence(f, &e), 0);
}

static struct report_evidence ev(enum report_ev_kind kind, enum report_state state,
	const char *name, const char *path)
{
	struct report_evidence e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.confidence = REPORT_CONF_HIGH;
	e.state = state;
	e.name = name;
	e.path = path;
	return e;
}

/* Every step as "action|command|target,target" lines; "-" for a manual step. */
static char *steps_of(const struct report_finding *f)
{
	struct buf b;
	size_t i, k;
	char *s;

	buf_init(&b, 1 << 20);
	for (i = 0; i < f->nsteps; i++) {
		const struct report_step *st = &f->steps[i];

		buf_addf(&b, "%s|%s|", st->action, st->command != NULL ? st->command : "-");
		for (k = 0; k < st->ntargets; k++) {
			buf_addf(&b, "%s%s", k > 0 ? "," : "", st->targets[k]);
		}
		buf_addc(&b, '\n');
	}
	s = buf_take(&b, NULL);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* One finding with evidence of every kind, planned on the fixture root. */
static struct report *planned(struct report_finding **out)
{
	struct report *r = report_new("0.1.0");
	struct sig_set *s = load_pack();
	struct rootfs *fs = cu_open_root(cu_tmp);
	struct report_finding *f;
	struct report_evidence e;
	struct kerr err;

	ck_assert_ptr_nonnull(r);
	f = report_finding(r, "test.kesl", "Kaspersky", "Test KESL", "see the vendor's guide");
	ck_assert_ptr_nonnull(f);
	e = ev(REPORT_EV_PACKAGE, REPORT_STATE_INSTALLED, "kesl", NULL);
	e.manager = "dpkg";
	add(f, e);
	e.name = "kesl-gui";
	add(f, e);
	e.manager = "rpm";
	e.name = "kesl";
	add(f, e);
	e = ev(REPORT_EV_SERVICE, REPORT_STATE_INSTALLED, "kesl.service",
		"/lib/systemd/system/kesl.service");
	e.manager = "systemd";
	add(f, e);
	/* a masked unit cannot start: nothing to disable, its link is deleted */
	e = ev(REPORT_EV_SERVICE, REPORT_STATE_REMNANT, "kesl-supervisor.service",
		"/etc/systemd/system/kesl-supervisor.service");
	e.manager = "systemd";
	add(f, e);
	e = ev(REPORT_EV_SERVICE, REPORT_STATE_INSTALLED, "kesl", "/etc/init.d/kesl");
	e.manager = "sysv";
	add(f, e);
	e = ev(REPORT_EV_PROCESS, REPORT_STATE_RUNNING, "kesl", "/opt/kaspersky/kesl/libexec/kesl");
	e.pid = 4242;
	add(f, e);
	e.pid = 17;
	add(f, e);
	add(f, ev(REPORT_EV_KERNEL_MODULE, REPORT_STATE_RUNNING, "kav4fs_oas", NULL));
	add(f, ev(REPORT_EV_KERNEL_MODULE, REPORT_STATE_INSTALLED, "redirfs",
		"/lib/modules/6.1.0/extra/redirfs.ko"));
	e = ev(REPORT_EV_CRON, REPORT_STATE_INSTALLED, NULL, "/etc/crontab");
	e.line = 12;
	add(f, e);
	e = ev(REPORT_EV_ACCOUNT, REPORT_STATE_REMNANT, "klusers", NULL);
	e.account = "group";
	add(f, e);
	e.name = "kluser";
	e.account = "user";
	add(f, e);
	e = ev(REPORT_EV_SOCKET, REPORT_STATE_RUNNING, "kesl", "/opt/kaspersky/kesl/libexec/kesl");
	e.pid = 4242;
	e.port = 15000;
	add(f, e);
	add(f, ev(REPORT_EV_PATH, REPORT_STATE_REMNANT, NULL, "/var/opt/kaspersky/kesl"));
	add(f, ev(REPORT_EV_PATH, REPORT_STATE_INSTALLED, NULL,
		"/var/opt/kaspersky/kesl/install_12.4.0.1225"));
	add(f, ev(REPORT_EV_PATH, REPORT_STATE_INSTALLED, NULL, "/var/opt/kaspersky/kesl-x"));
	add(f, ev(REPORT_EV_PATH, REPORT_STATE_REMNANT, NULL, "/var/opt"));
	add(f, ev(REPORT_EV_PATH, REPORT_STATE_REMNANT, NULL, "/opt"));
	add(f, ev(REPORT_EV_PATH, REPORT_STATE_INSTALLED, NULL, "/home/a b/kesl's.deb"));
	ck_assert_int_eq(report_finish(r), 0);
	kerr_clear(&err);
	ck_assert_msg(plan_build(r, s, fs, &err) == 0, "%s", err.msg);
	rootfs_close(fs);
	sig_set_free(s);
	*out = r->findings[0];
	return r;
}

START_TEST(test_plan_with_tools)
{
	struct report_finding *f;
	struct report *r;
	char *got;

	cu_sh("cd '%s' && mkdir -p usr/bin usr/sbin opt/kaspersky/kesl/bin && touch "
		"usr/bin/apt-get usr/bin/dnf usr/sbin/update-rc.d "
		"opt/kaspersky/kesl/bin/uninstall.sh", cu_tmp);
	r = planned(&f);
	got = steps_of(f);
	ck_assert_str_eq(got,
		"disable_services|systemctl disable --now kesl.service|kesl.service\n"
		"disable_init_scripts|service kesl stop; update-rc.d -f kesl remove|kesl\n"
		"run_uninstaller|/opt/kaspersky/kesl/bin/uninstall.sh --purge 'it'\\''s'|"
		"/opt/kaspersky/kesl/bin/uninstall.sh\n"
		"remove_packages|apt-get purge kesl kesl-gui|kesl,kesl-gui\n"
		"remove_packages|dnf remove kesl|kesl\n"
		"stop_processes|kill 17 4242|17,4242\n"
		"unload_modules|modprobe -r kav4fs_oas|kav4fs_oas\n"
		"remove_cron_jobs|-|/etc/crontab:12\n"
		"delete_accounts|userdel kluser|kluser\n"
		"delete_accounts|groupdel klusers|klusers\n"
		"delete_paths|rm -rf -- /etc/init.d/kesl "
		"/etc/systemd/system/kesl-supervisor.service "
		"'/home/a b/kesl'\\''s.deb' /lib/modules/6.1.0/extra/redirfs.ko "
		"/lib/systemd/system/kesl.service /var/opt/kaspersky/kesl "
		"/var/opt/kaspersky/kesl-x|/etc/init.d/kesl,"
		"/etc/systemd/system/kesl-supervisor.service,"
		"/home/a b/kesl's.deb,/lib/modules/6.1.0/extra/redirfs.ko,"
		"/lib/systemd/system/kesl.service,/var/opt/kaspersky/kesl,"
		"/var/opt/kaspersky/kesl-x\n");
	ck_assert_str_eq(f->steps[f->nsteps - 1].description, "Delete what the product left on "
		"disk (not deleted, too broad to remove whole: /opt, /var/opt)");
	ck_assert_uint_eq(f->steps_dropped, 0);
	free(got);
	report_free(r);
}
END_TEST

/* Without apt-get, dnf, yum, update-rc.d or chkconfig: the lower-level tools. */
START_TEST(test_plan_without_tools)
{
	struct report_finding *f;
	struct report *r;
	char *got;

	r = planned(&f);
	got = steps_of(f);
	ck_assert(strstr(got, "run_uninstaller") == NULL);
	ck_assert_ptr_nonnull(strstr(got, "disable_init_scripts|service kesl stop|kesl\n"));
	ck_assert_ptr_nonnull(strstr(got, "remove_packages|dpkg --purge kesl kesl-gui|"));
	ck_assert_ptr_nonnull(strstr(got, "remove_packages|rpm -e kesl|kesl\n"));
	ck_assert_str_eq(f->steps[1].description, "Stop the product's SysV init scripts, then "
		"delete their S links in /etc/rc?.d");
	free(got);
	report_free(r);
}
END_TEST

/* Past KS_PLAN_TARGETS_MAX targets a step goes on in another: every target is planned. */
START_TEST(test_plan_chunks)
{
	struct report *r = report_new("0.1.0");
	struct sig_set *s = load_pack();
	struct rootfs *fs = cu_open_root(cu_tmp);
	struct report_finding *f;
	struct report_evidence e;
	char name[32];
	struct kerr err;
	size_t i, total = 0;

	ck_assert_ptr_nonnull(r);
	f = report_finding(r, "test.kesl", "Kaspersky", "Test KESL", NULL);
	for (i = 0; i < KS_PLAN_TARGETS_MAX + 6; i++) {
		ck_assert_int_lt(snprintf(name, sizeof(name), "kesl-part%03zu", i),
			(int)sizeof(name));
		e = ev(REPORT_EV_PACKAGE, REPORT_STATE_INSTALLED, name, NULL);
		e.manager = "dpkg";
		add(f, e);
	}
	ck_assert_int_eq(report_finish(r), 0);
	kerr_clear(&err);
	ck_assert_int_eq(plan_build(r, s, fs, &err), 0);
	ck_assert_uint_eq(f->nsteps, 2);
	for (i = 0; i < f->nsteps; i++) {
		ck_assert_str_eq(f->steps[i].action, "remove_packages");
		total += f->steps[i].ntargets;
	}
	ck_assert_uint_eq(f->steps[0].ntargets, KS_PLAN_TARGETS_MAX);
	ck_assert_uint_eq(total, KS_PLAN_TARGETS_MAX + 6);
	ck_assert(strncmp(f->steps[1].command, "dpkg --purge kesl-part064 kesl-part065", 38) == 0);
	rootfs_close(fs);
	sig_set_free(s);
	report_free(r);
}
END_TEST

/* A finding without a signature in the set (it cannot happen in a scan) still plans. */
START_TEST(test_plan_no_signature)
{
	struct report *r = report_new("0.1.0");
	struct sig_set *s = load_pack();
	struct rootfs *fs = cu_open_root(cu_tmp);
	struct report_finding *f;
	struct kerr err;

	ck_assert_ptr_nonnull(r);
	f = report_finding(r, "other", "V", "P", NULL);
	add(f, ev(REPORT_EV_PATH, REPORT_STATE_REMNANT, NULL, "/var/opt/other"));
	ck_assert_int_eq(report_finish(r), 0);
	kerr_clear(&err);
	ck_assert_int_eq(plan_build(r, s, fs, &err), 0);
	ck_assert_uint_eq(f->nsteps, 1);
	ck_assert_str_eq(f->steps[0].command, "rm -rf -- /var/opt/other");
	rootfs_close(fs);
	sig_set_free(s);
	report_free(r);
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *quote = tcase_create("quote");
	TCase *steps = tcase_create("steps");

	tcase_add_test(quote, test_quote);
	suite_add_tcase(s, quote);
	tcase_add_checked_fixture(steps, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(steps, test_plan_with_tools);
	tcase_add_test(steps, test_plan_without_tools);
	tcase_add_test(steps, test_plan_chunks);
	tcase_add_test(steps, test_plan_no_signature);
	suite_add_tcase(s, steps);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(plan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
