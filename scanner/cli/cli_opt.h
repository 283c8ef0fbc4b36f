/**
 * What every verb shares: one option table and its parser, the logging options, usage
 * errors, the exit code of an error, and loading the configuration file.
 */
#ifndef KSCAN_CLI_OPT_H
#define KSCAN_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"
#include "base/log.h"
#include "scanner/cli/cli.h"
#include "scanner/cli/conf.h"

/*
 * Option codes. Long options without a short form get letters that are not in getopt's
 * short option string, so "-N" stays unknown while a verb can list them as accepted.
 * Every verb parses against the same table, so an option of another verb is "does not
 * apply here" rather than "unknown".
 */
enum {
	CLI_OPT_ROOT = 'r',
	CLI_OPT_SIGNATURES = 's',
	CLI_OPT_FORMAT = 'f',
	CLI_OPT_OUTPUT = 'o',
	CLI_OPT_QUIET = 'q',
	CLI_OPT_HELP = 'h',
	CLI_OPT_VERSION = 'V',
	CLI_OPT_JOBS = 'j',
	CLI_OPT_ONE_FS = 'x',
	CLI_OPT_CONFIG = 'c',
	CLI_OPT_NO_DEFAULT = 'N',
	CLI_OPT_PRETTY = 'P',
	CLI_OPT_KEYS = 'K',
	CLI_OPT_REQUIRE_SIGNED = 'S',
	CLI_OPT_KEY = 'k',
	CLI_OPT_DEEP = 'D',
	CLI_OPT_PATH = 'p',
	CLI_OPT_INCLUDE_REMOTE = 'R',
	CLI_OPT_EXCLUDE = 'e',
	CLI_OPT_MAX_FILE_SIZE = 'M',
	CLI_OPT_MAX_DURATION = 'T',
	CLI_OPT_NO_LOW_PRIORITY = 'L',
	CLI_OPT_ID = 'I',
	CLI_OPT_PRODUCT = 'n',
	CLI_OPT_VENDOR = 'v',
	CLI_OPT_ROLE = 'O',
	CLI_OPT_VERBOSE = 'G',
	CLI_OPT_LOG = 'Y',
	CLI_OPT_SPLAY = 'Z',
	CLI_OPT_POST = 'U',
	CLI_OPT_MAX_SIG_AGE = 'A',
	CLI_OPT_COLOR = 'C',
};

/** --color: whether coloured output is wanted. */
enum cli_opt_color {
	/** A terminal, NO_COLOR unset or empty, TERM not "dumb" (the default). */
	CLI_OPT_COLOR_AUTO,
	CLI_OPT_COLOR_ALWAYS,
	CLI_OPT_COLOR_NEVER,
};

/** What a verb accepts and who takes its options. */
struct cli_opt_verb {
	/** Option codes the verb takes, besides help, version and logging (every verb's). */
	const char *accepts;
	/** Options may follow operands ("signatures hash DIR... --id X"); else the first
	 * operand ends the options. */
	bool permute;
	/**
	 * Takes one accepted option: @arg its value or NULL, @word the argv word that ended it.
	 * @return 0, or CLI_EXIT_USAGE with @err set.
	 */
	int (*take)(void *ctx, int code, const char *arg, const char *word, struct kerr *err);
	void *ctx;
};

/** The options every verb has: help, version, logging. */
struct cli_opt_common {
	/** --help or --version was seen: parsing stopped there; print it, run nothing. */
	bool help;
	bool version;
	bool quiet;
	/** --verbose given that many times. */
	unsigned verbose;
	bool has_log;
	enum log_sink log;
	/**
	 * Every option was read and the logging ones agree: logging can be set up, even when
	 * a later check (an operand) failed, so that error goes where the others will.
	 */
	bool parsed;
	/** The argv index of the first operand. */
	int first;
};

/**
 * Parses @argv's options (argv[0] is the verb's name) for @v into @v->ctx and @c, and
 * checks that --quiet and --verbose do not contradict each other. Stops at --help or
 * --version. Nothing is printed: the caller reports @err (cli_opt_settle()).
 * @return 0, or CLI_EXIT_USAGE with @err set (KERR_USAGE).
 */
int cli_opt_parse(int argc, char **argv, const struct cli_opt_verb *v, struct cli_opt_common *c,
	struct kerr *err);

/**
 * cli_opt_parse() for a verb that takes no operands: one left over is a usage error.
 * @return 0 (with @c->help or @c->version maybe set), or CLI_EXIT_USAGE with @err set.
 */
