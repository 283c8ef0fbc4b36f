/*
 * Unit tests for scanner/cli: each verb's option parsing (what is taken, what is refused
 * and with which message) and the configuration merge under the command line. Nothing is
 * run: the parse functions print nothing and read no file.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xstd.h"
#include "scanner/cli/cli.h"
#include "scanner/cli/cli_opt.h"
#include "scanner/cli/cli_pkgs.h"
#include "scanner/cli/cli_scan.h"
#include "scanner/cli/cli_send.h"
#include "scanner/cli/cli_sigs.h"
#include "scanner/cli/conf.h"

/* A writable argv (getopt may permute it), from a NULL-terminated list of words. */
struct args {
	int argc;
	char *argv[2 * KS_CLI_LIST_MAX + 16];
};

static struct args *args_new(const char *const *words)
{
	struct args *a = calloc(1, sizeof(*a));

	ck_assert_ptr_nonnull(a);
	for (; *words != NULL; words++) {
		ck_assert_uint_lt((size_t)a->argc, XSTD_COUNTOF(a->argv) - 1);
		a->argv[a->argc] = strdup(*words);
		ck_assert_ptr_nonnull(a->argv[a->argc]);
		a->argc++;
	}
	return a;
}

static void args_free(struct args *a)
{
	int i;

	for (i = 0; i < a->argc; i++) {
		free(a->argv[i]);
	}
	free(a);
}

/* Arguments live until the end of the test: the parsed structs point into them. */
static struct args *held[32];
static size_t nheld;

static char **argv_of(int *argc, const char *const *words)
{
	struct args *a = args_new(words);

	ck_assert_uint_lt(nheld, XSTD_COUNTOF(held));
	held[nheld++] = a;
	*argc = a->argc;
	return a->argv;
}

static void release(void)
{
	while (nheld > 0) {
		args_free(held[--nheld]);
	}
}

#define ARGV(n, ...) argv_of(&(n), (const char *const[]){__VA_ARGS__, NULL})

static struct cli_scan_opts so;
static struct cli_send_opts sendo;
static struct cli_pkgs_opts po;
static struct cli_sigs_opts go;
static struct kerr err;

static int scan(const char *const *words)
{
	int argc;
	char **argv = argv_of(&argc, words);

	return cli_scan_parse(argc, argv, &so, &err);
}

#define SCAN(...) scan((const char *const[]){"kscan", __VA_ARGS__, NULL})

static int sigs(const char *const *words)
{
	int argc;
	char **argv = argv_of(&argc, words);

	return cli_sigs_parse(argc, argv, &go, &err);
}

#define SIGS(...) sigs((const char *const[]){"signatures", __VA_ARGS__, NULL})

/* A usage error with exactly @msg. */
static void usage_is(int rc, const char *msg)
{
	ck_assert_int_eq(rc, CLI_EXIT_USAGE);
	ck_assert_int_eq(err.code, KERR_USAGE);
	ck_assert_str_eq(err.msg, msg);
}

static void load_conf(struct conf *cfg, const char *yaml)
{
	struct kerr e;

	conf_init(cfg);
	kerr_clear(&e);
	ck_assert_msg(conf_load_mem(cfg, "k.yaml", yaml, strlen(yaml), &e) == 0, "%s", e.msg);
}

START_TEST(test_scan_defaults)
{
	int argc;
	char **argv = ARGV(argc, "kscan");

	ck_assert_int_eq(cli_scan_parse(argc, argv, &so, &err), 0);
	ck_assert_int_eq(err.code, KERR_OK);
	ck_assert_ptr_null(so.root);
	ck_assert(!so.has_format && !so.deep && !so.common.quiet && !so.common.help);
	ck_assert_uint_eq(so.packs.npaths, 0);
	ck_assert(so.common.parsed);
	ck_assert_int_eq(so.common.first, 1);
	release();
}
END_TEST

