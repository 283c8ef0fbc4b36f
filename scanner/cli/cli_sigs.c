#include "scanner/cli/cli_sigs.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/xstd.h"
#include "report/deliver/output.h"
#include "signatures/packsig.h"
#include "signatures/sigload.h"

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

/* Each verb's name and the option codes it takes. */
static const struct {
	const char *name;
	enum cli_sigs_verb verb;
	const char *accepts;
} cli_sigs_verbs[] = {
	{"lint", CLI_SIGS_LINT, ""},
	{"list", CLI_SIGS_LIST, "sNKS"},
	{"sign", CLI_SIGS_SIGN, "k"},
	{"verify", CLI_SIGS_VERIFY, "K"},
	{"hash", CLI_SIGS_HASH, "IvnOjo"},
	{"--help", CLI_SIGS_HELP, ""},
	{"-h", CLI_SIGS_HELP, ""},
};

static int cli_sigs_role(const char *v, enum sig_role *out, struct kerr *err)
{
	static const enum sig_role roles[] = {SIG_ROLE_INSTALL, SIG_ROLE_REMNANT,
		SIG_ROLE_INSTALLER};
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(roles); i++) {
		if (strcmp(v, sig_role_name(roles[i])) == 0) {
			*out = roles[i];
			return 0;
		}
	}
	return cli_opt_bad(err, "unknown role '%s' (install, remnant or installer)", v);
}

static int cli_sigs_take(void *ctx, int code, const char *arg, const char *word,
	struct kerr *err)
{
	struct cli_sigs_opts *o = ctx;
	int rc = cli_packs_take(&o->packs, code, arg, err);

	(void)word;
	if (rc != 1) {
		return rc;
	}
	switch (code) {
	case CLI_OPT_KEY:
		o->key = arg;
		return 0;
	case CLI_OPT_ID:
		o->hash.id = arg;
		return 0;
	case CLI_OPT_PRODUCT:
		o->hash.product = arg;
		return 0;
	case CLI_OPT_VENDOR:
		o->hash.vendor = arg;
		return 0;
	case CLI_OPT_ROLE:
		return cli_sigs_role(arg, &o->hash.role, err);
	case CLI_OPT_JOBS:
		return cli_opt_uint("--jobs", arg, KS_WALK_JOBS_MAX, &o->hash.jobs, err);
	case CLI_OPT_OUTPUT:
		o->output = arg;
		return 0;
	default:
		return cli_opt_bad(err, "unknown option");
	}
}

/* verify: the PACKs are its --signatures, each signed by a trusted key, no built-in packs. */
static int cli_sigs_check_verify(struct cli_sigs_opts *o, struct kerr *err)
{
	size_t i;
	int rc = 0;

	if (o->noperands == 0) {
		return cli_opt_bad(err, "%s", "signatures verify needs at least one PACK");
	}
	o->packs.no_default = true;
	o->packs.require_signed = true;
	for (i = 0; i < o->noperands && rc == 0; i++) {
		rc = cli_packs_take(&o->packs, CLI_OPT_SIGNATURES, o->operands[i], err);
	}
	return rc;
}

/* What each verb needs besides its options: its operands, and the options it cannot go without. */
static int cli_sigs_unknown(const char *verb, struct kerr *err)
{
	const char *names[XSTD_COUNTOF(cli_sigs_verbs)];
	const char *hint;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(cli_sigs_verbs); i++) {
		names[i] = cli_sigs_verbs[i].name;
	}
	hint = cli_opt_closest(verb, strlen(verb), names, XSTD_COUNTOF(names));
	if (hint != NULL) {
		return cli_opt_bad(err, "unknown signatures command '%s' (did you mean '%s'?)",
			verb, hint);
	}
	return cli_opt_bad(err, "unknown signatures command '%s' (lint, list, sign, "
		"verify or hash)", verb);
}

