#include "signatures/sigcheck.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "base/xstd.h"
#include "base/yread.h"

static bool sigcheck_fail(char msg[SIGCHECK_MSG_MAX], const char *fmt, ...) KS_PRINTF(2, 3);

/* @return false, so that a check can end with it. */
static bool sigcheck_fail(char msg[SIGCHECK_MSG_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* truncation is harmless: the quoted value is bounded, the words are short */
	(void)vsnprintf(msg, SIGCHECK_MSG_MAX, fmt, ap);
	va_end(ap);
	return false;
}

/* Index of the "]" closing the bracket expression at @s[i] ("[", then "!" or "^", "]"). */
static size_t sigcheck_bracket_end(const char *s, size_t n, size_t i)
{
	size_t j = i + 1;

	j += j < n && (s[j] == '!' || s[j] == '^');
	j += j < n && s[j] == ']';
	while (j < n && s[j] != ']') {
		j++;
	}
	return j;
}

/* Bracket expressions must close: fnmatch(3) would silently take an open "[" literally. */
static bool sigcheck_glob_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
		} else if (s[i] == '[') {
			i = sigcheck_bracket_end(s, n, i);
			if (i == n) {
				return false;
			}
		}
	}
	return true;
}

/*
 * A glob needs SIGCHECK_GLOB_LITERALS_MIN literal characters (outside brackets): "*", "*.*" or
 * "k*" would turn every host into a finding. Exact names are not globs and need nothing.
 * Call after sigcheck_glob_ok().
 */
static bool sigcheck_glob_specific(const char *s, size_t n)
{
	size_t i, literal = 0;

	if (!xstd_has_glob(s)) {
		return true;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '[') {
			i = sigcheck_bracket_end(s, n, i);
		} else if (s[i] != '*' && s[i] != '?') {
			i += s[i] == '\\' && i + 1 < n;
			literal++;
		}
	}
	return literal >= SIGCHECK_GLOB_LITERALS_MIN;
}

static bool sigcheck_charset(const char *s, size_t n, const char *extra)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr(alnum, s[i]) == NULL && strchr(extra, s[i]) == NULL) {
			return false;
		}
	}
	return true;
}

bool sigcheck_ref(const char *key, const char *s, size_t n, char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];
	size_t skip = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;

	if (skip == 0 || n == skip || s[skip] == '/' || strpbrk(s, " \"<>\\^`{|}") != NULL) {
		sigcheck_fail(msg, "%s in \"%s\" is not an http(s) url", yread_quote(q, s, n), key);
		return false;
	}
	return true;
}

/* processes, services, kernel_modules: names as the kernel and systemd spell them. */
bool sigcheck_plain(const char *key, const char *s, size_t n, char msg[SIGCHECK_MSG_MAX])
{
	const char *extra = strcmp(key, "processes") == 0 ? "._+-@:" :
		strcmp(key, "services") == 0 ? "._-@:\\" : "_-";
	char q[YREAD_QUOTE_BUF];

	if (n > NAME_MAX || !sigcheck_charset(s, n, extra)) {
		sigcheck_fail(msg, "invalid name %s in \"%s\" (letters, digits and %s only, "
			"no globs)", yread_quote(q, s, n), key, extra);
		return false;
	}
	return true;
}

/* accounts: user and group names as useradd and groupadd take them (and a little more). */
bool sigcheck_account(const char *key, const char *s, size_t n, char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];

	if (n > NAME_MAX || s[0] == '-' || !sigcheck_charset(s, n, "._-")) {
		sigcheck_fail(msg, "invalid name %s in \"%s\" (letters, digits and ._- only, not "
			"starting with -, no globs)", yread_quote(q, s, n), key);
		return false;
	}
	return true;
}

