/** Signatures: what each Kaspersky product looks like, loaded from strict YAML packs. */
#ifndef KSCAN_SIG_H
#define KSCAN_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "base/kerr.h"

/*
 * A pack is one YAML file (schema 1, docs/signatures.md) holding a list of signatures,
 * read by sigyaml.h and added by sigload.h. Loading is all-or-nothing: one bad entry and
 * the whole set is refused, because scanning with half a rule set and calling the host
 * clean is the one failure kscan must not have.
 *
 * The data structures below are plain: after sig_set_finish() they are read-only and
 * callers read them directly.
 */

/** What a path or file proves about the product when it is there. */
enum sig_role {
	/** Part of a working installation. */
	SIG_ROLE_INSTALL = 0,
	/** Left behind by an uninstall: logs, state, configuration. */
	SIG_ROLE_REMNANT = 1,
	/** A package or installer kit that could install the product. */
	SIG_ROLE_INSTALLER = 2,
};

/**
 * How directly a match proves the product: high for names and files the vendor documents,
 * low for what is only inferred (a look-alike name, a path seen once). SIG_CONF_UNSET is
 * only seen while a pack loads: every entry of a loaded signature has a real value.
 */
enum sig_confidence {
	SIG_CONF_UNSET = 0,
	SIG_CONF_LOW = 1,
	SIG_CONF_MEDIUM = 2,
	SIG_CONF_HIGH = 3,
};

/** Where a value was written, for messages. */
struct sig_loc {
	uint32_t line;
	uint32_t col;
};

/** packages: a package name, exact or an fnmatch(3) glob. */
struct sig_package {
	char *name;
	bool glob;
	enum sig_confidence confidence;
	struct sig_loc loc;
};

/** paths: an absolute path; any component may be an fnmatch(3) glob. */
struct sig_path {
	char *path;
	enum sig_role role;
	bool glob;
	enum sig_confidence confidence;
	struct sig_loc loc;
};

/** files: a basename glob for the deep sweep. */
struct sig_file {
	char *name;
	enum sig_role role;
	bool glob;
	enum sig_confidence confidence;
	struct sig_loc loc;
};

/**
 * hashes: a file's sha256 and size; the size is the prefilter. Without a size (has_size
 * false) the entry is checked only against files its signature's `files` names matched.
 */
struct sig_hash {
	unsigned char sha256[32];
	/** Lower-case hex of sha256. */
	char hex[65];
	uint64_t size;
	bool has_size;
	/** The file's usual name, for reports; may be NULL. */
	char *name;
	enum sig_role role;
	enum sig_confidence confidence;
	struct sig_loc loc;
};

/** A list of plain names (processes, services, kernel modules, accounts, references). */
struct sig_names {
	char **v;
	size_t n;
	/**
	 * The confidence of each name, same length as v: set for processes, services,
	 * kernel_modules and accounts; NULL for references and uninstaller arguments.
	 */
	enum sig_confidence *conf;
};

/** The transport of a `ports` entry. */
enum sig_proto {
	SIG_PROTO_TCP = 0,
	SIG_PROTO_UDP = 1,
};

/** ports: a port the product listens on. Proves something only with a matching process. */
struct sig_port {
	uint16_t port;
	enum sig_proto proto;
	struct sig_loc loc;
};

/** uninstall: the vendor's uninstaller, put in the removal plan when it is on the host. */
struct sig_uninstall {
	/** An absolute path inside the scanned root, no globs. */
	char *path;
	/** Its arguments, in order; may be empty. */
	struct sig_names args;
	struct sig_loc loc;
};

/** One product. */
struct sig {
	/** Unique over all loaded packs, [a-z0-9._-]. */
	char *id;
	char *vendor;
	char *product;
	/** Optional free text; may be NULL. */
	char *description;
	/** Removal hint; may be NULL. */
	char *remove;
	struct sig_names references;
	struct sig_package *packages;
	size_t npackages;
	struct sig_path *paths;
	size_t npaths;
	struct sig_file *files;
	size_t nfiles;
	struct sig_hash *hashes;
	size_t nhashes;
	struct sig_names processes;
	struct sig_names services;
	struct sig_names kernel_modules;
	/** Index of the pack it came from, in sig_set_pack(). */
	size_t pack;
	struct sig_loc loc;
	/**
	 * What a file of kernel_modules.v[i] proves when the module is not loaded: install,
	 * unless the entry was written {name, role: remnant}. Same length as kernel_modules.
	 */
	enum sig_role *kernel_module_roles;
	/** accounts: user and group names (matched against etc/passwd and etc/group). */
	struct sig_names accounts;
	struct sig_port *ports;
	size_t nports;
	struct sig_uninstall *uninstall;
	size_t nuninstall;
	/** The signature's `confidence:`, the default of its entries (high if not written). */
	enum sig_confidence confidence;
	/**
	 * A catch-all: its evidence counts only where no other signature found something at,
	 * above or below the same path (match_fallback()).
	 */
	bool fallback;
	/**
	 * components: the names the product gives its entries directly under Kaspersky's
	 * shared roots (/etc/opt/kaspersky, /var/opt/kaspersky, /var/log/kaspersky): what the
	 * catch-all finds there under one of these names is this product's.
	 */
	struct sig_names components;
	/**
	 * Evidence several products share: it never makes a product by itself. It joins the
	 * findings the rest of the host shows, or alone is reported as shared only.
	 */
	bool shared;
	/** shared_by: the ids of the signatures a shared signature's evidence joins first. */
	struct sig_names shared_by;
};

