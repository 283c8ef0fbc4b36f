#include "scanner/cli/cli_scan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/xstd.h"
#include "report/deliver/deliver.h"
#include "report/deliver/output.h"
#include "report/report.h"
#include "scanner/cli/cli_jail.h"
#include "scanner/cli/cli_send.h"
#include "scanner/scan.h"

/* Options of a scan, deep ones included (q is every verb's). */
#define CLI_SCAN_ACCEPTS "rsfoNPCKSADjpRxeMTLZcU"

const char cli_scan_help[] =
	"Usage: kscan [scan] [OPTION]...\n"
	"Find installed, running, left-over or downloaded Kaspersky products on this host\n"
	"or on a root tree mounted elsewhere, and report them with evidence.\n"
	"\n"
	"  -r, --root DIR             scan the system mounted at DIR instead of this host\n"
	"  -s, --signatures PATH      add a signature pack (file or directory); repeatable\n"
	"      --no-default-signatures  do not use the packs built into kscan\n"
	"  -f, --format FORMAT        json, text, ecs, ecs-bulk, splunk-hec, cyclonedx or ocsf\n"
	"                             (default: text on a terminal, else json)\n"
	"      --pretty               indent the JSON report\n"
	"      --color WHEN           colour the text report: auto (default: a terminal,\n"
	"                             NO_COLOR unset or empty, TERM not dumb), always, never\n"
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
	"  kscan signatures sign --key KEY PACK...   sign packs (Ed25519, PACK.sig)\n"
	"  kscan signatures verify [--keys DIR] PACK...   check packs' owners and signatures\n"
	"  kscan signatures hash DIR... --id ID --product NAME   make a hash signature\n"
	"  kscan packages [--root DIR]     list the packages kscan reads from dpkg and rpm\n"
	"\n";

/* "123", "4G", "512k": bytes, with binary K, M, G, T multiples. */
static int cli_scan_size(const char *v, uint64_t *out, struct kerr *err)
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
		return cli_opt_bad(err, "--max-file-size '%s' is not a size (like 4G or 1048576)",
			v);
	}
	*out = x << shift;
	return 0;
}

/* The options of the deep sweep alone. */
static int cli_scan_take_deep(struct cli_scan_opts *o, int code, const char *arg,
	struct kerr *err)
{
	switch (code) {
	case CLI_OPT_JOBS:
		return cli_opt_uint("--jobs", arg, KS_WALK_JOBS_MAX, &o->d.jobs, err);
	case CLI_OPT_PATH:
		return cli_opt_list_add("--path", o->paths, &o->d.npaths, arg, err);
	case CLI_OPT_EXCLUDE:
		return cli_opt_list_add("--exclude", o->excludes, &o->d.nexcludes, arg, err);
	case CLI_OPT_ONE_FS:
		o->d.one_file_system = true;
		return 0;
	case CLI_OPT_INCLUDE_REMOTE:
		o->d.include_remote = true;
		return 0;
	case CLI_OPT_MAX_FILE_SIZE:
		return cli_scan_size(arg, &o->d.max_file_size, err);
	case CLI_OPT_MAX_DURATION:
		return cli_opt_uint("--max-duration", arg, KS_DEEP_DURATION_MAX,
			&o->d.max_duration_s, err);
	case CLI_OPT_NO_LOW_PRIORITY:
		o->no_low_priority = true;
		return 0;
	default:
		return cli_opt_bad(err, "unknown option");
	}
}

static int cli_scan_take(void *ctx, int code, const char *arg, const char *word,
	struct kerr *err)
{
	struct cli_scan_opts *o = ctx;
	int rc = cli_packs_take(&o->packs, code, arg, err);

	if (rc != 1) {
		return rc;
	}
	switch (code) {
	case CLI_OPT_ROOT:
		o->root = arg;
		return 0;
	case CLI_OPT_FORMAT:
		if (fmt_parse(arg, &o->format) != 0) {
			return cli_opt_bad(err, "unknown format '%s' (json, text, ecs, ecs-bulk, "
				"splunk-hec, cyclonedx or ocsf)", arg);
		}
		o->has_format = true;
		return 0;
	case CLI_OPT_PRETTY:
		o->pretty = true;
		return 0;
	case CLI_OPT_COLOR:
		return cli_opt_color(arg, &o->color, err);
	case CLI_OPT_MAX_SIG_AGE:
		return cli_opt_uint("--max-signature-age", arg, KS_SIG_MAX_AGE_DAYS_MAX,
			&o->max_age_days, err);
	case CLI_OPT_OUTPUT:
		o->output = arg;
		return 0;
	case CLI_OPT_SPLAY:
		return cli_opt_splay(arg, &o->splay_ms, &o->has_splay, err);
	case CLI_OPT_CONFIG:
		o->config = arg;
		return 0;
	case CLI_OPT_POST:
		return cli_opt_post(arg, &o->post, err);
	case CLI_OPT_DEEP:
		o->deep = true;
		return 0;
	default:
		if (o->deep_only == NULL) {
			o->deep_only = word;
		}
		return cli_scan_take_deep(o, code, arg, err);
	}
}

