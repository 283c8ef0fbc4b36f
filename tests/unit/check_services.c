/*
 * Unit tests for scanner/services: template names, and a root with unit files in every
 * unit directory, *.wants and *.requires links, a masked unit, a template enabled through
 * an instance, an enabling link left without its unit, SysV scripts with S and K links,
 * a merged /usr, and decoys that no one asked for.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "scanner/probes/services.h"
#include "base/xstd.h"
#include "check_util.h"

START_TEST(test_template)
{
	char t[64];

	ck_assert(services_template("getty@tty1.service", t, sizeof(t)));
	ck_assert_str_eq(t, "getty@.service");
	ck_assert(services_template("kesl-scan@daily.timer", t, sizeof(t)));
	ck_assert_str_eq(t, "kesl-scan@.timer");
	ck_assert(!services_template("getty@.service", t, sizeof(t)));
	ck_assert(!services_template("kesl.service", t, sizeof(t)));
	ck_assert(!services_template("a@b", t, sizeof(t)));
	ck_assert(!services_template("a@b.service", t, 5));
}
END_TEST

/* The names a test signature would have: units and their SysV scripts. */
static bool want(void *ctx, const char *name, bool sysv)
{
	static const char *const units[] = {"kesl.service", "kesl-supervisor.service",
		"klnagent64.service", "klnagent.service", "kesl-scan@.service"};
	static const char *const scripts[] = {"kesl", "kesl-supervisor", "klnagent64"};
	size_t i;

	(void)ctx;
	for (i = 0; !sysv && i < XSTD_COUNTOF(units); i++) {
		if (strcmp(name, units[i]) == 0) {
			return true;
		}
	}
	for (i = 0; sysv && i < XSTD_COUNTOF(scripts); i++) {
		if (strcmp(name, scripts[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* "name path sysv|systemd target masked orphan enabled enabled_by" per unit. */
static int collect(void *ctx, const struct services_unit *u)
{
	buf_addf(ctx, "%s %s %s %s%s%s%s %s\n", u->name, u->path, u->sysv ? "sysv" : "systemd",
		u->target != NULL ? u->target : "-", u->masked ? " masked" : "",
		u->orphan ? " orphan" : "", u->enabled ? " enabled" : "",
		u->enabled_by != NULL ? u->enabled_by : "-");
	return 0;
}

START_TEST(test_scan)
{
	struct services_sink sink = {want, collect, NULL};
	struct services_counts c;
	struct rootfs *r;
	struct kerr e;
	struct buf b;
	char *got;

	cu_sh("cd '%s' && mkdir -p usr/lib/systemd/system "
		"etc/systemd/system/multi-user.target.wants etc/systemd/system/timers.target.wants "
		"etc/systemd/system/graphical.target.requires "
		"etc/init.d etc/rc0.d etc/rc2.d etc/rc3.d etc/rcS.d run/systemd/system && "
		"ln -s usr/lib lib && "
		"echo '[Unit]' > usr/lib/systemd/system/kesl.service && "
		"echo '[Unit]' > usr/lib/systemd/system/keslint.service && "
		"echo '[Unit]' > usr/lib/systemd/system/klnagent64.service && "
		"echo '[Unit]' > usr/lib/systemd/system/kesl-scan@.service && "
		"echo '[Unit]' > run/systemd/system/kesl-supervisor.service && "
		"ln -s /lib/systemd/system/kesl.service "
		"etc/systemd/system/multi-user.target.wants/kesl.service && "
		"ln -s /lib/systemd/system/keslint.service "
		"etc/systemd/system/multi-user.target.wants/keslint.service && "
		"ln -s /lib/systemd/system/klnagent.service "
		"etc/systemd/system/multi-user.target.wants/klnagent.service && "
		"ln -s /lib/systemd/system/kesl-scan@.service "
		"etc/systemd/system/timers.target.wants/kesl-scan@daily.service && "
		"ln -s /run/systemd/system/kesl-supervisor.service "
		"etc/systemd/system/graphical.target.requires/kesl-supervisor.service && "
		"ln -s /dev/null etc/systemd/system/kesl-supervisor.service && "
		"echo '#!/bin/sh' > etc/init.d/kesl && echo '#!/bin/sh' > etc/init.d/klnagent64 && "
		"echo '#!/bin/sh' > etc/init.d/keslint && "
		"ln -s ../init.d/kesl etc/rc2.d/S01kesl && "
		"ln -s ../init.d/kesl etc/rc0.d/K01kesl && "
		"ln -s ../init.d/klnagent64 etc/rc0.d/K05klnagent64 && "
		"ln -s ../init.d/keslint etc/rc3.d/S02keslint && "
		"ln -s ../init.d/kesl-supervisor etc/rcS.d/S03kesl-supervisor", cu_tmp);
	r = cu_open_root(cu_tmp);
	buf_init(&b, 1 << 16);
	sink.ctx = &b;
	kerr_clear(&e);
	ck_assert_int_eq(services_scan(r, &sink, &c, &e), 1);
	got = cu_sorted_lines(buf_str(&b));
	ck_assert_str_eq(got,
		"kesl /etc/init.d/kesl sysv - enabled /etc/rc2.d/S01kesl\n"
		"kesl-scan@.service /usr/lib/systemd/system/kesl-scan@.service systemd - enabled "
		"/etc/systemd/system/timers.target.wants/kesl-scan@daily.service\n"
		"kesl-supervisor /etc/rcS.d/S03kesl-supervisor sysv ../init.d/kesl-supervisor "
		"orphan -\n"
		"kesl-supervisor.service /etc/systemd/system/kesl-supervisor.service systemd "
		"/dev/null masked "
		"/etc/systemd/system/graphical.target.requires/kesl-supervisor.service\n"
		"kesl-supervisor.service /run/systemd/system/kesl-supervisor.service systemd - "
		"masked /etc/systemd/system/graphical.target.requires/kesl-supervisor.service\n"
		"kesl.service /usr/lib/systemd/system/kesl.service systemd - enabled "
		"/etc/systemd/system/multi-user.target.wants/kesl.service\n"
		"klnagent.service /etc/systemd/system/multi-user.target.wants/klnagent.service "
		"systemd /lib/systemd/system/klnagent.service orphan -\n"
		"klnagent64 /etc/init.d/klnagent64 sysv - -\n"
		"klnagent64.service /usr/lib/systemd/system/klnagent64.service systemd - -\n");
	/* lib is usr/lib: its unit directory is read once */
	ck_assert_uint_eq(c.dirs, 8);
	ck_assert_uint_eq(c.found, 9);
	ck_assert_uint_eq(c.errors, 0);
	free(got);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

START_TEST(test_scan_none)
{
	struct services_sink sink = {want, collect, NULL};
	struct services_counts c;
	struct rootfs *r = cu_open_root(cu_tmp);
	struct kerr e;
	struct buf b;

	buf_init(&b, 1 << 16);
	sink.ctx = &b;
	kerr_clear(&e);
	ck_assert_int_eq(services_scan(r, &sink, &c, &e), 0);
	ck_assert_str_eq(buf_str(&b), "");
	/* a unit directory that is a file cannot be read */
	cu_sh("mkdir -p '%s/etc/systemd' && echo x > '%s/etc/systemd/system'", cu_tmp, cu_tmp);
	ck_assert_int_eq(services_scan(r, &sink, &c, &e), 0);
	buf_free(&b);
	rootfs_close(r);
}
END_TEST

static Suite *services_suite(void)
{
	Suite *s = suite_create("services");
	TCase *names = tcase_create("names");
	TCase *files = tcase_create("files");

	tcase_add_test(names, test_template);
	suite_add_tcase(s, names);
	tcase_add_checked_fixture(files, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(files, test_scan);
	tcase_add_test(files, test_scan_none);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(services_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
