/*
 * cligen: writes, from kscan's one table of commands and options (scanner/cli/cli_table),
 * the README's usage block (readme), the man page's SYNOPSIS (man) and the bash
 * completion's option data (bash). tests/packaging/usage.sh compares them with the files
 * in the tree, and rewrites them with KSCAN_DOCS_UPDATE=1. A test tool: never installed.
 */
#include <stdio.h>
#include <string.h>

#include "scanner/cli/cli_opt.h"
#include "scanner/cli/cli_table.h"

/* The commands a synopsis shows: help and version are the options' business. */
static bool cligen_shown(const struct cli_table_cmd *c)
{
	return strcmp(c->name, "help") != 0 && strcmp(c->name, "version") != 0;
}

static void cligen_readme(void)
{
	const struct cli_table_cmd *cmds;
	size_t i, n = cli_table_cmds(&cmds);

	for (i = 0; i < n; i++) {
		if (cligen_shown(&cmds[i])) {
			cli_table_synopsis(stdout, "", &cmds[i], 92);
		}
	}
	puts("kscan help | version | --help | --version");
}

/* roff: a hyphen that must print as one is "\-" */
static void cligen_roff(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '-') {
			fputs("\\-", stdout);
		} else {
			putchar(*s);
		}
	}
}

static void cligen_man_opt(const struct cli_table_opt *o, bool alt_next, bool open_deep)
{
	bool must = (o->flags & CLI_TABLE_MUST) != 0;
	bool alt = (o->flags & CLI_TABLE_ALT) != 0;
	const char *more = (o->flags & CLI_TABLE_REPEAT) != 0 ? "..." : "";

	fputs(o->arg != NULL ? (must ? ".B " : ".RB ") : (must ? ".B " : ".RB "), stdout);
	if (!must) {
		fputs(alt ? "\" | \" " : "[ ", stdout);
	}
	fputs("\\-\\-", stdout);
	cligen_roff(o->name);
	if (o->arg == NULL) {
		fputs(must || alt_next || open_deep ? "\n" : " ]\n", stdout);
		if (!must && !alt_next && !open_deep && more[0] != '\0') {
			printf("...\n");
		}
		return;
	}
	printf("\n%s %s%s%s\n", must ? ".I" : ".IR", o->arg, must ? "" : " ]", more);
}

static void cligen_man(void)
{
	const struct cli_table_cmd *cmds;
	const struct cli_table_opt *o, *next;
	size_t i, n = cli_table_cmds(&cmds);
	const char *c;
	bool deep;

	for (i = 0; i < n; i++) {
		if (!cligen_shown(&cmds[i])) {
			continue;
		}
		if (strcmp(cmds[i].name, "scan") == 0) {
			puts(".B kscan\n.RB [ scan ]");
		} else {
			printf(".B kscan %s\n", cmds[i].name);
		}
		deep = false;
		for (c = cmds[i].accepts; *c != '\0'; c++) {
			o = cli_table_opt(cmds[i].name, *c);
			next = c[1] != '\0' ? cli_table_opt(cmds[i].name, c[1]) : NULL;
			if (o == NULL) {
				continue;
			}
			cligen_man_opt(o, next != NULL && (next->flags & CLI_TABLE_ALT) != 0,
				o->code == CLI_OPT_DEEP && strchr(cmds[i].accepts, CLI_OPT_JOBS));
			deep = deep || o->code == CLI_OPT_DEEP;
		}
		if (deep) {
			puts(".RB ]");
		}
		if (cmds[i].operands != NULL) {
			printf(".IR %s\n", cmds[i].operands);
		}
		puts(".br");
	}
	puts(".B kscan\n.BR help \" | \" version \" | \" \\-\\-help \" | \" \\-\\-version");
}

/* "LEAD" then "PAT--root | PAT-r" for a case pattern */
static void cligen_names(const struct cli_table_opt *o, const char *lead, const char *pat)
{
	printf("%s%s--%s", lead, pat, o->name);
	if (o->has_short) {
		printf(" | %s-%c", pat, (char)o->code);
	}
}