bool sigcheck_package(const char *s, size_t n, char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];

	if (!sigcheck_charset(s, n, "._+-*?[]!^")) {
		sigcheck_fail(msg, "invalid package name %s (letters, digits, \"._+-\" and glob "
			"characters only)", yread_quote(q, s, n));
	} else if (!sigcheck_glob_ok(s, n)) {
		sigcheck_fail(msg, "unterminated \"[\" in package name %s", yread_quote(q, s, n));
	} else if (!sigcheck_glob_specific(s, n)) {
		sigcheck_fail(msg, "package name %s is too broad (a glob needs %u literal "
			"characters)", yread_quote(q, s, n), SIGCHECK_GLOB_LITERALS_MIN);
	} else {
		return true;
	}
	return false;
}

/* One path component: @c[0..n), of @s (the whole path, for messages). */
static bool sigcheck_component(const char *s, const char *c, size_t n,
	char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];

	if (n == 0) {
		sigcheck_fail(msg, "path %s has an empty component", yread_quote(q, s, strlen(s)));
	} else if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
		sigcheck_fail(msg, "path %s has a \".\" or \"..\" component",
			yread_quote(q, s, strlen(s)));
	} else if (n > NAME_MAX) {
		sigcheck_fail(msg, "path %s has a component longer than %u bytes",
			yread_quote(q, s, strlen(s)), (unsigned)NAME_MAX);
	} else if (!sigcheck_glob_ok(c, n)) {
		sigcheck_fail(msg, "unterminated \"[\" in path %s", yread_quote(q, s, strlen(s)));
	} else {
		return true;
	}
	return false;
}

bool sigcheck_path(const char *s, size_t n, char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];
	size_t count = 0;
	const char *c, *end;

	if (s[0] != '/' || n == 1) {
		sigcheck_fail(msg, "path %s is not an absolute path below \"/\"",
			yread_quote(q, s, n));
		return false;
	}
	if (s[n - 1] == '/') {
		sigcheck_fail(msg, "path %s ends with \"/\"", yread_quote(q, s, n));
		return false;
	}
	for (c = s + 1; c <= s + n; c = end + 1) {
		end = memchr(c, '/', (size_t)(s + n - c));
		end = end == NULL ? s + n : end;
		if (!sigcheck_component(s, c, (size_t)(end - c), msg)) {
			return false;
		}
		if (++count > KS_PATH_COMPONENTS_MAX) {
			sigcheck_fail(msg, "path %s has more than %u components",
				yread_quote(q, s, n), KS_PATH_COMPONENTS_MAX);
			return false;
		}
	}
	return true;
}

/* A file name: one component, a glob if @glob (files) or a plain name (hashes). */
bool sigcheck_basename(const char *s, size_t n, bool glob, char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];

	if (memchr(s, '/', n) != NULL) {
		sigcheck_fail(msg, "file name %s has a \"/\" (give a name, not a path)",
			yread_quote(q, s, n));
	} else if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || n > NAME_MAX) {
		sigcheck_fail(msg, "%s is not a file name", yread_quote(q, s, n));
	} else if (glob && !sigcheck_glob_ok(s, n)) {
		sigcheck_fail(msg, "unterminated \"[\" in file name %s", yread_quote(q, s, n));
	} else if (glob && !sigcheck_glob_specific(s, n)) {
		sigcheck_fail(msg, "file name %s is too broad (a glob needs %u literal characters)",
			yread_quote(q, s, n), SIGCHECK_GLOB_LITERALS_MIN);
	} else {
		return true;
	}
	return false;
}

bool sigcheck_id(const char *s, size_t n, char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];

	if (n > KS_SIG_ID_MAX) {
		return sigcheck_fail(msg, "id %s is longer than %u bytes", yread_quote(q, s, n),
			KS_SIG_ID_MAX);
	}
	if (!sigcheck_charset(s, n, "._-") || strpbrk(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL ||
	    !sigcheck_charset(s, 1, "")) {
		return sigcheck_fail(msg, "invalid id %s (a-z, 0-9, \".\", \"_\" and \"-\" only, "
			"starting with a letter or digit)", yread_quote(q, s, n));
	}
	return true;
}

