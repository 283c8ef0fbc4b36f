/*
 * Every cap kscan enforces, in one place, each with the reason for its value.
 *
 * kscan runs as root on every host of a fleet and reads files that local users can write.
 * Nothing it reads may make it use unbounded memory or time: each parser checks its input
 * against one of these and fails with a clear message, never truncates silently.
 *
 * Include it as "base/limits.h"; <limits.h> stays the C library's.
 */
#ifndef KSCAN_LIMITS_H
#define KSCAN_LIMITS_H

/* Errors: room for a path of ordinary length and a reason; longer messages are cut. */
#define KS_ERR_MSG_MAX 1024

/* Signature packs */

/* A pack file: the complete vendor pack is ~100 KiB; 4 MiB leaves room, stops a runaway file. */
#define KS_SIG_FILE_MAX (4u << 20)
/* Packs loaded in one run: a directory of packs, not a filesystem. */
#define KS_SIG_PACKS_MAX 256u
/* Signatures over all packs: thousands of products would already be a different tool. */
#define KS_SIG_SIGNATURES_MAX 8192u
/* Entries in one list of one signature (paths, hashes...): a reference install has ~2000. */
#define KS_SIG_LIST_MAX 16384u
/* One YAML scalar: the longest legitimate one is a remove hint or a URL. */
#define KS_SIG_SCALAR_MAX 4096u
/* YAML nesting: the schema is 4 levels deep; a little slack, no stack-eating documents. */
#define KS_SIG_DEPTH_MAX 8u
/* A signature id: [a-z0-9._-], long enough for vendor.product.variant names. */
#define KS_SIG_ID_MAX 128u
/* Diagnostics kept per load: enough to fix a pack in one pass, bounded for hostile input. */
#define KS_SIG_DIAGS_MAX 64u
/* Diagnostics kept by one set over all its loads: every pack at its own cap. */
#define KS_SIG_SET_DIAGS_MAX (KS_SIG_DIAGS_MAX * KS_SIG_PACKS_MAX)
/* One diagnostic line: a pack path of ordinary length and a message; longer ones are cut. */
#define KS_SIG_DIAG_MAX 2048u
/* Entries read from one pack directory: a directory of packs, not a filesystem. */
#define KS_SIG_DIR_ENTRIES_MAX 65536u
/* --max-signature-age: packs older than a century are no limit but a typo. */
#define KS_SIG_MAX_AGE_DAYS_MAX 36500u

/* Trusted public keys for pack signatures: a fleet has one or two, a rotation a few more. */
#define KS_PACKSIG_KEYS_MAX 64u

/* Package databases */

/* dpkg status: big desktops have ~10 MiB; 512 MiB is far past real, still bounded. */
#define KS_DPKG_FILE_MAX ((size_t)512 << 20)
/* One control-file line: long Description or Conffiles lines are a few KiB. */
#define KS_DPKG_LINE_MAX ((size_t)1 << 20)
/* Files in updates/ or status.d/: dpkg checkpoints its journal every few dozen entries. */
#define KS_DPKG_DIR_ENTRIES_MAX 65536u
/* Fields in one stanza: dpkg knows ~45 and packages add a few of their own. */
#define KS_DPKG_FIELDS_MAX 1024u
/* One field name: the longest in Debian are ~30 bytes. */
#define KS_DPKG_FIELD_NAME_MAX 256u
/* Records of one package name, one per architecture: dpkg knows ~40 architectures. */
#define KS_DPKG_INSTANCES_MAX 256u
/* Packages over all managers: the largest distributions ship ~70,000. */
#define KS_PKG_MAX 1000000u
/* One package field we keep (name, version, arch, status). */
#define KS_PKG_FIELD_MAX 4096u

