#include "scanner/cli/cli_jail.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scanner/cli/cli_opt.h"

static int cli_jail_tmp(struct cli_jail *j)
{
	const char *base = secure_getenv("TMPDIR");
	int n;

	if (base == NULL || base[0] != '/') {
		base = "/tmp";
	}
	n = snprintf(j->tmp, sizeof(j->tmp), "%s/kscan.XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof(j->tmp) || mkdtemp(j->tmp) == NULL) {
		cli_opt_err("cannot create a private directory in %s: %s", base,
			n < 0 || (size_t)n >= sizeof(j->tmp) ? "path too long" : strerror(errno));
		return -1;
	}
	memcpy(j->tmp_parent, j->tmp, sizeof(j->tmp));
	(void)dirname(j->tmp_parent);
	if (setenv("TMPDIR", j->tmp, 1) != 0) {
		cli_opt_err("cannot set TMPDIR: %s", strerror(errno));
		(void)rmdir(j->tmp);
		return -1;
	}
	return 0;
}

int cli_jail_prepare(struct cli_jail *j, const char *output, const char *spool)
{
	memset(j, 0, sizeof(*j));
	if (spool != NULL && realpath(spool, j->spooldir) == NULL) {
		cli_opt_err("%s: %s", spool, strerror(errno));
		return -1;
	}
	if (output != NULL && strcmp(output, "-") != 0) {
		char copy[PATH_MAX];
		size_t len = strlen(output);

		if (len >= sizeof(copy)) {
			cli_opt_err("%s: path too long", output);
			return -1;
		}
		memcpy(copy, output, len + 1);
		if (realpath(dirname(copy), j->outdir) == NULL) {
			cli_opt_err("%s: %s", output, strerror(errno));
			return -1;
		}
	}
	return cli_jail_tmp(j);
}

int cli_jail_enter(void *ctx, struct sandbox_status *st, struct kerr *err)
{
	struct cli_jail *j = ctx;
	const char *writable[3];
	size_t n = 0;

	if (j->outdir[0] != '\0') {
		writable[n++] = j->outdir;
	}
	if (j->spooldir[0] != '\0') {
		writable[n++] = j->spooldir;
	}
	writable[n++] = j->tmp;
	return sandbox_restrict(writable, n, j->tmp_parent, st, err);
}