int cli_scan_parse(int argc, char **argv, struct cli_scan_opts *o, struct kerr *err)
{
	struct cli_opt_verb v = {CLI_SCAN_ACCEPTS, false, cli_scan_take, o};
	int rc;

	memset(o, 0, sizeof(*o));
	fmt_hec_opts_init(&o->hec);
	rc = cli_opt_parse_bare(argc, argv, &v, &o->common, err);
	if (rc != 0 || o->common.help || o->common.version) {
		return rc;
	}
	if (!o->deep && o->deep_only != NULL) {
		return cli_opt_bad(err, "option '%s' needs --deep", o->deep_only);
	}
	return 0;
}

/* Takes what the command line left unsaid from the configuration file's deep sweep keys. */
static void cli_scan_merge_deep(struct cli_scan_opts *o, const struct conf *cfg)
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

void cli_scan_merge(struct cli_scan_opts *o, const struct conf *cfg)
{
	struct cli_packs_opts *p = &o->packs;
	size_t i;

	o->root = o->root != NULL ? o->root : cfg->root;
	for (i = 0; p->npaths == 0 && i < cfg->signatures.n; i++) {
		p->paths[i] = cfg->signatures.v[i];
	}
	p->npaths = p->npaths != 0 ? p->npaths : cfg->signatures.n;
	p->no_default = p->no_default || cfg->no_default_signatures;
	p->keys = p->keys != NULL ? p->keys : cfg->keys;
	p->require_signed = p->require_signed || cfg->require_signed;
	if (o->max_age_days == 0) {
		o->max_age_days = (unsigned)cfg->max_signature_age;
	}
	if (!o->has_format && cfg->has_format) {
		o->has_format = true;
		o->format = cfg->format;
	}
	o->pretty = o->pretty || cfg->pretty;
	conf_hec_opts(cfg, &o->hec);
	o->ecs_namespace = cfg->ecs_namespace;
	o->output = o->output != NULL ? o->output : cfg->output;
	cli_opt_merge_common(&o->common, cfg);
	if (!o->has_splay) {
		o->splay_ms = cfg->splay_ms;
	}
	cli_scan_merge_deep(o, cfg);
}

static bool cli_scan_to_stdout(const struct cli_scan_opts *o)
{
	return o->output == NULL || strcmp(o->output, "-") == 0;
}

static int cli_scan_emit(const struct cli_scan_opts *o, const struct report *rep)
{
	bool tty = cli_scan_to_stdout(o) && isatty(STDOUT_FILENO);
	enum fmt_kind kind = o->has_format ? o->format : tty ? FMT_TEXT : FMT_JSON;
	struct fmt_opts fo;
	struct buf out;
	struct kerr e;
	int rc;

	fmt_opts_init(&fo);
	fo.pretty = o->pretty;
	/* a file is never a terminal, but --color=always may still want it coloured */
	fo.color = cli_opt_color_on(o->color, cli_scan_to_stdout(o) ? STDOUT_FILENO : -1);
	fo.hec = o->hec;
	fo.ecs_namespace = o->ecs_namespace;
	buf_init(&out, KS_REPORT_MAX);
	rc = fmt_write(kind, rep, &out, &fo);
	if (rc != 0) {
		cli_opt_err("cannot format the report: %s", strerror(errno));
		buf_free(&out);
		return CLI_EXIT_SOFTWARE;
	}
	kerr_clear(&e);
	rc = output_write(o->output, buf_str(&out), buf_len(&out), 0640, &e);
	buf_free(&out);
	if (rc != 0) {
		cli_opt_err("%s", e.msg);
		return CLI_EXIT_SOFTWARE;
	}
	return CLI_EXIT_CLEAN;
}

static int cli_scan_verdict_exit(const struct report *rep)
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

/* Tags the rest of the run with the report id; what failed, then one summary line. */
static void cli_scan_log_report(const struct report *rep)
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
		report_verdict_name(rep->verdict), rep->nfindings, rep->duration_ms);
}

/*
 * The end of a delivering run: the report gets what the spool has to say, the local copy
 * is written only with --output, then the report is sent or spooled. Not delivered is
 * exit 3 whatever the verdict: the verdict travels with the report.
 */
