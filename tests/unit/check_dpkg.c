/* Unit tests of scanner/sources/dpkg.c: the control-file parser, the journal, status.d, root. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "scanner/sources/dpkg.h"
#include "base/kerr.h"
#include "base/limits.h"
#include "scanner/sources/pkg.h"
#include "scanner/sources/rootfs.h"
#include "check_util.h"

#define LABEL "/var/lib/dpkg/status"
#define NUL_INPUT "Package: a\nStatus: install ok inst\0alled\n"

/* ---- helpers ---- */

/* One line per package: "name version arch [abbrev] state", "-" for an empty field. */
static char *render(const struct pkg_list *l, bool with_source)
{
	struct buf b;
	size_t i;

	buf_init(&b, (size_t)64 << 20);
	for (i = 0; i < l->n; i++) {
		const struct pkg *p = &l->v[i];

		buf_addf(&b, "%s %s %s [%s] %s", p->name, p->version[0] ? p->version : "-",
			p->arch[0] ? p->arch : "-", p->abbrev, pkg_state_name(p->state));
		if (with_source) {
			buf_addf(&b, " %s", p->source);
		}
		buf_addc(&b, '\n');
	}
	ck_assert_int_eq(buf_error(&b), 0);
	{
		char *s = buf_take(&b, NULL);

		ck_assert_ptr_nonnull(s);
		return s;
	}
}

