#include "scanner/cli/cli.h"

#include <string.h>
#include <sys/stat.h>

#include "base/xstd.h"
#include "scanner/cli/cli_opt.h"
#include "scanner/cli/cli_pkgs.h"
#include "scanner/cli/cli_scan.h"
#include "scanner/cli/cli_send.h"
#include "scanner/cli/cli_sigs.h"
#include "scanner/sandbox.h"

static int cli_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_opt_help(cli_scan_help, true);
}

static int cli_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_opt_version();
}

/* Each verb gets the arguments from its own name on. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} cli_verbs[] = {
	{"scan", cli_scan_main},
	{"signatures", cli_sigs_main},
	{"packages", cli_pkgs_main},
	{"send", cli_send_main},
	{"help", cli_help},
	{"version", cli_version},
};

static int cli_unknown(const char *cmd)
{
	const char *names[XSTD_COUNTOF(cli_verbs)];
	const char *hint;
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(cli_verbs); i++) {
		names[i] = cli_verbs[i].name;
	}
	hint = cli_opt_closest(cmd, strlen(cmd), names, XSTD_COUNTOF(names));
	if (hint != NULL) {
		return cli_opt_usage("unknown command '%s' (did you mean '%s'?)", cmd, hint);
	}
	return cli_opt_usage("unknown command '%s'", cmd);
}

int cli_main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	size_t i;

	/* a closed fd 1 would make the first file kscan opens its "standard output" */
	if (sandbox_std_fds() != 0) {
		return CLI_EXIT_SOFTWARE;
	}
	/* reports and copies are kscan's own; modes are set explicitly where others may read */
	(void)umask(077);

	/* no verb: scan, with the program name standing where the verb would */
	if (cmd == NULL || cmd[0] == '-') {
		return cli_scan_main(argc, argv);
	}
	for (i = 0; i < XSTD_COUNTOF(cli_verbs); i++) {
		if (strcmp(cmd, cli_verbs[i].name) == 0) {
			return cli_verbs[i].run(argc - 1, argv + 1);
		}
	}
	return cli_unknown(cmd);
}