/* One rpm database file: real ones stay under 1 GiB; bounds the pages a walk may visit. */
#define KS_RPMDB_FILE_MAX ((off_t)4 << 30)
/* Index entries of one rpm header: rpm's own hdrchkTags() limit. */
#define KS_RPMHDR_TAGS_MAX 0xffffu
/* Data store of one rpm header: rpm's own hdrchkData() limit (256 MiB). */
#define KS_RPMHDR_DATA_MAX 0x0fffffffu
/* One file path rebuilt from a header's dirname + basename: PATH_MAX on Linux. */
#define KS_RPMHDR_PATH_MAX 4096u
/* One header blob read from bdb or ndb: rpm's caps (index + data) with room for the counts. */
#define KS_RPMDB_BLOB_MAX ((size_t)8 + 16u * KS_RPMHDR_TAGS_MAX + KS_RPMHDR_DATA_MAX)
/* Packages in one database: KS_PKG_MAX, so a loop over ids or slots ends. */
#define KS_RPMDB_PACKAGES_MAX KS_PKG_MAX
/* Slot pages of one ndb Packages.db: 256 slots a page, room for KS_RPMDB_PACKAGES_MAX. */
#define KS_RPMNDB_SLOT_PAGES_MAX (KS_RPMDB_PACKAGES_MAX / 256u + 1u)
/* One rpm macros file read for %_dbpath and %_db_backend: real ones are under 64 KiB. */
#define KS_RPMCFG_FILE_MAX ((size_t)1 << 20)
/* macros.* files read in one macros directory: distributions ship a few dozen. */
#define KS_RPMCFG_GLOB_MAX 256u

/* Paths and the scanned root */

/* Components in one signature path: /var/opt/kaspersky/... is 10 deep. */
#define KS_PATH_COMPONENTS_MAX 64u
/* Concrete paths one glob pattern may expand to before it is cut and reported. */
#define KS_PATH_GLOB_MATCHES_MAX 4096u
/* Entries read from one directory while expanding a glob component. */
#define KS_PATH_GLOB_DIR_MAX 1000000u
/* Symlinks followed while resolving one path inside the root (the kernel uses 40). */
#define KS_PATH_SYMLINKS_MAX 40u
/* Small text files read whole: os-release, machine-id, hostname. */
#define KS_SMALL_FILE_MAX ((size_t)64 << 10)
/* One host fact (host name, machine id, os-release value, kernel release), NUL included:
 * os-release PRETTY_NAME is the longest we keep; longer values are cut. */
#define KS_HOST_FACT_MAX 256u

/* The deep sweep (--deep) */

/* getdents64 buffer per worker: 64 KiB holds ~1500 entries a call, as bfs finds best. */
#define KS_WALK_DENTS_BUF ((size_t)64 << 10)
/* A path the sweep builds: far past PATH_MAX (deeper trees are walked fd-relative; 200
 * levels of 255-byte names fit), within KS_REPORT_STR_MAX so every path fits the report;
 * deeper is an ENAMETOOLONG error, counted and listed. */
#define KS_WALK_PATH_MAX ((size_t)56 << 10)
/* Directory fds kept open by the walker: well under the usual 1024 soft limit; deeper
 * trees evict the least recently used and reopen it fd-relative when it is needed again. */
#define KS_WALK_FDS_MAX 256u
/* Worker threads: a sweep is bound by metadata I/O; more threads than this only contend. */
#define KS_WALK_JOBS_MAX 64u
/* Failed paths listed in the report (the smallest paths, so the list is deterministic);
 * every error is still counted by kind. */
#define KS_DEEP_ERRORS_LISTED 20u
/* Skipped mounts listed in the report: a host with thousands of mounts is counted. */
#define KS_DEEP_MOUNTS_LISTED 256u
/* Default --max-file-size: installers and install trees are far smaller than 4 GiB. */
#define KS_DEEP_FILE_SIZE_DEFAULT (4ULL << 30)
/* --max-duration: a sweep longer than 30 days is a typo. */
#define KS_DEEP_DURATION_MAX (30u * 24u * 3600u)
/* Read size while hashing: large reads keep sha256, not syscalls, the bottleneck. */
#define KS_HASH_BUF ((size_t)256 << 10)

