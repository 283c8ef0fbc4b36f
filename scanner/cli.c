#include "config.h"
#include "scanner/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "report/deliver.h"
#include "report/fmt.h"
#include "report/output.h"
#include "scanner/buf.h"
#include "scanner/conf.h"
#include "scanner/limits.h"
#include "scanner/scan.h"
#include "scanner/sig.h"
#include "scanner/xstd.h"

/* Everything the command line can say, and then what the configuration file adds. */
struct cli_opts {
	const char *root;
	const char *sigpaths[KS_CLI_LIST_MAX];
	size_t nsigpaths;
	bool no_default_sigs;
	bool has_format;
	enum fmt_kind format;
	bool pretty;
	const char *output;
	bool quiet;
	const char *config;
	const char *post;
	bool has_splay;
	uint64_t splay_ms;
};

/* Long options without a short form. */
enum {
	OPT_NO_DEFAULT = 256,
	OPT_PRETTY,
	OPT_POST,
	OPT_SPLAY,
};

static const char cli_exit_help[] =
	"Exit status:\n"
	"  0   clean: no Kaspersky product found and every source was read\n"
	"  1   detected: at least one finding\n"
	"  2   incomplete: nothing found, but a source failed (not proven clean)\n"
	"  3   not delivered: the report is in the spool (whatever the verdict; kscan send)\n"
	"  64  usage error\n"
	"  65  invalid signature pack or configuration\n"
	"  70  internal error\n";

static const char cli_scan_help[] =
	"Usage: kscan [scan] [OPTION]...\n"
	"Find installed, running, left-over or downloaded Kaspersky products on this host\n"
	"or on a root tree mounted elsewhere, and report them with evidence.\n"
	"\n"
	"  -r, --root DIR             scan the system mounted at DIR instead of this host\n"
	"  -s, --signatures PATH      add a signature pack (file or directory); repeatable\n"
	"      --no-default-signatures  do not use the packs built into kscan\n"
	"  -f, --format FORMAT        json, text, ecs, ecs-bulk or splunk-hec\n"
	"                             (default: text on a terminal, else json)\n"
	"      --pretty               indent the JSON report\n"
	"  -o, --output FILE          write the report to FILE atomically (mode 0640)\n"
	"  -q, --quiet                print only errors on stderr\n"
	"  -c, --config FILE          read FILE instead of " CONF_DEFAULT_PATH "\n"
	"      --post URL             deliver the report to the collector at URL (https);\n"
	"                             it is then written locally only with --output\n"
	"      --splay SECONDS        first sleep a random time up to SECONDS\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Other commands:\n"
	"  kscan send                      deliver the spooled reports to the collector\n"
	"  kscan signatures lint PATH...   validate signature packs\n"
	"  kscan signatures list           list the loaded signatures\n"
	"  kscan packages [--root DIR]     list the packages kscan reads from dpkg and rpm\n"
	"\n";

static const char cli_sigs_help[] =
	"Usage: kscan signatures lint PATH...\n"
	"       kscan signatures list [--signatures PATH]... [--no-default-signatures]\n"
	"\n"
	"lint   validate each pack (file or directory of *.yaml); print every problem as\n"
	"       FILE:LINE:COL: message and exit 65 if there is one\n"
	"list   print id, product and pack of every loaded signature, one per line\n"
	"\n";

static const char cli_send_help[] =
	"Usage: kscan send [--config FILE] [--post URL] [--splay SECONDS] [--quiet]\n"
	"Deliver the reports waiting in the spool to the collector, oldest first.\n"
	"Exit status 0 when the spool is empty, 3 when reports are still waiting.\n";

static const char cli_pkgs_help[] =
	"Usage: kscan packages [--root DIR]\n"
	"Print every package kscan reads from the dpkg and rpm databases, one per line:\n"
	"manager, name, version, architecture, dpkg status abbreviation, state (tab-separated).\n"
	"Exit status 0, or 2 if a database could not be read.\n";

static void cli_err(const char *fmt, ...) KS_PRINTF(1, 2);

static void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("kscan: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int cli_usage(const char *fmt, ...) KS_PRINTF(1, 2);

static int cli_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("kscan: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'kscan --help'.\n", stderr);
	return CLI_EXIT_USAGE;
}

static int cli_exit_for(const struct kerr *e)
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

static int cli_add_sigpath(struct cli_opts *o, const char *path)
{
	if (o->nsigpaths == KS_CLI_LIST_MAX) {
		return cli_usage("too many --signatures (at most %u)", KS_CLI_LIST_MAX);
	}
	o->sigpaths[o->nsigpaths++] = path;
	return 0;
}