START_TEST(test_scan_every_option)
{
	int rc = SCAN("--root", "/r", "--signatures", "a", "-s", "b", "--no-default-signatures",
		"--format", "ecs", "--pretty", "--keys", "/", "--require-signed",
		"--max-signature-age", "30", "--output", "o.json", "--splay", "7", "--config",
		"c.yaml", "--post", "https://c.example/in", "--verbose", "--verbose", "--log",
		"syslog", "--deep", "--jobs", "3", "--path", "/p", "--exclude", "/e",
		"--one-file-system", "--include-remote", "--max-file-size", "512k",
		"--max-duration", "60", "--no-low-priority");

	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(so.root, "/r");
	ck_assert_uint_eq(so.packs.npaths, 2);
	ck_assert_str_eq(so.packs.paths[0], "a");
	ck_assert_str_eq(so.packs.paths[1], "b");
	ck_assert(so.packs.no_default && so.packs.require_signed);
	ck_assert_str_eq(so.packs.keys, "/");
	ck_assert(so.has_format);
	ck_assert_int_eq(so.format, FMT_ECS);
	ck_assert(so.pretty);
	ck_assert_uint_eq(so.max_age_days, 30);
	ck_assert_str_eq(so.output, "o.json");
	ck_assert(so.has_splay);
	ck_assert_uint_eq(so.splay_ms, 7000);
	ck_assert_str_eq(so.config, "c.yaml");
	ck_assert_str_eq(so.post, "https://c.example/in");
	ck_assert_uint_eq(so.common.verbose, 2);
	ck_assert(so.common.has_log);
	ck_assert_int_eq(so.common.log, LOG_SINK_SYSLOG);
	ck_assert(so.deep);
	ck_assert_uint_eq(so.d.jobs, 3);
	ck_assert_uint_eq(so.d.npaths, 1);
	ck_assert_str_eq(so.paths[0], "/p");
	ck_assert_uint_eq(so.d.nexcludes, 1);
	ck_assert_str_eq(so.excludes[0], "/e");
	ck_assert(so.d.one_file_system && so.d.include_remote && so.no_low_priority);
	ck_assert_uint_eq(so.d.max_file_size, 512u << 10);
	ck_assert_uint_eq(so.d.max_duration_s, 60);
	release();
}
END_TEST

START_TEST(test_scan_short_options)
{
	ck_assert_int_eq(SCAN("-r", "/r", "-fjson", "-o", "-", "-q", "-c", "c", "--deep", "-xj2"),
		0);
	ck_assert_str_eq(so.root, "/r");
	ck_assert_int_eq(so.format, FMT_JSON);
	ck_assert_str_eq(so.output, "-");
	ck_assert(so.common.quiet);
	ck_assert_str_eq(so.config, "c");
	ck_assert(so.d.one_file_system);
	ck_assert_uint_eq(so.d.jobs, 2);
	ck_assert_int_eq(SCAN("--deep", "--max-file-size", "4G"), 0);
	ck_assert_uint_eq(so.d.max_file_size, 4ull << 30);
	release();
}
END_TEST

START_TEST(test_scan_refusals)
{
	usage_is(SCAN("--bogus"), "unknown option '--bogus'");
	ck_assert(!so.common.parsed);
	usage_is(SCAN("-N"), "unknown option '-N'");
	usage_is(SCAN("--root"), "option '--root' needs an argument");
	usage_is(SCAN("-r"), "option '-r' needs an argument");
	usage_is(SCAN("--format", "xml"),
		"unknown format 'xml' (json, text, ecs, ecs-bulk, splunk-hec, cyclonedx or ocsf)");
	usage_is(SCAN("--log", "journal"), "unknown --log 'journal' (stderr or syslog)");
	/* another verb's option is named, not its value */
	usage_is(SCAN("--id", "x"), "option '--id' does not apply here");
	usage_is(SCAN("--key=k"), "option '--key=k' does not apply here");
	release();
}
END_TEST

