/** The host probes as evidence: processes, sockets, services, kernel modules, accounts, cron. */
#ifndef KSCAN_PROBES_H
#define KSCAN_PROBES_H

#include <stdbool.h>

#include "report/report.h"
#include "base/kerr.h"
#include "scanner/sources/rootfs.h"
#include "scanner/match/match.h"
#include "signatures/sig.h"

/*
 * The probe modules (procs, sockets, services, kmods, accounts, cron) read the host and
 * know nothing of signatures or reports; this one matches what they see against the
 * signatures, adds the evidence, and records each probe as a source of the report with
 * its coverage, exactly like dpkg, rpm and paths.
 */

/** The probes of one scan. */
struct probes;

/**
 * Prepares the probes of @m->root against @m->sigs, adding to @m->rep (the context is
 * copied; what it points to must outlive the probes). The live probes (processes,
 * sockets, loaded modules) run only when the root is the host's own "/"; with another root
 * they are "absent" and @m->rep->live stays false.
 * @return the probes, or NULL with @m->err set (out of memory).
 */
struct probes *probematch_new(const struct match_ctx *m);

/**
 * Processes and sockets: they look into other processes (/proc/PID/exe, /proc/PID/fd),
 * which a Landlock-sandboxed process may not, so they run before the sandbox is entered.
 * @return 0, or -1 with the context's error set (out of memory).
 */
int probematch_live(struct probes *p);

/** Services, kernel modules, accounts and cron: files of the root, read once sandboxed. */
int probematch_files(struct probes *p);

void probematch_destroy(struct probes *p);

/**
 * True if @path (absolute) is what the signature path @pattern names, or lies below it:
 * "/opt/kaspersky/kesl" covers "/opt/kaspersky/kesl/libexec/kesl". Glob components match
 * one component each (fnmatch(3), FNM_PERIOD), as in the paths source.
 */
bool probematch_path_under(const char *pattern, const char *path);

#endif