/* /proc/self/mountinfo: one line holds two escaped paths and options (PATH_MAX each, up
 * to four bytes per escaped byte); the table, every mount of a busy container host. */
#define KS_MOUNTINFO_LINE_MAX ((size_t)64 << 10)
#define KS_MOUNTS_MAX 100000u
#define KS_MOUNTINFO_FILE_MAX ((size_t)64 << 20)

/* Host probes: processes, services, kernel modules, accounts, sockets, cron */

/* Entries read from /proc: pid_max is at most 2^22 on Linux, and threads are not listed. */
#define KS_PROCS_MAX (1u << 22)
/* Processes of products kept to find their sockets: a product runs a few dozen. */
#define KS_PROCS_MATCHED_MAX 4096u
/* /proc/<pid>/stat, status, /proc/stat: a few KiB; more is not the kernel's procfs. */
#define KS_PROC_FILE_MAX ((size_t)256 << 10)
/* The start of /proc/<pid>/cmdline read for argv[0]: a program path fits in PATH_MAX. */
#define KS_PROC_CMDLINE_MAX 4096u
/* Descriptors read per matched process to find its sockets: the nofile hard limit's max. */
#define KS_PROC_FDS_MAX (1u << 20)
/* One /proc/net/{tcp,udp}[6] line is ~150 bytes; room for new columns. */
#define KS_PROCNET_LINE_MAX 4096u
/* Lines of one /proc/net table: a busy server has some hundred thousand sockets. */
#define KS_PROCNET_LINES_MAX (16u << 20)
/* Listening sockets kept: only those on a port some signature names. */
#define KS_SOCKETS_MAX 65536u
/* One /proc/modules line: name, size, users, a dependency list, state, address. */
#define KS_MODULES_LINE_MAX 65536u
/* Entries walked under lib/modules: a kernel has ~6,000 module files; dozens of kernels fit. */
#define KS_KMOD_ENTRIES_MAX 2000000u
/* Directory depth below lib/modules/<release>: kernel/drivers/net/ethernet/vendor is 5. */
#define KS_KMOD_DEPTH_MAX 16u
/* etc/passwd, etc/group: directories exported to files reach some 100,000 entries. */
#define KS_ACCOUNTS_FILE_MAX ((size_t)256 << 20)
/* One passwd or group line: a big group lists thousands of members. */
#define KS_ACCOUNTS_LINE_MAX ((size_t)1 << 20)
/* One crontab file: crontab(1) itself refuses files past a few hundred KiB. */
#define KS_CRON_FILE_MAX ((size_t)16 << 20)
/* One crontab line: cronie allows commands of 128 KiB. */
#define KS_CRON_LINE_MAX ((size_t)128 << 10)
/* Files read from one cron directory (cron.d, a spool). */
#define KS_CRON_DIR_ENTRIES_MAX 65536u
/* Entries read from one unit directory or *.wants directory: real ones hold hundreds. */
#define KS_SERVICES_DIR_ENTRIES_MAX 65536u
/* A cron job's command kept in its evidence: enough to read it; "line" finds the rest. */
#define KS_CRON_COMMAND_SHOWN 1024u
/* Steps in one finding's removal plan: eight kinds of step, chunked. */
#define KS_PLAN_STEPS_MAX 64u
/* Targets of one step (and so the length of its command line). */
#define KS_PLAN_TARGETS_MAX 64u

/* Report */

/* The whole serialized report: thousands of findings fit; a runaway report does not. */
#define KS_REPORT_MAX ((size_t)256 << 20)
/* Evidence items in one finding: a reference install's every file, not a filesystem. */
#define KS_EVIDENCE_PER_FINDING_MAX 100000u
/* Sources in one report: the scanner has a handful; a loop adding more is a bug. */
#define KS_REPORT_SOURCES_MAX 32u
/* Evidence held in memory (structures and strings): half the serialized cap, since keys,
 * escapes and indentation roughly double the strings on the way out. */
