/** `kscan packages`: every package kscan reads from the dpkg and rpm databases. */
#ifndef KSCAN_CLI_PKGS_H
#define KSCAN_CLI_PKGS_H

#include "base/kerr.h"
#include "scanner/cli/cli_opt.h"

/** The options of `kscan packages`. */
struct cli_pkgs_opts {
	struct cli_opt_common common;
	/** --root; NULL: this host. */
	const char *root;
	/** --format json: one JSON document instead of tab-separated lines. */
	bool json;
	bool pretty;
};

/**
 * Parses `packages [OPTION]...` (@argv[0] is "packages") into @o. Nothing is printed or
 * run. @return 0, or CLI_EXIT_USAGE with @err set.
 */
int cli_pkgs_parse(int argc, char **argv, struct cli_pkgs_opts *o, struct kerr *err);

/** Runs `kscan packages` (@argv[0] is "packages"). @return the exit code. */
int cli_pkgs_main(int argc, char **argv);

#endif
