/** The configuration file, /etc/kscan/kscan.yaml: every CLI option plus the collector. */
#ifndef KSCAN_CONF_H
#define KSCAN_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/deliver/deliver.h"
#include "report/fmt/fmt.h"
#include "report/deliver/http.h"
#include "base/kerr.h"
#include "base/log.h"

/** Read when --config is not given; its absence is not an error. */
#define CONF_DEFAULT_PATH "/etc/kscan/kscan.yaml"

/*
 * The file is strict YAML (base/yread.h): unknown keys, wrong types, values out of range
 * are errors with FILE:LINE:COL, never ignored; docs/configuration.md lists every key.
 * The command line wins over the file: cli_scan.c and cli_send.c merge the two.
 *
 * Values are plain data, owned by the structure. Unset strings are NULL; the collector's
 * numbers start at the defaults of report/deliver/http.h and report/deliver/spool.h.
 */
/** A list of paths from the file. */
struct conf_list {
	char **v;
	size_t n;
};

struct conf;

/* The paths a configuration may name that are checked on load, each at most once. */
#define CONF_AT_MAX 8

/** What a named path must be (conf_check_path()). */
enum conf_fs {
	/** A readable regular file (ca_file, client_cert). */
	CONF_FS_FILE,
	/** A readable regular file of root or this user, no access for others (keys, tokens). */
	CONF_FS_SECRET,
	/** Anything readable: a file or a directory. */
	CONF_FS_READABLE,
	/** A directory of trust (keys): searchable, root's or ours, nobody else may write. */
	CONF_FS_TRUST_DIR,
	/** Its parent is a directory (spool_dir: created if missing). */
	CONF_FS_PARENT,
	/** Its parent is a directory this user may write in (output). */
	CONF_FS_PARENT_WRITABLE,
};

/**
 * Checks that @path is what @kind says; the reason goes into @msg when not.
 * @return 0, or -1.
 */
int conf_check_path(const char *path, enum conf_fs kind, char *msg, size_t size);

/**
 * Checks every path the loaded file named (ca_file, client_cert, client_key, token_file,
 * hmac_key_file, keys, spool_dir's parent, output's directory), so that a wrong one stops
 * the run before any work. @name is the file, for "NAME:LINE:COL: message" in @err.
 * @return 0, or -1 with @err set (KERR_INPUT).
 */
int conf_check_paths(const struct conf *c, const char *name, struct kerr *err);

/** The HEC envelope settings @c holds, pointing into @c. */
void conf_hec_opts(const struct conf *c, struct fmt_hec_opts *o);

struct conf {
	/* The options of `kscan scan`. */
	char *root;
	struct conf_list signatures;
	bool no_default_signatures;
	char *keys;
	bool require_signed;
	/** max_signature_age in days; 0: not set. */
	uint64_t max_signature_age;
	/** Set when the file names a format. */
	bool has_format;
	enum fmt_kind format;
	bool pretty;
	char *output;
	bool quiet;
	/** 0, 1 or 2: --verbose given that many times. */
	uint64_t verbose;
	bool has_log;
	enum log_sink log;

	/* The deep sweep; 0 or empty means not set (the command line's default). */
	bool deep;
	uint64_t jobs;
	struct conf_list paths;
	struct conf_list excludes;
	bool one_file_system;
	bool include_remote;
	uint64_t max_file_size;
	uint64_t max_duration_ms;
	bool no_low_priority;

	/* collector: */
	char *url;
	enum fmt_kind collector_format;
	char *ca_file;
	char *pinned_pubkey;
	char *client_cert;
	char *client_key;
	char *token_file;
	char *auth_scheme;
	char *hmac_key_file;
	struct http_header *headers;
	size_t nheaders;
	/* collector.hec: Splunk's index, source, sourcetype prefix, indexed fields (the channel
	 * goes into headers) */
	char *hec_index;
	char *hec_source;
	char *hec_sourcetype;
	unsigned hec_fields;
	/* collector.ecs.namespace: ECS data_stream.namespace */
	char *ecs_namespace;
	bool gzip;
	uint64_t connect_timeout_ms;
	uint64_t timeout_ms;
	uint64_t attempts;
	uint64_t backoff_base_ms;
	uint64_t backoff_cap_ms;
	char *spool_dir;
	uint64_t spool_max_reports;
	uint64_t spool_max_bytes;
	uint64_t splay_ms;

	/* Where the paths conf_check_paths() looks at were given (conf.c, conf_fs_rules). */
	struct conf_at {
		uint32_t rule;
		uint32_t line;
		uint32_t col;
	} at[CONF_AT_MAX];
	size_t nat;

	/* Diagnostics of the last failed load, each "FILE:LINE:COL: message". */
	char **diags;
	size_t ndiags;
};

/** Sets @c to the defaults (no file read). */
void conf_init(struct conf *c);

/** Frees what @c holds; conf_init() makes it usable again. */
void conf_free(struct conf *c);

/**
 * Parses and validates a configuration held in memory (@name for messages) into @c, which
 * must be fresh from conf_init(). On any error every problem found is kept as a
 * diagnostic and @err holds the first.
 * @return 0, or -1 with @err set (KERR_INPUT, KERR_LIMIT, KERR_NOMEM).
 */
int conf_load_mem(struct conf *c, const char *name, const char *data, size_t len,
	struct kerr *err);

/**
 * Loads @path, or CONF_DEFAULT_PATH when @path is NULL; a missing default file leaves
 * the defaults. The file must be a regular file that only root or the running user owns
 * and that group and others cannot write: it says where reports go and whom to trust.
 * @return 0, or -1 with @err set (KERR_IO if it cannot be read, KERR_INPUT...).
 */
int conf_load(struct conf *c, const char *path, struct kerr *err);

/** Fills @o (defaults first) from the collector section; strings are borrowed from @c. */
void conf_deliver_opts(const struct conf *c, struct deliver_opts *o);

/**
 * Parses a duration: an integer (seconds) or digits with a unit, "250ms", "10s", "5m", "1h".
 * @return 0 with *@ms set, or -1 (EINVAL; ERANGE past KS_DURATION_MAX_MS).
 */
int conf_parse_duration(const char *s, uint64_t *ms);

#endif
