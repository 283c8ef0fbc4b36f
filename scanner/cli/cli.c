#include "config.h"
#include "scanner/cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report/deliver/deliver.h"
#include "report/fmt/fmt.h"
#include "report/deliver/output.h"
#include "base/buf.h"
#include "scanner/cli/conf.h"
#include "base/limits.h"
#include "base/log.h"
#include "signatures/packsig.h"
#include "scanner/sandbox.h"
#include "scanner/scan.h"
#include "signatures/sig.h"
#include "signatures/sigload.h"
#include "scanner/cli/sighash.h"
#include "base/xstd.h"

/* Everything the command line can say, and then what the configuration file adds. */
struct cli_opts {
	const char *root;
	const char *sigpaths[KS_CLI_LIST_MAX];
	size_t nsigpaths;
	bool no_default_sigs;
	/** Trusted public keys for pack signatures; NULL: /etc/kscan/keys if it exists. */
	const char *keys;
	bool require_signed;
	/** --max-signature-age in days; 0: none. */
	unsigned max_age_days;
	/** The private key for `signatures sign`. */
	const char *key;
	bool has_format;
	enum fmt_kind format;
	bool pretty;
	const char *output;
	bool quiet;
	unsigned verbose;
	bool has_log;
	enum log_sink log;
	/* the configuration file and the collector */
	const char *config;
	const char *post;
	/* the deep sweep, and the first deep-only option seen (an error without --deep) */
	bool deep;
	const char *deep_only;
	struct deep_opts d;
	const char *paths[KS_CLI_LIST_MAX];
	const char *excludes[KS_CLI_LIST_MAX];
	bool no_low_priority;
	bool has_splay;
	uint64_t splay_ms;
	/* signatures hash */
	const char *id;
	const char *product;
	const char *vendor;
	enum sig_role role;
};

/*
 * Long options without a short form. Their codes are letters that are not in getopt's
 * short option string, so "-N" stays unknown while subcommands can list them as accepted.
 */
enum {
	OPT_NO_DEFAULT = 'N',
	OPT_PRETTY = 'P',
	OPT_KEYS = 'K',
	OPT_REQUIRE_SIGNED = 'S',
	OPT_KEY = 'k',
	OPT_DEEP = 'D',
	OPT_PATH = 'p',
	OPT_INCLUDE_REMOTE = 'R',
	OPT_EXCLUDE = 'e',
	OPT_MAX_FILE_SIZE = 'M',
	OPT_MAX_DURATION = 'T',
	OPT_NO_LOW_PRIORITY = 'L',
	OPT_ID = 'I',
	OPT_PRODUCT = 'n',
	OPT_VENDOR = 'v',
	OPT_ROLE = 'O',
	OPT_VERBOSE = 'G',
	OPT_LOG = 'Y',
	OPT_SPLAY = 'Z',
	OPT_POST = 'U',
	OPT_MAX_SIG_AGE = 'A',
};

/* Options of a scan, deep ones included, accepted by `kscan scan`. */
#define CLI_SCAN_OPTS "rsfoqNPKSADjpRxeMTLZcU"

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
	"      --keys DIR             trusted pack-signing keys (default /etc/kscan/keys)\n"
	"      --require-signed       refuse --signatures packs without a valid PACK.sig\n"
	"      --max-signature-age DAYS  a pack dated more than DAYS ago, undated or\n"
	"                             expired makes a clean result incomplete\n"
	"  -o, --output FILE          write the report to FILE atomically (mode 0640)\n"
	"      --splay SECONDS        first wait a random time up to SECONDS, so a fleet\n"
	"                             started by cron does not scan all at once\n"
	"  -c, --config FILE          read FILE instead of " CONF_DEFAULT_PATH "\n"
	"      --post URL             deliver the report to the collector at URL (https);\n"
	"                             it is then written locally only with --output\n"
	"  -q, --quiet                log only errors\n"
	"      --verbose              log progress too (twice: debugging detail)\n"
	"      --log SINK             stderr (default) or syslog: journald/syslog, each\n"
	"                             message tagged with the report id\n"
	"\n"
	"Deep sweep: every file of the root against the signatures' file names and hashes\n"
	"      --deep                 sweep the whole filesystem too (scan.mode \"deep\")\n"
	"  -j, --jobs N               worker threads (default: online CPUs, at most 64)\n"
	"      --path DIR             sweep only DIR (inside --root); repeatable\n"
	"      --exclude PATH         do not look at PATH (a directory or a file); repeatable\n"
	"  -x, --one-file-system      stay on the mount of each swept tree\n"
	"      --include-remote       enter network filesystems (nfs, cifs, sshfs...) too\n"
	"      --max-file-size SIZE   hash no file larger than SIZE bytes (K, M, G, T suffixes;\n"
	"                             default 4G); larger files of a signature's size make the\n"
	"                             verdict incomplete\n"
	"      --max-duration SECONDS stop the sweep after SECONDS; the verdict is then\n"
	"                             incomplete, with the reason\n"
	"      --no-low-priority      keep the normal CPU and I/O priority (default for\n"
	"                             --deep: nice 10 and the idle I/O class)\n"
	"\n"
	"  -h, --help                 show this help\n"
	"  -V, --version              show the version\n"
	"\n"
	"Other commands:\n"
	"  kscan send                      deliver the spooled reports to the collector\n"
	"  kscan signatures lint PATH...   validate signature packs\n"
	"  kscan signatures list           list the loaded signatures\n"
	"  kscan signatures hash DIR... --id ID --product NAME   make a hash signature\n"
	"  kscan packages [--root DIR]     list the packages kscan reads from dpkg and rpm\n"
	"\n";