START_TEST(test_hints)
{
	static const char *const verbs[] = {"scan", "signatures", "packages", "send", "help",
		"version"};
	int argc;
	char **argv;

	/* a typo of one of the verb's options is named; a word near nothing is not */
	usage_is(SCAN("--formt", "json"), "unknown option '--formt' (did you mean '--format'?)");
	usage_is(SCAN("--formt=json"), "unknown option '--formt=json' (did you mean '--format'?)");
	usage_is(SCAN("--deeep"), "unknown option '--deeep' (did you mean '--deep'?)");
	usage_is(SCAN("--qeuit"), "unknown option '--qeuit' (did you mean '--quiet'?)");
	usage_is(SCAN("--zzz"), "unknown option '--zzz'");
	usage_is(SCAN("-z"), "unknown option '-z'");
	/* only the verb's own options are offered: --id is hash's, --root is the nearest here */
	usage_is(SCAN("--rooot"), "unknown option '--rooot' (did you mean '--root'?)");
	argv = ARGV(argc, "packages", "--formt", "json");
	usage_is(cli_pkgs_parse(argc, argv, &po, &err),
		"unknown option '--formt' (did you mean '--format'?)");
	argv = ARGV(argc, "packages", "--rot", "/r");
	usage_is(cli_pkgs_parse(argc, argv, &po, &err),
		"unknown option '--rot' (did you mean '--root'?)");
	usage_is(SIGS("sign", "--kye", "k"), "unknown option '--kye' (did you mean '--key'?)");
	usage_is(SIGS("lsit"), "unknown signatures command 'lsit' (did you mean 'list'?)");
	usage_is(SIGS("lnt", "a.yaml"), "unknown signatures command 'lnt' (did you mean 'lint'?)");
	/* the verbs: a swap of neighbours is one edit; at most 2, under half the word */
	ck_assert_str_eq(cli_opt_closest("scna", 4, verbs, XSTD_COUNTOF(verbs)), "scan");
	ck_assert_str_eq(cli_opt_closest("sned", 4, verbs, XSTD_COUNTOF(verbs)), "send");
	ck_assert_str_eq(cli_opt_closest("signatuers", 10, verbs, XSTD_COUNTOF(verbs)),
		"signatures");
	ck_assert_str_eq(cli_opt_closest("pakcges", 7, verbs, XSTD_COUNTOF(verbs)), "packages");
	ck_assert_ptr_null(cli_opt_closest("sc", 2, verbs, XSTD_COUNTOF(verbs)));
	ck_assert_ptr_null(cli_opt_closest("frobnicate", 10, verbs, XSTD_COUNTOF(verbs)));
	ck_assert_ptr_null(cli_opt_closest("sxxn", 4, verbs, XSTD_COUNTOF(verbs)));
	ck_assert_ptr_null(cli_opt_closest("scanscanscanscanscanscanscanscans", 33, verbs,
		XSTD_COUNTOF(verbs)));
	release();
}
END_TEST

START_TEST(test_scan_quiet_verbose)
{
	usage_is(SCAN("--quiet", "--verbose"), "--quiet and --verbose contradict each other");
	/* the error is said before logging is set up from contradicting options */
	ck_assert(!so.common.parsed);
	/* --help ends parsing: nothing after it counts, nothing before it is checked */
	ck_assert_int_eq(SCAN("-q", "--verbose", "--help", "--bogus"), 0);
	ck_assert(so.common.help);
	ck_assert_int_eq(SCAN("--version"), 0);
	ck_assert(so.common.version && !so.common.help);
	usage_is(SCAN("--bogus", "--help"), "unknown option '--bogus'");
	release();
}
END_TEST

