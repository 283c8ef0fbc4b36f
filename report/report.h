/** The report model: what was scanned, what each source saw, findings with evidence, verdict. */
#ifndef KSCAN_REPORT_H
#define KSCAN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"

/*
 * The scanner fills a report; writers (fmt_json, fmt_text) read it. The structures are
 * plain data: writers read them directly. Every string in them is owned by the report and
 * copied in by the report_* functions, so callers may pass temporaries.
 *
 * Strings may hold any bytes but NUL (file names are not UTF-8 by law); writers escape.
 */

/**
 * Schema version of the JSON report (docs/report.md). 2 added `delivery`; 3 added
 * confidence (evidence and findings) and the packs' date, expires and stale.
 */
#define REPORT_SCHEMA 7

/** How strongly a finding proves the product, weakest first. Strongest wins. */
enum report_state {
	REPORT_STATE_NONE = 0,
	/** Only an installer kit was seen. */
	REPORT_STATE_INSTALLER = 1,
	/** Only leftovers: configuration files, logs, state. */
	REPORT_STATE_REMNANT = 2,
	/** Installed on disk (a package, or the install tree). */
	REPORT_STATE_INSTALLED = 3,
	/** Executing now (a process or a loaded kernel module). */
	REPORT_STATE_RUNNING = 4,
};

/**
 * How directly an evidence item proves the product, from its signature entry: low for
 * what is only inferred. 0 is no confidence and is refused, so no source can forget it.
 */
enum report_confidence {
	REPORT_CONF_LOW = 1,
	REPORT_CONF_MEDIUM = 2,
	REPORT_CONF_HIGH = 3,
};

/** What kind of thing an evidence item is. */
enum report_ev_kind {
	REPORT_EV_PACKAGE = 0,
	REPORT_EV_PATH,
	REPORT_EV_FILE,
	REPORT_EV_HASH,
	REPORT_EV_PROCESS,
	REPORT_EV_SERVICE,
	REPORT_EV_KERNEL_MODULE,
	REPORT_EV_ACCOUNT,
	REPORT_EV_SOCKET,
	REPORT_EV_CRON,
	REPORT_EV_ARCHIVE,
	REPORT_EV_KIND_COUNT,
};

/**
 * One observation that ties the host to a signature. Unused strings are NULL; writers
 * leave NULL fields out. The strings are const so a caller can fill one on the stack from
 * literals and borrowed names; the copies report_add_evidence() keeps are its own.
 */
struct report_evidence {
	enum report_ev_kind kind;
	/** What this observation alone proves. */
	enum report_state state;
	/** The confidence of the signature entry that matched (required). */
	enum report_confidence confidence;
	/** The signature's role for this entry ("install", "remnant", "installer"), or NULL. */
	const char *role;
	/** The signature entry that matched (a package name or glob, a path pattern). */
	const char *pattern;
	/** Packages: "dpkg" or "rpm". */
	const char *manager;
	/** Packages, processes, services, modules: the name. */
	const char *name;
	const char *version;
	const char *arch;
	/** Packages: the manager's status words ("install ok installed", "deinstall ok..."). */
	const char *status;
	/** A path inside the scanned root ("/opt/kaspersky/kesl"), never a host path. */
	const char *path;
	/** Paths: "file", "dir", "symlink", "other". */
	const char *ftype;
	/** Paths that are symlinks: the link text, as stored. */
	const char *target;
	/** Hashes: lower-case hex. */
	const char *sha256;
	/** Where the record came from ("/var/lib/dpkg/status"). */
	const char *source;
	uint64_t size;
	bool has_size;
	/** Modification time, ms since the epoch; valid if has_mtime. */
	int64_t mtime_ms;
	bool has_mtime;
	/** Processes: the process id; sockets: the owning process's. 0 when not set. */
	uint32_t pid;
	/** Processes: the real user id; accounts: a user's uid. Valid if has_uid. */
	uint32_t uid;
	bool has_uid;
	/** Accounts: a group's gid. Valid if has_gid. */
	uint32_t gid;
	bool has_gid;
	/** Processes: when it started, ms since the epoch. Valid if has_started. */
	int64_t started_ms;
	bool has_started;
	/** Services: whether it starts at boot. Valid if has_enabled. */
	bool enabled;
	bool has_enabled;
	/** Sockets: the local port. 0 when not set. */
	uint32_t port;
	/** Cron jobs and accounts: the line of their file, from 1. 0 when not set. */
	uint64_t line;
	/** Sockets: "tcp" or "udp". */
	const char *proto;
	/** Sockets: the local address ("0.0.0.0", "::1"). */
	const char *address;
	/** Accounts: "user" or "group". */
	const char *account;
	/** Cron jobs: the user the job runs as. */
	const char *user;
	/** Cron jobs: the command of the line. */
	const char *command;
	/** Archives: "deb", "rpm", "tar", "zip" or "sh". */
	const char *format;
	/** Archives: the maintainer (dpkg) or vendor / packager (rpm) they name. */
	const char *vendor;
	/** Archives: their one-line summary. */
	const char *summary;
};