static int cli_set_format(struct cli_opts *o, const char *v)
{
	if (fmt_parse(v, &o->format) != 0) {
		return cli_usage("unknown format '%s' (json, text, ecs, ecs-bulk or "
			"splunk-hec)", v);
	}
	o->has_format = true;
	return 0;
}

static int cli_set_post(struct cli_opts *o, const char *v)
{
	struct kerr e;

	kerr_clear(&e);
	if (http_url_check(v, &e) != 0) {
		return cli_usage("--post: %s", e.msg);
	}
	o->post = v;
	return 0;
}

static int cli_set_splay(struct cli_opts *o, const char *v)
{
	if (conf_parse_duration(v, &o->splay_ms) != 0) {
		return cli_usage("--splay: '%s' is not a number of seconds (at most %llu)", v,
			(unsigned long long)(KS_DURATION_MAX_MS / 1000));
	}
	o->has_splay = true;
	return 0;
}

static int cli_version(void)
{
	printf("kscan %s\n", KSCAN_VERSION);
	return CLI_EXIT_CLEAN;
}

/*
 * Whether option @c is one the subcommand accepts (@allowed: letters; N, P, U and Y for
 * the long-only --no-default-signatures, --pretty, --post and --splay).
 */
static bool cli_applies(const char *allowed, int c)
{
	int letter = c == OPT_NO_DEFAULT ? 'N' : c == OPT_PRETTY ? 'P' : c == OPT_POST ? 'U' :
		c == OPT_SPLAY ? 'Y' : c;

	if (c == '?' || c == ':' || c == 'h' || c == 'V') {
		return true;
	}
	return strchr(allowed, letter) != NULL;
}

/*
 * Parses options for any subcommand; @allowed lists the short letters it accepts, so an
 * option that means nothing to a subcommand is a usage error rather than silently ignored.
 * @return -1 to go on, or an exit code (help, version, usage error).
 */
static int cli_parse(int argc, char **argv, struct cli_opts *o, const char *allowed,
	const char *help)
{
	static const struct option longopts[] = {
		{"root", required_argument, NULL, 'r'},
		{"signatures", required_argument, NULL, 's'},
		{"no-default-signatures", no_argument, NULL, OPT_NO_DEFAULT},
		{"format", required_argument, NULL, 'f'},
		{"pretty", no_argument, NULL, OPT_PRETTY},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"config", required_argument, NULL, 'c'},
		{"post", required_argument, NULL, OPT_POST},
		{"splay", required_argument, NULL, OPT_SPLAY},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:r:s:f:o:qc:hV", longopts, NULL)) != -1) {
		if (!cli_applies(allowed, c)) {
			return cli_usage("option '%s' does not apply here", argv[optind - 1]);
		}
		rc = 0;
		switch (c) {
		case 'r':
			o->root = optarg;
			break;
		case 's':
			rc = cli_add_sigpath(o, optarg);
			break;
		case OPT_NO_DEFAULT:
			o->no_default_sigs = true;
			break;
		case 'f':
			rc = cli_set_format(o, optarg);
			break;
		case OPT_PRETTY:
			o->pretty = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'c':
			o->config = optarg;
			break;
		case OPT_POST:
			rc = cli_set_post(o, optarg);
			break;
		case OPT_SPLAY:
			rc = cli_set_splay(o, optarg);
			break;
		case 'h':
			fputs(help, stdout);
			fputs(cli_exit_help, stdout);
			return CLI_EXIT_CLEAN;
		case 'V':
			return cli_version();
		case ':':
			return cli_usage("option '%s' needs an argument", argv[optind - 1]);
		case '?':
		default:
			return cli_usage("unknown option '%s'", argv[optind - 1]);
		}
		if (rc != 0) {
			return rc;
		}
	}
	return -1;
}

static void cli_print_diags(const struct sig_set *s, const struct kerr *e)
{
	size_t i, n = sig_set_ndiags(s);

	for (i = 0; i < n; i++) {
		cli_err("%s", sig_set_diag(s, i));
	}
	if (n == 0) {
		cli_err("%s", e->msg);
	}
}

/* Loads the signature set the options ask for. @return the set, or NULL with *@code set. */
static struct sig_set *cli_load_sigs(const struct cli_opts *o, int *code)
{
	struct sig_set *s = sig_set_new();
	struct kerr e;
	size_t i;

