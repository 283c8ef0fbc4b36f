#include "config.h"
#include "scanner/cli/cli_opt.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/xstd.h"
#include "report/deliver/http.h"

static const char cli_opt_exit_help[] =
	"Exit status:\n"
	"  0   clean: no Kaspersky product found and every source was read\n"
	"  1   detected: at least one finding\n"
	"  2   incomplete: nothing found, but a source failed (not proven clean)\n"
	"  3   not delivered: the report is in the spool (whatever the verdict; kscan send)\n"
	"  64  usage error\n"
	"  65  invalid signature pack or configuration\n"
	"  70  internal error\n";

static const struct option cli_opt_table[] = {
	{"deep", no_argument, NULL, CLI_OPT_DEEP},
	{"jobs", required_argument, NULL, CLI_OPT_JOBS},
	{"path", required_argument, NULL, CLI_OPT_PATH},
	{"exclude", required_argument, NULL, CLI_OPT_EXCLUDE},
	{"one-file-system", no_argument, NULL, CLI_OPT_ONE_FS},
	{"include-remote", no_argument, NULL, CLI_OPT_INCLUDE_REMOTE},
	{"max-file-size", required_argument, NULL, CLI_OPT_MAX_FILE_SIZE},
	{"max-duration", required_argument, NULL, CLI_OPT_MAX_DURATION},
	{"no-low-priority", no_argument, NULL, CLI_OPT_NO_LOW_PRIORITY},
	{"id", required_argument, NULL, CLI_OPT_ID},
	{"product", required_argument, NULL, CLI_OPT_PRODUCT},
	{"vendor", required_argument, NULL, CLI_OPT_VENDOR},
	{"role", required_argument, NULL, CLI_OPT_ROLE},
	{"root", required_argument, NULL, CLI_OPT_ROOT},
	{"signatures", required_argument, NULL, CLI_OPT_SIGNATURES},
	{"no-default-signatures", no_argument, NULL, CLI_OPT_NO_DEFAULT},
	{"format", required_argument, NULL, CLI_OPT_FORMAT},
	{"pretty", no_argument, NULL, CLI_OPT_PRETTY},
	{"keys", required_argument, NULL, CLI_OPT_KEYS},
	{"require-signed", no_argument, NULL, CLI_OPT_REQUIRE_SIGNED},
	{"max-signature-age", required_argument, NULL, CLI_OPT_MAX_SIG_AGE},
	{"key", required_argument, NULL, CLI_OPT_KEY},
	{"output", required_argument, NULL, CLI_OPT_OUTPUT},
	{"quiet", no_argument, NULL, CLI_OPT_QUIET},
	{"verbose", no_argument, NULL, CLI_OPT_VERBOSE},
	{"log", required_argument, NULL, CLI_OPT_LOG},
	{"splay", required_argument, NULL, CLI_OPT_SPLAY},
	{"config", required_argument, NULL, CLI_OPT_CONFIG},
	{"post", required_argument, NULL, CLI_OPT_POST},
	{"color", required_argument, NULL, CLI_OPT_COLOR},
	{"help", no_argument, NULL, CLI_OPT_HELP},
	{"version", no_argument, NULL, CLI_OPT_VERSION},
	{NULL, 0, NULL, 0},
};

void cli_opt_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
}

int cli_opt_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	fputs("Try 'kscan --help'.\n", stderr);
	return CLI_EXIT_USAGE;
}

int cli_opt_exit_for(const struct kerr *e)
{
	switch (e->code) {
	case KERR_USAGE:
		return CLI_EXIT_USAGE;
	case KERR_INPUT:
	case KERR_LIMIT:
	case KERR_IO:
	case KERR_CORRUPT:
		return CLI_EXIT_DATAERR;
	case KERR_OK:
	case KERR_NOMEM:
	case KERR_UNSUPPORTED:
	case KERR_INTERNAL:
	default:
		return CLI_EXIT_SOFTWARE;
	}
}

