/*
 * kscan: finds Kaspersky products on a Linux host or a mounted root, and says so in a
 * report a compliance team can trust.
 *
 * A tour of the program, in the order data flows (docs/ARCHITECTURE.md has the picture):
 *
 * - main.c        this map; hands argv to the CLI
 * - cli.[ch]      subcommands (scan, send, signatures lint|list, packages), options, exit codes
 * - conf.[ch]     /etc/kscan/kscan.yaml: every option plus the collector (the CLI wins)
 * - yread.[ch]    the strict YAML reader conf.c stands on (FILE:LINE:COL, no aliases)
 * - scan.[ch]     one scan: opens the root, runs the sources, the matcher, finishes the report
 *
 * Signatures: what to look for
 * - sig.[ch]      YAML packs (libyaml events) into a validated, frozen signature set;
 *                 the YAML packs in signatures/ are compiled in by embed.py (builtin.h)
 *
 * Sources: what is on the host (each reports ok / absent / failed, never guesses)
 * - rootfs.[ch]   the scanned root; every lookup stays inside it (openat2 RESOLVE_IN_ROOT,
 *                 or an O_PATH walk), never opens FIFOs or devices
 * - dpkg.[ch]     var/lib/dpkg: status, the updates journal, status.d
 * - rpmdb.[ch]    the rpm database through librpm, read-only
 * - pkg.[ch]      the package model both share
 * - paths.[ch]    signature paths looked up in the root, globs expanded
 * - host.[ch]     host name, machine id, os-release, kernel
 *
 * Matching: evidence into findings
 * - match.[ch]    package names and path hits against signatures, into report evidence
 *
 * Report (report/): the model and its writers; nothing there calls back into scanner/
 * - report.[ch]   findings, evidence, sources, verdict (detected > incomplete > clean)
 * - fmt_json.[ch], json.[ch]   the native JSON report, always valid UTF-8
 * - fmt_text.[ch] the human report
 * - fmt_ecs.[ch], fmt_hec.[ch]   Elastic Common Schema and Splunk HEC events for dashboards;
 *                 fmt.[ch] picks a writer by name
 * - output.[ch]   stdout or an atomically replaced file
 *
 * Delivery (report/): the report to the collector, none lost
 * - deliver.[ch]  one run's session: the spool first, oldest first, then the new report
 * - http.[ch]     HTTPS POST through libcurl: verification always on, retries, gzip, HMAC
 * - spool.[ch]    undelivered reports on disk: bounded, checksummed, drops journaled
 *
 * Base utilities every layer uses
 * - limits.h      every cap, with its reason
 * - kerr.[ch]     errors with stable codes and context
 * - buf.[ch]      bounded buffers; lineread.[ch] bounded line reading; xstd.[ch] checked libc
 */
#include "scanner/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