START_TEST(test_scan_ranges)
{
	usage_is(SCAN("--deep", "--jobs", "0"), "--jobs '0' is not a number from 1 to 64");
	usage_is(SCAN("--deep", "--jobs", "65"), "--jobs '65' is not a number from 1 to 64");
	ck_assert_int_eq(SCAN("--deep", "--jobs", "64"), 0);
	usage_is(SCAN("--deep", "--max-duration", "0"),
		"--max-duration '0' is not a number from 1 to 2592000");
	usage_is(SCAN("--max-signature-age", "36501"),
		"--max-signature-age '36501' is not a number from 1 to 36500");
	usage_is(SCAN("--splay", "86401"),
		"--splay '86401' is not a number of seconds from 0 to 86400");
	usage_is(SCAN("--splay", "-1"), "--splay '-1' is not a number of seconds from 0 to 86400");
	ck_assert_int_eq(SCAN("--splay", "0"), 0);
	ck_assert(so.has_splay);
	ck_assert_uint_eq(so.splay_ms, 0);
	usage_is(SCAN("--deep", "--max-file-size", "0"),
		"--max-file-size '0' is not a size (like 4G or 1048576)");
	usage_is(SCAN("--deep", "--max-file-size", "4Q"),
		"--max-file-size '4Q' is not a size (like 4G or 1048576)");
	usage_is(SCAN("--deep", "--max-file-size", "K"),
		"--max-file-size 'K' is not a size (like 4G or 1048576)");
	release();
}
END_TEST

START_TEST(test_scan_post_https)
{
	ck_assert_int_eq(SCAN("--post", "http://c.example/in"), CLI_EXIT_USAGE);
	ck_assert_int_eq(err.code, KERR_USAGE);
	ck_assert_msg(strncmp(err.msg, "--post: ", 8) == 0 && strstr(err.msg, "https") != NULL,
		"%s", err.msg);
	ck_assert_ptr_null(so.post);
	ck_assert_int_eq(SCAN("--post", "https://user:pw@c.example/"), CLI_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "user name or password"));
	ck_assert_int_eq(SCAN("--post", "https://c.example/in"), 0);
	ck_assert_str_eq(so.post, "https://c.example/in");
	release();
}
END_TEST

START_TEST(test_scan_operands)
{
	usage_is(SCAN("extra"), "unexpected argument 'extra'");
	/* the options were fine: logging may be set up before this error is said */
	ck_assert(so.common.parsed);
	usage_is(SCAN("-x"), "option '-x' needs --deep");
	usage_is(SCAN("--path=/p"), "option '--path=/p' needs --deep");
	usage_is(SCAN("--no-low-priority", "--jobs", "2"),
		"option '--no-low-priority' needs --deep");
	ck_assert_int_eq(SCAN("--path=/p", "--deep"), 0);
	release();
}
END_TEST

START_TEST(test_scan_list_cap)
{
	const char *words[2 * KS_CLI_LIST_MAX + 4];
	size_t i, n = 0;

	words[n++] = "kscan";
	for (i = 0; i <= KS_CLI_LIST_MAX; i++) {
		words[n++] = "-s";
		words[n++] = "p";
	}
	words[n] = NULL;
	usage_is(scan(words), "too many --signatures (at most 256)");
	words[n - 2] = NULL;
	ck_assert_int_eq(scan(words), 0);
	ck_assert_uint_eq(so.packs.npaths, KS_CLI_LIST_MAX);
	release();
}
END_TEST

/* What the file says counts where the command line is silent. */
START_TEST(test_scan_merge_file)
{
	struct conf cfg;

	load_conf(&cfg, "root: /mnt/host\nsignatures: [/a, /b]\nformat: json\nquiet: true\n"
			"log: syslog\ndeep: true\njobs: 3\npaths: [/opt]\nmax_duration: 1500ms\n"
			"max_signature_age: 9\ncollector:\n  splay: 10s\n");
	ck_assert_int_eq(SCAN("--pretty"), 0);
	cli_scan_merge(&so, &cfg);
	ck_assert_str_eq(so.root, "/mnt/host");
	ck_assert_uint_eq(so.packs.npaths, 2);
	ck_assert_str_eq(so.packs.paths[1], "/b");
	ck_assert(so.has_format);
	ck_assert_int_eq(so.format, FMT_JSON);
	ck_assert(so.pretty && so.common.quiet && so.deep);
	ck_assert_int_eq(so.common.log, LOG_SINK_SYSLOG);
	ck_assert_uint_eq(so.d.jobs, 3);
	ck_assert_str_eq(so.paths[0], "/opt");
	/* whole seconds, rounded up */
	ck_assert_uint_eq(so.d.max_duration_s, 2);
	ck_assert_uint_eq(so.max_age_days, 9);
	ck_assert_uint_eq(so.splay_ms, 10000);
	conf_free(&cfg);
	release();
}
END_TEST

