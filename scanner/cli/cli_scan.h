/** `kscan scan`, the default verb: one scan, its report written or delivered. */
#ifndef KSCAN_CLI_SCAN_H
#define KSCAN_CLI_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/kerr.h"
#include "base/limits.h"
#include "report/fmt/fmt.h"
#include "scanner/cli/cli_opt.h"
#include "scanner/cli/cli_packs.h"
#include "scanner/cli/conf.h"
#include "scanner/deep/deep.h"

/** The options of `kscan scan`, and after cli_scan_merge() what the file adds. */
struct cli_scan_opts {
	struct cli_opt_common common;
	/** --root; NULL: this host. */
	const char *root;
	struct cli_packs_opts packs;
	/** --max-signature-age in days; 0: none. */
	unsigned max_age_days;
	bool has_format;
	enum fmt_kind format;
	bool pretty;
	/** collector.hec of the configuration: a local --format splunk-hec uses it too. */
	struct fmt_hec_opts hec;
	/** collector.ecs.namespace of the configuration, for a local ECS report too. */
	const char *ecs_namespace;
	/** --color: the text report's banner. */
	enum cli_opt_color color;
	/** The report file; NULL or "-": stdout. */
	const char *output;
	const char *config;
	/** --post: the collector instead of the file's collector.url. */
	const char *post;
	bool has_splay;
	uint64_t splay_ms;
	/* the deep sweep, and the first deep-only option seen (an error without --deep) */
	bool deep;
	const char *deep_only;
	/** Its paths and excludes point into the arrays below once the scan runs. */
	struct deep_opts d;
	const char *paths[KS_CLI_LIST_MAX];
	const char *excludes[KS_CLI_LIST_MAX];
	bool no_low_priority;
};

/** The help of `kscan scan`, which is kscan's own (`kscan --help`, `kscan help`). */
extern const char cli_scan_help[];

/**
 * Parses `scan [OPTION]...` (@argv[0] is "scan" or the program) into @o. Nothing is
 * printed, read or run. @return 0, or CLI_EXIT_USAGE with @err set.
 */
int cli_scan_parse(int argc, char **argv, struct cli_scan_opts *o, struct kerr *err);

/**
 * Takes from the configuration file what the command line did not say: the command line
 * wins, and a list given on it (--signatures, --path, --exclude) replaces the file's.
 */
void cli_scan_merge(struct cli_scan_opts *o, const struct conf *cfg);

/** Runs `kscan scan` (@argv[0] is "scan" or the program). @return the exit code. */
int cli_scan_main(int argc, char **argv);

#endif
