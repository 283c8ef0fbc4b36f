/*
 * kscan: finds Kaspersky products on a Linux host or a mounted root, and says so in a
 * report a compliance team can trust.
 *
 * A tour of the program, folder by folder in the order data flows; each folder is one stage
 * with its own meson.build, and includes only point down this list (docs/ARCHITECTURE.md
 * has the picture; tests/integration/style.sh checks the direction).
 *
 * base/: what every stage uses (report/ uses nothing else from outside itself)
 * - limits.h      every cap, with its reason
 * - kerr.[ch]     errors with stable codes and context
 * - buf.[ch]      bounded buffers; lineread.[ch] bounded line reading; xstd.[ch] checked libc
 * - vec.[ch]      the one way an array grows
 * - strset.[ch]   a set of strings with where each was first seen (duplicate checks)
 * - log.[ch]      messages to stderr or syslog, with levels
 * - yread.[ch]    the one strict YAML reader, the only caller of libyaml's parser:
 *                 FILE:LINE:COL, no aliases; its mapping walker and typed values serve
 *                 the configuration and the signature packs alike
 *
 * signatures/: what to look for
 * - sig.[ch]      the model and the frozen signature set: lookups, names
 * - sigload.[ch]  packs into a set, all or nothing: memory, files, directories (no
 *                 symlinks), the ownership/signature gate, the built-in packs
 * - sigyaml.[ch]  one pack's YAML (schema 1) walked on yread, into signatures
 * - sigcheck.[ch] what a valid id, name, glob, path, hash, size, port or date is
 * - packsig.[ch]  detached Ed25519 signatures of packs, and the gate sigload runs
 *                 (the YAML packs beside them are compiled in by embed.py: builtin.h)
 *
 * scanner/cli/: the command line (main.c, in scanner/, is this map and hands argv to cli)
 * - cli.[ch]      the verb table and the exit codes; one module per verb family:
 *   - cli_scan.[ch]  scan (the default): options, the file merged under them, the report
 *   - cli_send.[ch]  send: the spool to the collector (and the delivery settings scan shares)
 *   - cli_sigs.[ch]  signatures lint|list|sign|verify|hash
 *   - cli_pkgs.[ch]  packages
 *   - cli_opt.[ch]   what every verb shares: the parser, logging, usage errors, the
 *                    configuration file
 *   - cli_table.[ch] the one table of commands and options; --help, the man SYNOPSIS,
 *                    the README usage block and the completion are made from it
 *   - cli_packs.[ch] loading signature packs through the integrity gate (scan, list, verify)
 *   - cli_jail.[ch]  where a scan may still write once it is sandboxed
 * - conf.[ch]     /etc/kscan/kscan.yaml: every option plus the collector (the CLI wins)
 * - sighash.[ch]  `signatures hash`: a hash signature from a reference tree
 *
 * scanner/: one scan
 * - scan.[ch]     opens the root, runs the sources and the matchers, finishes the report
 * - sandbox.[ch]  no new privileges and a read-only filesystem (Landlock) before anything
 *                 hostile is read
 *
 * scanner/sources/: evidence from databases and paths (each ok / absent / failed; none of
 * them knows the report)
 * - rootfs.[ch]   the scanned root; every lookup stays inside it (openat2 RESOLVE_IN_ROOT,
 *                 or an O_PATH walk), never opens FIFOs or devices
 * - dpkg.[ch]     var/lib/dpkg: status, the updates journal, status.d
 * - rpmdb.[ch]    the rpm database, read natively and read-only (no librpm): where it is,
 *                 which backend, one package record per header; over the modules below
 *   - rpmcfg.[ch]  rpm's own rules from the root's macros: %_dbpath, %_db_backend
 *   - rpmfile.[ch] bounded pread() of a database file, or memory (fuzzing)
 *   - rpmhdr.[ch]  the header blob every backend stores (and .rpm files: kitrpm): bounded
 *                  index and data, the digest of the immutable region, tags, file names
 *   - rpmsql.[ch]  rpmdb.sqlite through libsqlite3 over the open fd: immutable, no lock,
 *                  no -wal/-shm; a hot -wal or -journal fails the read
 *   - rpmbdb.[ch]  Berkeley DB hash "Packages" (rpm 4.16 and older), without libdb,
 *                  either byte order
 *   - rpmndb.[ch]  ndb "Packages.db" (SUSE)
 * - pkg.[ch]      the package model both share
 * - paths.[ch]    signature paths looked up in the root, globs expanded
 * - host.[ch]     host name, machine id, os-release, kernel, into a struct host_info
 *
 * scanner/probes/: evidence from the system itself
 * - procs.[ch]    /proc of the live host: name, executable, owner, start time
 * - sockets.[ch]  /proc/net listening sockets, joined to processes through their fds
 * - services.[ch] systemd units and *.wants links, SysV init.d scripts and rc?.d links
 * - kmods.[ch]    /proc/modules and module files under lib/modules
 * - accounts.[ch] etc/passwd and etc/group
 * - cron.[ch]     crontabs, and the absolute paths their commands run
 *
 * scanner/deep/: evidence from every file of the root (--deep)
 * - deep.[ch]     the "fs" source: ties the pieces below together, hands each file the
 *                 index knows to a sink
 * - walk.[ch]     parallel fd-relative walker: getdents64, d_type, loops, fd budget
 * - mounts.[ch]   /proc/self/mountinfo; pseudo and network filesystems are not entered
 * - hashidx.[ch]  size -> digests prefilter, exact names and globs
 * - hash.[ch]     sha256 of a file opened safely, read once, dropped from the page cache
 * - kit.[ch]      package archives and kits by their magic: .deb control fields and .rpm
 *                 headers read, tarballs, zips and makeself payloads listed (libarchive),
 *                 all bounded
 * - kitrpm.[ch]   kit's own bounded parser of an .rpm file's lead and headers
 *
 * scanner/match/: evidence into findings; every matcher takes a struct match_ctx
 * - match.[ch]    the shared shape (match_ctx, match_add), package names and path hits,
 *                 and the fallback that yields a catch-all's evidence to a specific signature
 * - probematch.[ch] runs the host probes and matches what they return
 * - deepmatch.[ch]  the deep sweep's files, by name and by hash, and the archives it
 *                 recognised by content
 * - vendor.[ch]   the vendor rule: a package whose maker is Kaspersky, named by no signature
 * - plan.[ch]     each finding's removal plan, from its evidence (nothing is ever run)
 *
 * report/: the model (nothing there includes scanner/)
 * - report.[ch]   findings, evidence, sources, verdict (detected > incomplete > clean)
 * - fscov.[ch]    what the deep sweep covered (sources.fs)
 *
 * report/fmt/: writers
 * - fmt.[ch]      picks a writer by name
 * - fmt_json.[ch], json.[ch]   the native JSON report, always valid UTF-8
 * - fmt_text.[ch] the human report
 * - fmt_ecs.[ch], fmt_hec.[ch]   Elastic Common Schema and Splunk HEC events for dashboards
 * - fmt_cdx.[ch]  a CycloneDX bill of materials of the Kaspersky software found
 * - fmt_ocsf.[ch] OCSF Compliance Finding events: pass or fail per host against the ban
 *
 * report/deliver/: where the report goes, none lost
 * - output.[ch]   stdout or an atomically replaced file
 * - deliver.[ch]  one run's session: the spool first, oldest first, then the new report
 * - http.[ch]     HTTPS POST through libcurl: verification always on, retries, gzip, HMAC
 * - curlso.[ch]   libcurl loaded (dlopen) only when a run delivers, in the dynamic build
 * - spool.[ch]    undelivered reports on disk: bounded, checksummed, drops journaled
 */
#include "scanner/cli/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