static void cligen_bash_words(void)
{
	const struct cli_table_cmd *cmds;
	const struct cli_table_opt *o;
	size_t i, n = cli_table_cmds(&cmds);
	const char *c, *sub;

	puts("# every option each command takes: _kscan_words CMD [VERB]");
	puts("_kscan_words()\n{\n\tlocal common=\"--help --version --quiet --verbose --log\"");
	puts("\tcase \"$1${2:+ $2}\" in");
	for (i = 0; i < n; i++) {
		if (!cligen_shown(&cmds[i])) {
			continue;
		}
		printf("\t\"%s\")\n\t\techo \"$common\"", cmds[i].name);
		for (c = cmds[i].accepts; *c != '\0'; c++) {
			o = cli_table_opt(cmds[i].name, *c);
			if (o != NULL && strchr(CLI_TABLE_EVERY, *c) == NULL) {
				printf(" \\\n\t\t\t--%s", o->name);
			}
		}
		puts("\n\t\t;;");
	}
	puts("\t*) echo \"$common\" ;;\n\tesac\n}\n");
	fputs("_kscan_commands=\"", stdout);
	for (i = 0, sub = ""; i < n; i++) {
		if (strncmp(cmds[i].name, "signatures ", 11) == 0) {
			if (sub[0] == '\0') {
				fputs("signatures ", stdout);
				sub = "x";
			}
			continue;
		}
		printf("%s%s", cmds[i].name, i + 1 < n ? " " : "");
	}
	fputs("\"\n_kscan_signatures=\"", stdout);
	for (i = 0, sub = ""; i < n; i++) {
		if (strncmp(cmds[i].name, "signatures ", 11) == 0) {
			printf("%s%s", sub, cmds[i].name + 11);
			sub = " ";
		}
	}
	puts("\"\n");
}

static void cligen_bash_takes_value(void)
{
	const struct cli_table_opt *opts;
	size_t i, n = cli_table_opts(&opts), k = 0;

	puts("# options whose value is the next word: that word is neither command nor verb");
	puts("_kscan_takes_value()\n{\n\tcase $1 in");
	for (i = 0; i < n; i++) {
		if (opts[i].arg != NULL && opts[i].only == NULL) {
			cligen_names(&opts[i], k++ == 0 ? "\t" : " | \\\n\t", "");
		}
	}
	puts(")\n\t\treturn 0\n\t\t;;\n\tesac\n\treturn 1\n}\n");
}

static void cligen_bash_value(void)
{
	const struct cli_table_opt *opts, *o;
	size_t i, n = cli_table_opts(&opts);
	const char *w;

	puts("# completes the value of option PREV for command KEY (\"\", \"signatures hash\")");
	puts("_kscan_value()\n{\n\tlocal key=$1 prev=$2 cur=$3\n\tcase $key:$prev in");
	for (i = 0; i < n; i++) {
		o = &opts[i];
		if (o->arg == NULL) {
			continue;
		}
		if (o->only != NULL) {
			printf("\t\"%s:--%s\"", o->only, o->name);
			if (o->has_short) {
				printf(" | \"%s:-%c\"", o->only, (char)o->code);
			}
		} else {
			cligen_names(o, "\t", "*:");
		}
		fputs(")\n\t\t", stdout);
		switch (o->value) {
		case CLI_TABLE_WORD:
			fputs("mapfile -t COMPREPLY < <(compgen -W \"", stdout);
			for (w = o->words; *w != '\0'; w++) {
				putchar(*w == '|' ? ' ' : *w);
			}
			puts("\" -- \"$cur\")");
			break;
		case CLI_TABLE_DIR:
			puts("mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")");
			break;
		case CLI_TABLE_FILE:
			puts("mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")");
			break;
		case CLI_TABLE_NONE:
		case CLI_TABLE_TEXT:
		default:
			puts(":");
			break;
		}
		puts("\t\t;;");
	}
	puts("\t*) return 1 ;;\n\tesac\n\treturn 0\n}");
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "readme") == 0) {
		cligen_readme();
	} else if (argc == 2 && strcmp(argv[1], "man") == 0) {
		cligen_man();
	} else if (argc == 2 && strcmp(argv[1], "bash") == 0) {
		cligen_bash_words();
		cligen_bash_takes_value();
		cligen_bash_value();
	} else {
		fputs("usage: cligen readme|man|bash\n", stderr);
		return 2;
	}
	return ferror(stdout) ? 1 : 0;
}
