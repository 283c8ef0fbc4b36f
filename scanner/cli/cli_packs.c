#include "scanner/cli/cli_packs.h"

#include "scanner/cli/cli_opt.h"
#include "signatures/packsig.h"
#include "signatures/sigload.h"

/* Where trusted pack-signing keys live unless --keys says otherwise. */
#define CLI_PACKS_KEYS_DIR "/etc/kscan/keys"

int cli_packs_take(struct cli_packs_opts *p, int code, const char *arg, struct kerr *err)
{
	switch (code) {
	case CLI_OPT_SIGNATURES:
		return cli_opt_list_add("--signatures", p->paths, &p->npaths, arg, err);
	case CLI_OPT_NO_DEFAULT:
		p->no_default = true;
		return 0;
	case CLI_OPT_KEYS:
		/* checked now, like the configuration's keys, before any work */
		if (cli_opt_path("--keys", arg, CONF_FS_TRUST_DIR, err) != 0) {
			return -1;
		}
		p->keys = arg;
		return 0;
	case CLI_OPT_REQUIRE_SIGNED:
		p->require_signed = true;
		return 0;
	default:
		return 1;
	}
}

void cli_packs_print_diags(const struct sig_set *s, const struct kerr *e)
{
	size_t i, n = sig_set_ndiags(s);

	for (i = 0; i < n; i++) {
		cli_opt_err("%s", sig_set_diag(s, i));
	}
	if (n == 0) {
		cli_opt_err("%s", e->msg);
	}
}

/*
 * The pack integrity policy: trusted keys from --keys (which must exist) or the default
 * directory (if it exists), and whether unsigned packs are refused.
 */
static struct packsig *cli_packs_policy(const struct cli_packs_opts *p, struct kerr *e)
{
	struct packsig *ps = packsig_new(p->require_signed);

	if (ps == NULL) {
		kerr_set(e, KERR_NOMEM, "out of memory");
		return NULL;
	}
	if (packsig_add_keys_dir(ps, p->keys != NULL ? p->keys : CLI_PACKS_KEYS_DIR,
		    p->keys == NULL, e) < 0) {
		packsig_free(ps);
		return NULL;
	}
	return ps;
}

struct sig_set *cli_packs_load(const struct cli_packs_opts *p, int *code)
{
	struct sig_set *s = sig_set_new();
	struct packsig *ps = NULL;
	struct kerr e;
	size_t i;

	kerr_clear(&e);
	if (s == NULL) {
		cli_opt_err("out of memory");
		*code = CLI_EXIT_SOFTWARE;
		return NULL;
	}
	if (!p->no_default && sigload_builtin(s, &e) != 0) {
		goto fail;
	}
	if (p->npaths > 0) {
		struct sig_gate g;

		ps = cli_packs_policy(p, &e);
		if (ps == NULL) {
			goto fail;
		}
		g.check = packsig_gate;
		g.ctx = ps;
		sig_set_gate(s, &g);
	}
	for (i = 0; i < p->npaths; i++) {
		if (sigload_path(s, p->paths[i], &e) != 0) {
			goto fail;
		}
	}
	if (sig_set_finish(s, &e) != 0) {
		goto fail;
	}
	packsig_free(ps);
	if (sig_set_count(s) == 0) {
		cli_opt_err("no signatures loaded: nothing to scan for");
		*code = CLI_EXIT_USAGE;
		sig_set_free(s);
		return NULL;
	}
	return s;

fail:
	packsig_free(ps);
	cli_packs_print_diags(s, &e);
	*code = cli_opt_exit_for(&e);
	sig_set_free(s);
	return NULL;
}