/* The command line wins, and its list replaces the file's rather than adding to it. */
START_TEST(test_scan_merge_cli_wins)
{
	struct conf cfg;

	load_conf(&cfg, "root: /mnt/host\nsignatures: [/a, /b]\nformat: json\nquiet: true\n"
			"jobs: 3\npaths: [/opt]\ncollector:\n  splay: 10s\n");
	ck_assert_int_eq(SCAN("--root", "/cli", "-s", "/c", "--format", "text", "--verbose",
				 "--deep", "--jobs", "5", "--path", "/srv", "--splay", "0"),
		0);
	cli_scan_merge(&so, &cfg);
	ck_assert_str_eq(so.root, "/cli");
	ck_assert_uint_eq(so.packs.npaths, 1);
	ck_assert_str_eq(so.packs.paths[0], "/c");
	ck_assert_int_eq(so.format, FMT_TEXT);
	ck_assert(!so.common.quiet);
	ck_assert_uint_eq(so.common.verbose, 1);
	ck_assert_uint_eq(so.d.jobs, 5);
	ck_assert_uint_eq(so.d.npaths, 1);
	ck_assert_str_eq(so.paths[0], "/srv");
	ck_assert_uint_eq(so.splay_ms, 0);
	conf_free(&cfg);
	release();
}
END_TEST

START_TEST(test_send)
{
	struct conf cfg;
	int argc;
	char **argv;

	argv = ARGV(argc, "send", "--config", "c", "--post", "https://c.example/", "--splay", "5",
		"-q");
	ck_assert_int_eq(cli_send_parse(argc, argv, &sendo, &err), 0);
	ck_assert_str_eq(sendo.config, "c");
	ck_assert_str_eq(sendo.post, "https://c.example/");
	ck_assert_uint_eq(sendo.splay_ms, 5000);
	ck_assert(sendo.common.quiet);
	load_conf(&cfg, "verbose: 2\ncollector:\n  splay: 1m\n");
	cli_send_merge(&sendo, &cfg);
	ck_assert(sendo.common.quiet);
	ck_assert_uint_eq(sendo.common.verbose, 0);
	ck_assert_uint_eq(sendo.splay_ms, 5000);
	argv = ARGV(argc, "send");
	ck_assert_int_eq(cli_send_parse(argc, argv, &sendo, &err), 0);
	cli_send_merge(&sendo, &cfg);
	ck_assert_uint_eq(sendo.common.verbose, 2);
	ck_assert_uint_eq(sendo.splay_ms, 60000);
	conf_free(&cfg);
	argv = ARGV(argc, "send", "--root", "/");
	usage_is(cli_send_parse(argc, argv, &sendo, &err), "option '--root' does not apply here");
	argv = ARGV(argc, "send", "--post", "http://c.example/");
	ck_assert_int_eq(cli_send_parse(argc, argv, &sendo, &err), CLI_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "--post: "));
	argv = ARGV(argc, "send", "now");
	usage_is(cli_send_parse(argc, argv, &sendo, &err), "unexpected argument 'now'");
	release();
}
END_TEST