int cli_opt_version(void)
{
	printf("kscan %s\n", KSCAN_VERSION);
	return CLI_EXIT_CLEAN;
}

int cli_opt_help(const char *help, bool exits)
{
	fputs(help, stdout);
	if (exits) {
		fputs(cli_opt_exit_help, stdout);
	}
	return CLI_EXIT_CLEAN;
}

/* kerr_set() cannot pass a va_list on; the parsers want their exit code back */
int cli_opt_bad(struct kerr *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* truncation is acceptable here: the cap is documented in limits.h */
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->code = KERR_USAGE;
	err->sys_errno = 0;
	return CLI_EXIT_USAGE;
}

int cli_opt_uint(const char *opt, const char *v, uint64_t max, unsigned *out, struct kerr *err)
{
	uint64_t x;

	if (xstd_strtou64(v, max, &x) != 0 || x == 0) {
		return cli_opt_bad(err, "%s '%s' is not a number from 1 to %" PRIu64, opt, v, max);
	}
	*out = (unsigned)x;
	return 0;
}

int cli_opt_list_add(const char *opt, const char **v, size_t *n, const char *value,
	struct kerr *err)
{
	if (*n == KS_CLI_LIST_MAX) {
		return cli_opt_bad(err, "too many %s (at most %u)", opt, KS_CLI_LIST_MAX);
	}
	v[(*n)++] = value;
	return 0;
}

int cli_opt_post(const char *v, const char **out, struct kerr *err)
{
	struct kerr e;

	kerr_clear(&e);
	if (http_url_check(v, &e) != 0) {
		return cli_opt_bad(err, "--post: %s", e.msg);
	}
	*out = v;
	return 0;
}

int cli_opt_color(const char *v, enum cli_opt_color *out, struct kerr *err)
{
	static const char *const names[] = {"auto", "always", "never"};
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(names); i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (enum cli_opt_color)i;
			return 0;
		}
	}
	return cli_opt_bad(err, "unknown --color '%s' (auto, always or never)", v);
}

bool cli_opt_color_on(enum cli_opt_color when, int fd)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	switch (when) {
	case CLI_OPT_COLOR_ALWAYS:
		return true;
	case CLI_OPT_COLOR_NEVER:
		return false;
	case CLI_OPT_COLOR_AUTO:
	default:
		break;
	}
	if (no_color != NULL && no_color[0] != '\0') {
		return false;
	}
	if (term != NULL && strcmp(term, "dumb") == 0) {
		return false;
	}
	return isatty(fd) == 1;
}

int cli_opt_splay(const char *v, uint64_t *ms, bool *has, struct kerr *err)
{
	uint64_t s;

	if (xstd_strtou64(v, KS_SPLAY_MAX, &s) != 0) {
		return cli_opt_bad(err, "--splay '%s' is not a number of seconds from 0 to %u", v,
			KS_SPLAY_MAX);
	}
	*ms = s * 1000;
	*has = true;
	return 0;
}

static size_t cli_opt_min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/*
 * The Damerau-Levenshtein distance (optimal string alignment: a swap of two neighbours
 * costs one, as in "scna") of @a and @b, each at most KS_CLI_HINT_WORD_MAX bytes.
 */
static size_t cli_opt_distance(const char *a, size_t na, const char *b, size_t nb)
{
	size_t d[KS_CLI_HINT_WORD_MAX + 1][KS_CLI_HINT_WORD_MAX + 1];
	size_t i, j, cost;

	for (i = 0; i <= na; i++) {
		d[i][0] = i;
	}
	for (j = 0; j <= nb; j++) {
		d[0][j] = j;
	}
	for (i = 1; i <= na; i++) {
		for (j = 1; j <= nb; j++) {
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			d[i][j] = cli_opt_min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
				d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j]) {
				d[i][j] = d[i - 2][j - 2] + 1;
			}
		}
	}
	return d[na][nb];
}

/*
 * At most two edits, and fewer than half the word's letters: "--formt" is a typo of
 * "--format", while "ab" is not one of "id".
 */
