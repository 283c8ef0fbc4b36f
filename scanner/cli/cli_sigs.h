/** `kscan signatures lint|list|sign|verify|hash`: checking, signing and making packs. */
#ifndef KSCAN_CLI_SIGS_H
#define KSCAN_CLI_SIGS_H

#include <stddef.h>

#include "base/kerr.h"
#include "scanner/cli/cli_opt.h"
#include "scanner/cli/cli_packs.h"
#include "scanner/cli/sighash.h"

enum cli_sigs_verb {
	CLI_SIGS_LINT,
	CLI_SIGS_LIST,
	CLI_SIGS_SIGN,
	CLI_SIGS_VERIFY,
	CLI_SIGS_HASH,
	/** `signatures --help`: this verb family's help alone. */
	CLI_SIGS_HELP,
	CLI_SIGS_UNKNOWN,
};

/** The options of `kscan signatures VERB`; each verb fills its own part. */
struct cli_sigs_opts {
	struct cli_opt_common common;
	enum cli_sigs_verb verb;
	/** list; verify puts its PACKs here, signatures required, no built-in packs. */
	struct cli_packs_opts packs;
	/** sign: the private key. */
	const char *key;
	/** hash: the signature to make (role install unless --role), and -o FILE. */
	struct sighash_opts hash;
	const char *output;
	/** The PATHs, PACKs or DIRs after the options. */
	char **operands;
	size_t noperands;
};

/**
 * Parses `signatures VERB [OPTION|OPERAND]...` (@argv[0] is "signatures") into @o,
 * operands and the options each verb needs checked. Nothing is printed or run.
 * @return 0, or CLI_EXIT_USAGE with @err set.
 */
int cli_sigs_parse(int argc, char **argv, struct cli_sigs_opts *o, struct kerr *err);

/** Runs `kscan signatures ...` (@argv[0] is "signatures"). @return the exit code. */
int cli_sigs_main(int argc, char **argv);

#endif