/**
 * One step of a finding's removal plan (scanner/match/plan.c). kscan never runs it: the steps
 * are for the administrator, in the order given.
 */
struct report_step {
	/** Static: "disable_services", "run_uninstaller"... (docs/report.md lists them). */
	const char *action;
	/** What the step does and why, for people. */
	char *description;
	/** A shell command for the scanned system, or NULL when the step is done by hand. */
	char *command;
	/** What it acts on: unit names, package names, paths, "FILE:LINE"... */
	char **targets;
	size_t ntargets;
};

struct report;
struct fscov;

/**
 * All evidence for one signature. Findings are allocated one by one, so the pointer
 * report_finding() returns stays valid while other findings are added, until
 * report_finish() (which may remove a finding without evidence) or report_free().
 */
struct report_finding {
	char *signature;
	char *vendor;
	char *product;
	char *remove;
	/**
	 * The pack the signature came from (its name as in the report's packs) and that pack's
	 * version, and the signature's first reference; NULL when unknown (report_finding_rule()).
	 */
	char *pack;
	char *pack_version;
	char *reference;
	/** The strongest state of its evidence (set by report_finish()). */
	enum report_state state;
	/** The highest confidence of its evidence, dropped too (set by report_finish()). */
	enum report_confidence confidence;
	struct report_evidence *ev;
	size_t nev;
	size_t cap;
	/**
	 * Evidence dropped past KS_EVIDENCE_PER_FINDING_MAX or the report's memory budget.
	 * Dropped evidence still counts for state and kinds, so a cap never weakens a finding.
	 */
	size_t ev_dropped;
	/** Bit (1u << kind) for every kind of evidence offered, kept or dropped. */
	unsigned kinds;
	/** A service of the product was seen, and one of them starts at boot (dropped too). */
	bool has_service;
	bool enabled;
	/**
	 * Made only of evidence several products share (an account, a registry file): no
	 * product of the vendor was found beside it.
	 */
	bool shared_only;
	/** The removal plan, in order (see report_add_step()). */
	struct report_step *steps;
	size_t nsteps;
	/** Steps not kept past KS_PLAN_STEPS_MAX. */
	size_t steps_dropped;

	/* Private to report.c. */
	enum report_state dropped_state;
	enum report_confidence dropped_conf;
	unsigned dropped_kinds;
	bool dropped_service;
	bool dropped_enabled;
	struct report *owner;
	/** Open-addressing index of ev (slot = index + 1, 0 = empty) for deduplication. */
	size_t *slots;
	size_t nslots;
};

/** Outcome of one evidence source. */
enum report_src_status {
	/** Ran and read what it should. */
	REPORT_SRC_OK = 0,
	/** Nothing to read here (no rpm database on a Debian host): not a failure. */
	REPORT_SRC_ABSENT = 1,
	/** Could not read what is there: the host cannot be called clean. */
	REPORT_SRC_FAILED = 2,
};

/** Counters a source reports; at most this many per source. */
#define REPORT_COUNTS_MAX 8

struct report_count {
	const char *key;
	uint64_t value;
};

/** One evidence source ("dpkg", "rpm", "paths"...) and what it saw. */
struct report_source {
	/** Static name, also the JSON key. */
	const char *name;
	enum report_src_status status;
	/** Where it read (inside the root), or NULL. */
	char *location;
	/** Why it failed, or NULL. */
	char *error;
	struct report_count counts[REPORT_COUNTS_MAX];
	size_t ncounts;
	/** The deep sweep's coverage (report/fscov.h), or NULL; owned. */
	struct fscov *fs;
};

/** An obligation a pack's signatures concern: the legal basis of its findings. */
struct report_compliance {
	char *framework;
	char *control;
	/** NULL when the pack gives none. */
	char *reference;
};

/** A signature pack the scan used. */
struct report_pack {
	char *name;
	char *version;
	char *sha256;
	bool builtin;
	/** Its detached signature verified against a trusted key. */
	bool verified;
	size_t nsignatures;
	/** Its `date:` and `expires:` (YYYY-MM-DD), NULL when absent. */
	char *date;
	char *expires;
	/** Expired, or (with a maximum age) too old or undated. */
	bool stale;
	/** Its `compliance:` entries (report_pack_add_compliance()). */
	struct report_compliance *compliance;
	size_t ncompliance;
};

/** The verdict, from findings and source outcomes (see report_finish()). */
enum report_verdict {
	REPORT_CLEAN = 0,
	REPORT_DETECTED = 1,
	REPORT_INCOMPLETE = 2,
};