#define KS_REPORT_EVIDENCE_BYTES_MAX (KS_REPORT_MAX / 2)
/* Errors listed in a report; the rest are counted. */
#define KS_REPORT_ERRORS_MAX 100u
/* Strings kept in the report model (names, paths); PATH_MAX-sized paths fit. */
#define KS_REPORT_STR_MAX ((size_t)64 << 10)

/* Configuration file (/etc/kscan/kscan.yaml) */

/* The whole file: a real one is a few hundred bytes; 1 MiB stops a runaway file. */
#define KS_CONFIG_FILE_MAX ((size_t)1 << 20)
/* One scalar: the longest legitimate one is a URL or a path. */
#define KS_CONFIG_SCALAR_MAX 4096u
/* YAML nesting: collector.headers is 3 levels deep; a little slack. */
#define KS_CONFIG_DEPTH_MAX 6u
/* Diagnostics kept per load: enough to fix a file in one pass, bounded for hostile input. */
#define KS_CONFIG_DIAGS_MAX 64u
/* Extra collector headers: a handful is normal; a hundred is a mistake. */
#define KS_HTTP_HEADERS_MAX 32u
/* A Splunk index, source or sourcetype prefix: Splunk caps index names at 80 bytes. */
#define KS_HEC_NAME_MAX 80u
/* compliance: entries of a pack: a handful of directives and laws, not a catalogue. */
#define KS_SIG_COMPLIANCE_MAX 16u
/* data_stream.namespace: Elasticsearch caps it at 100 bytes. */
#define KS_ECS_NAMESPACE_MAX 100u
/* Names in hec.fields: six exist, so a longer list is a mistake. */
#define KS_HEC_FIELDS_MAX 8u

/* Delivery to the collector */

/* The collector URL: long query strings are possible, kilobytes of URL are not. */
#define KS_URL_MAX 2048u
/* Redirects followed: a load balancer or a moved endpoint needs one or two. */
#define KS_HTTP_REDIRECTS_MAX 3L
/* Attempts per report: past 20 full-jitter retries the collector is down, not flaky. */
#define KS_HTTP_ATTEMPTS_MAX 20u
/* Any timeout, backoff or splay setting: one day, so a cron job always ends. */
#define KS_DURATION_MAX_MS ((uint64_t)86400000)
/* Response body kept for error messages; the rest is read and discarded. */
#define KS_HTTP_RESPONSE_MAX ((size_t)16 << 10)
/* Bytes of a collector's answer quoted in an error message. */
#define KS_HTTP_QUOTE_MAX 200u
/* A token, HMAC key or client certificate/key file: real ones are a few KiB. */
#define KS_SECRET_FILE_MAX ((size_t)64 << 10)
/* Retry-After honoured up to this (seconds) when the backoff cap is larger; see http.c. */
#define KS_HTTP_RETRY_AFTER_MAX 3600u

/* Spool of undelivered reports */

/* Reports a spool may hold (collector.spool_max_reports): a year of hourly runs. */
#define KS_SPOOL_REPORTS_MAX 10000u
/* Bytes a spool may hold (collector.spool_max_bytes): bounded disk use under /var. */
#define KS_SPOOL_BYTES_MAX ((uint64_t)4 << 30)
/* Entries read from the spool directory: its bound plus room for foreign files. */
#define KS_SPOOL_DIR_ENTRIES_MAX (4u * KS_SPOOL_REPORTS_MAX)
/* A spool file's header: five short lines. */
#define KS_SPOOL_HEADER_MAX 512u
/* Dropped report ids and moved-aside file names the journal lists; the rest are counted. */
#define KS_SPOOL_JOURNAL_IDS_MAX 1000u
/* The journal file: its ids and names at their caps, with their line keys. */
#define KS_SPOOL_JOURNAL_MAX ((size_t)2 * KS_SPOOL_JOURNAL_IDS_MAX * 96 + 256)
/* Other names tried for an entry whose name quarantine/ already holds: none is overwritten. */
#define KS_SPOOL_QUARANTINE_TRIES 1000u
/* Space the spool keeps aside (file "reserve") so that on a full disk the journal can still
 * say which report was dropped: a short journal and its temporary copy, in whole pages. */