bool sigcheck_uninstall_path(const char *s, size_t n, char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];

	if (!sigcheck_path(s, n, msg)) {
		return false;
	}
	if (strpbrk(s, "*?[") != NULL) {
		return sigcheck_fail(msg, "uninstall path %s is a glob (name the one file to run)",
			yread_quote(q, s, n));
	}
	return true;
}

bool sigcheck_sha256(const char *s, size_t n, unsigned char bin[32], char hex[65],
	char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF], low[65];
	size_t i;

	for (i = 0; i < n && i < 64; i++) {
		low[i] = s[i] >= 'A' && s[i] <= 'F' ? (char)(s[i] - 'A' + 'a') : s[i];
	}
	low[i] = '\0';
	if (n != 64 || strspn(low, "0123456789abcdef") != 64 || xstd_unhex(low, bin, 32) != 0) {
		return sigcheck_fail(msg, "sha256 %s is not 64 hexadecimal digits",
			yread_quote(q, s, n));
	}
	memcpy(hex, low, 65);
	return true;
}

bool sigcheck_size(const char *s, uint64_t *out, char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];

	/* signs, hex, octal and leading zeros are refused: a size is written one way */
	if (strspn(s, "0123456789") != strlen(s) || (s[0] == '0' && s[1] != '\0')) {
		return sigcheck_fail(msg, "size %s is not a plain decimal number of bytes",
			yread_quote(q, s, strlen(s)));
	}
	if (xstd_strtou64(s, (uint64_t)INT64_MAX, out) != 0) {
		return sigcheck_fail(msg, "size %s is larger than any file can be",
			yread_quote(q, s, strlen(s)));
	}
	return true;
}

bool sigcheck_port(const char *s, uint16_t *out, char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];
	uint64_t v;

	if (strspn(s, "0123456789") != strlen(s) || s[0] == '0' ||
	    xstd_strtou64(s, UINT16_MAX, &v) != 0) {
		return sigcheck_fail(msg, "port %s is not a number from 1 to 65535",
			yread_quote(q, s, strlen(s)));
	}
	*out = (uint16_t)v;
	return true;
}

bool sigcheck_date(const char *key, const char *s, size_t n, int64_t *days,
	char msg[SIGCHECK_MSG_MAX])
{
	char q[YREAD_QUOTE_BUF];

	if (n != 10 || sig_parse_date(s, days) != 0) {
		return sigcheck_fail(msg, "%s %s is not a date YYYY-MM-DD (a real day, 1970 to "
			"9999)", key, yread_quote(q, s, n));
	}
	return true;
}

static void sigcheck_default(enum sig_confidence *c, enum sig_confidence def)
{
	if (*c == SIG_CONF_UNSET) {
		*c = def;
	}
}

static void sigcheck_names_default(struct sig_names *names, enum sig_confidence def)
{
	size_t i;

	for (i = 0; names->conf != NULL && i < names->n; i++) {
		sigcheck_default(&names->conf[i], def);
	}
}

void sigcheck_confidence_defaults(struct sig *g)
{
	size_t i;

	sigcheck_default(&g->confidence, SIG_CONF_HIGH);
	for (i = 0; i < g->npackages; i++) {
		sigcheck_default(&g->packages[i].confidence, g->confidence);
	}
	for (i = 0; i < g->npaths; i++) {
		sigcheck_default(&g->paths[i].confidence, g->confidence);
	}
	for (i = 0; i < g->nfiles; i++) {
		sigcheck_default(&g->files[i].confidence, g->confidence);
	}
	for (i = 0; i < g->nhashes; i++) {
		sigcheck_default(&g->hashes[i].confidence, g->confidence);
	}
	sigcheck_names_default(&g->processes, g->confidence);
	sigcheck_names_default(&g->services, g->confidence);
	sigcheck_names_default(&g->kernel_modules, g->confidence);
	sigcheck_names_default(&g->accounts, g->confidence);
	sigcheck_names_default(&g->components, g->confidence);
	sigcheck_names_default(&g->shared_by, g->confidence);
}