const char *cli_opt_closest(const char *word, size_t len, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t i, d, nlen, best_d = 3;

	if (len > KS_CLI_HINT_WORD_MAX) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		nlen = strlen(names[i]);
		if (nlen > KS_CLI_HINT_WORD_MAX) {
			continue;
		}
		d = cli_opt_distance(word, len, names[i], nlen);
		if (d < best_d && 2 * d < len) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

/* Whether option @c is one the verb accepts: logging means the same to every verb. */
static bool cli_opt_applies(const char *accepts, int c)
{
	if (c == '?' || c == ':' || c == CLI_OPT_HELP || c == CLI_OPT_VERSION ||
	    c == CLI_OPT_QUIET || c == CLI_OPT_VERBOSE || c == CLI_OPT_LOG) {
		return true;
	}
	return strchr(accepts, c) != NULL;
}

/* "unknown option 'WORD'", naming the verb's closest long option when one is near. */
static int cli_opt_unknown(const char *accepts, const char *word, struct kerr *err)
{
	const char *names[XSTD_COUNTOF(cli_opt_table)];
	const char *eq, *hint;
	size_t i, n = 0, len;

	if (strncmp(word, "--", 2) != 0) {
		return cli_opt_bad(err, "unknown option '%s'", word);
	}
	for (i = 0; cli_opt_table[i].name != NULL; i++) {
		if (cli_opt_applies(accepts, cli_opt_table[i].val)) {
			names[n++] = cli_opt_table[i].name;
		}
	}
	/* "--formt=json": the name is what precedes the value */
	eq = strchr(word + 2, '=');
	len = eq != NULL ? (size_t)(eq - (word + 2)) : strlen(word + 2);
	hint = cli_opt_closest(word + 2, len, names, n);
	if (hint == NULL) {
		return cli_opt_bad(err, "unknown option '%s'", word);
	}
	return cli_opt_bad(err, "unknown option '%s' (did you mean '--%s'?)", word, hint);
}

/*
 * The options every verb has (@accepts: the verb's own, for a hint on an unknown one).
 * @return 0 taken, 1 not one of them, or CLI_EXIT_USAGE.
 * @word is the argv word that ended option @c.
 */
static int cli_opt_common(struct cli_opt_common *o, const char *accepts, int c,
	const char *arg, const char *word, struct kerr *err)
{
	switch (c) {
	case CLI_OPT_QUIET:
		o->quiet = true;
		return 0;
	case CLI_OPT_VERBOSE:
		o->verbose++;
		return 0;
	case CLI_OPT_LOG:
		if (log_sink_parse(arg, &o->log) != 0) {
			return cli_opt_bad(err, "unknown --log '%s' (stderr or syslog)", arg);
		}
		o->has_log = true;
		return 0;
	case ':':
		return cli_opt_bad(err, "option '%s' needs an argument", word);
	case '?':
		return cli_opt_unknown(accepts, word, err);
	default:
		return 1;
	}
}

/*
 * Only what a verb accepts is taken, so an option that means nothing to it is a usage
 * error rather than silently ignored.
 */
int cli_opt_parse(int argc, char **argv, const struct cli_opt_verb *v, struct cli_opt_common *c,
	struct kerr *err)
{
	int code, rc;

	kerr_clear(err);
	/* 0, not 1: getopt starts afresh, so a process (a test) may parse more than once */
	optind = 0;
	opterr = 0;
	while ((code = getopt_long(argc, argv, v->permute ? ":r:s:f:o:qhVj:xc:"
							   : "+:r:s:f:o:qhVj:xc:",
			cli_opt_table, NULL)) != -1) {
		const char *word = argv[optind - 1];

		if (!cli_opt_applies(v->accepts, code)) {
			/* "--opt VALUE": name the option, not its value */
			bool split = optarg != NULL && optind >= 2 && word == optarg;

			return cli_opt_bad(err, "option '%s' does not apply here",
				argv[optind - (split ? 2 : 1)]);
		}
		if (code == CLI_OPT_HELP || code == CLI_OPT_VERSION) {
			c->help = code == CLI_OPT_HELP;
			c->version = code == CLI_OPT_VERSION;
			return 0;
		}
		rc = cli_opt_common(c, v->accepts, code, optarg, word, err);
		if (rc == 1) {
			rc = v->take(v->ctx, code, optarg, word, err);
		}
		if (rc != 0) {
			return rc;
		}
	}
	if (c->quiet && c->verbose > 0) {
		return cli_opt_bad(err, "%s", "--quiet and --verbose contradict each other");
	}
	c->parsed = true;
	c->first = optind;
	return 0;
}

int cli_opt_parse_bare(int argc, char **argv, const struct cli_opt_verb *v,
	struct cli_opt_common *c, struct kerr *err)
{
	int rc = cli_opt_parse(argc, argv, v, c, err);

	if (rc != 0 || c->help || c->version) {
		return rc;
	}
	if (c->first < argc) {
		return cli_opt_bad(err, "unexpected argument '%s'", argv[c->first]);
	}
	return 0;
}

/*
 * Errors always pass. On syslog the run's summary (notice) passes too: there the log is
 * what the admin reads, while on a terminal the report itself is the summary.
 */
int cli_opt_log_apply(const struct cli_opt_common *c)
{
	enum log_level t = c->log == LOG_SINK_SYSLOG ? LOG_LEVEL_NOTICE : LOG_LEVEL_WARNING;

	if (c->quiet && c->verbose > 0) {
		return cli_opt_usage("%s", "--quiet and --verbose contradict each other");
	}
	if (c->quiet) {
		t = LOG_LEVEL_ERROR;
	} else if (c->verbose > 0) {
		t = c->verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
	}
	log_setup(c->log, t);
	return -1;
}

int cli_opt_settle(int rc, const struct cli_opt_common *c, const char *help, bool exits,
	const struct kerr *err)
{
	if (rc != 0) {
		if (c->parsed) {
			(void)cli_opt_log_apply(c);
		}
		return cli_opt_usage("%s", err->msg);
	}
	if (c->help) {
		return cli_opt_help(help, exits);
	}
	if (c->version) {
		return cli_opt_version();
	}
	return cli_opt_log_apply(c);
}

void cli_opt_merge_common(struct cli_opt_common *c, const struct conf *cfg)
{
	/* the command line's own words win, then the file's */
	if (!c->quiet && c->verbose == 0) {
		c->quiet = cfg->quiet;
		c->verbose = (unsigned)cfg->verbose;
	}
	if (!c->has_log && cfg->has_log) {
		c->log = cfg->log;
	}
}

int cli_opt_conf_load(struct conf *cfg, const char *path)
{
	struct kerr e;
	size_t i;

	kerr_clear(&e);
	if (conf_load(cfg, path, &e) == 0) {
		return -1;
	}
	for (i = 0; i < cfg->ndiags; i++) {
		cli_opt_err("%s", cfg->diags[i]);
	}
	if (cfg->ndiags == 0) {
		cli_opt_err("%s", e.msg);
	}
	return e.code == KERR_NOMEM ? CLI_EXIT_SOFTWARE : CLI_EXIT_DATAERR;
}

int cli_opt_conf_run(const struct cli_opt_conf_verb *v)
{
	struct conf cfg;
	int rc;

	conf_init(&cfg);
	rc = cli_opt_conf_load(&cfg, v->config);
	if (rc < 0) {
		v->merge(v->opts, &cfg);
		rc = cli_opt_log_apply(v->common);
	}
	if (rc < 0) {
		rc = v->run(v->opts, &cfg);
	}
	conf_free(&cfg);
	return rc;
}

int cli_opt_path(const char *option, const char *path, enum conf_fs kind, struct kerr *err)
{
	char msg[KS_ERR_MSG_MAX / 2];

	if (conf_check_path(path, kind, msg, sizeof(msg)) != 0) {
		return cli_opt_bad(err, "%s %s %s", option, path, msg);
	}
	return 0;
}
