/** The host probes as evidence: processes, sockets, services, kernel modules, accounts, cron. */
#ifndef KSCAN_PROBES_H
#define KSCAN_PROBES_H

#include <stdbool.h>

#include "report/report.h"
#include "scanner/kerr.h"
#include "scanner/rootfs.h"
#include "scanner/sig.h"

/*
 * The probe modules (procs, sockets, services, kmods, accounts, cron) read the host and
 * know nothing of signatures or reports; this one matches what they see against the
 * signatures, adds the evidence, and records each probe as a source of the report with
 * its coverage, exactly like dpkg, rpm and paths.
 */

/**
 * Runs every probe on @r against @s and adds its source and evidence to @rep. The live
 * probes (processes, sockets, loaded modules) run only when @r is the host's own "/"; with
 * another root they are "absent" and @rep->live stays false.
 * @return 0, or -1 with @err set when no report can be made (out of memory).
 */
int probes_run(const struct rootfs *r, const struct sig_set *s, struct report *rep,
	struct kerr *err);

/**
 * True if @path (absolute) is what the signature path @pattern names, or lies below it:
 * "/opt/kaspersky/kesl" covers "/opt/kaspersky/kesl/libexec/kesl". Glob components match
 * one component each (fnmatch(3), FNM_PERIOD), as in the paths source.
 */
bool probes_path_under(const char *pattern, const char *path);

#endif
