#include "scanner/cli/cli_send.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const char cli_send_help[] =
	"Usage: kscan send [--config FILE] [--post URL] [--splay SECONDS] [--quiet]\n"
	"Deliver the reports waiting in the spool to the collector, oldest first.\n"
	"\n"
	"  -c, --config FILE          read FILE instead of " CONF_DEFAULT_PATH "\n"
	"      --post URL             the collector (https) instead of the file's collector.url\n"
	"      --splay SECONDS        first wait a random time up to SECONDS\n"
	"  -q, --quiet, --verbose, --log SINK   logging, as for kscan scan\n"
	"\n"
	"Exit status 0 when the spool is empty, 3 when reports are still waiting, 65 when it is\n"
	"empty but untrusted entries were moved to quarantine/ unsent.\n";

static int cli_send_take(void *ctx, int code, const char *arg, const char *word,
	struct kerr *err)
{
	struct cli_send_opts *o = ctx;

	(void)word;
	switch (code) {
	case CLI_OPT_CONFIG:
		o->config = arg;
		return 0;
	case CLI_OPT_POST:
		return cli_opt_post(arg, &o->post, err);
	case CLI_OPT_SPLAY:
		return cli_opt_splay(arg, &o->splay_ms, &o->has_splay, err);
	default:
		return cli_opt_bad(err, "unknown option");
	}
}

int cli_send_parse(int argc, char **argv, struct cli_send_opts *o, struct kerr *err)
{
	struct cli_opt_verb v = {"cUZ", false, cli_send_take, o};

	memset(o, 0, sizeof(*o));
	return cli_opt_parse_bare(argc, argv, &v, &o->common, err);
}

void cli_send_merge(struct cli_send_opts *o, const struct conf *cfg)
{
	cli_opt_merge_common(&o->common, cfg);
	if (!o->has_splay) {
		o->splay_ms = cfg->splay_ms;
	}
}

/* deliver's voice: what went wrong always passes; progress is a notice (syslog, --verbose). */
static void cli_send_say(void *arg, bool problem, const char *msg)
{
	(void)arg;
	log_msg(problem ? LOG_LEVEL_ERROR : LOG_LEVEL_NOTICE, "%s", msg);
}

void cli_send_deliver_opts(const struct conf *cfg, const char *post, struct deliver_opts *d)
{
	conf_deliver_opts(cfg, d);
	if (post != NULL) {
		d->http.url = post;
	}
	d->say = cli_send_say;
	d->say_arg = NULL;
}

void cli_send_splay(uint64_t max_ms)
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

/*
 * The spool only: 0 when it is empty after, 3 when reports still wait, 65 when it was empty
 * but only because untrusted entries were moved to quarantine/ (a planted report is an
 * incident: a timer unit fails, a cron wrapper learns it, not only the next report).
 */
static int cli_send_run(const struct cli_send_opts *o, const struct deliver_opts *dopts)
{
	struct deliver_result res;
	struct deliver *d;
	int rc;

	cli_send_splay(o->splay_ms);
	d = deliver_begin(dopts);
	if (d == NULL) {
		cli_opt_err("out of memory");
		return CLI_EXIT_SOFTWARE;
	}
	deliver_end(d, &res);
	rc = res.no_spool ? CLI_EXIT_SOFTWARE : res.waiting > 0 ? CLI_EXIT_SPOOLED : CLI_EXIT_CLEAN;
	if (rc == CLI_EXIT_CLEAN && res.quarantined > 0) {
		rc = CLI_EXIT_DATAERR;
	} else if (rc == CLI_EXIT_CLEAN) {
		log_msg(LOG_LEVEL_NOTICE, "the spool is empty");
	}
	return rc;
}

static void cli_send_merge_any(void *o, const struct conf *cfg)
{
	cli_send_merge(o, cfg);
}

/* Needs a collector: --post or collector.url. */
static int cli_send_go(void *opts, const struct conf *cfg)
{
	const struct cli_send_opts *o = opts;
	struct deliver_opts dopts;

	cli_send_deliver_opts(cfg, o->post, &dopts);
	if (dopts.http.url == NULL) {
		return cli_opt_usage("%s", "no collector to send to: set collector.url or --post");
	}
	return cli_send_run(o, &dopts);
}

int cli_send_main(int argc, char **argv)
{
	struct cli_send_opts o;
	struct cli_opt_conf_verb v = {NULL, &o.common, cli_send_merge_any, cli_send_go, &o};
	struct kerr err;
	int rc;

	rc = cli_opt_settle(cli_send_parse(argc, argv, &o, &err), &o.common, cli_send_help, false,
		&err);
	if (rc >= 0) {
		return rc;
	}
	v.config = o.config;
	return cli_opt_conf_run(&v);
}