static int cli_sigs_check(struct cli_sigs_opts *o, const char *verb, struct kerr *err)
{
	switch (o->verb) {
	case CLI_SIGS_LINT:
		if (o->noperands == 0) {
			return cli_opt_bad(err, "%s", "signatures lint needs at least one PATH");
		}
		return 0;
	case CLI_SIGS_SIGN:
		if (o->key == NULL || o->noperands == 0) {
			return cli_opt_bad(err, "%s",
				"signatures sign needs --key KEY and at least one PACK");
		}
		return 0;
	case CLI_SIGS_VERIFY:
		return cli_sigs_check_verify(o, err);
	case CLI_SIGS_HASH:
		if (o->noperands == 0) {
			return cli_opt_bad(err, "%s", "signatures hash needs at least one DIR");
		}
		if (o->hash.id == NULL || o->hash.product == NULL) {
			return cli_opt_bad(err, "%s",
				"signatures hash needs --id ID and --product NAME");
		}
		return 0;
	case CLI_SIGS_LIST:
		if (o->noperands > 0) {
			return cli_opt_bad(err, "unexpected argument '%s'", o->operands[0]);
		}
		return 0;
	case CLI_SIGS_HELP:
		return 0;
	case CLI_SIGS_UNKNOWN:
	default:
		return cli_sigs_unknown(verb, err);
	}
}

int cli_sigs_parse(int argc, char **argv, struct cli_sigs_opts *o, struct kerr *err)
{
	struct cli_opt_verb v = {"", false, cli_sigs_take, o};
	size_t i;
	int rc;

	memset(o, 0, sizeof(*o));
	o->hash.role = SIG_ROLE_INSTALL;
	o->verb = CLI_SIGS_UNKNOWN;
	if (argc < 2) {
		kerr_clear(err);
		return cli_opt_bad(err, "%s",
			"signatures needs a command: lint, list, sign, verify or hash");
	}
	for (i = 0; i < XSTD_COUNTOF(cli_sigs_verbs); i++) {
		if (strcmp(argv[1], cli_sigs_verbs[i].name) == 0) {
			o->verb = cli_sigs_verbs[i].verb;
			v.accepts = cli_sigs_verbs[i].accepts;
		}
	}
	/* "signatures hash DIR... --id X": its options may follow the directories */
	v.permute = o->verb == CLI_SIGS_HASH;
	rc = cli_opt_parse(argc - 1, argv + 1, &v, &o->common, err);
	if (rc != 0 || o->common.help || o->common.version) {
		return rc;
	}
	o->operands = argv + 1 + o->common.first;
	o->noperands = (size_t)(argc - 1 - o->common.first);
	return cli_sigs_check(o, argv[1], err);
}

/* Every path is checked, so one run shows every problem; the first failure decides. */
static int cli_sigs_lint(char **paths, size_t n)
{
	struct sig_set *s;
	struct kerr e;
	int rc = CLI_EXIT_CLEAN;
	size_t i;

	s = sig_set_new();
	if (s == NULL) {
		cli_opt_err("out of memory");
		return CLI_EXIT_SOFTWARE;
	}
	kerr_clear(&e);
	for (i = 0; i < n; i++) {
		if (sigload_path(s, paths[i], &e) != 0 && rc == CLI_EXIT_CLEAN) {
			rc = cli_opt_exit_for(&e);
		}
	}
	if (rc == CLI_EXIT_CLEAN && sig_set_finish(s, &e) != 0) {
		rc = cli_opt_exit_for(&e);
	}
	if (rc != CLI_EXIT_CLEAN) {
		cli_packs_print_diags(s, &e);
	} else {
		printf("%zu signature(s) in %zu pack(s): ok\n", sig_set_count(s),
			sig_set_npacks(s));
	}
	sig_set_free(s);
	return rc;
}

/* Loads the packs as a scan would; @show prints what the verb tells of them. */
static int cli_sigs_show(const struct cli_sigs_opts *o, void (*show)(const struct sig_set *s))
{
	struct sig_set *s;
	int rc;

	s = cli_packs_load(&o->packs, &rc);
	if (s == NULL) {
		return rc;
	}
	show(s);
	sig_set_free(s);
	return CLI_EXIT_CLEAN;
}

