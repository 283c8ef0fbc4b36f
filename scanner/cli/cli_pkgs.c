#include "config.h"
#include "scanner/cli/cli_pkgs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/fmt/json.h"
#include "base/limits.h"
#include "scanner/scan.h"
#include "scanner/sources/pkg.h"

static const char cli_pkgs_help[] =
	"Usage: kscan packages [--root DIR] [--format tsv|json] [--pretty]\n"
	"Print every package kscan reads from the dpkg and rpm databases, one per line:\n"
	"manager, name, version, architecture, dpkg status abbreviation, state (tab-separated).\n"
	"\n"
	"  -r, --root DIR             read the databases of the system mounted at DIR\n"
	"  -f, --format FORMAT        tsv (the default) or json: one document with every\n"
	"                             field kscan reads, and whether every database was read\n"
	"      --pretty               indent the JSON\n"
	"  -q, --quiet, --verbose, --log SINK   logging, as for kscan scan\n"
	"\n"
	"Exit status 0, or 2 if a database could not be read.\n";

static int cli_pkgs_take(void *ctx, int code, const char *arg, const char *word,
	struct kerr *err)
{
	struct cli_pkgs_opts *o = ctx;

	(void)word;
	switch (code) {
	case CLI_OPT_ROOT:
		o->root = arg;
		return 0;
	case CLI_OPT_PRETTY:
		o->pretty = true;
		return 0;
	case CLI_OPT_FORMAT:
		if (strcmp(arg, "json") != 0 && strcmp(arg, "tsv") != 0) {
			return cli_opt_bad(err, "unknown format '%s' for packages (tsv or json)",
				arg);
		}
		o->json = strcmp(arg, "json") == 0;
		return 0;
	default:
		return cli_opt_bad(err, "unknown option");
	}
}

/* One package with every field the databases gave (empty ones left out). */
static void cli_pkgs_json_one(struct json *j, const struct pkg *p)
{
	static const char *const keys[] = {"name", "version", "arch", "status", "source",
		"maintainer", "vendor", "packager", "summary"};
	const char *vals[] = {p->name, p->version, p->arch, p->status, p->source,
		p->maintainer, p->vendor, p->packager, p->summary};
	size_t i;

	json_obj_begin(j);
	json_kv_str(j, "manager", p->manager);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (vals[i] != NULL && vals[i][0] != '\0') {
			json_kv_str(j, keys[i], vals[i]);
		}
	}
	json_kv_str(j, "state", pkg_state_name(p->state));
	json_obj_end(j);
}

/*
 * {"kscan", "root", "complete", "error", "packages": [...]}: a list a script can trust only
 * when complete is true (a database that could not be read is named in error).
 */
static int cli_pkgs_json(const struct cli_pkgs_opts *o, const struct pkg_list *l,
	const struct kerr *e, bool complete)
{
	struct json j;
	struct buf b;
	size_t i;
	int rc = 0;

	buf_init(&b, KS_REPORT_MAX);
	json_init(&j, &b, o->pretty);
	json_obj_begin(&j);
	json_key(&j, "kscan");
	json_obj_begin(&j);
	json_kv_str(&j, "version", KSCAN_VERSION);
	json_obj_end(&j);
	json_kv_str(&j, "root", o->root != NULL ? o->root : "/");
	json_kv_bool(&j, "complete", complete);
	if (!complete) {
		json_kv_str(&j, "error", e->msg);
	}
	json_key(&j, "packages");
	json_arr_begin(&j);
	for (i = 0; i < l->n; i++) {
		cli_pkgs_json_one(&j, &l->v[i]);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	buf_addc(&b, '\n');
	if (json_error(&j) != 0 || buf_error(&b) != 0) {
		cli_opt_err("cannot write the package list: %s", strerror(buf_error(&b) != 0 ?
			buf_error(&b) : ENOMEM));
		rc = -1;
	} else if (fwrite(buf_str(&b), 1, buf_len(&b), stdout) != buf_len(&b)) {
		rc = -1;
	}
	buf_free(&b);
	return rc;
}

int cli_pkgs_parse(int argc, char **argv, struct cli_pkgs_opts *o, struct kerr *err)
{
	struct cli_opt_verb v = {"rfP", false, cli_pkgs_take, o};

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
	if (o.json && cli_pkgs_json(&o, &l, &e, rc == CLI_EXIT_CLEAN) != 0) {
		rc = CLI_EXIT_SOFTWARE;
	}
	for (i = 0; !o.json && i < l.n; i++) {
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
