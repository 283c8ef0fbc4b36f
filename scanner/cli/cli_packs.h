/**
 * The signature packs a verb loads (scan, signatures list and verify): the built-in ones,
 * --signatures paths, and the integrity gate (owner, mode, PACK.sig) on packs from files.
 */
#ifndef KSCAN_CLI_PACKS_H
#define KSCAN_CLI_PACKS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/kerr.h"
#include "base/limits.h"
#include "signatures/sig.h"

/** Which packs to load and how far to trust them. */
struct cli_packs_opts {
	/** --signatures files and directories, in order. */
	const char *paths[KS_CLI_LIST_MAX];
	size_t npaths;
	bool no_default;
	/** Trusted public keys for pack signatures; NULL: /etc/kscan/keys if it exists. */
	const char *keys;
	bool require_signed;
};

/**
 * Takes option @code if it is one of the packs' (--signatures, --no-default-signatures,
 * --keys, --require-signed). @return 0 taken, 1 not one of them, or CLI_EXIT_USAGE with
 * @err set.
 */
int cli_packs_take(struct cli_packs_opts *p, int code, const char *arg, struct kerr *err);

/**
 * Loads the signature set @p asks for; packs from files pass the integrity gate. Problems
 * are printed, one per line.
 * @return the set, or NULL with *@code set to the exit code.
 */
struct sig_set *cli_packs_load(const struct cli_packs_opts *p, int *code);

/** Prints what a failed load of @s found, or @e's message when it kept no diagnostics. */
void cli_packs_print_diags(const struct sig_set *s, const struct kerr *e);

#endif