/* list: a line per signature, with its product and pack. */
static void cli_sigs_print_list(const struct sig_set *s)
{
	size_t i;

	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *g = sig_set_get(s, i);

		printf("%s\t%s\t%s\n", g->id, g->product, sig_set_pack(s, g->pack)->name);
	}
}

/* Signs each pack after checking it lints: a signature vouches for a pack that loads. */
static int cli_sigs_sign(const struct cli_sigs_opts *o)
{
	unsigned char sig[PACKSIG_LEN];
	char sigpath[PATH_MAX];
	struct kerr e;
	struct buf b;
	size_t i;
	int rc;

	rc = cli_sigs_lint(o->operands, o->noperands);
	for (i = 0; i < o->noperands && rc == CLI_EXIT_CLEAN; i++) {
		const char *pack = o->operands[i];

		kerr_clear(&e);
		buf_init(&b, KS_SIG_FILE_MAX);
		if (snprintf(sigpath, sizeof(sigpath), "%s.sig", pack) >= (int)sizeof(sigpath)) {
			kerr_set(&e, KERR_USAGE, "%s: path too long", pack);
		} else if (packsig_read_file(pack, KS_SIG_FILE_MAX, &b, &e) == 0 &&
			   packsig_sign(o->key, buf_str(&b), buf_len(&b), sig, &e) == 0 &&
			   output_write(sigpath, (const char *)sig, sizeof(sig), 0644, &e) == 0) {
			printf("%s: signed\n", sigpath);
		}
		if (e.code != KERR_OK) {
			cli_opt_err("%s", e.msg);
			rc = cli_opt_exit_for(&e);
		}
		buf_free(&b);
	}
	return rc;
}

/*
 * verify: every pack was loaded with signatures required (each verified against a trusted
 * key, or the load failed), so a pack here is a verified one.
 */
static void cli_sigs_print_verified(const struct sig_set *s)
{
	size_t i;

	for (i = 0; i < sig_set_npacks(s); i++) {
		printf("%s: signature verified\n", sig_set_pack(s, i)->name);
	}
}

static int cli_sigs_hash(const struct cli_sigs_opts *o)
{
	struct sighash_counts n;
	struct buf out;
	struct kerr e;
	int rc = CLI_EXIT_CLEAN;

	buf_init(&out, KS_SIG_FILE_MAX);
	kerr_clear(&e);
	if (sighash_generate((const char *const *)o->operands, o->noperands, &o->hash, &out, &n,
		    &e) != 0) {
		cli_opt_err("%s", e.msg);
		buf_free(&out);
		return e.code == KERR_USAGE ? CLI_EXIT_USAGE : cli_opt_exit_for(&e);
	}
	if (n.empty + n.changed > 0) {
		log_msg(LOG_LEVEL_WARNING, "left out %" PRIu64 " empty file(s) and %" PRIu64
			" that changed while being read",
			n.empty, n.changed);
	}
	kerr_clear(&e);
	if (output_write(o->output, buf_str(&out), buf_len(&out), 0644, &e) != 0) {
		cli_opt_err("%s", e.msg);
		rc = CLI_EXIT_SOFTWARE;
	}
	buf_free(&out);
	return rc;
}

int cli_sigs_main(int argc, char **argv)
{
	struct cli_sigs_opts o;
	struct kerr err;
	int rc;

	rc = cli_opt_settle(cli_sigs_parse(argc, argv, &o, &err), &o.common, cli_sigs_help, true,
		&err);
	if (rc >= 0) {
		return rc;
	}
	switch (o.verb) {
	case CLI_SIGS_LINT:
		return cli_sigs_lint(o.operands, o.noperands);
	case CLI_SIGS_LIST:
		return cli_sigs_show(&o, cli_sigs_print_list);
	case CLI_SIGS_SIGN:
		return cli_sigs_sign(&o);
	case CLI_SIGS_VERIFY:
		return cli_sigs_show(&o, cli_sigs_print_verified);
	case CLI_SIGS_HASH:
		return cli_sigs_hash(&o);
	case CLI_SIGS_HELP:
		return cli_opt_help(cli_sigs_help, true);
	case CLI_SIGS_UNKNOWN:
	default:
		return CLI_EXIT_SOFTWARE;
	}
}