static int cli_scan_deliver(const struct cli_scan_opts *o, struct deliver *d,
	struct report *rep)
{
	struct deliver_result res;
	int rc = CLI_EXIT_CLEAN;

	if (deliver_attach(d, rep) != 0) {
		cli_opt_err("out of memory");
		deliver_end(d, &res);
		return CLI_EXIT_SOFTWARE;
	}
	if (o->output != NULL) {
		rc = cli_scan_emit(o, rep);
	}
	(void)deliver_report(d, rep);
	deliver_end(d, &res);
	if (rc != CLI_EXIT_CLEAN || res.fate == DELIVER_LOST) {
		return CLI_EXIT_SOFTWARE;
	}
	return res.fate == DELIVER_SENT ? cli_scan_verdict_exit(rep) : CLI_EXIT_SPOOLED;
}

/* Runs the scan confined to @jail. @return the report, or NULL with @e set. */
static struct report *cli_scan_scan(struct cli_scan_opts *o, struct cli_jail *jail,
	const struct sig_set *sigs, struct kerr *e)
{
	struct scan_opts so;

	log_msg(LOG_LEVEL_INFO, "scanning %s%s", o->root != NULL ? o->root : "/",
		o->deep ? " (deep)" : "");
	memset(&so, 0, sizeof(so));
	so.root = o->root;
	/* everything trusted is loaded: the scan gives up writing before reading the root */
	so.confine = cli_jail_enter;
	so.confine_ctx = jail;
	o->d.paths = o->paths;
	o->d.excludes = o->excludes;
	so.deep = o->deep ? &o->d : NULL;
	so.no_low_priority = o->no_low_priority;
	so.max_age_days = o->max_age_days;
	kerr_clear(e);
	return scan_run(&so, sigs, e);
}

/*
 * Scans with the sandbox. A delivering run opens its spool first (sending what waits
 * there, oldest first), so the spool directory exists and can stay writable once the
 * scan confines itself.
 */
static int cli_scan_run(struct cli_scan_opts *o, const struct deliver_opts *dopts)
{
	struct deliver *d = NULL;
	struct deliver_result res;
	struct cli_jail jail;
	struct report *rep;
	struct sig_set *sigs;
	struct kerr e;
	int rc;

	sigs = cli_packs_load(&o->packs, &rc);
	if (sigs == NULL) {
		return rc;
	}
	if (dopts->http.url != NULL) {
		d = deliver_begin(dopts);
		if (d == NULL) {
			cli_opt_err("out of memory");
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
	rep = cli_scan_scan(o, &jail, sigs, &e);
	sig_set_free(sigs);
	(void)rmdir(jail.tmp);
	if (rep == NULL) {
		cli_opt_err("%s", e.msg);
		deliver_end(d, &res);
		return e.code == KERR_IO || e.code == KERR_USAGE ? CLI_EXIT_USAGE
							       : CLI_EXIT_SOFTWARE;
	}
	cli_scan_log_report(rep);
	if (d != NULL) {
		rc = cli_scan_deliver(o, d, rep);
	} else {
		rc = cli_scan_emit(o, rep);
		if (rc == CLI_EXIT_CLEAN) {
			rc = cli_scan_verdict_exit(rep);
		}
	}
	report_free(rep);
	return rc;
}

static void cli_scan_merge_any(void *o, const struct conf *cfg)
{
	cli_scan_merge(o, cfg);
}

static int cli_scan_go(void *opts, const struct conf *cfg)
{
	struct cli_scan_opts *o = opts;
	struct deliver_opts dopts;
	struct kerr err;

	/* before any work, collector up or down: a report with nowhere to go is no scan */
	if (o->output != NULL && strcmp(o->output, "-") != 0 &&
	    cli_opt_path("--output", o->output, CONF_FS_PARENT_WRITABLE, &err) != 0) {
		return cli_opt_usage("%s", err.msg);
	}
	cli_send_deliver_opts(cfg, o->post, &dopts);
	cli_send_splay(o->splay_ms);
	return cli_scan_run(o, &dopts);
}

int cli_scan_main(int argc, char **argv)
{
	struct cli_scan_opts o;
	struct cli_opt_conf_verb v = {NULL, &o.common, cli_scan_merge_any, cli_scan_go, &o};
	struct kerr err;
	int rc;

	rc = cli_opt_settle(cli_scan_parse(argc, argv, &o, &err), &o.common, cli_scan_help, true,
		&err);
	if (rc >= 0) {
		return rc;
	}
	v.config = o.config;
	return cli_opt_conf_run(&v);
}