START_TEST(test_packages)
{
	int argc;
	char **argv;

	argv = ARGV(argc, "packages", "--root", "/r");
	ck_assert_int_eq(cli_pkgs_parse(argc, argv, &po, &err), 0);
	ck_assert_str_eq(po.root, "/r");
	argv = ARGV(argc, "packages", "-r/s", "--log", "stderr");
	ck_assert_int_eq(cli_pkgs_parse(argc, argv, &po, &err), 0);
	ck_assert_str_eq(po.root, "/s");
	ck_assert(po.common.has_log);
	argv = ARGV(argc, "packages", "--format", "json", "--pretty");
	ck_assert_int_eq(cli_pkgs_parse(argc, argv, &po, &err), 0);
	ck_assert(po.json && po.pretty);
	argv = ARGV(argc, "packages", "-f", "tsv");
	ck_assert_int_eq(cli_pkgs_parse(argc, argv, &po, &err), 0);
	ck_assert(!po.json);
	argv = ARGV(argc, "packages", "--format", "ecs");
	usage_is(cli_pkgs_parse(argc, argv, &po, &err),
		"unknown format 'ecs' for packages (tsv or json)");
	argv = ARGV(argc, "packages", "--deep");
	usage_is(cli_pkgs_parse(argc, argv, &po, &err), "option '--deep' does not apply here");
	argv = ARGV(argc, "packages", "-r");
	usage_is(cli_pkgs_parse(argc, argv, &po, &err), "option '-r' needs an argument");
	argv = ARGV(argc, "packages", "dpkg");
	usage_is(cli_pkgs_parse(argc, argv, &po, &err), "unexpected argument 'dpkg'");
	release();
}
END_TEST

START_TEST(test_sigs_verbs)
{
	int argc;
	char **argv = ARGV(argc, "signatures");

	usage_is(cli_sigs_parse(argc, argv, &go, &err),
		"signatures needs a command: lint, list, sign, verify or hash");
	usage_is(SIGS("frob"),
		"unknown signatures command 'frob' (lint, list, sign, verify or hash)");
	/* an option is checked against the verb first, as before */
	usage_is(SIGS("frob", "--keys", "k"), "option '--keys' does not apply here");
	ck_assert_int_eq(SIGS("--help"), 0);
	ck_assert_int_eq(go.verb, CLI_SIGS_HELP);
	ck_assert_int_eq(SIGS("lint", "--help"), 0);
	ck_assert(go.common.help);
	ck_assert_int_eq(go.verb, CLI_SIGS_LINT);
	release();
}
END_TEST

START_TEST(test_sigs_lint_list)
{
	ck_assert_int_eq(SIGS("lint", "a.yaml", "dir", "--quiet"), 0);
	ck_assert_int_eq(go.verb, CLI_SIGS_LINT);
	/* the first operand ends the options: "--quiet" is a path here */
	ck_assert_uint_eq(go.noperands, 3);
	ck_assert_str_eq(go.operands[2], "--quiet");
	usage_is(SIGS("lint"), "signatures lint needs at least one PATH");
	usage_is(SIGS("lint", "--keys", "k", "a"), "option '--keys' does not apply here");
	ck_assert_int_eq(SIGS("list", "-s", "a", "--signatures", "b", "--no-default-signatures",
				 "--keys", "/", "--require-signed"),
		0);
	ck_assert_int_eq(go.verb, CLI_SIGS_LIST);
	ck_assert_uint_eq(go.packs.npaths, 2);
	ck_assert_str_eq(go.packs.paths[1], "b");
	ck_assert(go.packs.no_default && go.packs.require_signed);
	ck_assert_str_eq(go.packs.keys, "/");
	usage_is(SIGS("list", "extra"), "unexpected argument 'extra'");
	usage_is(SIGS("list", "--format", "json"), "option '--format' does not apply here");
	release();
}
END_TEST

