#include "config.h"
#include "scanner/cli/cli_table.h"

#include <string.h>

#include "base/limits.h"
#include "base/xstd.h"
#include "scanner/cli/cli_opt.h"
#include "scanner/cli/conf.h"

/* Where option help starts in --help, as in GNU tools' help. */
#define CLI_TABLE_HELP_COL 29u

/*
 * Rows with @only come before the row every other command shares, so the first match
 * for a command is its own.
 */
static const struct cli_table_opt cli_table_opt_rows[] = {
	{CLI_OPT_ROOT, "root", true, "DIR", CLI_TABLE_DIR, NULL, 0,
		"read the databases of the system mounted at DIR", "packages"},
	{CLI_OPT_ROOT, "root", true, "DIR", CLI_TABLE_DIR, NULL, 0,
		"scan the system mounted at DIR instead of this host", NULL},
	{CLI_OPT_SIGNATURES, "signatures", true, "PATH", CLI_TABLE_FILE, NULL, CLI_TABLE_REPEAT,
		"add a signature pack (file or directory); repeatable", NULL},
	{CLI_OPT_NO_DEFAULT, "no-default-signatures", false, NULL, CLI_TABLE_NONE, NULL, 0,
		"do not use the packs built into kscan", NULL},
	{CLI_OPT_KEYS, "keys", false, "DIR", CLI_TABLE_DIR, NULL, 0,
		"trusted pack-signing keys (public keys *.pem;\ndefault /etc/kscan/keys)", NULL},
	{CLI_OPT_REQUIRE_SIGNED, "require-signed", false, NULL, CLI_TABLE_NONE, NULL, 0,
		"refuse --signatures packs without a valid PACK.sig", NULL},
	{CLI_OPT_MAX_SIG_AGE, "max-signature-age", false, "DAYS", CLI_TABLE_TEXT, NULL, 0,
		"a pack dated more than DAYS ago, undated or\nexpired makes a clean result "
		"incomplete", NULL},
	{CLI_OPT_CONFIG, "config", true, "FILE", CLI_TABLE_FILE, NULL, 0,
		"read FILE instead of " CONF_DEFAULT_PATH, NULL},
	{CLI_OPT_POST, "post", false, "URL", CLI_TABLE_TEXT, NULL, 0,
		"the collector (https) instead of the file's\ncollector.url", "send"},
	{CLI_OPT_POST, "post", false, "URL", CLI_TABLE_TEXT, NULL, 0,
		"deliver the report to the collector at URL (https);\nit is then written locally "
		"only with --output", NULL},
	{CLI_OPT_SPLAY, "splay", false, "SECONDS", CLI_TABLE_TEXT, NULL, 0,
		"first wait a random time up to SECONDS, so a fleet\nstarted by cron does not "
		"arrive all at once", NULL},
	{CLI_OPT_FORMAT, "format", true, "FORMAT", CLI_TABLE_WORD, "tsv|json", 0,
		"tsv (the default) or json: one document with every\nfield kscan reads, and "
		"whether every database was read", "packages"},
	{CLI_OPT_FORMAT, "format", true, "FORMAT", CLI_TABLE_WORD,
		"json|text|ecs|ecs-bulk|splunk-hec|cyclonedx|ocsf", 0,
		"json, text, ecs, ecs-bulk, splunk-hec, cyclonedx or\nocsf (default: text on a "
		"terminal, else json)", NULL},
	{CLI_OPT_PRETTY, "pretty", false, NULL, CLI_TABLE_NONE, NULL, 0, "indent the JSON",
		NULL},
	{CLI_OPT_OUTPUT, "output", true, "FILE", CLI_TABLE_FILE, NULL, 0,
		"write the pack to FILE instead of standard output", "signatures hash"},
	{CLI_OPT_OUTPUT, "output", true, "FILE", CLI_TABLE_FILE, NULL, 0,
		"write the report to FILE atomically (mode 0640)", NULL},
	{CLI_OPT_COLOR, "color", false, "WHEN", CLI_TABLE_WORD, "auto|always|never", 0,
		"colour the text report: auto (default: a terminal,\nNO_COLOR unset or empty, TERM "
		"not dumb), always, never", NULL},
	{CLI_OPT_QUIET, "quiet", true, NULL, CLI_TABLE_NONE, NULL, 0, "log only errors", NULL},
	{CLI_OPT_VERBOSE, "verbose", false, NULL, CLI_TABLE_NONE, NULL, CLI_TABLE_ALT,
		"log progress too (twice: debugging detail)", NULL},
	{CLI_OPT_LOG, "log", false, "SINK", CLI_TABLE_WORD, "stderr|syslog", 0,
		"stderr (default) or syslog: journald/syslog, each\nmessage tagged with the "
		"report id", NULL},
	{CLI_OPT_DEEP, "deep", false, NULL, CLI_TABLE_NONE, NULL, 0,
		"sweep the whole filesystem too (scan.mode \"deep\")", NULL},
	{CLI_OPT_JOBS, "jobs", true, "N", CLI_TABLE_TEXT, NULL, 0,
		"hashing threads (default: online CPUs, at most 64)", "signatures hash"},
	{CLI_OPT_JOBS, "jobs", true, "N", CLI_TABLE_TEXT, NULL, CLI_TABLE_DEEP,
		"worker threads (default: online CPUs, at most 64)", NULL},
	{CLI_OPT_PATH, "path", false, "DIR", CLI_TABLE_DIR, NULL,
		CLI_TABLE_DEEP | CLI_TABLE_REPEAT, "sweep only DIR (inside --root); repeatable",
		NULL},
	{CLI_OPT_EXCLUDE, "exclude", false, "PATH", CLI_TABLE_FILE, NULL,
		CLI_TABLE_DEEP | CLI_TABLE_REPEAT,
		"do not look at PATH (a directory or a file);\nrepeatable", NULL},
	{CLI_OPT_ONE_FS, "one-file-system", true, NULL, CLI_TABLE_NONE, NULL, CLI_TABLE_DEEP,
		"stay on the mount of each swept tree", NULL},
	{CLI_OPT_INCLUDE_REMOTE, "include-remote", false, NULL, CLI_TABLE_NONE, NULL,
		CLI_TABLE_DEEP, "enter network filesystems (nfs, cifs, sshfs...) too", NULL},
	{CLI_OPT_MAX_FILE_SIZE, "max-file-size", false, "SIZE", CLI_TABLE_TEXT, NULL,
		CLI_TABLE_DEEP,
		"hash no file larger than SIZE bytes (K, M, G, T\nsuffixes; default 4G); larger "
		"files of a signature's\nsize make the verdict incomplete", NULL},
	{CLI_OPT_MAX_DURATION, "max-duration", false, "SECONDS", CLI_TABLE_TEXT, NULL,
		CLI_TABLE_DEEP,
		"stop the sweep after SECONDS; the verdict is then\nincomplete, with the reason",
		NULL},
	{CLI_OPT_NO_LOW_PRIORITY, "no-low-priority", false, NULL, CLI_TABLE_NONE, NULL,
		CLI_TABLE_DEEP,
		"keep the normal CPU and I/O priority (default for\n--deep: nice 10 and the idle "
		"I/O class)", NULL},
	{CLI_OPT_KEY, "key", false, "KEY", CLI_TABLE_FILE, NULL, CLI_TABLE_MUST,
		"the Ed25519 private key (PEM, readable by its\nowner only)", NULL},
	{CLI_OPT_ID, "id", false, "ID", CLI_TABLE_TEXT, NULL, CLI_TABLE_MUST,
		"the signature's id (vendor.product)", NULL},
	{CLI_OPT_PRODUCT, "product", false, "NAME", CLI_TABLE_TEXT, NULL, CLI_TABLE_MUST,
		"the product's name", NULL},
	{CLI_OPT_VENDOR, "vendor", false, "NAME", CLI_TABLE_TEXT, NULL, 0,
		"the vendor's name (default Kaspersky)", NULL},
	{CLI_OPT_ROLE, "role", false, "ROLE", CLI_TABLE_WORD, "install|remnant|installer", 0,
		"what the files are (default install)", NULL},
	{CLI_OPT_HELP, "help", true, NULL, CLI_TABLE_NONE, NULL, 0, "show this help", NULL},
	{CLI_OPT_VERSION, "version", true, NULL, CLI_TABLE_NONE, NULL, 0, "show the version",
		NULL},
};