static const char cli_sigs_help[] =
	"Usage: kscan signatures lint PATH...\n"
	"       kscan signatures list [--signatures PATH]... [--no-default-signatures]\n"
	"                             [--keys DIR] [--require-signed]\n"
	"       kscan signatures sign --key KEY PACK...\n"
	"       kscan signatures verify [--keys DIR] PACK...\n"
	"       kscan signatures hash DIR... --id ID --product NAME [--vendor NAME]\n"
	"                             [--role install|remnant|installer] [--jobs N] [-o FILE]\n"
	"\n"
	"lint    validate each pack (file or directory of *.yaml); print every problem as\n"
	"        FILE:LINE:COL: message and exit 65 if there is one\n"
	"list    print id, product and pack of every loaded signature, one per line\n"
	"sign    lint each PACK, then write PACK.sig: its Ed25519 signature by the private\n"
	"        key KEY (PEM; readable by its owner only)\n"
	"verify  check that each PACK is owned safely and signed by a trusted key\n"
	"        (public keys *.pem in DIR, default /etc/kscan/keys)\n"
	"hash    print a pack with one signature: the sha256 and size of every regular file\n"
	"        under each DIR (a reference install, a folder of installers), ready for\n"
	"        --signatures; --deep then finds copies of those files under any name.\n"
	"        Role defaults to install, vendor to Kaspersky. Symlinks are not followed.\n"
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

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
}

static int cli_usage(const char *fmt, ...) KS_PRINTF(1, 2);

static int cli_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	fputs("Try 'kscan --help'.\n", stderr);
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

/* Seconds, 0 included: a command line may turn off the configuration's splay. */
static int cli_set_splay(struct cli_opts *o, const char *v)
{
	uint64_t s;

	if (xstd_strtou64(v, KS_SPLAY_MAX, &s) != 0) {
		return cli_usage("--splay '%s' is not a number of seconds from 0 to %u", v,
			KS_SPLAY_MAX);
	}
	o->splay_ms = s * 1000;
	o->has_splay = true;
	return 0;
}

static int cli_version(void)
{
	printf("kscan %s\n", KSCAN_VERSION);
	return CLI_EXIT_CLEAN;
}

/* Whether option @c is one the subcommand accepts (@allowed: option codes). */
static bool cli_applies(const char *allowed, int c)
{
	/* logging options mean the same to every subcommand */
	if (c == '?' || c == ':' || c == 'h' || c == 'V' || c == 'q' || c == OPT_VERBOSE ||
	    c == OPT_LOG) {
		return true;
	}
	return strchr(allowed, c) != NULL;
}

/* "123", "4G", "512k": bytes, with binary K, M, G, T multiples. */
static int cli_size(const char *v, uint64_t *out)
{
	static const char units[] = "KMGT";
	size_t n = strlen(v);
	const char *u;
	uint64_t x;
	unsigned shift = 0;

	if (n > 1 && (u = strchr(units, v[n - 1] & ~0x20)) != NULL && (v[n - 1] & ~0x20) != 0) {
		shift = 10u * (unsigned)(u - units + 1);
		n--;
	}
	if (n == 0 || xstd_strntou64(v, n, UINT64_MAX >> shift, &x) != 0 || x == 0) {
		return cli_usage("--max-file-size '%s' is not a size (like 4G or 1048576)", v);
	}
	*out = x << shift;
	return 0;
}

