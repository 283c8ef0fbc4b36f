/**
 * `kscan send`: the spooled reports to the collector; and the delivery settings and the
 * splay that `kscan scan --post` shares with it.
 */
#ifndef KSCAN_CLI_SEND_H
#define KSCAN_CLI_SEND_H

#include <stdbool.h>
#include <stdint.h>

#include "base/kerr.h"
#include "report/deliver/deliver.h"
#include "scanner/cli/cli_opt.h"
#include "scanner/cli/conf.h"

/** The options of `kscan send`. */
struct cli_send_opts {
	struct cli_opt_common common;
	const char *config;
	/** --post: the collector instead of the file's collector.url. */
	const char *post;
	bool has_splay;
	uint64_t splay_ms;
};

/**
 * Parses `send [OPTION]...` (@argv[0] is "send") into @o. Nothing is printed or run.
 * @return 0, or CLI_EXIT_USAGE with @err set.
 */
int cli_send_parse(int argc, char **argv, struct cli_send_opts *o, struct kerr *err);

/** Takes from the configuration file what the command line did not say. */
void cli_send_merge(struct cli_send_opts *o, const struct conf *cfg);

/** Runs `kscan send` (@argv[0] is "send"). @return the exit code. */
int cli_send_main(int argc, char **argv);

/** Fills @d from the file's collector section, @post (not NULL) replacing its URL. */
void cli_send_deliver_opts(const struct conf *cfg, const char *post, struct deliver_opts *d);

/** Sleeps a uniformly random 0..@max_ms milliseconds; a signal ends the wait early. */
void cli_send_splay(uint64_t max_ms);

#endif