#define KS_SPOOL_RESERVE_BYTES ((size_t)16 << 10)

/* CLI */

/* --signatures given more often than this is a mistake, not a use. */
#define KS_CLI_LIST_MAX 256u
/* A word compared for a "did you mean" hint: longer than any option or verb, so no hint. */
#define KS_CLI_HINT_WORD_MAX 32u
/* Rows of the option table (cli_table): kscan has about 40; a static getopt array. */
#define KS_CLI_OPTS_MAX 64u

/* One log message after escaping: an error message with a path or two fits; more is cut. */
#define KS_LOG_MSG_MAX 4096u

/* --splay: a day spreads a daily fleet job over the whole day; longer would skip days. */
#define KS_SPLAY_MAX 86400u

/* Package archives and kits inspected by the deep sweep (scanner/deep/kit.c) */

/* rpm header index entries: real packages carry a few hundred tags; more is hostile. */
#define KS_KITRPM_INDEX_MAX 65536u
/* rpm header data: file lists of the largest real packages stay well under this. */
#define KS_KITRPM_DATA_MAX ((size_t)64 << 20)
/* One string of a header or control field kept as evidence: a summary line, a maintainer. */
#define KS_KIT_FIELD_MAX 512u
/* A .deb's control.tar member decompressed: control and scripts, never megabytes. */
#define KS_KIT_CONTROL_MAX ((size_t)4 << 20)
/* The control file itself. */
#define KS_KIT_CONTROL_FILE_MAX ((size_t)256 << 10)
/*
 * Members listed in an archive: installer kits hold dozens; a source zip of 20,000 members
 * costs a seek per member (docs/performance.md), and more is a bomb or a tree, not a kit.
 */
#define KS_KIT_MEMBERS_MAX 2000u
/* A member name: longer is not a path any signature names. */
#define KS_KIT_NAME_MAX 4096u
/*
 * Decompressed bytes read while listing one tarball (headers interleave with data, so a
 * .tar.gz is inflated to list it): 4 MiB inflate in ~10 ms, 16 MiB cost the sweep of /usr
 * 60 ms for one 2 MB test-report tarball. The members before the cap are still matched
 * (a kit is found by any member the packs name); the cut is counted as over_limit.
 */
#define KS_KIT_BYTES_MAX ((uint64_t)4 << 20)
/*
 * The smallest file the sweep opens to look for a kit by content. Every kit the research
 * (../shared/research/kaspersky-footprint.md: kesl, klnagent64, ksc64 .deb/.rpm, the kuu
 * tarballs, kesl.zip) carries a product's binaries, tens of MB and more, never under a
 * MiB; most files of a system tree are (/usr here: 520 of 143,000 files are larger), so
 * the rest cost one stat and no open (docs/performance.md). Test fixtures are padded.
 */
#define KS_KIT_SIZE_MIN ((uint64_t)1 << 20)
/* A makeself header's line count: the 2.4 header is 714 lines; more is no bundle of it. */
#define KS_KIT_SH_LINES_MAX 100000u
/* A makeself header's bytes before the payload: about 20 KiB in 2.4, 64 KiB leaves room. */
#define KS_KIT_SH_HEADER_MAX ((uint64_t)64 << 10)
/* The first bytes of a file read for magic: a shell bundle's header lines fit. */
#define KS_KIT_HEAD 4096u

#endif
