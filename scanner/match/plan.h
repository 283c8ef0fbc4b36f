/** The removal plan: for each finding, the concrete steps that remove it from this host. */
#ifndef KSCAN_PLAN_H
#define KSCAN_PLAN_H

#include "report/report.h"
#include "base/buf.h"
#include "base/kerr.h"
#include "scanner/sources/rootfs.h"
#include "signatures/sig.h"

/*
 * BOD 17-01 asked agencies for a removal plan, not just a list. The plan is built from the
 * evidence, so it names what is on this host: the services to disable, the vendor's
 * uninstaller when the signature names one and it is there, the packages to purge, the
 * processes and modules still running, the cron lines, the accounts and the paths left.
 * kscan never runs any of it: every step is a command (or an edit) for an administrator,
 * quoted for a POSIX shell, for the scanned system itself (with --root, paths are the
 * system's own, not the mount point's).
 *
 * Steps, in order: disable_services, disable_init_scripts, run_uninstaller,
 * remove_packages, stop_processes, unload_modules, remove_cron_jobs, delete_accounts,
 * delete_paths (docs/report.md says what each does).
 */

/**
 * Builds the plan of every finding of @rep from its evidence and the uninstall entries of
 * its signature in @s (looked up in @r). Call after report_finish(): evidence is sorted,
 * so the plan is the same on every run.
 * @return 0, or -1 with @err set (out of memory).
 */
int plan_build(struct report *rep, const struct sig_set *s, const struct rootfs *r,
	struct kerr *err);

/**
 * Appends @s to @b as one word of a POSIX shell: as is when it holds only characters no
 * shell treats specially, else in single quotes ("it's" becomes 'it'\''s').
 */
void plan_shell_quote(struct buf *b, const char *s);

#endif