static const struct cli_table_cmd cli_table_cmd_rows[] = {
	{"scan", "rsNKSAcUZfPoCqGYDjpexRMTL", NULL,
		"scan this host or a mounted root (the default command)",
		"Find installed, running, left-over or downloaded Kaspersky products on this host\n"
		"or on a root tree mounted elsewhere, and report them with evidence.",
		NULL},
	{"send", "cUZqGY", NULL, "deliver the spooled reports to the collector",
		"Deliver the reports waiting in the spool to the collector, oldest first.",
		"Exit status 0 when the spool is empty, 3 when reports are still waiting, 65 when "
		"it is\nempty but untrusted entries were moved to quarantine/ unsent."},
	{"signatures lint", "", "PATH...", "validate signature packs",
		"validate each pack (file or directory of *.yaml); print every problem as\n"
		"FILE:LINE:COL: message and exit 65 if there is one",
		NULL},
	{"signatures list", "sNKS", NULL, "list the loaded signatures",
		"print id, product and pack of every loaded signature, one per line", NULL},
	{"signatures sign", "k", "PACK...", "sign packs (Ed25519, PACK.sig)",
		"lint each PACK, then write PACK.sig: its Ed25519 signature by the private\n"
		"key KEY (PEM; readable by its owner only)",
		NULL},
	{"signatures verify", "K", "PACK...", "check packs' owners and signatures",
		"check that each PACK is owned safely and signed by a trusted key\n"
		"(public keys *.pem in DIR, default /etc/kscan/keys)",
		NULL},
	{"signatures hash", "InvOjo", "DIR...", "make a hash signature from files",
		"print a pack with one signature: the sha256 and size of every regular file\n"
		"under each DIR (a reference install, a folder of installers), ready for\n"
		"--signatures; --deep then finds copies of those files under any name.\n"
		"Symlinks are not followed.",
		NULL},
	{"packages", "rfP", NULL, "list the packages kscan reads from dpkg and rpm",
		"Print every package kscan reads from the dpkg and rpm databases, one per line:\n"
		"manager, name, version, architecture, dpkg status abbreviation, state (tab-"
		"separated).",
		"Exit status 0, or 2 if a database could not be read."},
	{"help", "", NULL, "show this help", NULL, NULL},
	{"version", "", NULL, "show the version", NULL, NULL},
};

