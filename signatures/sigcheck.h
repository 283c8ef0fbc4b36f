/** What a valid value of a signature pack is: names, globs, paths, hashes, numbers, dates. */
#ifndef KSCAN_SIGCHECK_H
#define KSCAN_SIGCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signatures/sig.h"

/*
 * The rules apply to text already read from YAML (sigyaml.c), so they know nothing of
 * events or positions: each returns true, or false with @msg holding what is wrong
 * ("path "/a//b" has an empty component"), for the caller to place at FILE:LINE:COL.
 * Strings are @s[0..n), NUL-terminated at n, no NUL inside.
 */

/** Room for one message: a quoted value (YREAD_QUOTE_BUF) and the words around it. */
#define SIGCHECK_MSG_MAX 512u
/** Literal characters a package or file glob needs: enough to name a product, not "k*". */
#define SIGCHECK_GLOB_LITERALS_MIN 3u

/** id: [a-z0-9._-], starting with a letter or digit, at most KS_SIG_ID_MAX bytes. */
bool sigcheck_id(const char *s, size_t n, char msg[SIGCHECK_MSG_MAX]);

/** references: an http(s) URL. @key names the list in messages. */
bool sigcheck_ref(const char *key, const char *s, size_t n, char msg[SIGCHECK_MSG_MAX]);

/** processes, services, kernel_modules (@key): names as the kernel and systemd spell them. */
bool sigcheck_plain(const char *key, const char *s, size_t n, char msg[SIGCHECK_MSG_MAX]);

/** accounts: user and group names as useradd and groupadd take them. */
bool sigcheck_account(const char *key, const char *s, size_t n, char msg[SIGCHECK_MSG_MAX]);

/** packages: a package name or a specific enough fnmatch(3) glob. */
bool sigcheck_package(const char *s, size_t n, char msg[SIGCHECK_MSG_MAX]);

/** paths: an absolute path, no "." or "..", globs closed, bounded components. */
bool sigcheck_path(const char *s, size_t n, char msg[SIGCHECK_MSG_MAX]);

/** An uninstaller: a path (sigcheck_path()) without any glob, since it is run as named. */
bool sigcheck_uninstall_path(const char *s, size_t n, char msg[SIGCHECK_MSG_MAX]);

/** files (@glob) and hashes: one file name, not a path. */
bool sigcheck_basename(const char *s, size_t n, bool glob, char msg[SIGCHECK_MSG_MAX]);

/** sha256: 64 hex digits, either case; fills @bin and @hex (lower case). */
bool sigcheck_sha256(const char *s, size_t n, unsigned char bin[32], char hex[65],
	char msg[SIGCHECK_MSG_MAX]);

/** size: a plain decimal number of bytes (no sign, no leading zero), into *@out. */
bool sigcheck_size(const char *s, uint64_t *out, char msg[SIGCHECK_MSG_MAX]);

/** port: a plain decimal number from 1 to 65535, into *@out. */
bool sigcheck_port(const char *s, uint16_t *out, char msg[SIGCHECK_MSG_MAX]);

/** date and expires (@key): "YYYY-MM-DD", a real day; *@days since 1970-01-01. */
bool sigcheck_date(const char *key, const char *s, size_t n, int64_t *days,
	char msg[SIGCHECK_MSG_MAX]);

/** Entries without their own confidence take the signature's, which defaults to high. */
void sigcheck_confidence_defaults(struct sig *g);

#endif