static int cli_uint(const char *opt, const char *v, uint64_t max, unsigned *out)
{
	uint64_t x;

	if (xstd_strtou64(v, max, &x) != 0 || x == 0) {
		return cli_usage("%s '%s' is not a number from 1 to %" PRIu64, opt, v, max);
	}
	*out = (unsigned)x;
	return 0;
}

static int cli_add_list(const char *opt, const char **v, size_t *n, const char *value)
{
	if (*n == KS_CLI_LIST_MAX) {
		return cli_usage("too many %s (at most %u)", opt, KS_CLI_LIST_MAX);
	}
	v[(*n)++] = value;
	return 0;
}

static int cli_set_role(struct cli_opts *o, const char *v)
{
	static const enum sig_role roles[] = {SIG_ROLE_INSTALL, SIG_ROLE_REMNANT,
		SIG_ROLE_INSTALLER};
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(roles); i++) {
		if (strcmp(v, sig_role_name(roles[i])) == 0) {
			o->role = roles[i];
			return 0;
		}
	}
	return cli_usage("unknown role '%s' (install, remnant or installer)", v);
}

/* The options of a deep sweep and of signatures hash. @return 0, or an exit code. */
static int cli_deep_opt(struct cli_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'j':
		return cli_uint("--jobs", arg, KS_WALK_JOBS_MAX, &o->d.jobs);
	case OPT_PATH:
		return cli_add_list("--path", o->paths, &o->d.npaths, arg);
	case OPT_EXCLUDE:
		return cli_add_list("--exclude", o->excludes, &o->d.nexcludes, arg);
	case 'x':
		o->d.one_file_system = true;
		return 0;
	case OPT_INCLUDE_REMOTE:
		o->d.include_remote = true;
		return 0;
	case OPT_MAX_FILE_SIZE:
		return cli_size(arg, &o->d.max_file_size);
	case OPT_MAX_DURATION:
		return cli_uint("--max-duration", arg, KS_DEEP_DURATION_MAX, &o->d.max_duration_s);
	case OPT_NO_LOW_PRIORITY:
		o->no_low_priority = true;
		return 0;
	case OPT_ID:
		o->id = arg;
		return 0;
	case OPT_PRODUCT:
		o->product = arg;
		return 0;
	case OPT_VENDOR:
		o->vendor = arg;
		return 0;
	case OPT_ROLE:
		return cli_set_role(o, arg);
	default:
		return cli_usage("unknown option");
	}
}

/*
 * Errors always pass. On syslog the run's summary (notice) passes too: there the log is
 * what the admin reads, while on a terminal the report itself is the summary.
 */
