/*
 * kscan: finds Kaspersky products on a Linux host or a mounted root, and says so in a
 * report a compliance team can trust.
 *
 * A tour of the program, in the order data flows (docs/ARCHITECTURE.md has the picture):
 *
 * - main.c        this map; hands argv to the CLI
 * - cli.[ch]      subcommands (scan, send, signatures lint|list, packages), options, exit codes
 * - conf.[ch]     /etc/kscan/kscan.yaml: every option plus the collector (the CLI wins)
 * - yread.[ch]    (base/) the one strict YAML reader, the only caller of libyaml's parser:
 *                 FILE:LINE:COL, no aliases; its mapping walker and typed values serve
 *                 conf.c and the signature packs alike
 * - scan.[ch]     one scan: opens the root, runs the sources, the matcher, finishes the report
 *
 * Signatures: what to look for
 * - sig.[ch]      (signatures/) the model and the frozen signature set: lookups, names
 * - sigload.[ch]  packs into a set, all or nothing: memory, files, directories (no
 *                 symlinks), the ownership/signature gate, the built-in packs
 * - sigyaml.[ch]  one pack's YAML (schema 1) walked on yread, into signatures
 * - sigcheck.[ch] what a valid id, name, glob, path, hash, size, port or date is
 * - packsig.[ch]  detached Ed25519 signatures of packs, and the gate sigload runs
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
 * Host probes: what runs, starts at boot or is left (probes.[ch] runs and matches them)
 * - procs.[ch]    /proc of the live host: name, executable, owner, start time
 * - sockets.[ch]  /proc/net listening sockets, joined to processes through their fds
 * - services.[ch] systemd units and *.wants links, SysV init.d scripts and rc?.d links
 * - kmods.[ch]    /proc/modules and module files under lib/modules
 * - accounts.[ch] etc/passwd and etc/group
 * - cron.[ch]     crontabs, and the absolute paths their commands run
 *
 * The deep sweep (--deep): every file of the root against file names and hashes
 * - deep.[ch]     the "fs" source: ties the pieces below to the report
 * - walk.[ch]     parallel fd-relative walker: getdents64, d_type, loops, fd budget
 * - mounts.[ch]   /proc/self/mountinfo; pseudo and network filesystems are not entered
 * - hashidx.[ch]  size -> digests prefilter, exact names and globs
 * - hash.[ch]     sha256 of a file opened safely, read once, dropped from the page cache
 * - sighash.[ch]  `signatures hash`: a hash signature from a reference tree
 *
 * Matching: evidence into findings
 * - match.[ch]    package names and path hits against signatures, into report evidence
 * - plan.[ch]     each finding's removal plan, from its evidence (nothing is ever run)
 *
 * Report (report/): the model and its writers; nothing there calls back into scanner/
 * - report.[ch]   findings, evidence, sources, verdict (detected > incomplete > clean)
 * - fmt_json.[ch], json.[ch]   the native JSON report, always valid UTF-8
 * - fmt_text.[ch] the human report
 * - fmt_ecs.[ch], fmt_hec.[ch]   Elastic Common Schema and Splunk HEC events for dashboards;
 *                 fmt.[ch] picks a writer by name
 * - fscov.[ch]    what the deep sweep covered (sources.fs)
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
 * - strset.[ch]   a set of strings with where each was first seen (duplicate checks)
 */
#include "scanner/cli/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
