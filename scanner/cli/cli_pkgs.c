#include "scanner/cli/cli_pkgs.h"

#include <stdio.h>
#include <string.h>

#include "scanner/scan.h"
#include "scanner/sources/pkg.h"

static const char cli_pkgs_help[] =
	"Usage: kscan packages [--root DIR]\n"
	"Print every package kscan reads from the dpkg and rpm databases, one per line:\n"
	"manager, name, version, architecture, dpkg status abbreviation, state (tab-separated).\n"
	"\n"
	"  -r, --root DIR             read the databases of the system mounted at DIR\n"
	"  -q, --quiet, --verbose, --log SINK   logging, as for kscan scan\n"
	"\n"
	"Exit status 0, or 2 if a database could not be read.\n";

static int cli_pkgs_take(void *ctx, int code, const char *arg, const char *word,
	struct kerr *err)
{
	struct cli_pkgs_opts *o = ctx;

	(void)word;
	if (code != CLI_OPT_ROOT) {
		return cli_opt_bad(err, "unknown option");
	}
	o->root = arg;
	return 0;
}

int cli_pkgs_parse(int argc, char **argv, struct cli_pkgs_opts *o, struct kerr *err)
{
	struct cli_opt_verb v = {"r", false, cli_pkgs_take, o};

	memset(o, 0, sizeof(*o));
	return cli_opt_parse_bare(argc, argv, &v, &o->common, err);
}

int cli_pkgs_main(int argc, char **argv)
{
	struct cli_pkgs_opts o;
	struct pkg_list l;
	struct kerr e;
	size_t i;
	int rc;

	rc = cli_opt_settle(cli_pkgs_parse(argc, argv, &o, &e), &o.common, cli_pkgs_help, false,
		&e);
	if (rc >= 0) {
		return rc;
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
		cli_opt_err("%s", e.msg);
	}
	pkg_list_free(&l);
	return rc;
}