static int cli_log_setup(const struct cli_opts *o)
{
	enum log_level t = o->log == LOG_SINK_SYSLOG ? LOG_LEVEL_NOTICE : LOG_LEVEL_WARNING;

	if (o->quiet && o->verbose > 0) {
		return cli_usage("%s", "--quiet and --verbose contradict each other");
	}
	if (o->quiet) {
		t = LOG_LEVEL_ERROR;
	} else if (o->verbose > 0) {
		t = o->verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
	}
	log_setup(o->log, t);
	return -1;
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
		{"deep", no_argument, NULL, OPT_DEEP},
		{"jobs", required_argument, NULL, 'j'},
		{"path", required_argument, NULL, OPT_PATH},
		{"exclude", required_argument, NULL, OPT_EXCLUDE},
		{"one-file-system", no_argument, NULL, 'x'},
		{"include-remote", no_argument, NULL, OPT_INCLUDE_REMOTE},
		{"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
		{"max-duration", required_argument, NULL, OPT_MAX_DURATION},
		{"no-low-priority", no_argument, NULL, OPT_NO_LOW_PRIORITY},
		{"id", required_argument, NULL, OPT_ID},
		{"product", required_argument, NULL, OPT_PRODUCT},
		{"vendor", required_argument, NULL, OPT_VENDOR},
		{"role", required_argument, NULL, OPT_ROLE},
		{"root", required_argument, NULL, 'r'},
		{"signatures", required_argument, NULL, 's'},
		{"no-default-signatures", no_argument, NULL, OPT_NO_DEFAULT},
		{"format", required_argument, NULL, 'f'},
		{"pretty", no_argument, NULL, OPT_PRETTY},
		{"keys", required_argument, NULL, OPT_KEYS},
		{"require-signed", no_argument, NULL, OPT_REQUIRE_SIGNED},
		{"max-signature-age", required_argument, NULL, OPT_MAX_SIG_AGE},
		{"key", required_argument, NULL, OPT_KEY},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, OPT_VERBOSE},
		{"log", required_argument, NULL, OPT_LOG},
		{"splay", required_argument, NULL, OPT_SPLAY},
		{"config", required_argument, NULL, 'c'},
		{"post", required_argument, NULL, OPT_POST},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	optind = 1;
	opterr = 0;
	/* "signatures hash DIR... --id X": its options may follow the directories */
	while ((c = getopt_long(argc, argv, strchr(allowed, 'I') != NULL ? ":r:s:f:o:qhVj:xc:"
									: "+:r:s:f:o:qhVj:xc:",
			longopts, NULL)) != -1) {
		if (!cli_applies(allowed, c)) {
			/* "--opt VALUE": name the option, not its value */
			bool split = optarg != NULL && optind >= 2 && argv[optind - 1] == optarg;

			return cli_usage("option '%s' does not apply here",
				argv[optind - (split ? 2 : 1)]);
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
		case OPT_KEYS:
			o->keys = optarg;
			break;
		case OPT_REQUIRE_SIGNED:
			o->require_signed = true;
			break;
		case OPT_MAX_SIG_AGE:
			rc = cli_uint("--max-signature-age", optarg, KS_SIG_MAX_AGE_DAYS_MAX,
				&o->max_age_days);
			break;
		case OPT_KEY:
			o->key = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_SPLAY:
			rc = cli_set_splay(o, optarg);
			break;
		case 'c':
			o->config = optarg;
			break;
		case OPT_POST:
			rc = cli_set_post(o, optarg);
			break;
		case OPT_VERBOSE:
			o->verbose++;
			break;
		case OPT_LOG:
			if (log_sink_parse(optarg, &o->log) != 0) {
				return cli_usage("unknown --log '%s' (stderr or syslog)", optarg);
			}
			o->has_log = true;
			break;
		case OPT_DEEP:
			o->deep = true;
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
			return cli_usage("unknown option '%s'", argv[optind - 1]);
		default:
			if (o->deep_only == NULL) {
				o->deep_only = argv[optind - 1];
			}
			rc = cli_deep_opt(o, c, optarg);
			break;
		}
		if (rc != 0) {
			return rc;
		}
	}
	return cli_log_setup(o);
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

/* Where trusted pack-signing keys live unless --keys says otherwise. */
#define CLI_KEYS_DIR "/etc/kscan/keys"

/*
 * The pack integrity policy: trusted keys from --keys (which must exist) or the default
 * directory (if it exists), and whether unsigned packs are refused.
 */
static struct packsig *cli_packsig(const struct cli_opts *o, bool require_signed,
	struct kerr *e)
{
	struct packsig *p = packsig_new(require_signed);

	if (p == NULL) {
		kerr_set(e, KERR_NOMEM, "out of memory");
		return NULL;
	}
	if (packsig_add_keys_dir(p, o->keys != NULL ? o->keys : CLI_KEYS_DIR, o->keys == NULL,
		    e) < 0) {
		packsig_free(p);
		return NULL;
	}
	return p;
}

/*
 * Loads the signature set the options ask for; packs from files pass the integrity gate
 * (owner, mode, signature) unless @gated is false (lint checks content only).
 * @return the set, or NULL with *@code set.
 */
static struct sig_set *cli_load_sigs(const struct cli_opts *o, bool gated, int *code)
{
	struct sig_set *s = sig_set_new();
	struct packsig *ps = NULL;
	struct kerr e;
	size_t i;

	kerr_clear(&e);
	if (s == NULL) {
		cli_err("out of memory");
		*code = CLI_EXIT_SOFTWARE;
		return NULL;
	}
	if (!o->no_default_sigs && sigload_builtin(s, &e) != 0) {
		goto fail;
	}
	if (gated && o->nsigpaths > 0) {
		struct sig_gate g;

		ps = cli_packsig(o, o->require_signed, &e);
		if (ps == NULL) {
			goto fail;
		}
		g.check = packsig_gate;
		g.ctx = ps;
		sig_set_gate(s, &g);
	}
	for (i = 0; i < o->nsigpaths; i++) {
		if (sigload_path(s, o->sigpaths[i], &e) != 0) {
			goto fail;
		}
	}
	if (sig_set_finish(s, &e) != 0) {
		goto fail;
	}
	packsig_free(ps);
	if (sig_set_count(s) == 0) {
		cli_err("no signatures loaded: nothing to scan for");
		*code = CLI_EXIT_USAGE;
		sig_set_free(s);
		return NULL;
	}
	return s;

fail:
	packsig_free(ps);
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
 * What the scan may write once sandboxed: its private temporary directory (the rpm source
 * copies databases there; TMPDIR points at it), and the --output file's directory.
 */
struct cli_jail {
	char tmp[PATH_MAX];
	char tmp_parent[PATH_MAX];
	char outdir[PATH_MAX];
	/* the spool of undelivered reports, when the run delivers */
	char spooldir[PATH_MAX];
};

static int cli_jail_tmp(struct cli_jail *j)
{
	const char *base = secure_getenv("TMPDIR");
	int n;

	if (base == NULL || base[0] != '/') {
		base = "/tmp";
	}
	n = snprintf(j->tmp, sizeof(j->tmp), "%s/kscan.XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof(j->tmp) || mkdtemp(j->tmp) == NULL) {
		cli_err("cannot create a private directory in %s: %s", base,
			n < 0 || (size_t)n >= sizeof(j->tmp) ? "path too long" : strerror(errno));
		return -1;
	}
	memcpy(j->tmp_parent, j->tmp, sizeof(j->tmp));
	(void)dirname(j->tmp_parent);
	if (setenv("TMPDIR", j->tmp, 1) != 0) {
		cli_err("cannot set TMPDIR: %s", strerror(errno));
		(void)rmdir(j->tmp);
		return -1;
	}
	return 0;
}

/*
 * Prepares the writable places (before anything hostile is read; nothing restricted yet).
 * @spool is the spool directory of a delivering run (it exists by now), or NULL.
 */
static int cli_jail_prepare(struct cli_jail *j, const char *output, const char *spool)
{
	memset(j, 0, sizeof(*j));
	if (spool != NULL && realpath(spool, j->spooldir) == NULL) {
		cli_err("%s: %s", spool, strerror(errno));
		return -1;
	}
	if (output != NULL && strcmp(output, "-") != 0) {
		char copy[PATH_MAX];
		size_t len = strlen(output);

		if (len >= sizeof(copy)) {
			cli_err("%s: path too long", output);
			return -1;
		}
		memcpy(copy, output, len + 1);
		if (realpath(dirname(copy), j->outdir) == NULL) {
			cli_err("%s: %s", output, strerror(errno));
			return -1;
		}
	}
	return cli_jail_tmp(j);
}

/* The scan's confine hook: from here on kscan writes only where the jail allows. */
static int cli_jail_enter(void *ctx, struct sandbox_status *st, struct kerr *err)
{
	struct cli_jail *j = ctx;
	const char *writable[3];
	size_t n = 0;

	if (j->outdir[0] != '\0') {
		writable[n++] = j->outdir;
	}
	if (j->spooldir[0] != '\0') {
		writable[n++] = j->spooldir;
	}
	writable[n++] = j->tmp;
	return sandbox_restrict(writable, n, j->tmp_parent, st, err);
}

static const char *cli_verdict_name(enum report_verdict v)
{
	switch (v) {
	case REPORT_CLEAN:
		return "clean";
	case REPORT_DETECTED:
		return "detected";
	case REPORT_INCOMPLETE:
		return "incomplete";
	default:
		return "?";
	}
}

/* Tags the rest of the run with the report id; what failed, then one summary line. */
static void cli_log_report(const struct report *rep)
{
	size_t i;

	log_set_report_id(rep->report_id);
	for (i = 0; i < rep->nsources; i++) {
		const struct report_source *s = &rep->sources[i];

		if (s->status == REPORT_SRC_FAILED) {
			log_msg(LOG_LEVEL_WARNING, "source %s failed: %s", s->name,
				s->error != NULL ? s->error : "(no reason recorded)");
		}
	}
	log_msg(LOG_LEVEL_NOTICE, "scan of %s (%s) finished: %s, %zu finding(s), %" PRId64
		" ms", rep->root != NULL ? rep->root : "/", rep->mode != NULL ? rep->mode : "?",
		cli_verdict_name(rep->verdict), rep->nfindings, rep->duration_ms);
}

/* Sleeps a uniformly random 0..@max_ms milliseconds; a signal ends the wait early. */
static void cli_splay(uint64_t max_ms)
{
	uint64_t r = 0;
	struct timespec ts;
	uint64_t ms;

	if (max_ms == 0) {
		return;
	}
	/* no entropy is no reason to skip the scan: the pid still spreads a fleet a little */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		r = (uint64_t)getpid() * 2654435761u;
	}
	ms = r % (max_ms + 1);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	log_msg(LOG_LEVEL_INFO, "waiting %" PRIu64 " ms first (splay up to %" PRIu64 " ms)", ms,
		max_ms);
	(void)nanosleep(&ts, NULL);
}

/* Takes what the command line left unsaid from the configuration file's deep sweep keys. */
static void cli_configure_deep(struct cli_opts *o, const struct conf *cfg)
{
	size_t i;

	o->deep = o->deep || cfg->deep;
	if (o->d.jobs == 0) {
		o->d.jobs = (unsigned)cfg->jobs;
	}
	for (i = 0; o->d.npaths == 0 && i < cfg->paths.n; i++) {
		o->paths[i] = cfg->paths.v[i];
	}
	o->d.npaths = o->d.npaths != 0 ? o->d.npaths : cfg->paths.n;
	for (i = 0; o->d.nexcludes == 0 && i < cfg->excludes.n; i++) {
		o->excludes[i] = cfg->excludes.v[i];
	}
	o->d.nexcludes = o->d.nexcludes != 0 ? o->d.nexcludes : cfg->excludes.n;
	o->d.one_file_system = o->d.one_file_system || cfg->one_file_system;
	o->d.include_remote = o->d.include_remote || cfg->include_remote;
	if (o->d.max_file_size == 0) {
		o->d.max_file_size = cfg->max_file_size;
	}
	if (o->d.max_duration_s == 0) {
		/* whole seconds, rounded up: a limit is never made shorter than asked */
		o->d.max_duration_s = (unsigned)((cfg->max_duration_ms + 999) / 1000);
	}
	o->no_low_priority = o->no_low_priority || cfg->no_low_priority;
}

/*
 * Loads the configuration file and fills in what the command line did not say: the command
 * line wins, and a list given on it (--signatures, --path, --exclude) replaces the file's.
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
	for (i = 0; o->nsigpaths == 0 && i < cfg->signatures.n; i++) {
		o->sigpaths[i] = cfg->signatures.v[i];
	}
	o->nsigpaths = o->nsigpaths != 0 ? o->nsigpaths : cfg->signatures.n;
	o->no_default_sigs = o->no_default_sigs || cfg->no_default_signatures;
	o->keys = o->keys != NULL ? o->keys : cfg->keys;
	o->require_signed = o->require_signed || cfg->require_signed;
	if (o->max_age_days == 0) {
		o->max_age_days = (unsigned)cfg->max_signature_age;
	}
	if (!o->has_format && cfg->has_format) {
		o->has_format = true;
		o->format = cfg->format;
	}
	o->pretty = o->pretty || cfg->pretty;
	o->output = o->output != NULL ? o->output : cfg->output;
	/* logging: the command line's own words win, then the file's */
	if (!o->quiet && o->verbose == 0) {
		o->quiet = cfg->quiet;
		o->verbose = (unsigned)cfg->verbose;
	}
	if (!o->has_log && cfg->has_log) {
		o->log = cfg->log;
	}
	if (!o->has_splay) {
		o->splay_ms = cfg->splay_ms;
	}
	cli_configure_deep(o, cfg);
	return cli_log_setup(o);
}