static void fx_symlink(const char *root, const char *rel, const char *target)
{
	char path[PATH_MAX], *slash;

	cu_path(path, sizeof(path), root, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	cu_mkdirs(path, 0755);
	*slash = '/';
	ck_assert_int_eq(symlink(target, path), 0);
}

/* Runs dpkg_read on @dir; returns its result, the list and the error. */
static int read_root(const char *dir, struct pkg_list *l, struct dpkg_counts *c,
	struct kerr *err)
{
	struct rootfs *r;
	int rc;

	kerr_clear(err);
	r = rootfs_open(dir, err);
	ck_assert_ptr_nonnull(r);
	pkg_list_init(l);
	rc = dpkg_read(r, l, c, err);
	rootfs_close(r);
	pkg_list_sort(l);
	return rc;
}

/* ---- the parser, table-driven ---- */

struct parse_case {
	const char *name;
	const char *in;
	/* 0: strlen(in) */
	size_t len;
	long rc;
	enum kerr_code code;
	/* rc >= 0: the rendered list; rc < 0: the exact error message */
	const char *want;
};

static const struct parse_case parse_cases[] = {
	{ "basic",
		"Package: kesl\nStatus: install ok installed\nPriority: optional\n"
		"Architecture: amd64\nVersion: 12.4.0-1225\nDescription: x\n",
		0, 1, KERR_OK, "kesl 12.4.0-1225 amd64 [ii ] installed\n" },
	{ "continuations",
		"Package: a\nStatus: install ok installed\nVersion: 1\nConffiles:\n"
		" /etc/a 0123 \n /etc/b 4567\nDescription: short\n long one\n .\n   \t  \n"
		" long two\nArchitecture: all\n",
		0, 1, KERR_OK, "a 1 all [ii ] installed\n" },
	{ "blank lines around and between",
		"\n\nPackage: a\nVersion: 1\nStatus: install ok installed\n\n\n\n"
		"Package: b\nVersion: 2\nStatus: install ok installed\n\n\n",
		0, 2, KERR_OK, "a 1 - [ii ] installed\nb 2 - [ii ] installed\n" },
	{ "last line without newline",
		"Package: a\nVersion: 1\nStatus: install ok installed\n\nPackage: b\n"
		"Status: deinstall ok config-files\nVersion: 2",
		0, 2, KERR_OK, "a 1 - [ii ] installed\nb 2 - [rc ] config-files\n" },
	{ "field names ignore case",
		"PACKAGE: KSC64\nstatus: Install OK Installed\nversion: 1\nARCHITECTURE: amd64\n",
		0, 1, KERR_OK, "ksc64 1 amd64 [ii ] installed\n" },
	{ "white space around names and values",
		"Package :  foo  \nStatus:\tinstall  ok   installed\t\nVersion: 2 \n",
		0, 1, KERR_OK, "foo 2 - [ii ] installed\n" },
	{ "CRLF line ends",
		"Package: foo\r\nStatus: install ok installed\r\nVersion: 1\r\n",
		0, 1, KERR_OK, "foo 1 - [ii ] installed\n" },
	{ "no Status is not-installed",
		"Package: foo\nVersion: 1\n",
		0, 1, KERR_OK, "foo 1 - [un ] not-installed\n" },
	{ "empty input", "", 0, 0, KERR_OK, "" },
	{ "only blank lines", "\n\n\n", 0, 0, KERR_OK, "" },
	{ "Multi-Arch same instances",
		"Package: libc6\nStatus: install ok installed\nVersion: 2.36\nArchitecture: amd64\n"
		"Multi-Arch: same\n\n"
		"Package: libc6\nStatus: install ok installed\nVersion: 2.36\nArchitecture: i386\n"
		"Multi-Arch: Same\n",
		0, 2, KERR_OK,
		"libc6 2.36 amd64 [ii ] installed\nlibc6 2.36 i386 [ii ] installed\n" },
	{ "a not-installed instance beside an installed one",
		"Package: foo\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\n"
		"Package: foo\nStatus: purge ok not-installed\nArchitecture: i386\n",
		0, 2, KERR_OK, "foo 1 amd64 [ii ] installed\nfoo - i386 [un ] not-installed\n" },
	{ "half-installed needs no Version",
		"Package: a\nStatus: install reinstreq half-installed\n",
		0, 1, KERR_OK, "a - - [iHR] partial\n" },
	{ "user fields and a hash inside a name",
		"Package: a\nVersion: 1\nStatus: install ok installed\nX-Note: x\n#x: y\n",
		0, 1, KERR_OK, "a 1 - [ii ] installed\n" },

	{ "NUL byte",
		NUL_INPUT, sizeof(NUL_INPUT) - 1, -1, KERR_CORRUPT,
		LABEL ":2: NUL byte: binary data, not a control file" },
	{ "comment-like line",
		"#padded\n", 0, -1, KERR_CORRUPT,
		LABEL ":1: '#padded' is neither a field (no colon after the name) nor a "
		"continuation line" },
	{ "line without colon",
		"Package: a\nStatus install ok installed\n", 0, -1, KERR_CORRUPT,
		LABEL ":2: 'Status install ok installed' is neither a field (no colon after the "
		"name) nor a continuation line" },
	{ "empty field name",
		"Package: a\n: foo\n", 0, -1, KERR_CORRUPT, LABEL ":2: empty field name" },
	{ "field name with a hyphen first",
		"Package: a\n-Foo: x\n", 0, -1, KERR_CORRUPT,
		LABEL ":2: invalid field name '-Foo'" },
	{ "one-letter field name",
		"Package: a\nX: y\n", 0, -1, KERR_CORRUPT, LABEL ":2: invalid field name 'X'" },
	{ "white-space line is no separator",
		"Package: a\nStatus: install ok installed\nVersion: 1\n  \nPackage: b\n"
		"Status: install ok installed\nVersion: 1\n",
		0, -1, KERR_CORRUPT,
		LABEL ":5: field 'Package' repeated in the stanza (first at line 1): missing blank "
		"line between stanzas?" },
	{ "white-space line after a blank line",
		"Package: a\nVersion: 1\n\n \t\nPackage: b\n", 0, -1, KERR_CORRUPT,
		LABEL ":4: line starts with white space outside a stanza (only an empty line "
		"separates stanzas)" },
	{ "continuation first",
		" foo\n", 0, -1, KERR_CORRUPT,
		LABEL ":1: line starts with white space outside a stanza (only an empty line "
		"separates stanzas)" },
	{ "missing blank line",
		"Package: a\nVersion: 1\nStatus: install ok installed\nPackage: b\nVersion: 1\n",
		0, -1, KERR_CORRUPT,
		LABEL ":4: field 'Package' repeated in the stanza (first at line 1): missing blank "
		"line between stanzas?" },
	{ "field repeated in another case",
		"Package: a\nVersion: 1\nversion: 2\n", 0, -1, KERR_CORRUPT,
		LABEL ":3: field 'version' repeated in the stanza (first at line 2): missing blank "
		"line between stanzas?" },
	{ "stanza without Package",
		"Package: a\nVersion: 1\n\nVersion: 2\nStatus: install ok installed\n",
		0, -1, KERR_CORRUPT, LABEL ":4: stanza without a Package field" },
	{ "invalid status word",
		"Package: a\nVersion: 1\nStatus: install ok bogus\n", 0, -1, KERR_CORRUPT,
		LABEL ":3: invalid Status 'install ok bogus'" },
	{ "status with two words",
		"Package: a\nStatus: install installed\n", 0, -1, KERR_CORRUPT,
		LABEL ":2: invalid Status 'install installed'" },
	{ "status with four words",
		"Package: a\nStatus: install ok installed now\n", 0, -1, KERR_CORRUPT,
		LABEL ":2: invalid Status 'install ok installed now'" },
	{ "empty status",
		"Package: a\nStatus:\n", 0, -1, KERR_CORRUPT, LABEL ":2: invalid Status ''" },
	{ "status words glued",
		"Package: a\nStatus: installok installed\n", 0, -1, KERR_CORRUPT,
		LABEL ":2: invalid Status 'installok installed'" },
	{ "second stanza for one package and arch",
		"Package: kesl\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\n"
		"Package: x\nVersion: 1\n\n"
		"Package: kesl\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n",
		0, -1, KERR_CORRUPT,
		LABEL ":9: second stanza for package 'kesl:amd64' (the first is at line 1)" },
	{ "second stanza without arch",
		"Package: kesl\nVersion: 1\n\nPackage: Kesl\nVersion: 2\n", 0, -1, KERR_CORRUPT,
		LABEL ":4: second stanza for package 'kesl' (the first is at line 1)" },
	{ "two installed instances not Multi-Arch same",
		"Package: foo\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\n"
		"Package: foo\nStatus: install ok installed\nVersion: 1\nArchitecture: i386\n",
		0, -1, KERR_CORRUPT,
		LABEL ":6: package 'foo' is installed for several architectures, not all of them "
		"'Multi-Arch: same'" },
	{ "installed without Version",
		"Package: a\nStatus: install ok installed\n", 0, -1, KERR_CORRUPT,
		LABEL ":1: package 'a' is installed but has no Version" },
	{ "config-files with an empty Version",
		"\nPackage: a\nStatus: deinstall ok config-files\nVersion:\n", 0, -1, KERR_CORRUPT,
		LABEL ":2: package 'a' is config-files but has no Version" },
	{ "invalid Multi-Arch",
		"Package: a\nVersion: 1\nMulti-Arch: sometimes\n", 0, -1, KERR_CORRUPT,
		LABEL ":3: invalid Multi-Arch 'sometimes'" },
	{ "Multi-Arch same for arch all",
		"Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n"
		"Multi-Arch: same\n", 0, -1, KERR_CORRUPT,
		LABEL ":1: package 'a' is 'Multi-Arch: same' and Architecture 'all'" },
	{ "Multi-Arch same without arch",
		"Package: a\nStatus: install ok installed\nVersion: 1\nMulti-Arch: same\n",
		0, -1, KERR_CORRUPT,
		LABEL ":1: package 'a' is 'Multi-Arch: same' but has no Architecture" },
	{ "pending triggers on an installed package",
		"Package: a\nStatus: install ok installed\nVersion: 1\nTriggers-Pending: /usr/x\n",
		0, -1, KERR_CORRUPT,
		LABEL ":1: package 'a' is installed but has pending triggers" },
	{ "triggers-pending without triggers",
		"Package: a\nStatus: install ok triggers-pending\nVersion: 1\n",
		0, -1, KERR_CORRUPT,
		LABEL ":1: package 'a' is triggers-pending but has no pending triggers" },
	{ "triggers-awaited without triggers",
		"Package: a\nStatus: install ok triggers-awaited\nVersion: 1\n",
		0, -1, KERR_CORRUPT,
		LABEL ":1: package 'a' is triggers-awaited but awaits no triggers" },
	{ "awaited triggers on a config-files package",
		"Package: a\nStatus: deinstall ok config-files\nVersion: 1\nTriggers-Awaited: b\n",
		0, -1, KERR_CORRUPT, LABEL ":1: package 'a' is config-files but awaits triggers" },
	{ "Config-Version on an installed package",
		"Package: a\nStatus: install ok installed\nVersion: 1\nConfig-Version: 1\n",
		0, -1, KERR_CORRUPT,
		LABEL ":1: package 'a' has a Config-Version but is installed" },
	{ "package name starting with a symbol",
		"Package: _foo\n", 0, -1, KERR_CORRUPT,
		LABEL ":1: invalid package name '_foo': it must start with a letter or digit" },
	{ "package name with a space",
		"Version: 1\nPackage: foo bar\n", 0, -1, KERR_CORRUPT,
		LABEL ":2: invalid package name 'foo bar'" },
	{ "Version over two lines",
		"Package: a\nVersion: 1\n 2\n", 0, -1, KERR_CORRUPT,
		LABEL ":3: Version continues on a second line" },
	{ "control characters are quoted",
		"Package: a\nStatus: install ok \033[31m\n", 0, -1, KERR_CORRUPT,
		LABEL ":2: invalid Status 'install ok ?[31m'" },
};

START_TEST(test_parse_table)
{
	const struct parse_case *c = &parse_cases[_i];
	size_t len = c->len != 0 ? c->len : strlen(c->in);
	struct pkg_list l;
	struct kerr err;
	long rc;

	pkg_list_init(&l);
	kerr_clear(&err);
	rc = dpkg_parse_mem(c->in, len, LABEL, &l, &err);
	ck_assert_msg(rc == c->rc, "%s: rc %ld, want %ld (%s)", c->name, rc, c->rc, err.msg);
	if (rc >= 0) {
		char *got = render(&l, false);

		ck_assert_msg(strcmp(got, c->want) == 0, "%s: got\n%s", c->name, got);
		free(got);
	} else {
		ck_assert_msg(err.code == c->code, "%s: code %d", c->name, (int)err.code);
		ck_assert_str_eq(err.msg, c->want);
		ck_assert_uint_eq(l.n, 0);
	}
	pkg_list_free(&l);
}
END_TEST

/* ---- every Status value ---- */

struct status_case {
	const char *status;
	const char *extra;
	const char *words;
	const char *abbrev;
	enum pkg_state state;
};

static const struct status_case status_cases[] = {
	{ "install ok installed", "", "install ok installed", "ii ", PKG_INSTALLED },
	{ "hold ok installed", "", "hold ok installed", "hi ", PKG_INSTALLED },
	{ "Install OK Installed", "", "install ok installed", "ii ", PKG_INSTALLED },
	{ "install  ok\tinstalled", "", "install ok installed", "ii ", PKG_INSTALLED },
	{ "deinstall ok config-files", "", "deinstall ok config-files", "rc ", PKG_CONFIG_FILES },
	{ "purge ok config-files", "", "purge ok config-files", "pc ", PKG_CONFIG_FILES },
	{ "install ok half-installed", "", "install ok half-installed", "iH ", PKG_PARTIAL },
	{ "install reinstreq half-installed", "", "install reinstreq half-installed", "iHR",
		PKG_PARTIAL },
	{ "deinstall reinstreq half-installed", "", "deinstall reinstreq half-installed", "rHR",
		PKG_PARTIAL },
	{ "install ok unpacked", "", "install ok unpacked", "iU ", PKG_PARTIAL },
	{ "install reinstreq unpacked", "", "install reinstreq unpacked", "iUR", PKG_PARTIAL },
	{ "install ok half-configured", "", "install ok half-configured", "iF ", PKG_PARTIAL },
	{ "install ok triggers-awaited", "Triggers-Awaited: b\n", "install ok triggers-awaited",
		"iW ", PKG_PARTIAL },
	{ "install ok triggers-pending", "Triggers-Pending: /usr/x\n",
		"install ok triggers-pending", "it ", PKG_PARTIAL },
	{ "unknown ok not-installed", "", "unknown ok not-installed", "un ", PKG_NOT_INSTALLED },
	{ "install ok not-installed", "", "install ok not-installed", "in ", PKG_NOT_INSTALLED },
	/* dpkg forgets a purge or deinstall selection of a package that is gone */
	{ "purge ok not-installed", "", "unknown ok not-installed", "un ", PKG_NOT_INSTALLED },
	{ "deinstall ok not-installed", "", "unknown ok not-installed", "un ",
		PKG_NOT_INSTALLED },
	{ "purge reinstreq not-installed", "", "purge reinstreq not-installed", "pnR",
		PKG_NOT_INSTALLED },
};

START_TEST(test_status_values)
{
	const struct status_case *c = &status_cases[_i];
	struct pkg_list l;
	struct kerr err;
	char in[512];
	long rc;

	/* the table's strings are short: cannot be cut */
	(void)snprintf(in, sizeof(in), "Package: p\nVersion: 1\nArchitecture: amd64\n"
		"Status: %s\n%s", c->status, c->extra);
	pkg_list_init(&l);
	kerr_clear(&err);
	rc = dpkg_parse_mem(in, strlen(in), LABEL, &l, &err);
	ck_assert_msg(rc == 1, "%s: %s", c->status, err.msg);
	ck_assert_str_eq(l.v[0].status, c->words);
	ck_assert_str_eq(l.v[0].abbrev, c->abbrev);
	ck_assert_int_eq(l.v[0].state, c->state);
	ck_assert_str_eq(l.v[0].manager, "dpkg");
	ck_assert_str_eq(l.v[0].source, LABEL);
	pkg_list_free(&l);
}
END_TEST

/* A Status word dpkg does not know, for each of the three positions. */
START_TEST(test_status_invalid_words)
{
	static const char *const bad[] = { "installx ok installed", "install fine installed",
		"install ok configured", "ok install installed" };
	struct pkg_list l;
	struct kerr err;
	char in[256], want[256];

	/* the table's strings are short: cannot be cut */
	(void)snprintf(in, sizeof(in), "Package: p\nVersion: 1\nStatus: %s\n", bad[_i]);
	(void)snprintf(want, sizeof(want), LABEL ":3: invalid Status '%s'", bad[_i]);
	pkg_list_init(&l);
	kerr_clear(&err);
	ck_assert_int_eq(dpkg_parse_mem(in, strlen(in), LABEL, &l, &err), -1);
	ck_assert_int_eq(err.code, KERR_CORRUPT);
	ck_assert_str_eq(err.msg, want);
	pkg_list_free(&l);
}
END_TEST

/* ---- limits and garbage ---- */

static char *long_line_input(size_t value_len, size_t *len)
{
	static const char head[] = "Package: a\nDescription: ";
	size_t n = sizeof(head) - 1;
	char *s = malloc(n + value_len + 2);

	ck_assert_ptr_nonnull(s);
	memcpy(s, head, n);
	memset(s + n, 'x', value_len);
	s[n + value_len] = '\n';
	s[n + value_len + 1] = '\0';
	*len = n + value_len + 1;
	return s;
}

START_TEST(test_limit_line)
{
	const size_t head = strlen("Description: ");
	struct pkg_list l;
	struct kerr err;
	size_t len;
	char *in;

	pkg_list_init(&l);
	kerr_clear(&err);
	/* exactly the cap: accepted */
	in = long_line_input(KS_DPKG_LINE_MAX - head, &len);
	ck_assert_int_eq(dpkg_parse_mem(in, len, LABEL, &l, &err), 1);
	free(in);
	/* one byte more: refused, naming the line */
	in = long_line_input(KS_DPKG_LINE_MAX - head + 1, &len);
	ck_assert_int_eq(dpkg_parse_mem(in, len, LABEL, &l, &err), -1);
	ck_assert_int_eq(err.code, KERR_LIMIT);
	ck_assert_str_eq(err.msg, LABEL ":2: line longer than 1048576 bytes");
	free(in);
	ck_assert_uint_eq(l.n, 1);
	pkg_list_free(&l);
}
END_TEST

START_TEST(test_limit_fields)
{
	struct pkg_list l;
	struct kerr err;
	struct buf b;
	unsigned i;

	buf_init(&b, (size_t)1 << 20);
	buf_adds(&b, "Package: a\n");
	for (i = 1; i < 1024; i++) {
		buf_addf(&b, "X-F%u: v\n", i);
	}
	pkg_list_init(&l);
	kerr_clear(&err);
	ck_assert_int_eq(dpkg_parse_mem(buf_str(&b), buf_len(&b), LABEL, &l, &err), 1);
	buf_adds(&b, "X-Last: v\n");
	ck_assert_int_eq(dpkg_parse_mem(buf_str(&b), buf_len(&b), LABEL, &l, &err), -1);
	ck_assert_int_eq(err.code, KERR_LIMIT);
	ck_assert_str_eq(err.msg, LABEL ":1025: stanza starting at line 1 has more than 1024 "
		"fields");
	buf_free(&b);
	pkg_list_free(&l);
}
END_TEST

START_TEST(test_limit_values)
{
	struct pkg_list l;
	struct kerr err;
	struct buf b;
	size_t i;

	pkg_list_init(&l);
	kerr_clear(&err);
	buf_init(&b, (size_t)1 << 20);
	buf_adds(&b, "Package: a\nVersion: ");
	for (i = 0; i < KS_PKG_FIELD_MAX + 1; i++) {
		buf_addc(&b, '1');
	}
	buf_addc(&b, '\n');
	ck_assert_int_eq(dpkg_parse_mem(buf_str(&b), buf_len(&b), LABEL, &l, &err), -1);
	ck_assert_int_eq(err.code, KERR_LIMIT);
	ck_assert_str_eq(err.msg, LABEL ":2: Version longer than 4096 bytes");
	buf_reset(&b);
	buf_adds(&b, "Package: a\n");
	for (i = 0; i < 257; i++) {
		buf_addc(&b, 'F');
	}
	buf_adds(&b, ": v\n");
	ck_assert_int_eq(dpkg_parse_mem(buf_str(&b), buf_len(&b), LABEL, &l, &err), -1);
	ck_assert_int_eq(err.code, KERR_LIMIT);
	ck_assert_str_eq(err.msg, LABEL ":2: field name longer than 256 bytes");
	buf_free(&b);
	pkg_list_free(&l);
}
END_TEST

/* Binary bytes (no NUL among them) after a valid stanza: refused, never listed. */
START_TEST(test_garbage)
{
	static const char good[] = "Package: a\nVersion: 1\nStatus: install ok installed\n\n";
	unsigned int seed = 12345;
	struct pkg_list l;
	struct kerr err;
	char *in;
	size_t i, n = sizeof(good) - 1, len = n + 65536;

	in = malloc(len);
	ck_assert_ptr_nonnull(in);
	memcpy(in, good, n);
	for (i = n; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		in[i] = (char)(1 + (seed >> 16) % 255);
	}
	pkg_list_init(&l);
	kerr_clear(&err);
	ck_assert_int_eq(dpkg_parse_mem(in, len, LABEL, &l, &err), -1);
	ck_assert_int_eq(err.code, KERR_CORRUPT);
	ck_assert_msg(strncmp(err.msg, LABEL ":5: ", strlen(LABEL ":5: ")) == 0, "%s", err.msg);
	ck_assert_uint_eq(l.n, 0);
	free(in);
	pkg_list_free(&l);
}
END_TEST

/* The largest distributions ship ~70,000 packages: linear time, exact count. */
START_TEST(test_many_packages)
{
	const unsigned n = 70000;
	struct pkg_list l;
	struct kerr err;
	struct timespec t0, t1;
	struct buf b;
	unsigned i;
	double ms;

	buf_init(&b, (size_t)64 << 20);
	for (i = 0; i < n; i++) {
		buf_addf(&b, "Package: pkg%u\nStatus: install ok installed\nPriority: optional\n"
			"Section: misc\nInstalled-Size: 12\nMaintainer: M <m@example.org>\n"
			"Architecture: amd64\nVersion: 1.%u-1\nDepends: libc6 (>= 2.36)\n"
			"Description: package %u\n a longer description\n .\n over lines\n\n",
			i, i, i);
	}
	ck_assert_int_eq(buf_error(&b), 0);
	pkg_list_init(&l);
	kerr_clear(&err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(dpkg_parse_mem(buf_str(&b), buf_len(&b), LABEL, &l, &err), n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ck_assert_uint_eq(l.n, n);
	ck_assert_str_eq(l.v[69999].name, "pkg69999");
	ck_assert_str_eq(l.v[69999].version, "1.69999-1");
	/* ~0.1 s here; quadratic work would take minutes. Loose, for loaded CI machines. */
	ck_assert_msg(ms < 10000, "70,000 packages took %.0f ms", ms);
	buf_free(&b);
	pkg_list_free(&l);
}
END_TEST

/* ---- whole roots ---- */

static const char journal_status[] =
	"Package: a\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\n"
	"Package: b\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n"
	"Multi-Arch: same\n\n"
	"Package: b\nStatus: install ok installed\nVersion: 1.0\nArchitecture: i386\n"
	"Multi-Arch: same\n\n"
	"Package: c\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\n"
	"Package: e\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n";

static void write_padding(const char *root)
{
	struct buf b;
	int i;

	buf_init(&b, (size_t)1 << 20);
	for (i = 0; i < 512; i++) {
		buf_adds(&b, "#padded\n");
	}
	cu_write_at(root, "var/lib/dpkg/updates/tmp.i", buf_str(&b), 0644);
	buf_free(&b);
}

/* status, then updates/0000..0005 in order, tmp.i and other names ignored. */
START_TEST(test_journal)
{
	const char *root = cu_tmp;
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;
	char *got;

	cu_write_at(root, "var/lib/dpkg/status", journal_status, 0644);
	/* written out of order: the names decide */
	cu_write_at(root, "var/lib/dpkg/updates/0001", "Package: a\nStatus: install ok "
		"half-configured\nVersion: 3.0\nArchitecture: amd64\n", 0644);
	cu_write_at(root, "var/lib/dpkg/updates/0000", "Package: a\nStatus: install ok "
		"installed\nVersion: 2.0\nArchitecture: amd64\n", 0644);
	cu_write_at(root, "var/lib/dpkg/updates/0002", "Package: c\nStatus: purge ok "
		"not-installed\nArchitecture: amd64\n", 0644);
	/* Multi-Arch: same: the record of that architecture only */
	cu_write_at(root, "var/lib/dpkg/updates/0003", "Package: b\nStatus: install ok unpacked\n"
		"Version: 2.0\nArchitecture: i386\nMulti-Arch: same\n", 0644);
	/* otherwise the single installed instance, whatever its architecture (cross-grade) */
	cu_write_at(root, "var/lib/dpkg/updates/0004", "Package: e\nStatus: install ok installed\n"
		"Version: 2.0\nArchitecture: i386\n", 0644);
	cu_write_at(root, "var/lib/dpkg/updates/0005", "Package: d\nStatus: install ok unpacked\n"
		"Version: 1\nArchitecture: all\n", 0644);
	write_padding(root);
	cu_write_at(root, "var/lib/dpkg/updates/notes", "not a control file\n", 0644);
	ck_assert_int_eq(read_root(root, &l, &c, &err), 1);
	got = render(&l, true);
	ck_assert_str_eq(got,
		"a 3.0 amd64 [iF ] partial /var/lib/dpkg/updates/0001\n"
		"b 1.0 amd64 [ii ] installed /var/lib/dpkg/status\n"
		"b 2.0 i386 [iU ] partial /var/lib/dpkg/updates/0003\n"
		"d 1 all [iU ] partial /var/lib/dpkg/updates/0005\n"
		"e 2.0 i386 [ii ] installed /var/lib/dpkg/updates/0004\n");
	ck_assert_uint_eq(c.status_records, 5);
	ck_assert_uint_eq(c.updates_files, 6);
	ck_assert_uint_eq(c.statusd_files, 0);
	ck_assert_uint_eq(c.packages, 5);
	free(got);
	pkg_list_free(&l);
}
END_TEST

/* A journal entry for a package with two installed instances must be Multi-Arch: same. */
START_TEST(test_journal_not_coinstallable)
{
	const char *root = cu_tmp;
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;

	cu_write_at(root, "var/lib/dpkg/status", journal_status, 0644);
	cu_write_at(root, "var/lib/dpkg/updates/0000", "Package: b\nStatus: install ok installed\n"
		"Version: 3.0\nArchitecture: arm64\n", 0644);
	ck_assert_int_eq(read_root(root, &l, &c, &err), -1);
	ck_assert_int_eq(err.code, KERR_CORRUPT);
	ck_assert_str_eq(err.msg, "/var/lib/dpkg/updates/0000:1: package 'b:arm64' is not "
		"'Multi-Arch: same' but has 2 installed instances");
	ck_assert_uint_eq(l.n, 0);
	pkg_list_free(&l);
}
END_TEST

struct journal_bad_case {
	const char *file;
	const char *content;
	/* a symlink to @content instead of a file */
	bool link;
	enum kerr_code code;
	const char *msg;
};

static const struct journal_bad_case journal_bad[] = {
	{ "var/lib/dpkg/updates/0000", "Package: a\nStatus: bogus\n", false, KERR_CORRUPT,
		"/var/lib/dpkg/updates/0000:2: invalid Status 'bogus'" },
	{ "var/lib/dpkg/updates/00001", "Package: a\nVersion: 1\n", false, KERR_CORRUPT,
		"/var/lib/dpkg/updates: journal file names of different lengths ('0000' and "
		"'00001')" },
	{ "var/lib/dpkg/updates/12345678901", "Package: a\nVersion: 1\n", false, KERR_CORRUPT,
		"/var/lib/dpkg/updates/12345678901: journal file name longer than 10 digits" },
	{ "var/lib/dpkg/updates/0001", "../status", true, KERR_IO,
		"/var/lib/dpkg/updates/0001: a symbolic link, not a regular file" },
};

/* Each case adds its file beside a valid updates/0000 (except the first, which replaces it). */
START_TEST(test_journal_bad)
{
	const struct journal_bad_case *jc = &journal_bad[_i];
	const char *root = cu_tmp;
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;

	cu_write_at(root, "var/lib/dpkg/status", journal_status, 0644);
	if (_i != 0) {
		cu_write_at(root, "var/lib/dpkg/updates/0000", "Package: a\nStatus: install ok "
			"installed\nVersion: 2.0\nArchitecture: amd64\n", 0644);
	}
	if (jc->link) {
		fx_symlink(root, jc->file, jc->content);
	} else {
		cu_write_at(root, jc->file, jc->content, 0644);
	}
	ck_assert_int_eq(read_root(root, &l, &c, &err), -1);
	ck_assert_int_eq(err.code, jc->code);
	ck_assert_str_eq(err.msg, jc->msg);
	ck_assert_uint_eq(l.n, 0);
	pkg_list_free(&l);
}
END_TEST

/* A crash before dpkg ever wrote status leaves only the journal: still a database. */
START_TEST(test_journal_without_status)
{
	const char *root = cu_tmp;
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;
	char *got;

	cu_write_at(root, "var/lib/dpkg/updates/0000", "Package: kesl\nStatus: install reinstreq "
		"half-installed\nVersion: 12.4.0-1225\nArchitecture: amd64\n", 0644);
	ck_assert_int_eq(read_root(root, &l, &c, &err), 1);
	got = render(&l, true);
	ck_assert_str_eq(got, "kesl 12.4.0-1225 amd64 [iHR] partial /var/lib/dpkg/updates/0000\n");
	ck_assert_uint_eq(c.status_records, 0);
	ck_assert_uint_eq(c.updates_files, 1);
	free(got);
	pkg_list_free(&l);
}
END_TEST

/* Distroless: one file per package, no Status; .md5sums files beside them are not read. */
START_TEST(test_statusd)
{
	const char *root = cu_tmp;
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;
	char *got;

	cu_write_at(root, "var/lib/dpkg/status.d/base-files", "Package: base-files\n"
		"Version: 12.4+deb12u5\nArchitecture: amd64\nMaintainer: x\n", 0644);
	cu_write_at(root, "var/lib/dpkg/status.d/base-files.md5sums",
		"d41d8cd98f00b204e9800998ecf8427e  usr/bin/x\n", 0644);
	cu_write_at(root, "var/lib/dpkg/status.d/libssl3", "Package: libssl3\n"
		"Status: install ok installed\nVersion: 3.0.11-1\nArchitecture: amd64\n", 0644);
	cu_write_at(root, "var/lib/dpkg/status.d/old", "Package: old\n"
		"Status: deinstall ok config-files\nVersion: 1\nArchitecture: amd64\n\n"
		"Package: gone\nStatus: purge ok not-installed\n", 0644);
	ck_assert_int_eq(read_root(root, &l, &c, &err), 1);
	got = render(&l, true);
	ck_assert_str_eq(got,
		"base-files 12.4+deb12u5 amd64 [ii ] installed /var/lib/dpkg/status.d/base-files\n"
		"libssl3 3.0.11-1 amd64 [ii ] installed /var/lib/dpkg/status.d/libssl3\n"
		"old 1 amd64 [rc ] config-files /var/lib/dpkg/status.d/old\n");
	ck_assert_str_eq(l.v[0].status, "install ok installed");
	ck_assert_uint_eq(c.status_records, 0);
	ck_assert_uint_eq(c.statusd_files, 3);
	ck_assert_uint_eq(c.packages, 3);
	free(got);
	pkg_list_free(&l);
}
END_TEST

/* status and status.d together; a bad status.d file fails the whole source. */
START_TEST(test_statusd_with_status)
{
	const char *root = cu_tmp;
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;

	cu_write_at(root, "var/lib/dpkg/status", journal_status, 0644);
	cu_write_at(root, "var/lib/dpkg/status.d/zlib", "Package: zlib1g\nVersion: 1\n", 0644);
	ck_assert_int_eq(read_root(root, &l, &c, &err), 1);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_str_eq(l.v[5].name, "zlib1g");
	ck_assert_uint_eq(c.packages, 6);
	pkg_list_free(&l);
	cu_write_at(root, "var/lib/dpkg/status.d/zz", "Package: zz\nVersion 1\n", 0644);
	ck_assert_int_eq(read_root(root, &l, &c, &err), -1);
	ck_assert_int_eq(err.code, KERR_CORRUPT);
	ck_assert_str_eq(err.msg, "/var/lib/dpkg/status.d/zz:2: 'Version 1' is neither a field "
		"(no colon after the name) nor a continuation line");
	ck_assert_uint_eq(l.n, 0);
	pkg_list_free(&l);
}
END_TEST

START_TEST(test_absent)
{
	const char *root = cu_tmp;
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;

	ck_assert_int_eq(read_root(root, &l, &c, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(c.packages, 0);
	pkg_list_free(&l);
	/* an updates directory holding only dpkg's scratch file is no database either */
	write_padding(root);
	ck_assert_int_eq(read_root(root, &l, &c, &err), 0);
	ck_assert_int_eq(err.code, KERR_OK);
	pkg_list_free(&l);
	/* an empty status is a database with no packages */
	cu_write_at(root, "var/lib/dpkg/status", "", 0644);
	ck_assert_int_eq(read_root(root, &l, &c, &err), 1);
	ck_assert_uint_eq(l.n, 0);
	pkg_list_free(&l);
}
END_TEST

/* status -> a file outside the root: resolved inside the root, never read from outside. */
START_TEST(test_symlink_outside)
{
	static const char outside_db[] = "Package: outside\nStatus: install ok installed\n"
		"Version: 1\n";
	const char *dir = cu_tmp;
	char root[4096], target[4096];
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;

	cu_path(root, sizeof(root), dir, "root");
	cu_path(target, sizeof(target), dir, "outside/status");
	cu_write_at(dir, "outside/status", outside_db, 0644);
	fx_symlink(root, "var/lib/dpkg/status", target);
	ck_assert_int_eq(read_root(root, &l, &c, &err), -1);
	ck_assert_int_eq(err.code, KERR_IO);
	ck_assert_msg(strstr(err.msg, "/var/lib/dpkg/status: symbolic link to '") == err.msg,
		"%s", err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "which is not a regular file inside the root"));
	ck_assert_uint_eq(l.n, 0);
	pkg_list_free(&l);
	/* a relative escape is clamped at the root the same way */
	cu_path(target, sizeof(target), root, "var/lib/dpkg/status");
	ck_assert_int_eq(unlink(target), 0);
	fx_symlink(root, "var/lib/dpkg/status", "../../../../../../../../outside/status");
	ck_assert_int_eq(read_root(root, &l, &c, &err), -1);
	ck_assert_uint_eq(l.n, 0);
	pkg_list_free(&l);
	/* the same file placed inside the root is followed */
	cu_write_at(root, "outside/status", outside_db, 0644);
	ck_assert_int_eq(read_root(root, &l, &c, &err), 1);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "outside");
	pkg_list_free(&l);
}
END_TEST

/* A FIFO would block a reader forever: refused without opening it (timeout otherwise). */
START_TEST(test_fifo_and_directory)
{
	const char *root = cu_tmp;
	char path[4096];
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;

	cu_path(path, sizeof(path), root, "var/lib/dpkg");
	cu_mkdirs(path, 0755);
	cu_path(path, sizeof(path), root, "var/lib/dpkg/status");
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(read_root(root, &l, &c, &err), -1);
	ck_assert_int_eq(err.code, KERR_IO);
	ck_assert_str_eq(err.msg, "/var/lib/dpkg/status: a FIFO, not a regular file");
	pkg_list_free(&l);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(read_root(root, &l, &c, &err), -1);
	ck_assert_str_eq(err.msg, "/var/lib/dpkg/status: a directory, not a regular file");
	pkg_list_free(&l);
}
END_TEST

/* Through a file descriptor: the same caps and messages as from memory. */
START_TEST(test_root_limits)
{
	const char *root = cu_tmp;
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;
	size_t len;
	char *in = long_line_input(2u << 20, &len);

	cu_write_at(root, "var/lib/dpkg/status", in, 0644);
	ck_assert_int_eq(read_root(root, &l, &c, &err), -1);
	ck_assert_int_eq(err.code, KERR_LIMIT);
	ck_assert_str_eq(err.msg, "/var/lib/dpkg/status:2: line longer than 1048576 bytes");
	pkg_list_free(&l);
	cu_write_at(root, "var/lib/dpkg/status", "Package: a\nVersion: 1\n"
		"Status: install ok installed\n\nPackage: a\nVersion: 2\n"
		"Status: install ok installed\n", 0644);
	ck_assert_int_eq(read_root(root, &l, &c, &err), -1);
	ck_assert_int_eq(err.code, KERR_CORRUPT);
	ck_assert_str_eq(err.msg, "/var/lib/dpkg/status:5: second stanza for package 'a' (the "
		"first is at line 1)");
	pkg_list_free(&l);
	free(in);
}
END_TEST

/* On failure nothing is appended, and what the list held before stays. */
START_TEST(test_failure_keeps_list)
{
	const char *root = cu_tmp;
	struct dpkg_counts c;
	struct pkg_list l;
	struct kerr err;
	struct rootfs *r;
	struct pkg before;

	memset(&before, 0, sizeof(before));
	before.manager = "rpm";
	before.name = (char[]){ "kesl" };
	pkg_list_init(&l);
	ck_assert_int_eq(pkg_list_add(&l, &before), 0);
	cu_write_at(root, "var/lib/dpkg/status", journal_status, 0644);
	cu_write_at(root, "var/lib/dpkg/status.d/bad", "garbage\n", 0644);
	kerr_clear(&err);
	r = rootfs_open(root, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(dpkg_read(r, &l, &c, &err), -1);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].manager, "rpm");
	rootfs_close(r);
	pkg_list_free(&l);
}
END_TEST

static Suite *dpkg_suite(void)
{
	Suite *s = suite_create("dpkg");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse_table, 0, (int)(sizeof(parse_cases) /
		sizeof(parse_cases[0])));
	tcase_add_loop_test(tc, test_status_values, 0, (int)(sizeof(status_cases) /
		sizeof(status_cases[0])));
	tcase_add_loop_test(tc, test_status_invalid_words, 0, 4);
	tcase_add_test(tc, test_limit_line);
	tcase_add_test(tc, test_limit_fields);
	tcase_add_test(tc, test_limit_values);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_many_packages);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("root");
	tcase_add_checked_fixture(tc, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(tc, test_journal);
	tcase_add_test(tc, test_journal_not_coinstallable);
	tcase_add_loop_test(tc, test_journal_bad, 0, (int)(sizeof(journal_bad) /
		sizeof(journal_bad[0])));
	tcase_add_test(tc, test_journal_without_status);
	tcase_add_test(tc, test_statusd);
	tcase_add_test(tc, test_statusd_with_status);
	tcase_add_test(tc, test_absent);
	tcase_add_test(tc, test_symlink_outside);
	tcase_add_test(tc, test_fifo_and_directory);
	tcase_add_test(tc, test_root_limits);
	tcase_add_test(tc, test_failure_keeps_list);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dpkg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
