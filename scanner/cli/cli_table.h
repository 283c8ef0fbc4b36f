/**
 * The one table of kscan's commands and options. The parser (cli_opt), every --help, and,
 * through tests/lib/cligen.c, the man page synopsis, the README usage block and the bash
 * completion are all made from it, so none of them can drift from what the program takes.
 */
#ifndef KSCAN_CLI_TABLE_H
#define KSCAN_CLI_TABLE_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/** What an option's value is, for the completion. */
enum cli_table_value {
	CLI_TABLE_NONE,
	/** one of the option's words */
	CLI_TABLE_WORD,
	CLI_TABLE_FILE,
	CLI_TABLE_DIR,
	/** anything typed (a number, a name, a URL): nothing to complete */
	CLI_TABLE_TEXT,
};

/** May be given more than once: "[--path DIR]..." */
#define CLI_TABLE_REPEAT 1u
/** Means something only with --deep: "[--deep [--jobs N]...]" */
#define CLI_TABLE_DEEP 2u
/** An alternative to the option before it: "[--quiet | --verbose]" */
#define CLI_TABLE_ALT 4u
/** Required: "--id ID", not "[--id ID]" */
#define CLI_TABLE_MUST 8u

/** One option as one command sees it (plain data). */
struct cli_table_opt {
	/** The CLI_OPT_* code; the short option letter when @has_short. */
	int code;
	const char *name;
	bool has_short;
	/** The value's name in help ("DIR"), or NULL for a flag. */
	const char *arg;
	enum cli_table_value value;
	/** CLI_TABLE_WORD: the words, separated by '|' ("auto|always|never"). */
	const char *words;
	unsigned flags;
	/** The help text: lines separated by '\n', each within the help's column. */
	const char *help;
	/**
	 * The commands this row is for ("packages"), or NULL: every command that takes the
	 * option and has no row of its own.
	 */
	const char *only;
};

/** One command (plain data). */
struct cli_table_cmd {
	/** "scan", "send", "packages", "signatures lint"... */
	const char *name;
	/** Its option codes, in synopsis order, logging ones included where shown. */
	const char *accepts;
	/** Operands after the options ("PATH..."), or NULL. */
	const char *operands;
	/** One line for the list of commands. */
	const char *summary;
	/** What its --help says after the usage lines (lines separated by '\n'). */
	const char *about;
	/** What its --help says after the options, or NULL. */
	const char *trailer;
};

/** The options every command takes and no synopsis repeats: help and version. */
#define CLI_TABLE_EVERY "hVqGY"

/** Every command, scan first. @return the count, with *@cmds set. */
size_t cli_table_cmds(const struct cli_table_cmd **cmds);

/** The command named @name. @return it, or NULL. */
const struct cli_table_cmd *cli_table_cmd(const char *name);

/** The option codes of command @name, "" for none (cli_opt_verb.accepts). */
const char *cli_table_accepts(const char *name);

/** Every option row. @return the count, with *@opts set. */
size_t cli_table_opts(const struct cli_table_opt **opts);

/** The row of option @code as command @cmd sees it. @return it, or NULL if none. */
const struct cli_table_opt *cli_table_opt(const char *cmd, int code);

/**
 * The getopt_long() table: one entry per option name, from the rows, built on first use
 * (the command line is parsed before any thread starts).
 */
const struct option *cli_table_getopt(void);

/**
 * Writes @cmd's synopsis to @out after @lead ("Usage: "): "kscan NAME [--opt ARG]...
 * OPERANDS", wrapped at @width columns with continuation lines indented under the first
 * option. The scan's name is written "[scan]": it is the default command.
 */
void cli_table_synopsis(FILE *out, const char *lead, const struct cli_table_cmd *cmd,
	size_t width);

/**
 * Writes the --help of @cmd (a family's commands: "signatures" gives every
 * "signatures ..." one). @return 0, or -1 if no command has that name.
 */
int cli_table_help(FILE *out, const char *cmd);

#endif
