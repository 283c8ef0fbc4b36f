/**
 * The command line: the verb table and the exit codes. Each verb family has its own
 * module (cli_scan, cli_send, cli_sigs, cli_pkgs); what they share is in cli_opt.
 */
#ifndef KSCAN_CLI_H
#define KSCAN_CLI_H

/** Exit codes (README.md, kscan --help). Stable: cron wrappers and fleets key on them. */
enum cli_exit {
	CLI_EXIT_CLEAN = 0,      /* no Kaspersky product found, every source read */
	CLI_EXIT_DETECTED = 1,   /* at least one finding */
	CLI_EXIT_INCOMPLETE = 2, /* nothing found, but a source failed: not proven clean */
	CLI_EXIT_SPOOLED = 3,    /* the report is in the spool, not delivered (wins over 0-2) */
	CLI_EXIT_USAGE = 64,     /* bad command line (EX_USAGE) */
	CLI_EXIT_DATAERR = 65,   /* invalid signature pack or configuration (EX_DATAERR) */
	CLI_EXIT_SOFTWARE = 70,  /* internal error (EX_SOFTWARE) */
};

/** Runs kscan with @argc/@argv as given to main(). @return the process exit code. */
int cli_main(int argc, char **argv);

#endif