/** One loaded pack file. */
/** compliance: an obligation the pack's signatures concern (the legal basis of a finding). */
struct sig_compliance {
	/** "DHS BOD 17-01", "FAR 52.204-23"... */
	char *framework;
	/** What it requires, in a line. */
	char *control;
	/** Where it is published (an https URL), or NULL. */
	char *reference;
	struct sig_loc loc;
};

/** Frees @c's strings. */
void sig_compliance_free(struct sig_compliance *c);

struct sig_pack {
	/** "builtin:kesl.yaml" for a built-in pack, else the path as given. */
	char *name;
	/** The pack's `version:` value, or "" if it has none. */
	char *version;
	/** sha256 of the file's bytes, lower-case hex. */
	char sha256[65];
	bool builtin;
	/** A detached signature verified against a trusted key (see packsig.h). */
	bool verified;
	size_t nsignatures;
	/** The pack's `date:` and `expires:` (YYYY-MM-DD), "" when absent. */
	char date[11];
	char expires[11];
	/** The same as days since 1970-01-01, valid when the string is not "". */
	int64_t date_days;
	int64_t expires_days;
	/** Its `compliance:` entries, owned by the set. */
	struct sig_compliance *compliance;
	size_t ncompliance;
};

/**
 * A check every pack read from a file passes before it is parsed (ownership, signature:
 * packsig_gate()); sigload.h runs it. @st describes the open file, @data its bytes; for
 * a directory of packs @data is NULL.
 * @return 0 with *@verified set, or -1 with @err set to refuse the pack.
 */
struct sig_gate {
	int (*check)(void *ctx, const char *name, const struct stat *st, const char *data,
		size_t len, bool *verified, struct kerr *err);
	void *ctx;
};

/** A set of signatures from one or more packs (filled by sigload.h). */
struct sig_set;

struct sig_set *sig_set_new(void);

void sig_set_free(struct sig_set *s);

/** Sets the check applied to packs loaded from files from now on (@g is copied). */
void sig_set_gate(struct sig_set *s, const struct sig_gate *g);

/*
 * What the loader (sigload.h) uses to fill a set; a set is filled by sigload_*() and read
 * through the functions after sig_set_finish().
 */

/** The check set by sig_set_gate() (check NULL: none). */
const struct sig_gate *sig_set_get_gate(const struct sig_set *s);

/** True once sig_set_finish() succeeded: no more packs may be added. */
bool sig_set_finished(const struct sig_set *s);

/** Marks a load as failed: sig_set_finish() will refuse the set. */
void sig_set_fail(struct sig_set *s);

/**
 * Keeps a copy of @line ("FILE:LINE:COL: message") as a diagnostic; past
 * KS_SIG_SET_DIAGS_MAX it is dropped. @return 0, or -1 on ENOMEM.
 */
int sig_set_add_diag(struct sig_set *s, const char *line);

/**
 * Adds a pack named @name, version @version (NULL: none; both copied), the rest as in
 * @pack, and moves its @n signatures @sigs into the set, each marked with its index.
 * @return 0, or -1 on ENOMEM with the set unchanged and @sigs still the caller's.
 */
int sig_set_add_pack(struct sig_set *s, const char *name, const char *version,
	const struct sig_pack *pack, struct sig *sigs, size_t n);

/** Frees what @g and @n hold (not the structs themselves). */
void sig_free(struct sig *g);
void sig_names_free(struct sig_names *n);

/**
 * Checks what only the whole set can tell (ids unique across packs) and freezes it.
 * @return 0, or -1 with @err set and diagnostics added.
 */
int sig_set_finish(struct sig_set *s, struct kerr *err);

size_t sig_set_count(const struct sig_set *s);
const struct sig *sig_set_get(const struct sig_set *s, size_t i);

size_t sig_set_npacks(const struct sig_set *s);
const struct sig_pack *sig_set_pack(const struct sig_set *s, size_t i);

/** Diagnostics collected by failed loads, each "FILE:LINE:COL: message". */
size_t sig_set_ndiags(const struct sig_set *s);
const char *sig_set_diag(const struct sig_set *s, size_t i);

/** Stable name of @r ("install", "remnant", "installer"). */
const char *sig_role_name(enum sig_role r);

/** Stable name of @c ("low", "medium", "high"). */
const char *sig_confidence_name(enum sig_confidence c);

/**
 * Parses a date "YYYY-MM-DD" (a real day of the Gregorian calendar, years 1970 to 9999).
 * @return 0 with *@days set to days since 1970-01-01, or -1.
 */
int sig_parse_date(const char *s, int64_t *days);

/** Stable name of @p ("tcp", "udp"). */
const char *sig_proto_name(enum sig_proto p);

#endif