	kerr_clear(&e);
	if (s == NULL) {
		cli_err("out of memory");
		*code = CLI_EXIT_SOFTWARE;
		return NULL;
	}
	if (!o->no_default_sigs && sig_set_load_builtin(s, &e) != 0) {
		goto fail;
	}
	for (i = 0; i < o->nsigpaths; i++) {
		if (sig_set_load_path(s, o->sigpaths[i], &e) != 0) {
			goto fail;
		}
	}
	if (sig_set_finish(s, &e) != 0) {
		goto fail;
	}
	if (sig_set_count(s) == 0) {
		cli_err("no signatures loaded: nothing to scan for");
		*code = CLI_EXIT_USAGE;
		sig_set_free(s);
		return NULL;
	}
	return s;

fail:
	cli_print_diags(s, &e);
	*code = cli_exit_for(&e);
	sig_set_free(s);
	return NULL;
}

static enum fmt_kind cli_pick_format(const struct cli_opts *o)
{
	bool to_stdout = o->output == NULL || strcmp(o->output, "-") == 0;

	if (o->has_format) {
		return o->format;
	}
	return to_stdout && isatty(STDOUT_FILENO) ? FMT_TEXT : FMT_JSON;
}

static int cli_emit(const struct cli_opts *o, const struct report *rep)
{
	bool to_stdout = o->output == NULL || strcmp(o->output, "-") == 0;
	struct buf out;
	struct kerr e;
	int rc;

	buf_init(&out, KS_REPORT_MAX);
	rc = fmt_write(cli_pick_format(o), rep, &out, o->pretty,
		to_stdout && isatty(STDOUT_FILENO));
	if (rc != 0) {
		cli_err("cannot format the report: %s", strerror(errno));
		buf_free(&out);
		return CLI_EXIT_SOFTWARE;
	}
	kerr_clear(&e);
	rc = output_write(o->output, buf_str(&out), buf_len(&out), 0640, &e);
	buf_free(&out);
	if (rc != 0) {
		cli_err("%s", e.msg);
		return CLI_EXIT_SOFTWARE;
	}
	return CLI_EXIT_CLEAN;
}

static int cli_verdict_exit(const struct report *rep)
{
	switch (rep->verdict) {
	case REPORT_CLEAN:
		return CLI_EXIT_CLEAN;
	case REPORT_DETECTED:
		return CLI_EXIT_DETECTED;
	case REPORT_INCOMPLETE:
		return CLI_EXIT_INCOMPLETE;
	default:
		return CLI_EXIT_SOFTWARE;
	}
}

/*
 * Loads the configuration file and fills in what the command line did not say: the command
 * line wins, and --signatures replaces the file's list rather than adding to it.
 * @return -1 to go on, or an exit code.
 */
static int cli_configure(struct cli_opts *o, struct conf *cfg)
{
	struct kerr e;
	size_t i;

	kerr_clear(&e);
	if (conf_load(cfg, o->config, &e) != 0) {
		for (i = 0; i < cfg->ndiags; i++) {
			cli_err("%s", cfg->diags[i]);
		}
		if (cfg->ndiags == 0) {
			cli_err("%s", e.msg);
		}
		return e.code == KERR_NOMEM ? CLI_EXIT_SOFTWARE : CLI_EXIT_DATAERR;
	}
	o->root = o->root != NULL ? o->root : cfg->root;
	for (i = 0; o->nsigpaths == 0 && i < cfg->nsignatures; i++) {
		o->sigpaths[i] = cfg->signatures[i];
	}
	o->nsigpaths = o->nsigpaths != 0 ? o->nsigpaths : cfg->nsignatures;
	o->no_default_sigs = o->no_default_sigs || cfg->no_default_signatures;
	if (!o->has_format && cfg->has_format) {
		o->has_format = true;
		o->format = cfg->format;
	}
	o->pretty = o->pretty || cfg->pretty;
	o->output = o->output != NULL ? o->output : cfg->output;
	o->quiet = o->quiet || cfg->quiet;
	if (!o->has_splay) {
		o->splay_ms = cfg->splay_ms;
	}
	return -1;
}

/* Fleet etiquette: hosts started by the same cron minute do not all arrive at once. */
static void cli_splay(const struct cli_opts *o)
{
	uint64_t rnd;

	if (o->splay_ms == 0) {
		return;
	}
	if (xstd_random(&rnd, sizeof(rnd)) != 0) {
		rnd = (uint64_t)xstd_now_ms();
	}
	xstd_sleep_ms(rnd % (o->splay_ms + 1));
}