size_t cli_table_cmds(const struct cli_table_cmd **cmds)
{
	*cmds = cli_table_cmd_rows;
	return XSTD_COUNTOF(cli_table_cmd_rows);
}

size_t cli_table_opts(const struct cli_table_opt **opts)
{
	*opts = cli_table_opt_rows;
	return XSTD_COUNTOF(cli_table_opt_rows);
}

const struct option *cli_table_getopt(void)
{
	static struct option table[KS_CLI_OPTS_MAX + 1];
	const struct cli_table_opt *o;
	size_t i, j, n = 0;

	if (table[0].name != NULL) {
		return table;
	}
	for (i = 0; i < XSTD_COUNTOF(cli_table_opt_rows) && n < KS_CLI_OPTS_MAX; i++) {
		o = &cli_table_opt_rows[i];
		for (j = 0; j < n && strcmp(table[j].name, o->name) != 0; j++) {
		}
		if (j == n) {
			table[n].name = o->name;
			table[n].has_arg = o->arg != NULL ? required_argument : no_argument;
			table[n].flag = NULL;
			table[n].val = o->code;
			n++;
		}
	}
	return table;
}

const struct cli_table_cmd *cli_table_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(cli_table_cmd_rows); i++) {
		if (strcmp(cli_table_cmd_rows[i].name, name) == 0) {
			return &cli_table_cmd_rows[i];
		}
	}
	return NULL;
}

const char *cli_table_accepts(const char *name)
{
	const struct cli_table_cmd *cmd = cli_table_cmd(name);

	return cmd != NULL ? cmd->accepts : "";
}