/** Report ids or file names with their total: at most KS_SPOOL_JOURNAL_IDS_MAX are listed. */
struct report_idlist {
	char **v;
	size_t n;
	/** How many there were, listed or not. */
	uint64_t total;
};

/** Why a report was dropped from the spool (docs/report.md, "Delivery"). */
enum report_drop {
	/** Evicted, oldest first, to keep the spool within its bounds. */
	REPORT_DROP_EVICTED = 0,
	/** The report alone was larger than spool_max_bytes. */
	REPORT_DROP_TOO_LARGE = 1,
	/** The report could not be written (a full disk, an I/O error). */
	REPORT_DROP_UNWRITTEN = 2,
	REPORT_DROP_KINDS = 3,
};

/**
 * What the spool tells the collector through the next report it delivers (docs/report.md,
 * "Delivery"), so that nothing is lost silently.
 */
struct report_delivery {
	/** Undelivered reports dropped from a full spool, oldest first. */
	struct report_idlist dropped;
	/**
	 * dropped.total by reason; their sum may be less, for drops journaled before reasons
	 * were recorded.
	 */
	uint64_t dropped_why[REPORT_DROP_KINDS];
	/** Spool files that could not be read, moved aside as NAME.bad. */
	struct report_idlist corrupt;
	/** Spool entries not trusted (owner, mode, links, type), moved to quarantine/. */
	struct report_idlist quarantined;
};

struct report {
	/** UUIDv4, lower-case. */
	char report_id[37];
	char *kscan_version;
	struct report_pack *packs;
	size_t npacks;
	/**
	 * The maximum age of packs in days (--max-signature-age), 0 if none. When set, a
	 * stale pack makes a report without findings incomplete.
	 */
	uint32_t max_age_days;

	/** Host facts; NULL when unknown. kernel only for the live host. */
	char *hostname;
	char *machine_id;
	char *os_id;
	char *os_version_id;
	char *os_pretty_name;
	char *kernel;

	/** The scanned root as given, absolute ("/" for the live host). */
	char *root;
	/** "quick" (package databases and known paths) or "deep" (whole filesystem). */
	char *mode;
	int64_t started_ms;
	int64_t finished_ms;
	int64_t duration_ms;
	/** Least privilege while scanning (scanner/sandbox.h). */
	bool sandbox_no_new_privs;
	/** Landlock ABI enforced, 0 if none; then sandbox_note says why. */
	int sandbox_landlock_abi;
	char *sandbox_note;

	struct report_source *sources;
	size_t nsources;

	/** Owned pointers, so a finding stays put while others are added. */
	struct report_finding **findings;
	size_t nfindings;
	size_t findings_cap;

	/** Errors that are not a source's status (kept up to KS_REPORT_ERRORS_MAX). */
	char **errors;
	size_t nerrors;
	size_t errors_dropped;

	enum report_verdict verdict;
	/** Why the verdict is incomplete, when it is. */
	char *verdict_reason;

	/**
	 * The live-host probes ran (processes, loaded modules, sockets): only then can a
	 * finding say whether the product is running.
	 */
	bool live;

	/** Set by delivery before the report is written; empty otherwise. */
	struct report_delivery delivery;

	/* Private to report.c: bytes of evidence held, against the memory budget. */
	size_t ev_bytes;
};

/**
 * A new empty report with a fresh report id.
 * @return the report, or NULL with errno (EINVAL if @kscan_version is NULL, ENOMEM, or the
 * random source's error).
 */
struct report *report_new(const char *kscan_version);

void report_free(struct report *r);

/**
 * Duplicates @s into *@dst (freeing the old value); NULL stays NULL.
 * @return 0, or -1 with errno (ENOMEM, E2BIG past KS_REPORT_STR_MAX; *@dst is unchanged).
 */
int report_set_str(char **dst, const char *s);

/** Records a pack. @return 0 or -1 (ENOMEM, E2BIG past KS_SIG_PACKS_MAX packs). */
int report_add_pack(struct report *r, const char *name, const char *version,
	const char *sha256, bool builtin, size_t nsignatures);

/** Adds an obligation to @p (strings copied; @reference may be NULL). @return 0 or -1. */
int report_pack_add_compliance(struct report_pack *p, const char *framework,
	const char *control, const char *reference);

/**
 * The next obligation of the legal basis, from *@it (0 to start; advanced): those of the
 * pack @f's signature came from, or with @f NULL every pack's, once each (same framework
 * and control). @return NULL at the end. Every writer lists obligations through it.
 */
const struct report_compliance *report_obligation(const struct report *r,
	const struct report_finding *f, size_t *it);