/* deliver's voice: problems always (cron mails them), progress unless --quiet. */
static void cli_say(void *arg, bool problem, const char *msg)
{
	const struct cli_opts *o = arg;

	if (problem || !o->quiet) {
		cli_err("%s", msg);
	}
}

static void cli_deliver_opts(struct cli_opts *o, const struct conf *cfg,
	struct deliver_opts *d)
{
	conf_deliver_opts(cfg, d);
	if (o->post != NULL) {
		d->http.url = o->post;
	}
	d->say = cli_say;
	d->say_arg = o;
}

/*
 * Delivers @rep: the spool first, then the report; the local copy only with --output.
 * Not delivered is exit 3 whatever the verdict: the verdict travels with the report.
 */
static int cli_deliver(struct cli_opts *o, const struct deliver_opts *dopts, struct report *rep)
{
	struct deliver_result res;
	struct deliver *d;
	int rc = CLI_EXIT_CLEAN;

	d = deliver_begin(dopts);
	if (d == NULL || deliver_attach(d, rep) != 0) {
		cli_err("out of memory");
		deliver_end(d, &res);
		return CLI_EXIT_SOFTWARE;
	}
	if (o->output != NULL) {
		rc = cli_emit(o, rep);
	}
	(void)deliver_report(d, rep);
	deliver_end(d, &res);
	if (rc != CLI_EXIT_CLEAN || res.fate == DELIVER_LOST) {
		return CLI_EXIT_SOFTWARE;
	}
	return res.fate == DELIVER_SENT ? cli_verdict_exit(rep) : CLI_EXIT_SPOOLED;
}

static int cli_run_scan(struct cli_opts *o, const struct conf *cfg)
{
	struct deliver_opts dopts;
	struct scan_opts so;
	struct report *rep;
	struct sig_set *sigs;
	struct kerr e;
	int rc;

	cli_deliver_opts(o, cfg, &dopts);
	cli_splay(o);
	sigs = cli_load_sigs(o, &rc);
	if (sigs == NULL) {
		return rc;
	}
	memset(&so, 0, sizeof(so));
	so.root = o->root;
	kerr_clear(&e);
	rep = scan_run(&so, sigs, &e);
	sig_set_free(sigs);
	if (rep == NULL) {
		cli_err("%s", e.msg);
		return e.code == KERR_IO ? CLI_EXIT_USAGE : CLI_EXIT_SOFTWARE;
	}
	if (dopts.http.url != NULL) {
		rc = cli_deliver(o, &dopts, rep);
	} else {
		rc = cli_emit(o, rep);
		if (rc == CLI_EXIT_CLEAN) {
			rc = cli_verdict_exit(rep);
		}
	}
	report_free(rep);
	return rc;
}

static int cli_scan(int argc, char **argv)
{
	struct conf cfg;
	struct cli_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = cli_parse(argc, argv, &o, "rsfoqNPcUY", cli_scan_help);
	if (rc >= 0) {
		return rc;
	}
	if (optind < argc) {
		return cli_usage("unexpected argument '%s'", argv[optind]);
	}
	conf_init(&cfg);
	rc = cli_configure(&o, &cfg);
	if (rc < 0) {
		rc = cli_run_scan(&o, &cfg);
	}
	conf_free(&cfg);
	return rc;
}

/* kscan send: the spool only. 0 when it is empty after, 3 when reports still wait. */
static int cli_send(int argc, char **argv)
{
	struct deliver_opts dopts;
	struct deliver_result res;
	struct deliver *d;
	struct conf cfg;
	struct cli_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = cli_parse(argc, argv, &o, "qcUY", cli_send_help);
	if (rc >= 0) {
		return rc;
	}
	if (optind < argc) {
		return cli_usage("unexpected argument '%s'", argv[optind]);
	}
	conf_init(&cfg);
	rc = cli_configure(&o, &cfg);
	cli_deliver_opts(&o, &cfg, &dopts);
	if (rc < 0 && dopts.http.url == NULL) {
		rc = cli_usage("%s", "no collector to send to: set collector.url or --post");
	}
	if (rc < 0) {
		cli_splay(&o);
		d = deliver_begin(&dopts);
		if (d == NULL) {
			cli_err("out of memory");
			rc = CLI_EXIT_SOFTWARE;
		} else {
			deliver_end(d, &res);
			rc = res.no_spool ? CLI_EXIT_SOFTWARE :
				res.waiting > 0 ? CLI_EXIT_SPOOLED : CLI_EXIT_CLEAN;
			if (!o.quiet && rc == CLI_EXIT_CLEAN) {
				cli_err("the spool is empty");
			}
		}
	}
	conf_free(&cfg);
	return rc;
}