const struct cli_table_opt *cli_table_opt(const char *cmd, int code)
{
	const struct cli_table_opt *o;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(cli_table_opt_rows); i++) {
		o = &cli_table_opt_rows[i];
		if (o->code == code && (o->only == NULL || strcmp(o->only, cmd) == 0)) {
			return o;
		}
	}
	return NULL;
}

/* Writes words to @out, wrapping at @width with continuation lines indented by @indent. */
struct cli_table_line {
	FILE *out;
	size_t col;
	size_t width;
	size_t indent;
};

static void cli_table_word(struct cli_table_line *l, const char *w, size_t n)
{
	if (l->col > l->indent && l->col + 1 + n > l->width) {
		fprintf(l->out, "\n%*s", (int)l->indent, "");
		l->col = l->indent;
	} else if (l->col > 0) {
		fputc(' ', l->out);
		l->col++;
	}
	fwrite(w, 1, n, l->out);
	l->col += n;
}

/* "[--name ARG]", "[--name a|b]", "--name ARG" (required), "[--name]", with "..." after. */
static size_t cli_table_opt_word(const struct cli_table_opt *o, char *buf, size_t size)
{
	const char *arg = o->value == CLI_TABLE_WORD ? o->words : o->arg;
	bool must = (o->flags & CLI_TABLE_MUST) != 0;
	int n;

	n = snprintf(buf, size, "%s--%s%s%s%s%s", must ? "" : "[", o->name, arg ? " " : "",
		arg ? arg : "", must ? "" : "]", (o->flags & CLI_TABLE_REPEAT) ? "..." : "");
	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

void cli_table_synopsis(FILE *out, const char *lead, const struct cli_table_cmd *cmd,
	size_t width)
{
	const struct cli_table_opt *o;
	struct cli_table_line l = {out, 0, width, 0};
	char w[128];
	const char *c;
	const char *name = strcmp(cmd->name, "scan") == 0 ? "[scan]" : cmd->name;
	bool deep = false;
	size_t n;

	n = (size_t)fprintf(out, "%skscan %s", lead, name);
	l.col = n;
	l.indent = n + 1;
	for (c = cmd->accepts; *c != '\0'; c++) {
		o = cli_table_opt(cmd->name, *c);
		if (o == NULL) {
			continue;
		}
		n = cli_table_opt_word(o, w, sizeof(w));
		if ((o->flags & CLI_TABLE_ALT) != 0 && n > 1) {
			/* "[--quiet]" and "[--verbose]" become "[--quiet | --verbose]" */
			fputs(" |", out);
			l.col += 2;
			cli_table_word(&l, w + 1, n - 1);
			continue;
		}
		if ((o->flags & CLI_TABLE_DEEP) != 0 && !deep) {
			l.indent += 7;
			deep = true;
		}
		if (c[1] != '\0' && (cli_table_opt(cmd->name, c[1]) != NULL) &&
		    (cli_table_opt(cmd->name, c[1])->flags & CLI_TABLE_ALT) != 0) {
			w[--n] = '\0';
		}
		if (o->code == CLI_OPT_DEEP && strchr(cmd->accepts, CLI_OPT_JOBS) != NULL) {
			w[--n] = '\0';
		}
		cli_table_word(&l, w, n);
	}
	if (deep) {
		fputc(']', out);
	}
	if (cmd->operands != NULL) {
		cli_table_word(&l, cmd->operands, strlen(cmd->operands));
	}
	fputc('\n', out);
}

/* Writes @text's lines, the first from column @col, the others from @indent. */
static void cli_table_lines(FILE *out, const char *text, size_t indent)
{
	const char *nl;

	for (;;) {
		nl = strchr(text, '\n');
		if (nl == NULL) {
			fprintf(out, "%s\n", text);
			return;
		}
		fprintf(out, "%.*s\n%*s", (int)(nl - text), text, (int)indent, "");
		text = nl + 1;
	}
}

static void cli_table_opt_help(FILE *out, const struct cli_table_opt *o)
{
	char left[64];
	int n;

	n = snprintf(left, sizeof(left), "  %c%c%s--%s%s%s", o->has_short ? '-' : ' ',
		o->has_short ? (char)o->code : ' ', o->has_short ? ", " : "  ", o->name,
		o->arg ? " " : "", o->arg ? o->arg : "");
	if (n < 0) {
		return;
	}
	if ((size_t)n + 1 < CLI_TABLE_HELP_COL) {
		fprintf(out, "%-*s", (int)CLI_TABLE_HELP_COL, left);
	} else {
		fprintf(out, "%s  ", left);
	}
	cli_table_lines(out, o->help, CLI_TABLE_HELP_COL);
}

/* The options of every command named @family or "@family ...", each once, in order. */
static void cli_table_opts_help(FILE *out, const char *family)
{
	const struct cli_table_cmd *cmd;
	const struct cli_table_opt *o;
	char seen[64] = "";
	size_t i, len = strlen(family), nseen = 0;
	const char *c;
	bool deep = false;

	for (i = 0; i < XSTD_COUNTOF(cli_table_cmd_rows); i++) {
		cmd = &cli_table_cmd_rows[i];
		if (strncmp(cmd->name, family, len) != 0 ||
		    (cmd->name[len] != '\0' && cmd->name[len] != ' ')) {
			continue;
		}
		for (c = cmd->accepts; *c != '\0' && nseen + 1 < sizeof(seen); c++) {
			o = cli_table_opt(cmd->name, *c);
			if (o == NULL || strchr(seen, *c) != NULL) {
				continue;
			}
			seen[nseen++] = *c;
			if (!deep && ((o->flags & CLI_TABLE_DEEP) != 0 ||
				      o->code == CLI_OPT_DEEP)) {
				fputs("\nDeep sweep: every file of the root against the "
				      "signatures' file names and hashes\n", out);
				deep = true;
			}
			cli_table_opt_help(out, o);
		}
	}
	if (strchr(seen, CLI_OPT_QUIET) == NULL) {
		fputs("  -q, --quiet, --verbose, --log SINK   logging, as for kscan scan\n", out);
	}
}

static void cli_table_commands(FILE *out)
{
	size_t i;

	fputs("\nOther commands:\n", out);
	for (i = 1; i < XSTD_COUNTOF(cli_table_cmd_rows); i++) {
		fprintf(out, "  kscan %-26s %s\n", cli_table_cmd_rows[i].name,
			cli_table_cmd_rows[i].summary);
	}
}

int cli_table_help(FILE *out, const char *family)
{
	const struct cli_table_cmd *cmd;
	size_t i, len = strlen(family), shown = 0;

	for (i = 0; i < XSTD_COUNTOF(cli_table_cmd_rows); i++) {
		cmd = &cli_table_cmd_rows[i];
		if (strncmp(cmd->name, family, len) == 0 &&
		    (cmd->name[len] == '\0' || cmd->name[len] == ' ')) {
			cli_table_synopsis(out, shown++ == 0 ? "Usage: " : "       ", cmd, 92);
		}
	}
	if (shown == 0) {
		return -1;
	}
	for (i = 0; i < XSTD_COUNTOF(cli_table_cmd_rows); i++) {
		cmd = &cli_table_cmd_rows[i];
		if (strncmp(cmd->name, family, len) != 0 || cmd->about == NULL ||
		    (cmd->name[len] != '\0' && cmd->name[len] != ' ')) {
			continue;
		}
		if (cmd->name[len] == ' ') {
			fprintf(out, "\n%s:\n  ", cmd->name + len + 1);
			cli_table_lines(out, cmd->about, 2);
		} else {
			cli_table_lines(out, cmd->about, 0);
		}
	}
	fputc('\n', out);
	cli_table_opts_help(out, family);
	fputc('\n', out);
	cli_table_opt_help(out, cli_table_opt(family, CLI_OPT_HELP));
	cli_table_opt_help(out, cli_table_opt(family, CLI_OPT_VERSION));
	if (strcmp(family, "scan") == 0) {
		cli_table_commands(out);
	}
	cmd = cli_table_cmd(family);
	if (cmd != NULL && cmd->trailer != NULL) {
		fputc('\n', out);
		cli_table_lines(out, cmd->trailer, 0);
	}
	return 0;
}