/**
 * Adds a source named @name (a static string) with status @status. Adding a name twice
 * returns the existing source (JSON keys are unique); its status becomes failed if either
 * is, else ok if either is. The pointer stays valid until report_free().
 * @return the source, to add counts and an error to, or NULL (ENOMEM, E2BIG past the
 * sources cap).
 */
struct report_source *report_add_source(struct report *r, const char *name,
	enum report_src_status status);

/** Sets the source's error message (copied). @return 0 or -1. */
int report_source_error(struct report_source *s, const char *msg);

/** Sets where the source read (copied). @return 0 or -1. */
int report_source_location(struct report_source *s, const char *location);

/** Adds or updates a counter (@key static). Past REPORT_COUNTS_MAX keys it is ignored. */
void report_source_count(struct report_source *s, const char *key, uint64_t value);

/**
 * The finding for signature @id, created on first use with the given descriptive fields
 * (later calls keep the first ones).
 * @return the finding, or NULL (ENOMEM, E2BIG past KS_SIG_SIGNATURES_MAX findings).
 */
struct report_finding *report_finding(struct report *r, const char *id, const char *vendor,
	const char *product, const char *remove);

/**
 * Records where @f's signature came from: the pack's name and version (empty: none) and the
 * signature's first reference URL (may be NULL). The first call wins.
 * @return 0, or -1 with errno (ENOMEM).
 */
int report_finding_rule(struct report_finding *f, const char *pack, const char *version,
	const char *reference);

/**
 * Adds a copy of @ev (all strings duplicated) to @f. Identical evidence (every field equal)
 * is added once. Past KS_EVIDENCE_PER_FINDING_MAX, or past the report's memory budget, it
 * is counted in ev_dropped instead.
 * @return 0 or -1 (ENOMEM, E2BIG for a string past KS_REPORT_STR_MAX, EINVAL for an unknown
 * kind or a state that is not installer..running).
 */
int report_add_evidence(struct report_finding *f, const struct report_evidence *ev);

/**
 * Adds a step to @f's removal plan: copies of @description, @command (may be NULL) and
 * @targets[0..ntargets); @action is static. Past KS_PLAN_STEPS_MAX steps it is counted
 * in steps_dropped instead.
 * @return 0 or -1 (ENOMEM, E2BIG for a string past KS_REPORT_STR_MAX or more than
 * KS_PLAN_TARGETS_MAX targets).
 */
int report_add_step(struct report_finding *f, const char *action, const char *description,
	const char *command, const char *const *targets, size_t ntargets);

/**
 * Removes from @f every evidence item @drop says to, as if it had never been offered (its
 * kinds, service and state no longer count; evidence dropped past caps still does).
 * A finding left with nothing is removed by report_finish(). @return how many went.
 */
size_t report_remove_evidence(struct report_finding *f,
	bool (*drop)(const struct report_evidence *e, void *ctx), void *ctx);

/** True if every piece of evidence of @f is low confidence (after report_finish()). */
bool report_finding_low_confidence(const struct report_finding *f);

/** True if the finding's product runs now (only meaningful when the report is live). */
bool report_finding_running(const struct report_finding *f);

/**
 * Adds a formatted error (cut at KS_REPORT_STR_MAX bytes). Past KS_REPORT_ERRORS_MAX it
 * is counted in errors_dropped. @return 0 or -1 (ENOMEM).
 */
int report_add_error(struct report *r, const char *fmt, ...) KS_PRINTF(2, 3);

/**
 * Adds a copy of @s to @l and counts it; past KS_SPOOL_JOURNAL_IDS_MAX it is only counted.
 * @return 0 or -1 (ENOMEM, E2BIG past KS_REPORT_STR_MAX).
 */
int report_idlist_add(struct report_idlist *l, const char *s);

/** True when @d has something to tell (any of its lists counts something). */
bool report_delivery_any(const struct report_delivery *d);

/** Frees the lists of @d and empties it. */
void report_delivery_free(struct report_delivery *d);

/**
 * Sorts findings and evidence (deterministic output), computes each finding's state and
 * the verdict: detected if any finding exists; else incomplete if any source failed or,
 * with max_age_days set, a pack is stale (reason says which); else clean. A finding that
 * never got evidence proves nothing and is removed. Safe to call again after more is added.
 * @return 0 or -1 (ENOMEM).
 */
int report_finish(struct report *r);

/** Why an incomplete verdict is incomplete, for every writer ("a source failed" if unset). */
const char *report_verdict_reason(const struct report *r);

/** Stable names for the JSON and text writers. */
const char *report_state_name(enum report_state s);
const char *report_confidence_name(enum report_confidence c);
const char *report_ev_kind_name(enum report_ev_kind k);
const char *report_src_status_name(enum report_src_status s);
const char *report_verdict_name(enum report_verdict v);
/** "evicted", "too_large", "unwritten": JSON member names and text words. */
const char *report_drop_name(enum report_drop why);

#endif