static int cli_sigs_lint(int argc, char **argv, int first)
{
	struct sig_set *s;
	struct kerr e;
	int i, rc = CLI_EXIT_CLEAN;

	if (first >= argc) {
		return cli_usage("%s", "signatures lint needs at least one PATH");
	}
	s = sig_set_new();
	if (s == NULL) {
		cli_err("out of memory");
		return CLI_EXIT_SOFTWARE;
	}
	kerr_clear(&e);
	/* every path is checked, so one run shows every problem; the first failure decides */
	for (i = first; i < argc; i++) {
		if (sig_set_load_path(s, argv[i], &e) != 0 && rc == CLI_EXIT_CLEAN) {
			rc = cli_exit_for(&e);
		}
	}
	if (rc == CLI_EXIT_CLEAN && sig_set_finish(s, &e) != 0) {
		rc = cli_exit_for(&e);
	}
	if (rc != CLI_EXIT_CLEAN) {
		cli_print_diags(s, &e);
	} else {
		printf("%zu signature(s) in %zu pack(s): ok\n", sig_set_count(s),
			sig_set_npacks(s));
	}
	sig_set_free(s);
	return rc;
}

static int cli_sigs_list(const struct cli_opts *o)
{
	struct sig_set *s;
	size_t i;
	int rc;

	s = cli_load_sigs(o, &rc);
	if (s == NULL) {
		return rc;
	}
	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *g = sig_set_get(s, i);

		printf("%s\t%s\t%s\n", g->id, g->product, sig_set_pack(s, g->pack)->name);
	}
	sig_set_free(s);
	return CLI_EXIT_CLEAN;
}

static int cli_signatures(int argc, char **argv)
{
	struct cli_opts o;
	const char *verb;
	int rc;

	if (argc < 2) {
		return cli_usage("%s", "signatures needs a command: lint or list");
	}
	verb = argv[1];
	memset(&o, 0, sizeof(o));
	rc = cli_parse(argc - 1, argv + 1, &o, strcmp(verb, "list") == 0 ? "sN" : "",
		cli_sigs_help);
	if (rc >= 0) {
		return rc;
	}
	if (strcmp(verb, "lint") == 0) {
		return cli_sigs_lint(argc - 1, argv + 1, optind);
	}
	if (strcmp(verb, "list") == 0) {
		if (optind < argc - 1) {
			return cli_usage("unexpected argument '%s'", argv[optind + 1]);
		}
		return cli_sigs_list(&o);
	}
	if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
		fputs(cli_sigs_help, stdout);
		return CLI_EXIT_CLEAN;
	}
	return cli_usage("unknown signatures command '%s' (lint or list)", verb);
}

static int cli_packages(int argc, char **argv)
{
	struct pkg_list l;
	struct cli_opts o;
	struct kerr e;
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = cli_parse(argc, argv, &o, "r", cli_pkgs_help);
	if (rc >= 0) {
		return rc;
	}
	if (optind < argc) {
		return cli_usage("unexpected argument '%s'", argv[optind]);
	}
	pkg_list_init(&l);
	kerr_clear(&e);
	rc = scan_packages(o.root, &l, &e) == 0 ? CLI_EXIT_CLEAN : CLI_EXIT_INCOMPLETE;
	for (i = 0; i < l.n; i++) {
		const struct pkg *p = &l.v[i];

		printf("%s\t%s\t%s\t%s\t%s\t%s\n", p->manager, p->name, p->version, p->arch,
			p->abbrev, pkg_state_name(p->state));
	}
	if (rc != CLI_EXIT_CLEAN) {
		cli_err("%s", e.msg);
	}
	pkg_list_free(&l);
	return rc;
}

int cli_main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (cmd == NULL || cmd[0] == '-') {
		return cli_scan(argc, argv);
	}
	if (strcmp(cmd, "scan") == 0) {
		return cli_scan(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "signatures") == 0) {
		return cli_signatures(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "packages") == 0) {
		return cli_packages(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "send") == 0) {
		return cli_send(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "help") == 0) {
		fputs(cli_scan_help, stdout);
		fputs(cli_exit_help, stdout);
		return CLI_EXIT_CLEAN;
	}
	if (strcmp(cmd, "version") == 0) {
		return cli_version();
	}
	return cli_usage("unknown command '%s'", cmd);
}