START_TEST(test_sigs_sign_verify)
{
	ck_assert_int_eq(SIGS("sign", "--key", "k.pem", "p.yaml"), 0);
	ck_assert_int_eq(go.verb, CLI_SIGS_SIGN);
	ck_assert_str_eq(go.key, "k.pem");
	ck_assert_str_eq(go.operands[0], "p.yaml");
	usage_is(SIGS("sign", "p.yaml"), "signatures sign needs --key KEY and at least one PACK");
	usage_is(SIGS("sign", "--key", "k.pem"),
		"signatures sign needs --key KEY and at least one PACK");
	usage_is(SIGS("sign", "--keys", "d", "p"), "option '--keys' does not apply here");
	ck_assert_int_eq(SIGS("verify", "--keys", "/", "p1", "p2"), 0);
	ck_assert_int_eq(go.verb, CLI_SIGS_VERIFY);
	ck_assert_str_eq(go.packs.keys, "/");
	/* the PACKs are loaded as --signatures: signed, without the built-in packs */
	ck_assert_uint_eq(go.packs.npaths, 2);
	ck_assert_str_eq(go.packs.paths[0], "p1");
	ck_assert_str_eq(go.packs.paths[1], "p2");
	ck_assert(go.packs.no_default && go.packs.require_signed);
	usage_is(SIGS("verify"), "signatures verify needs at least one PACK");
	release();
}
END_TEST

START_TEST(test_sigs_hash)
{
	/* its options may follow the directories */
	ck_assert_int_eq(SIGS("hash", "d1", "--id", "k.x", "--product", "P", "d2", "--vendor",
				 "V", "--role", "remnant", "--jobs", "3", "-o", "out.yaml"),
		0);
	ck_assert_int_eq(go.verb, CLI_SIGS_HASH);
	ck_assert_uint_eq(go.noperands, 2);
	ck_assert_str_eq(go.operands[0], "d1");
	ck_assert_str_eq(go.operands[1], "d2");
	ck_assert_str_eq(go.hash.id, "k.x");
	ck_assert_str_eq(go.hash.product, "P");
	ck_assert_str_eq(go.hash.vendor, "V");
	ck_assert_int_eq(go.hash.role, SIG_ROLE_REMNANT);
	ck_assert_uint_eq(go.hash.jobs, 3);
	ck_assert_str_eq(go.output, "out.yaml");
	ck_assert_int_eq(SIGS("hash", "d", "--id", "k.x", "--product", "P"), 0);
	ck_assert_int_eq(go.hash.role, SIG_ROLE_INSTALL);
	ck_assert_ptr_null(go.hash.vendor);
	usage_is(SIGS("hash", "d", "--id", "k.x", "--product", "P", "--role", "x"),
		"unknown role 'x' (install, remnant or installer)");
	usage_is(SIGS("hash", "d", "--id", "k.x", "--product", "P", "--jobs", "65"),
		"--jobs '65' is not a number from 1 to 64");
	usage_is(SIGS("hash", "d", "--id", "k.x"),
		"signatures hash needs --id ID and --product NAME");
	usage_is(SIGS("hash", "--id", "k.x", "--product", "P"),
		"signatures hash needs at least one DIR");
	usage_is(SIGS("hash", "d", "--deep"), "option '--deep' does not apply here");
	release();
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_scan_defaults);
	tcase_add_test(tc, test_scan_every_option);
	tcase_add_test(tc, test_scan_short_options);
	tcase_add_test(tc, test_scan_refusals);
	tcase_add_test(tc, test_hints);
	tcase_add_test(tc, test_scan_quiet_verbose);
	tcase_add_test(tc, test_scan_ranges);
	tcase_add_test(tc, test_scan_post_https);
	tcase_add_test(tc, test_scan_operands);
	tcase_add_test(tc, test_scan_list_cap);
	tcase_add_test(tc, test_scan_merge_file);
	tcase_add_test(tc, test_scan_merge_cli_wins);
	tcase_add_test(tc, test_send);
	tcase_add_test(tc, test_packages);
	tcase_add_test(tc, test_sigs_verbs);
	tcase_add_test(tc, test_sigs_lint_list);
	tcase_add_test(tc, test_sigs_sign_verify);
	tcase_add_test(tc, test_sigs_hash);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cli_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