/* deliver's voice: what went wrong always passes; progress is a notice (syslog, --verbose). */
static void cli_say(void *arg, bool problem, const char *msg)
{
	(void)arg;
	log_msg(problem ? LOG_LEVEL_ERROR : LOG_LEVEL_NOTICE, "%s", msg);
}

static void cli_deliver_opts(const struct cli_opts *o, const struct conf *cfg,
	struct deliver_opts *d)
{
	conf_deliver_opts(cfg, d);
	if (o->post != NULL) {
		d->http.url = o->post;
	}
	d->say = cli_say;
	d->say_arg = NULL;
}

/*
 * The end of a delivering run: the report gets what the spool has to say, the local copy
 * is written only with --output, then the report is sent or spooled. Not delivered is
 * exit 3 whatever the verdict: the verdict travels with the report.
 */
static int cli_deliver(const struct cli_opts *o, struct deliver *d, struct report *rep)
{
	struct deliver_result res;
	int rc = CLI_EXIT_CLEAN;

	if (deliver_attach(d, rep) != 0) {
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

/*
 * Scans with the sandbox. A delivering run opens its spool first (sending what waits
 * there, oldest first), so the spool directory exists and can stay writable once the
 * scan confines itself.
 */
static int cli_run_scan(struct cli_opts *o, const struct deliver_opts *dopts)
{
	struct deliver *d = NULL;
	struct deliver_result res;
	struct cli_jail jail;
	struct scan_opts so;
	struct report *rep;
	struct sig_set *sigs;
	struct kerr e;
	int rc;

	sigs = cli_load_sigs(o, true, &rc);
	if (sigs == NULL) {
		return rc;
	}
	if (dopts->http.url != NULL) {
		d = deliver_begin(dopts);
		if (d == NULL) {
			cli_err("out of memory");
			sig_set_free(sigs);
			return CLI_EXIT_SOFTWARE;
		}
	}
	if (cli_jail_prepare(&jail, o->output, d != NULL && deliver_spool_ok(d) ?
			dopts->spool.dir : NULL) != 0) {
		sig_set_free(sigs);
		deliver_end(d, &res);
		return o->output != NULL ? CLI_EXIT_USAGE : CLI_EXIT_SOFTWARE;
	}
	log_msg(LOG_LEVEL_INFO, "scanning %s%s", o->root != NULL ? o->root : "/",
		o->deep ? " (deep)" : "");
	memset(&so, 0, sizeof(so));
	so.root = o->root;
	/* everything trusted is loaded: the scan gives up writing before reading the root */
	so.confine = cli_jail_enter;
	so.confine_ctx = &jail;
	o->d.paths = o->paths;
	o->d.excludes = o->excludes;
	so.deep = o->deep ? &o->d : NULL;
	so.no_low_priority = o->no_low_priority;
	so.max_age_days = o->max_age_days;
	kerr_clear(&e);
	rep = scan_run(&so, sigs, &e);
	sig_set_free(sigs);
	(void)rmdir(jail.tmp);
	if (rep == NULL) {
		cli_err("%s", e.msg);
		deliver_end(d, &res);
		return e.code == KERR_IO || e.code == KERR_USAGE ? CLI_EXIT_USAGE
							       : CLI_EXIT_SOFTWARE;
	}
	cli_log_report(rep);
	if (d != NULL) {
		rc = cli_deliver(o, d, rep);
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
	struct deliver_opts dopts;
	struct cli_opts o;
	struct conf cfg;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = cli_parse(argc, argv, &o, CLI_SCAN_OPTS, cli_scan_help);
	if (rc >= 0) {
		return rc;
	}
	if (optind < argc) {
		return cli_usage("unexpected argument '%s'", argv[optind]);
	}
	if (!o.deep && o.deep_only != NULL) {
		return cli_usage("option '%s' needs --deep", o.deep_only);
	}
	conf_init(&cfg);
	rc = cli_configure(&o, &cfg);
	if (rc < 0) {
		cli_deliver_opts(&o, &cfg, &dopts);
		cli_splay(o.splay_ms);
		rc = cli_run_scan(&o, &dopts);
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
	struct cli_opts o;
	struct conf cfg;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = cli_parse(argc, argv, &o, "qcUZ", cli_send_help);
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
		cli_splay(o.splay_ms);
		d = deliver_begin(&dopts);
		if (d == NULL) {
			cli_err("out of memory");
			rc = CLI_EXIT_SOFTWARE;
		} else {
			deliver_end(d, &res);
			rc = res.no_spool ? CLI_EXIT_SOFTWARE :
				res.waiting > 0 ? CLI_EXIT_SPOOLED : CLI_EXIT_CLEAN;
			if (rc == CLI_EXIT_CLEAN) {
				log_msg(LOG_LEVEL_NOTICE, "the spool is empty");
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
		if (sigload_path(s, argv[i], &e) != 0 && rc == CLI_EXIT_CLEAN) {
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

	s = cli_load_sigs(o, true, &rc);
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

/* Signs each pack after checking it lints: a signature vouches for a pack that loads. */
static int cli_sigs_sign(const struct cli_opts *o, int argc, char **argv, int first)
{
	unsigned char sig[PACKSIG_LEN];
	char sigpath[PATH_MAX];
	struct kerr e;
	struct buf b;
	int i, rc = CLI_EXIT_CLEAN;

	if (o->key == NULL || first >= argc) {
		return cli_usage("%s", "signatures sign needs --key KEY and at least one PACK");
	}
	rc = cli_sigs_lint(argc, argv, first);
	for (i = first; i < argc && rc == CLI_EXIT_CLEAN; i++) {
		kerr_clear(&e);
		buf_init(&b, KS_SIG_FILE_MAX);
		if (snprintf(sigpath, sizeof(sigpath), "%s.sig", argv[i]) >= (int)sizeof(sigpath)) {
			kerr_set(&e, KERR_USAGE, "%s: path too long", argv[i]);
		} else if (packsig_read_file(argv[i], KS_SIG_FILE_MAX, &b, &e) == 0 &&
			   packsig_sign(o->key, buf_str(&b), buf_len(&b), sig, &e) == 0 &&
			   output_write(sigpath, (const char *)sig, sizeof(sig), 0644, &e) == 0) {
			printf("%s: signed\n", sigpath);
		}
		if (e.code != KERR_OK) {
			cli_err("%s", e.msg);
			rc = cli_exit_for(&e);
		}
		buf_free(&b);
	}
	return rc;
}

/* Loads every pack with signatures required: each must verify against a trusted key. */
static int cli_sigs_verify(struct cli_opts *o, int argc, char **argv, int first)
{
	struct sig_set *s;
	int i, rc;

	if (first >= argc) {
		return cli_usage("%s", "signatures verify needs at least one PACK");
	}
	o->no_default_sigs = true;
	o->require_signed = true;
	for (i = first; i < argc; i++) {
		if (cli_add_sigpath(o, argv[i]) != 0) {
			return CLI_EXIT_USAGE;
		}
	}
	s = cli_load_sigs(o, true, &rc);
	if (s == NULL) {
		return rc;
	}
	for (i = 0; (size_t)i < sig_set_npacks(s); i++) {
		printf("%s: signature verified\n", sig_set_pack(s, (size_t)i)->name);
	}
	sig_set_free(s);
	return CLI_EXIT_CLEAN;
}

static int cli_sigs_hash(const struct cli_opts *o, int argc, char **argv, int first)
{
	struct sighash_counts n;
	struct sighash_opts ho;
	struct buf out;
	struct kerr e;
	int rc = CLI_EXIT_CLEAN;

	if (first >= argc) {
		return cli_usage("%s", "signatures hash needs at least one DIR");
	}
	if (o->id == NULL || o->product == NULL) {
		return cli_usage("%s", "signatures hash needs --id ID and --product NAME");
	}
	memset(&ho, 0, sizeof(ho));
	ho.id = o->id;
	ho.product = o->product;
	ho.vendor = o->vendor;
	ho.role = o->role;
	ho.jobs = o->d.jobs;
	buf_init(&out, KS_SIG_FILE_MAX);
	kerr_clear(&e);
	if (sighash_generate((const char *const *)argv + first, (size_t)(argc - first), &ho, &out,
		    &n, &e) != 0) {
		cli_err("%s", e.msg);
		buf_free(&out);
		return e.code == KERR_USAGE ? CLI_EXIT_USAGE : cli_exit_for(&e);
	}
	if (n.empty + n.changed > 0) {
		log_msg(LOG_LEVEL_WARNING, "left out %" PRIu64 " empty file(s) and %" PRIu64
			" that changed while being read",
			n.empty, n.changed);
	}
	kerr_clear(&e);
	if (output_write(o->output, buf_str(&out), buf_len(&out), 0644, &e) != 0) {
		cli_err("%s", e.msg);
		rc = CLI_EXIT_SOFTWARE;
	}
	buf_free(&out);
	return rc;
}

/* Option codes each `signatures` verb accepts. */
static const char *cli_sigs_allowed(const char *verb)
{
	if (strcmp(verb, "list") == 0) {
		return "sNKS";
	}
	if (strcmp(verb, "sign") == 0) {
		return "k";
	}
	if (strcmp(verb, "verify") == 0) {
		return "K";
	}
	if (strcmp(verb, "hash") == 0) {
		return "IvnOjoq";
	}
	return "";
}

static int cli_signatures(int argc, char **argv)
{
	struct cli_opts o;
	const char *verb;
	int rc;

	if (argc < 2) {
		return cli_usage("%s",
			"signatures needs a command: lint, list, sign, verify or hash");
	}
	verb = argv[1];
	memset(&o, 0, sizeof(o));
	o.role = SIG_ROLE_INSTALL;
	rc = cli_parse(argc - 1, argv + 1, &o, cli_sigs_allowed(verb), cli_sigs_help);
	if (rc >= 0) {
		return rc;
	}
	if (strcmp(verb, "lint") == 0) {
		return cli_sigs_lint(argc - 1, argv + 1, optind);
	}
	if (strcmp(verb, "sign") == 0) {
		return cli_sigs_sign(&o, argc - 1, argv + 1, optind);
	}
	if (strcmp(verb, "verify") == 0) {
		return cli_sigs_verify(&o, argc - 1, argv + 1, optind);
	}
	if (strcmp(verb, "hash") == 0) {
		return cli_sigs_hash(&o, argc - 1, argv + 1, optind);
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
	return cli_usage("unknown signatures command '%s' (lint, list, sign, verify or hash)",
		verb);
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

	/* a closed fd 1 would make the first file kscan opens its "standard output" */
	if (sandbox_std_fds() != 0) {
		return CLI_EXIT_SOFTWARE;
	}
	/* reports and copies are kscan's own; modes are set explicitly where others may read */
	(void)umask(077);

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