int cli_opt_parse_bare(int argc, char **argv, const struct cli_opt_verb *v,
	struct cli_opt_common *c, struct kerr *err);

/**
 * What a verb does with its parse result @rc: a usage error is reported; --help prints
 * @help and, if @exits, the scan's exit codes; --version prints the version; otherwise
 * logging is set up. @return -1 to run the verb, or the exit code.
 */
int cli_opt_settle(int rc, const struct cli_opt_common *c, const char *help, bool exits,
	const struct kerr *err);

/** Sets up logging from @c. @return -1, or CLI_EXIT_USAGE (reported) on a contradiction. */
int cli_opt_log_apply(const struct cli_opt_common *c);

/** Takes the file's logging settings where the command line said nothing about them. */
void cli_opt_merge_common(struct cli_opt_common *c, const struct conf *cfg);

/**
 * Loads the configuration file @path (NULL: the default) into @cfg, fresh from
 * conf_init(), printing every problem. @return -1 to go on, or the exit code.
 */
int cli_opt_conf_load(struct conf *cfg, const char *path);

/** A verb that reads the configuration file, for cli_opt_conf_run(). */
struct cli_opt_conf_verb {
	/** The --config file, or NULL for the default. */
	const char *config;
	/** The verb's common options, which @merge completes from the file. */
	const struct cli_opt_common *common;
	/** Takes into @opts what the command line left unsaid (the logging options too). */
	void (*merge)(void *opts, const struct conf *cfg);
	/** Runs the verb. @return its exit code. */
	int (*run)(void *opts, const struct conf *cfg);
	void *opts;
};

/**
 * The body of a configured verb: loads its file, merges it into the options, sets up
 * logging from the merged ones, then runs it. @return the exit code.
 */
int cli_opt_conf_run(const struct cli_opt_conf_verb *v);

/** Prints the version. @return CLI_EXIT_CLEAN. */
int cli_opt_version(void);

/**
 * Prints @help and, if @exits, the scan's exit codes (a verb with exit codes of its own,
 * send or packages, says them in @help instead). @return CLI_EXIT_CLEAN.
 */
int cli_opt_help(const char *help, bool exits);

/** Logs an error. */
void cli_opt_err(const char *fmt, ...) KS_PRINTF(1, 2);

/** Logs a usage error and the hint to --help. @return CLI_EXIT_USAGE. */
int cli_opt_usage(const char *fmt, ...) KS_PRINTF(1, 2);

/**
 * Checks a path given on the command line as conf_check_path() does.
 * @return 0, or CLI_EXIT_USAGE with @err set ("OPTION PATH reason").
 */
int cli_opt_path(const char *option, const char *path, enum conf_fs kind, struct kerr *err);

/** Sets @err to a usage error (KERR_USAGE). @return CLI_EXIT_USAGE, for parsers to return. */
int cli_opt_bad(struct kerr *err, const char *fmt, ...) KS_PRINTF(2, 3);

/** The exit code for an error of the layers below. */
int cli_opt_exit_for(const struct kerr *e);

/** A number from 1 to @max, for option @opt. @return 0, or CLI_EXIT_USAGE with @err set. */
int cli_opt_uint(const char *opt, const char *v, uint64_t max, unsigned *out, struct kerr *err);

/** Appends @value to the list @v of @n for option @opt, up to KS_CLI_LIST_MAX. */
int cli_opt_list_add(const char *opt, const char **v, size_t *n, const char *value,
	struct kerr *err);

/** --post: a URL kscan may post to (https). */
int cli_opt_post(const char *v, const char **out, struct kerr *err);

/** --color WHEN: auto, always or never. @return 0, or CLI_EXIT_USAGE with @err set. */
int cli_opt_color(const char *v, enum cli_opt_color *out, struct kerr *err);

/**
 * Whether output written to @fd is coloured under @when. Every coloured output asks this,
 * so --color, NO_COLOR (https://no-color.org) and TERM=dumb mean the same everywhere.
 */
bool cli_opt_color_on(enum cli_opt_color when, int fd);

/**
 * The name of @names[0..@n) closest to the first @len bytes of @word, for a "did you mean"
 * hint: at most two edits (a swap of neighbours is one) and fewer than half of @len.
 * @return that name (the first of equals), or NULL when none is that close.
 */
const char *cli_opt_closest(const char *word, size_t len, const char *const *names, size_t n);

/** --splay: seconds, 0 included (a command line may turn off the file's splay). */
int cli_opt_splay(const char *v, uint64_t *ms, bool *has, struct kerr *err);

#endif
