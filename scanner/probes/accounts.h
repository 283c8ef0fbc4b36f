/** Local accounts: users from etc/passwd and groups from etc/group of the scanned root. */
#ifndef KSCAN_ACCOUNTS_H
#define KSCAN_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kerr.h"
#include "scanner/sources/rootfs.h"

/*
 * Installers create accounts (KESL's kesladmin group, kav4unix's kluser) and uninstallers
 * often leave them: an account is remnant evidence. Only the files are read, never NSS:
 * kscan reads the scanned root, which may not be the host it runs on, and a directory
 * service would say nothing about what the product left on this system.
 */

/** A user (etc/passwd) or a group (etc/group). */
enum accounts_kind {
	ACCOUNTS_USER = 0,
	ACCOUNTS_GROUP = 1,
};

/** Account names kept: longer ones are reported as malformed lines. */
#define ACCOUNTS_NAME_MAX 255

/** One account. Strings are valid only during the callback. */
struct accounts_entry {
	enum accounts_kind kind;
	const char *name;
	/** The uid of a user, the gid of a group. */
	uint32_t id;
	/** The file, inside the root, and the line, from 1. */
	const char *file;
	size_t line;
};

/** Called for every account; a non-zero return stops reading with that value. */
struct accounts_sink {
	int (*entry)(void *ctx, const struct accounts_entry *a);
	void *ctx;
};

/** What was read, for the report's coverage. */
struct accounts_counts {
	size_t users;
	size_t groups;
	/** Lines that are not "name:x:uid:gid:gecos:home:shell" or "name:x:gid:members". */
	size_t malformed;
	/** Files that could not be read; the first is described in the caller's kerr. */
	size_t errors;
};

/**
 * Parses one line of etc/passwd (@kind ACCOUNTS_USER) or etc/group into @name
 * (ACCOUNTS_NAME_MAX + 1 bytes) and @id.
 * @return 1 for an account, 0 for a line that names none (blank, a comment, an NIS "+" or
 *         "-" entry), -1 with errno EINVAL for a malformed line.
 */
int accounts_parse_line(const char *line, size_t n, enum accounts_kind kind, char *name,
	uint32_t *id);

/**
 * Reads etc/passwd and etc/group of @r and hands every account to @sink.
 * @return 1 if either file was read, 0 if neither exists, -1 on a fatal error (out of
 *         memory, or the sink's non-zero return) with @err set. Files that exist but cannot
 *         be read are counted in @c->errors and described in @err.
 */
int accounts_read(const struct rootfs *r, const struct accounts_sink *sink,
	struct accounts_counts *c, struct kerr *err);

#endif
