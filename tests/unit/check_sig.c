/*
 * Unit tests for scanner/sig: every validation rule of schema 1 with its exact first
 * diagnostic, the caps, a good pack read into exactly the expected structures, directory
 * loading, ids across packs, and the built-in packs (they load, and their patterns are
 * specific enough not to match look-alikes).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/limits.h"
#include "signatures/sig.h"
#include "signatures/sigload.h"
#include "base/xstd.h"
#include "signatures/builtin.h"
#include "check_util.h"

/* The start of most packs below: lines 1-5, then the case's own lines from line 6. */
#define HDR \
	"schema: 1\n" \
	"signatures:\n" \
	"  - id: kaspersky.kesl\n" \
	"    vendor: Kaspersky\n" \
	"    product: KESL\n"

/* A valid signature body to end a pack with when the case is elsewhere. */
#define MATCH "    processes: [kesl]\n"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loads @yaml as "t.yaml" into a new set. @return the load's result. */
static int load(struct sig_set **s, const char *yaml, size_t len, struct kerr *e)
{
	*s = sig_set_new();
	ck_assert_ptr_nonnull(*s);
	kerr_clear(e);
	return sigload_mem(*s, "t.yaml", yaml, len, false, e);
}

/* ---- Bad packs: one rule each, with the exact first diagnostic. ---- */

struct bad_case {
	const char *name;
	const char *yaml;
	/* the first diagnostic, exactly */
	const char *diag;
	enum kerr_code code;
	/* another diagnostic that must be there too, or NULL */
	const char *also;
};

static const struct bad_case bad_cases[] = {
	{"unknown key in a signature", HDR "    pahts: []\n" MATCH,
		"t.yaml:6:5: unknown key \"pahts\" in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"unknown key with control characters", HDR "    \"a\\e\\u0085\\\"b\": 1\n" MATCH,
		"t.yaml:6:5: unknown key \"a\\x1b\\xc2\\x85\\\"b\" in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"unknown key at the top", "schema: 1\nsignature: []\n",
		"t.yaml:2:1: unknown key \"signature\" at the top of the pack", KERR_INPUT,
		"t.yaml:1:1: missing key \"signatures\" at the top of the pack"},
	{"unknown key in an entry", HDR "    paths:\n      - {path: /opt/x, rol: install}\n",
		"t.yaml:7:24: unknown key \"rol\" in a \"paths\" entry in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT,
		"t.yaml:7:9: missing key \"role\" in a \"paths\" entry in signature "
		"\"kaspersky.kesl\""},
	{"mapping for a string", "schema: 1\nsignatures:\n  - id: x\n    vendor: {a: b}\n"
		"    product: p\n" MATCH,
		"t.yaml:4:13: expected a string for \"vendor\", got a mapping in signature \"x\"",
		KERR_INPUT, NULL},
	{"sequence for a string", HDR "    remove: [a]\n" MATCH,
		"t.yaml:6:13: expected a string for \"remove\", got a sequence in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"boolean for a string", "schema: 1\nsignatures:\n  - id: x\n    vendor: yes\n"
		"    product: p\n" MATCH,
		"t.yaml:4:13: expected a string for \"vendor\", got a boolean (quote it) in "
		"signature \"x\"", KERR_INPUT, NULL},
	{"null for a string", "schema: 1\nsignatures:\n  - id: x\n    vendor:\n"
		"    product: p\n" MATCH,
		"t.yaml:4:12: expected a string for \"vendor\", got null in signature \"x\"",
		KERR_INPUT, NULL},
	{"integer for a string", "schema: 1\nsignatures:\n  - id: x\n    vendor: 12\n"
		"    product: p\n" MATCH,
		"t.yaml:4:13: expected a string for \"vendor\", got an integer (quote it) in "
		"signature \"x\"", KERR_INPUT, NULL},
	{"float version", "schema: 1\nversion: 1.0\nsignatures:\n  - id: x\n    vendor: v\n"
		"    product: p\n" MATCH,
		"t.yaml:2:10: expected a string for \"version\", got a number (quote it)",
		KERR_INPUT, NULL},
	{"empty string", HDR "    description: \"\"\n" MATCH,
		"t.yaml:6:18: empty string for \"description\" in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"control character", HDR "    description: \"red \\e[31m\"\n" MATCH,
		"t.yaml:6:18: control character in the value for \"description\" in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"nul byte from an escape", HDR "    remove: \"a\\0b\"\n" MATCH,
		"t.yaml:6:13: control character in the value for \"remove\" in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"line break in a one-line string", "schema: 1\nsignatures:\n  - id: x\n"
		"    vendor: \"a\\nb\"\n    product: p\n" MATCH,
		"t.yaml:4:13: control character in the value for \"vendor\" in signature \"x\"",
		KERR_INPUT, NULL},
	{"schema quoted", "schema: \"1\"\nsignatures:\n  - id: x\n    vendor: v\n"
		"    product: p\n" MATCH,
		"t.yaml:1:9: expected an integer for \"schema\", got a string", KERR_INPUT, NULL},
	{"schema 2", "schema: 2\nsignatures:\n  - id: x\n    vendor: v\n    product: p\n" MATCH,
		"t.yaml:1:9: unsupported schema \"2\": this kscan reads schema "
		"1", KERR_INPUT, NULL},
	{"schema float", "schema: 1.0\nsignatures:\n  - id: x\n    vendor: v\n"
		"    product: p\n" MATCH,
		"t.yaml:1:9: expected an integer for \"schema\", got a number", KERR_INPUT, NULL},
	{"schema missing", "signatures:\n  - id: x\n    vendor: v\n    product: p\n" MATCH,
		"t.yaml:1:1: missing key \"schema\" at the top of the pack", KERR_INPUT, NULL},
	{"signatures missing", "schema: 1\nversion: \"1\"\n",
		"t.yaml:1:1: missing key \"signatures\" at the top of the pack", KERR_INPUT, NULL},
	{"signatures empty", "schema: 1\nsignatures: []\n",
		"t.yaml:2:13: \"signatures\" is empty", KERR_INPUT, NULL},
	{"signatures a mapping", "schema: 1\nsignatures: {id: x}\n",
		"t.yaml:2:13: expected a sequence for \"signatures\", got a "
		"mapping", KERR_INPUT, NULL},
	{"signature a string", "schema: 1\nsignatures:\n  - kaspersky.kesl\n",
		"t.yaml:3:5: expected a mapping in \"signatures\", got a string", KERR_INPUT, NULL},
	{"id missing", "schema: 1\nsignatures:\n  - vendor: v\n    product: p\n" MATCH,
		"t.yaml:3:5: missing key \"id\" in signature #1", KERR_INPUT, NULL},
	{"vendor missing", "schema: 1\nsignatures:\n  - id: a\n    product: p\n" MATCH
		"  - id: b\n    product: p\n" MATCH,
		"t.yaml:3:5: missing key \"vendor\" in signature \"a\"", KERR_INPUT,
		"t.yaml:6:5: missing key \"vendor\" in signature \"b\""},
	{"id upper case", "schema: 1\nsignatures:\n  - id: Kaspersky.KESL\n    vendor: v\n"
		"    product: p\n" MATCH,
		"t.yaml:3:9: invalid id \"Kaspersky.KESL\" (a-z, 0-9, \".\", \"_\" and \"-\" only, "
		"starting with a letter or digit) in signature #1", KERR_INPUT, NULL},
	{"id with a space", "schema: 1\nsignatures:\n  - id: \"a b\"\n    vendor: v\n"
		"    product: p\n" MATCH,
		"t.yaml:3:9: invalid id \"a b\" (a-z, 0-9, \".\", \"_\" and \"-\" only, starting "
		"with "
		"a letter or digit) in signature #1", KERR_INPUT, NULL},
	{"id starting with a dash", "schema: 1\nsignatures:\n  - id: -x\n    vendor: v\n"
		"    product: p\n" MATCH,
		"t.yaml:3:9: invalid id \"-x\" (a-z, 0-9, \".\", \"_\" and \"-\" only, starting "
		"with "
		"a letter or digit) in signature #1", KERR_INPUT, NULL},
	{"duplicate id", "schema: 1\nsignatures:\n  - id: x\n    vendor: v\n    product: p\n"
		MATCH "  - id: x\n    vendor: v\n    product: p\n" MATCH,
		"t.yaml:7:9: duplicate id \"x\" (first at 3:9) in signature #2", KERR_INPUT, NULL},
	{"matches nothing", "schema: 1\nsignatures:\n  - id: x\n    vendor: v\n    product: p\n"
		"    processes: []\n",
		"t.yaml:3:5: signature \"x\" matches nothing (it has no packages, paths, files, "
		"hashes, processes, services, kernel_modules or accounts)", KERR_INPUT, NULL},
	{"duplicate mapping key", "schema: 1\nsignatures:\n  - id: x\n    vendor: v\n"
		"    vendor: w\n    product: p\n" MATCH,
		"t.yaml:5:5: duplicate key \"vendor\" in signature \"x\"", KERR_INPUT, NULL},
	{"duplicate key in an entry", HDR "    packages: [{name: a, name: b}]\n",
		"t.yaml:6:26: duplicate key \"name\" in a \"packages\" entry in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"key not a string", HDR "    ? [a]\n    : b\n" MATCH,
		"t.yaml:6:7: keys must be strings, got a sequence in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"relative path", HDR "    paths:\n      - {path: opt/kaspersky, role: install}\n",
		"t.yaml:7:16: path \"opt/kaspersky\" is not an absolute path below \"/\" in "
		"signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"root path", HDR "    paths:\n      - {path: /, role: install}\n",
		"t.yaml:7:16: path \"/\" is not an absolute path below \"/\" in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"dot-dot path", HDR "    paths:\n      - {path: /opt/../etc, role: install}\n",
		"t.yaml:7:16: path \"/opt/../etc\" has a \".\" or \"..\" component in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"dot path", HDR "    paths:\n      - {path: /opt/./x, role: install}\n",
		"t.yaml:7:16: path \"/opt/./x\" has a \".\" or \"..\" component in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"empty component", HDR "    paths:\n      - {path: /opt//x, role: install}\n",
		"t.yaml:7:16: path \"/opt//x\" has an empty component in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"trailing slash", HDR "    paths:\n      - {path: /opt/x/, role: install}\n",
		"t.yaml:7:16: path \"/opt/x/\" ends with \"/\" in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"unterminated bracket in a path", HDR
		"    paths:\n      - {path: \"/opt/[ab\", role: install}\n",
		"t.yaml:7:16: unterminated \"[\" in path \"/opt/[ab\" in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"path without role", HDR "    paths:\n      - {path: /opt/x}\n",
		"t.yaml:7:9: missing key \"role\" in a \"paths\" entry in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"unknown role", HDR "    paths:\n      - {path: /opt/x, role: leftover}\n",
		"t.yaml:7:30: unknown role \"leftover\" (use install, remnant or installer) in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"duplicate path", HDR "    paths:\n      - {path: /opt/x, role: install}\n"
		"      - {path: /opt/x, role: remnant}\n",
		"t.yaml:8:16: duplicate entry \"/opt/x\" in \"paths\" (first at 7:16) in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"paths entry a string", HDR "    paths: [/opt/x]\n",
		"t.yaml:6:13: expected a mapping in \"paths\", got a string in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"packages a string", HDR "    packages: kesl\n",
		"t.yaml:6:15: expected a sequence for \"packages\", got a string in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"packages entry a string", HDR "    packages: [kesl]\n",
		"t.yaml:6:16: expected a mapping in \"packages\", got a string in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"package name with a slash", HDR "    packages: [{name: a/b}]\n",
		"t.yaml:6:23: invalid package name \"a/b\" (letters, digits, \"._+-\" and glob "
		"characters only) in signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"package name matching all", HDR "    packages: [{name: \"*\"}]\n",
		"t.yaml:6:23: package name \"*\" is too broad (a glob needs 3 literal characters) "
		"in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"package glob too broad", HDR "    packages: [{name: \"k[a-z]*\"}]\n",
		"t.yaml:6:23: package name \"k[a-z]*\" is too broad (a glob needs 3 literal "
		"characters) in signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"unterminated bracket in a package", HDR "    packages: [{name: \"kesl[\"}]\n",
		"t.yaml:6:23: unterminated \"[\" in package name \"kesl[\" in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"duplicate package", HDR "    packages: [{name: kesl}, {name: kesl}]\n",
		"t.yaml:6:37: duplicate entry \"kesl\" in \"packages\" (first at 6:23) in "
		"signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"file name with a slash", HDR "    files: [{name: /tmp/kesl.deb, role: installer}]\n",
		"t.yaml:6:20: file name \"/tmp/kesl.deb\" has a \"/\" (give a name, not a path) in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"file name matching all", HDR "    files: [{name: \"*.*\", role: installer}]\n",
		"t.yaml:6:20: file name \"*.*\" is too broad (a glob needs 3 literal characters) "
		"in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"file name dot-dot", HDR "    files: [{name: \"..\", role: installer}]\n",
		"t.yaml:6:20: \"..\" is not a file name in signature "
		"\"kaspersky.kesl\"", KERR_INPUT,
		NULL},
	{"short sha256", HDR "    hashes: [{sha256: abc, size: 1, role: installer}]\n",
		"t.yaml:6:23: sha256 \"abc\" is not 64 hexadecimal digits in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"sha256 not hex", HDR "    hashes: [{sha256: \"g000000000000000000000000000000000000000"
		"000000000000000000000000\", size: 1, role: installer}]\n",
		"t.yaml:6:23: sha256 \"g00000000000000000000000000000000000000000000000000000000000"
		"...\" is not 64 hexadecimal digits in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"size float", HDR "    hashes: [{sha256: \"0000000000000000000000000000000000000000"
		"000000000000000000000000\", size: 12.5, role: installer}]\n",
		"t.yaml:6:97: expected a non-negative integer for \"size\", got a number in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"size negative", HDR "    hashes: [{sha256: \"0000000000000000000000000000000000000000"
		"000000000000000000000000\", size: -1, role: installer}]\n",
		"t.yaml:6:97: size \"-1\" is not a plain decimal number of bytes in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"size hex", HDR "    hashes: [{sha256: \"0000000000000000000000000000000000000000"
		"000000000000000000000000\", size: 0x10, role: installer}]\n",
		"t.yaml:6:97: size \"0x10\" is not a plain decimal number of bytes in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"size leading zero", HDR "    hashes: [{sha256: \"0000000000000000000000000000000000000000"
		"000000000000000000000000\", size: 012, role: installer}]\n",
		"t.yaml:6:97: size \"012\" is not a plain decimal number of bytes in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"size quoted", HDR "    hashes: [{sha256: \"0000000000000000000000000000000000000000"
		"000000000000000000000000\", size: \"12\", role: installer}]\n",
		"t.yaml:6:97: expected a non-negative integer for \"size\", got a string in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"size too large", HDR "    hashes: [{sha256: \"0000000000000000000000000000000000000000"
		"000000000000000000000000\", size: 9223372036854775808, role: installer}]\n",
		"t.yaml:6:97: size \"9223372036854775808\" is larger than any file can be in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"size missing", HDR "    hashes: [{sha256: \"0000000000000000000000000000000000000000"
		"000000000000000000000000\", role: installer}]\n",
		"t.yaml:6:23: hashes[0]: size is required unless the signature names the file by "
		"a `files` glob: without a size the sweep would have to hash every file in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"duplicate hash in another case", HDR
		"    hashes:\n"
		"      - {sha256: "
		"\"00000000000000000000000000000000000000000000000000000000000000aa\","
		" size: 1, role: installer}\n"
		"      - {sha256: "
		"\"00000000000000000000000000000000000000000000000000000000000000AA\","
		" size: 2, role: installer}\n",
		"t.yaml:8:18: duplicate entry "
		"\"00000000000000000000000000000000000000000000000000000"
		"0000000...\" in \"hashes\" (first at 7:18) in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"reference not http", HDR "    references: [ftp://example.com/x]\n" MATCH,
		"t.yaml:6:18: \"ftp://example.com/x\" in \"references\" is not an http(s) url in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"reference without host", HDR "    references: [\"https://\"]\n" MATCH,
		"t.yaml:6:18: \"https://\" in \"references\" is not an http(s) url in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"process with a space", HDR "    processes: [\"kesl gui\"]\n",
		"t.yaml:6:17: invalid name \"kesl gui\" in \"processes\" (letters, digits and "
		"._+-@: "
		"only, no globs) in signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"service glob", HDR "    services: [\"kesl*\"]\n",
		"t.yaml:6:16: invalid name \"kesl*\" in \"services\" (letters, digits and ._-@:\\ "
		"only, no globs) in signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"kernel module with a dot", HDR "    kernel_modules: [kav4fs.ko]\n",
		"t.yaml:6:22: invalid name \"kav4fs.ko\" in \"kernel_modules\" (letters, digits "
		"and _- "
		"only, no globs) in signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"duplicate process", HDR "    processes: [kesl, wdserver, kesl]\n",
		"t.yaml:6:33: duplicate entry \"kesl\" in \"processes\" (first at 6:17) in "
		"signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"boolean process", HDR "    processes: [kesl, on]\n",
		"t.yaml:6:23: expected a string in \"processes\", got a boolean (quote it) in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"anchor", HDR "    processes: &p [kesl]\n",
		"t.yaml:6:16: anchors are not allowed in signature packs in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"alias", "schema: 1\nversion: &v \"1\"\ndescription: *v\nsignatures:\n  - id: x\n"
		"    vendor: v\n    product: p\n" MATCH,
		"t.yaml:2:10: anchors are not allowed in signature packs", KERR_INPUT,
		"t.yaml:3:14: aliases are not allowed in signature packs"},
	{"merge key", HDR "    <<: {processes: [kesl]}\n" MATCH,
		"t.yaml:6:5: unknown key \"<<\" in signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"tag", HDR "    description: !!str text\n" MATCH,
		"t.yaml:6:18: tags are not allowed in signature packs in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"tag on the top", "--- !pack\nschema: 1\nsignatures: []\n",
		"t.yaml:1:5: tags are not allowed in signature packs", KERR_INPUT, NULL},
	{"two documents", "schema: 1\nsignatures:\n  - id: x\n    vendor: v\n    product: p\n"
		MATCH "---\nschema: 1\n",
		"t.yaml:7:1: a signature pack is one YAML document; found another here", KERR_INPUT,
		NULL},
	{"byte order mark", "\xef\xbb\xbfschema: 1\r\nsignatures:\r\n"
		"  - {id: a, vendor: v, product: p, processes: [\"x y\"]}\r\n",
		"t.yaml:3:48: invalid name \"x y\" in \"processes\" (letters, digits and ._+-@: "
		"only, no globs) in signature \"a\"", KERR_INPUT, NULL},
	{"utf-16", "\xff\xfes\x00c\x00", "t.yaml:1:1: not a valid utf-8 text file: invalid "
		"leading utf-8 octet", KERR_INPUT, NULL},
	{"empty file", "", "t.yaml:1:1: the pack is empty", KERR_INPUT, NULL},
	{"only comments", "# nothing\n\n", "t.yaml:1:1: the pack is empty", KERR_INPUT, NULL},
	{"empty document", "---\n", "t.yaml:2:1: expected a mapping at the top of the pack, got "
		"null",
		KERR_INPUT, NULL},
	{"top a sequence", "- schema: 1\n",
		"t.yaml:1:1: expected a mapping at the top of the pack, got a sequence", KERR_INPUT,
		NULL},
	{"syntax error", HDR "    processes: [kesl\n",
		"t.yaml:7:1: syntax error: did not find expected ',' or ']' (while parsing a flow "
		"sequence that starts at 6:16)", KERR_INPUT, NULL},
	{"tab indentation", "schema: 1\nsignatures:\n\t- id: x\n",
		"t.yaml:3:1: syntax error: found character that cannot start any token (while "
		"scanning for the next token that starts at 3:1)", KERR_INPUT, NULL},
	{"invalid utf-8", HDR "    description: caf\xc3\n" MATCH,
		"t.yaml:6:22: not a valid utf-8 text file: invalid trailing utf-8 octet",
		KERR_INPUT, NULL},
	{"invalid utf-8 lead byte", HDR "    description: \xff\n" MATCH,
		"t.yaml:6:18: not a valid utf-8 text file: invalid leading utf-8 octet",
		KERR_INPUT, NULL},
	{"account with a space", HDR "    accounts: [\"kes ladmin\"]\n",
		"t.yaml:6:16: invalid name \"kes ladmin\" in \"accounts\" (letters, "
		"digits and ._- only, not starting with -, no globs) in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"account starting with a dash", HDR "    accounts: [\"-kesl\"]\n",
		"t.yaml:6:16: invalid name \"-kesl\" in \"accounts\" (letters, digits "
		"and ._- only, not starting with -, no globs) in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"account glob", HDR "    accounts: [\"kesl*\"]\n",
		"t.yaml:6:16: invalid name \"kesl*\" in \"accounts\" (letters, digits "
		"and ._- only, not starting with -, no globs) in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"duplicate account", HDR "    accounts: [kesladmin, klusers, kesladmin]\n",
		"t.yaml:6:36: duplicate entry \"kesladmin\" in \"accounts\" (first at "
		"6:16) in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"accounts a string", HDR "    accounts: kesladmin\n",
		"t.yaml:6:15: expected a sequence for \"accounts\", got a string in "
		"signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"port zero", HDR MATCH "    ports: [{port: 0, proto: udp}]\n",
		"t.yaml:7:20: port \"0\" is not a number from 1 to 65535 in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"port too large", HDR MATCH "    ports: [{port: 65536, proto: udp}]\n",
		"t.yaml:7:20: port \"65536\" is not a number from 1 to 65535 in "
		"signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"port negative", HDR MATCH "    ports: [{port: -1, proto: udp}]\n",
		"t.yaml:7:20: port \"-1\" is not a number from 1 to 65535 in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"port leading zero", HDR MATCH "    ports: [{port: 015000, proto: udp}]\n",
		"t.yaml:7:20: port \"015000\" is not a number from 1 to 65535 in "
		"signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"port quoted", HDR MATCH "    ports: [{port: \"15000\", proto: udp}]\n",
		"t.yaml:7:20: expected an integer for \"port\", got a string in "
		"signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"port float", HDR MATCH "    ports: [{port: 1.5, proto: udp}]\n",
		"t.yaml:7:20: expected an integer for \"port\", got a number in "
		"signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"port hex", HDR MATCH "    ports: [{port: 0x3a98, proto: udp}]\n",
		"t.yaml:7:20: port \"0x3a98\" is not a number from 1 to 65535 in "
		"signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"unknown proto", HDR MATCH "    ports: [{port: 15000, proto: sctp}]\n",
		"t.yaml:7:34: unknown proto \"sctp\" (use tcp or udp) in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"proto missing", HDR MATCH "    ports: [{port: 15000}]\n",
		"t.yaml:7:13: missing key \"proto\" in a \"ports\" entry in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"port missing", HDR MATCH "    ports: [{proto: udp}]\n",
		"t.yaml:7:13: missing key \"port\" in a \"ports\" entry in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"duplicate port", HDR MATCH
		"    ports: [{port: 15000, proto: udp}, {port: 15000, proto: tcp}, "
		"{port: 15000, proto: udp}]\n",
		"t.yaml:7:74: duplicate entry \"udp/15000\" in \"ports\" (first at 7:20) "
		"in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"ports without a process", HDR
		"    packages: [{name: klnagent64}]\n    ports: [{port: 15000, proto: "
		"udp}]\n",
		"t.yaml:7:20: signature \"kaspersky.kesl\" has \"ports\" but no "
		"\"processes\" or \"paths\" (a port alone proves nothing)",
		KERR_INPUT, NULL},
	{"ports a mapping", HDR MATCH "    ports: {port: 15000, proto: udp}\n",
		"t.yaml:7:12: expected a sequence for \"ports\", got a mapping in "
		"signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"uninstall glob", HDR MATCH "    uninstall: [{path: \"/opt/kaspersky/*/uninstall.sh\"}]\n",
		"t.yaml:7:24: uninstall path \"/opt/kaspersky/*/uninstall.sh\" is a glob "
		"(name the one file to run) in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"uninstall relative", HDR MATCH "    uninstall: [{path: bin/uninstall.sh}]\n",
		"t.yaml:7:24: path \"bin/uninstall.sh\" is not an absolute path below "
		"\"/\" in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"uninstall without path", HDR MATCH "    uninstall: [{args: [--all]}]\n",
		"t.yaml:7:17: missing key \"path\" in a \"uninstall\" entry in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"uninstall args a string", HDR MATCH "    uninstall: [{path: /opt/x/u.sh, args: --all}]\n",
		"t.yaml:7:43: expected a sequence for \"args\", got a string in "
		"signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"uninstall empty arg", HDR MATCH "    uninstall: [{path: /opt/x/u.sh, args: [\"\"]}]\n",
		"t.yaml:7:44: empty string in \"args\" in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"uninstall unknown key", HDR MATCH "    uninstall: [{path: /opt/x/u.sh, arg: [x]}]\n",
		"t.yaml:7:37: unknown key \"arg\" in a \"uninstall\" entry in signature "
		"\"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"duplicate uninstall", HDR MATCH
		"    uninstall: [{path: /opt/x/u.sh}, {path: /opt/x/u.sh, args: "
		"[-y]}]\n",
		"t.yaml:7:45: duplicate entry \"/opt/x/u.sh\" in \"uninstall\" (first at "
		"7:24) in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"module file as installer", HDR
		"    kernel_modules: [{name: kav4fs_oas, role: installer}]\n",
		"t.yaml:6:29: a module file is an install or a remnant, not an "
		"installer, in \"kernel_modules\" in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"module mapping without role", HDR "    kernel_modules: [{name: kav4fs_oas}]\n",
		"t.yaml:6:22: missing key \"role\" in a \"kernel_modules\" entry in "
		"signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"module mapping bad name", HDR "    kernel_modules: [{name: kav4fs.ko, role: remnant}]\n",
		"t.yaml:6:29: invalid name \"kav4fs.ko\" in \"kernel_modules\" (letters, "
		"digits and _- only, no globs) in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"duplicate module in both forms", HDR
		"    kernel_modules: [redirfs, {name: redirfs, role: remnant}]\n",
		"t.yaml:6:38: duplicate entry \"redirfs\" in \"kernel_modules\" (first "
		"at 6:22) in signature \"kaspersky.kesl\"",
		KERR_INPUT, NULL},
	{"unknown confidence", HDR "    confidence: sure\n" MATCH,
		"t.yaml:6:17: unknown confidence \"sure\" (use low, medium or high) in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"unknown entry confidence", HDR
		"    paths: [{path: /opt/x, role: install, confidence: maybe}]\n",
		"t.yaml:6:55: unknown confidence \"maybe\" (use low, medium or high) in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"confidence not a string", HDR "    packages: [{name: kesl, confidence: 3}]\n",
		"t.yaml:6:41: expected a string for \"confidence\", got an integer (quote it) in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"process mapping unknown key", HDR "    processes: [{name: kesl, role: install}]\n",
		"t.yaml:6:30: unknown key \"role\" in a \"processes\" entry in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"process mapping bad name", HDR "    processes: [{name: \"kesl*\", confidence: low}]\n",
		"t.yaml:6:24: invalid name \"kesl*\" in \"processes\" (letters, digits and ._+-@: "
		"only, no globs) in signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"duplicate account in both forms", HDR
		"    accounts: [kluser, {name: kluser, confidence: low}]\n",
		"t.yaml:6:31: duplicate entry \"kluser\" in \"accounts\" (first at 6:16) in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"references have no mapping form", HDR MATCH
		"    references: [{name: \"https://example.org/\"}]\n",
		"t.yaml:7:18: expected a string in \"references\", got a mapping in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"fallback not a boolean", HDR "    fallback: yes\n" MATCH,
		"t.yaml:6:15: write true or false for \"fallback\", not \"yes\" in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"fallback a string", HDR "    fallback: \"true\"\n" MATCH,
		"t.yaml:6:15: expected true or false for \"fallback\", got a string in signature "
		"\"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"size-less hash without files", HDR MATCH
		"    hashes:\n"
		"      - {sha256: "
		"\"00000000000000000000000000000000000000000000000000000000000000aa\""
		", size: 10, role: installer}\n"
		"      - {sha256: "
		"\"00000000000000000000000000000000000000000000000000000000000000bb\""
		", role: installer}\n",
		"t.yaml:9:18: hashes[1]: size is required unless the signature names the file by "
		"a `files` glob: without a size the sweep would have to hash every file in "
		"signature \"kaspersky.kesl\"", KERR_INPUT, NULL},
	{"date not a day", "schema: 1\ndate: 2026-02-29\nsignatures:\n  - id: x\n"
		"    vendor: v\n    product: p\n" MATCH,
		"t.yaml:2:7: date \"2026-02-29\" is not a date YYYY-MM-DD (a real day, 1970 to "
		"9999)",
		KERR_INPUT, NULL},
	{"expires not a date", "schema: 1\nexpires: 2027-1-1\nsignatures:\n  - id: x\n"
		"    vendor: v\n    product: p\n" MATCH,
		"t.yaml:2:10: expires \"2027-1-1\" is not a date YYYY-MM-DD (a real day, 1970 to "
		"9999)", KERR_INPUT, NULL},
	{"date before 1970", "schema: 1\ndate: \"1969-12-31\"\nsignatures:\n  - id: x\n"
		"    vendor: v\n    product: p\n" MATCH,
		"t.yaml:2:7: date \"1969-12-31\" is not a date YYYY-MM-DD (a real day, 1970 to "
		"9999)", KERR_INPUT, NULL},
	{"compliance without a control", "schema: 1\ncompliance:\n  - {framework: FAR 52.204-23}"
		"\nsignatures:\n  - id: x\n    vendor: v\n    product: p\n" MATCH,
		"t.yaml:3:5: missing key \"control\" in a \"compliance\" entry", KERR_INPUT, NULL},
	{"compliance reference not a url", "schema: 1\ncompliance:\n  - {framework: f, control: c,"
		" reference: \"x.gov/far\"}\nsignatures:\n  - id: x\n    vendor: v\n"
		"    product: p\n" MATCH,
		"t.yaml:3:43: \"x.gov/far\" in \"reference\" is not an http(s) url", KERR_INPUT,
		NULL},
	{"compliance twice", "schema: 1\ncompliance:\n  - {framework: f, control: c}\n"
		"  - {framework: f, control: c}\nsignatures:\n  - id: x\n    vendor: v\n"
		"    product: p\n" MATCH,
		"t.yaml:4:5: duplicate entry \"f: c\" in \"compliance\" (first at 3:5)",
		KERR_INPUT, NULL},
	{"deep nesting", "schema: 1\nsignatures: [[[[[[[[[[[[x]]]]]]]]]]]]\n",
		"t.yaml:2:14: expected a mapping in \"signatures\", got a sequence", KERR_INPUT,
		"t.yaml:2:20: nesting deeper than 8 levels"},
};

START_TEST(test_bad_pack)
{
	const struct bad_case *c = &bad_cases[_i];
	struct sig_set *s;
	struct kerr e;
	size_t i;
	bool also = c->also == NULL;

	ck_assert_int_eq(load(&s, c->yaml, strlen(c->yaml), &e), -1);
	ck_assert_msg(sig_set_ndiags(s) > 0, "%s: no diagnostic", c->name);
	ck_assert_msg(strcmp(sig_set_diag(s, 0), c->diag) == 0, "%s:\n got  %s\n want %s",
		c->name, sig_set_diag(s, 0), c->diag);
	ck_assert_str_eq(e.msg, c->diag);
	ck_assert_int_eq(e.code, c->code);
	for (i = 0; i < sig_set_ndiags(s); i++) {
		also = also || strcmp(sig_set_diag(s, i), c->also) == 0;
	}
	ck_assert_msg(also, "%s: missing diagnostic %s", c->name, c->also);
	/* nothing of a bad pack is kept, and the set refuses to be used */
	ck_assert_uint_eq(sig_set_count(s), 0);
	ck_assert_uint_eq(sig_set_npacks(s), 0);
	kerr_clear(&e);
	ck_assert_int_eq(sig_set_finish(s, &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	sig_set_free(s);
}
END_TEST

/* ---- Generated hostile packs: caps. ---- */

/* Appends a header and one signature whose last key is left open for the case. */
static void gen_head(struct buf *b)
{
	ck_assert_int_eq(buf_adds(b, HDR), 0);
}

START_TEST(test_alias_bomb)
{
	static const char *const keys[] = {"processes", "services", "kernel_modules", "a", "b",
		"c", "d", "e", "f"};
	struct sig_set *s;
	struct kerr e;
	struct buf b;
	double t0;
	size_t i, j;

	buf_init(&b, 1 << 20);
	gen_head(&b);
	/* billion laughs: nine levels of nine aliases, 9^9 strings if anything expanded them */
	buf_adds(&b, "    processes: &l0 [l1, l2, l3, l4, l5, l6, l7, l8, l9]\n");
	for (i = 1; i < XSTD_COUNTOF(keys); i++) {
		buf_addf(&b, "    %s: &l%zu [", keys[i], i);
		for (j = 0; j < 9; j++) {
			buf_addf(&b, "%s*l%zu", j == 0 ? "" : ", ", i - 1);
		}
		buf_adds(&b, "]\n");
	}
	ck_assert_int_eq(buf_error(&b), 0);
	t0 = now_s();
	ck_assert_int_eq(load(&s, buf_str(&b), buf_len(&b), &e), -1);
	ck_assert_msg(now_s() - t0 < 1.0, "alias bomb took %.3f s", now_s() - t0);
	ck_assert_str_eq(sig_set_diag(s, 0), "t.yaml:6:16: anchors are not allowed in signature "
		"packs in signature \"kaspersky.kesl\"");
	ck_assert_str_eq(sig_set_diag(s, 2), "t.yaml:7:20: aliases are not allowed in signature "
		"packs in signature \"kaspersky.kesl\"");
	/* one line per alias would be 72 of them: the cap keeps 64, the last saying so */
	ck_assert_uint_eq(sig_set_ndiags(s), KS_SIG_DIAGS_MAX);
	ck_assert_str_eq(sig_set_diag(s, KS_SIG_DIAGS_MAX - 1),
		"t.yaml:12:48: too many errors, stopping here");
	ck_assert_uint_eq(sig_set_count(s), 0);
	sig_set_free(s);
	buf_free(&b);
}
END_TEST

START_TEST(test_very_deep_nesting)
{
	struct sig_set *s;
	struct kerr e;
	struct buf b;
	size_t i;

	/* a megabyte of "[": stopped at level 9, never parsed further */
	buf_init(&b, 4 << 20);
	buf_adds(&b, "schema: 1\nsignatures: ");
	for (i = 0; i < (1u << 20); i++) {
		buf_addc(&b, '[');
	}
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_int_eq(load(&s, buf_str(&b), buf_len(&b), &e), -1);
	ck_assert_uint_eq(sig_set_ndiags(s), 2);
	ck_assert_str_eq(sig_set_diag(s, 0), "t.yaml:2:14: expected a mapping in \"signatures\", "
		"got a sequence");
	ck_assert_str_eq(sig_set_diag(s, 1), "t.yaml:2:20: nesting deeper than 8 levels");
	sig_set_free(s);
	buf_free(&b);
}
END_TEST

START_TEST(test_huge_scalar)
{
	struct sig_set *s;
	struct kerr e;
	struct buf b;
	size_t i;

	buf_init(&b, 1 << 20);
	gen_head(&b);
	buf_adds(&b, "    description: ");
	for (i = 0; i < KS_SIG_SCALAR_MAX + 1; i++) {
		buf_addc(&b, 'x');
	}
	buf_adds(&b, "\n    remove: ");
	for (i = 0; i < KS_SIG_SCALAR_MAX; i++) {
		buf_addc(&b, 'y');
	}
	buf_adds(&b, "\n" MATCH);
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_int_eq(load(&s, buf_str(&b), buf_len(&b), &e), -1);
	/* exactly the cap is fine: only the description is reported */
	ck_assert_uint_eq(sig_set_ndiags(s), 1);
	ck_assert_str_eq(sig_set_diag(s, 0), "t.yaml:6:18: value longer than 4096 bytes in "
		"signature \"kaspersky.kesl\"");
	/* a cap, as in the configuration (yread reports both) */
	ck_assert_int_eq(e.code, KERR_LIMIT);
	sig_set_free(s);
	buf_free(&b);
}
END_TEST

START_TEST(test_list_cap)
{
	struct sig_set *s;
	struct kerr e;
	struct buf b;
	char want[128];
	size_t i;

	buf_init(&b, 4 << 20);
	gen_head(&b);
	buf_adds(&b, "    processes:\n");
	for (i = 0; i < KS_SIG_LIST_MAX + 10; i++) {
		buf_addf(&b, "      - p%zu\n", i);
	}
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_int_eq(load(&s, buf_str(&b), buf_len(&b), &e), -1);
	/* reported once, at the first entry past the cap (line 7 holds entry 0) */
	ck_assert_uint_eq(sig_set_ndiags(s), 1);
	cu_fmt(want, sizeof(want), "t.yaml:%u:9: more than %u entries in \"processes\" in "
		"signature \"kaspersky.kesl\"", 7 + KS_SIG_LIST_MAX, KS_SIG_LIST_MAX);
	ck_assert_str_eq(sig_set_diag(s, 0), want);
	sig_set_free(s);
	buf_free(&b);
}
END_TEST

START_TEST(test_signatures_cap)
{
	struct sig_set *s;
	struct kerr e;
	struct buf b;
	char want[128];
	size_t i;

	buf_init(&b, 4 << 20);
	buf_adds(&b, "schema: 1\nsignatures:\n");
	for (i = 0; i <= KS_SIG_SIGNATURES_MAX; i++) {
		buf_addf(&b, "  - {id: s%zu, vendor: v, product: p, processes: [x]}\n", i);
	}
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_int_eq(load(&s, buf_str(&b), buf_len(&b), &e), -1);
	ck_assert_int_eq(e.code, KERR_LIMIT);
	cu_fmt(want, sizeof(want), "t.yaml:%u:5: more than %u signatures",
		3 + KS_SIG_SIGNATURES_MAX, KS_SIG_SIGNATURES_MAX);
	ck_assert_str_eq(sig_set_diag(s, 0), want);
	ck_assert_uint_eq(sig_set_count(s), 0);
	sig_set_free(s);

	/* exactly the cap loads */
	buf_reset(&b);
	buf_adds(&b, "schema: 1\nsignatures:\n");
	for (i = 0; i < KS_SIG_SIGNATURES_MAX; i++) {
		buf_addf(&b, "  - {id: s%zu, vendor: v, product: p, processes: [x]}\n", i);
	}
	ck_assert_int_eq(load(&s, buf_str(&b), buf_len(&b), &e), 0);
	ck_assert_uint_eq(sig_set_count(s), KS_SIG_SIGNATURES_MAX);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	sig_set_free(s);
	buf_free(&b);
}
END_TEST

START_TEST(test_file_cap)
{
	struct sig_set *s;
	struct kerr e;
	char *big = malloc(KS_SIG_FILE_MAX + 1);

	ck_assert_ptr_nonnull(big);
	memset(big, '#', KS_SIG_FILE_MAX + 1);
	ck_assert_int_eq(load(&s, big, KS_SIG_FILE_MAX + 1, &e), -1);
	ck_assert_int_eq(e.code, KERR_LIMIT);
	ck_assert_str_eq(sig_set_diag(s, 0), "t.yaml:1:1: the pack is larger than 4194304 bytes");
	ck_assert_str_eq(e.msg, "t.yaml:1:1: the pack is larger than 4194304 bytes");
	sig_set_free(s);
	free(big);
}
END_TEST

START_TEST(test_diags_capped)
{
	struct sig_set *s;
	struct kerr e;
	struct buf b;
	char want[128];
	size_t i;

	buf_init(&b, 1 << 20);
	gen_head(&b);
	buf_adds(&b, "    processes:\n");
	for (i = 0; i < 200; i++) {
		buf_adds(&b, "      - \"bad name\"\n");
	}
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_int_eq(load(&s, buf_str(&b), buf_len(&b), &e), -1);
	ck_assert_uint_eq(sig_set_ndiags(s), KS_SIG_DIAGS_MAX);
	for (i = 0; i + 1 < KS_SIG_DIAGS_MAX; i++) {
		cu_fmt(want, sizeof(want), "t.yaml:%zu:9: invalid name \"bad name\" in", 7 + i);
		ck_assert_msg(strncmp(sig_set_diag(s, i), want, strlen(want)) == 0, "%zu: %s", i,
			sig_set_diag(s, i));
	}
	cu_fmt(want, sizeof(want), "t.yaml:%u:9: too many errors, stopping here",
		7 + KS_SIG_DIAGS_MAX - 1);
	ck_assert_str_eq(sig_set_diag(s, KS_SIG_DIAGS_MAX - 1), want);
	sig_set_free(s);
	buf_free(&b);
}
END_TEST

START_TEST(test_packs_cap)
{
	struct sig_set *s = sig_set_new();
	char yaml[128];
	struct kerr e;
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i <= KS_SIG_PACKS_MAX; i++) {
		cu_fmt(yaml, sizeof(yaml), "schema: 1\nsignatures: [{id: s%zu, vendor: v, "
			"product: p, processes: [x]}]\n", i);
		kerr_clear(&e);
		ck_assert_int_eq(sigload_mem(s, "p.yaml", yaml, strlen(yaml), false, &e),
			i < KS_SIG_PACKS_MAX ? 0 : -1);
	}
	ck_assert_int_eq(e.code, KERR_LIMIT);
	ck_assert_str_eq(e.msg, "p.yaml: more than 256 signature packs");
	ck_assert_uint_eq(sig_set_npacks(s), KS_SIG_PACKS_MAX);
	ck_assert_int_eq(sig_set_finish(s, &e), -1);
	sig_set_free(s);
}
END_TEST

/* ---- A good pack, read into exactly the expected structures. ---- */

static const char good_pack[] =
	"# a comment\n"
	"schema: 1\n"
	"version: \"2026.11.22\"\n"
	"description: test pack\n"
	"signatures:\n"
	"  - id: kaspersky.kesl\n"
	"    vendor: Kaspersky\n"
	"    product: Kaspersky Endpoint Security for Linux\n"
	"    description: >-\n"
	"      two\n"
	"      lines\n"
	"    references: [https://support.kaspersky.com/kes-for-linux/12.0/236944]\n"
	"    packages:\n"
	"      - {name: kesl}\n"
	"      - {name: \"kesl-gui*\"}\n"
	"    paths:\n"
	"      - {path: /opt/kaspersky/kesl/bin/kesl-control, role: install}\n"
	"      - {path: \"/var/opt/kaspersky/kesl/install_[0-9]*\", role: remnant}\n"
	"    files:\n"
	"      - {name: \"kesl_*_*.deb\", role: installer}\n"
	"    hashes:\n"
	"      - sha256: \"E0BEFB5DBF628344ECF022259841F9E3688E86B07CE094F45ED871711B98FC7F\"\n"
	"        size: 123456\n"
	"        name: kesl_12.4.0-1225_amd64.deb\n"
	"        role: installer\n"
	"      - {sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,"
	" size: 0, role: remnant}\n"
	"    processes: [kesl, wdserver]\n"
	"    services: [kesl.service]\n"
	"    kernel_modules: []\n"
	"    remove: \"apt-get purge kesl\"\n"
	"  - id: kaspersky.other\n"
	"    vendor: Kaspersky\n"
	"    product: Other\n"
	"    kernel_modules: [kav4fs_oas]\n";

/* sha256 of good_pack's bytes, computed with sha256sum when the test was written. */
static const char good_pack_sha256[] =
	"53f696b7c84c3d281a3b397d0ff71b9ac0af31ce7a82b119e8bcb920e48d9f65";

START_TEST(test_good_pack)
{
	static const unsigned char e0[4] = {0xe0, 0xbe, 0xfb, 0x5d};
	const struct sig_pack *p;
	const struct sig *g;
	struct sig_set *s;
	struct kerr e;

	ck_assert_int_eq(load(&s, good_pack, strlen(good_pack), &e), 0);
	ck_assert_uint_eq(sig_set_ndiags(s), 0);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	ck_assert_uint_eq(sig_set_npacks(s), 1);
	p = sig_set_pack(s, 0);
	ck_assert_str_eq(p->name, "t.yaml");
	ck_assert_str_eq(p->version, "2026.11.22");
	ck_assert_str_eq(p->sha256, good_pack_sha256);
	ck_assert(!p->builtin);
	ck_assert_uint_eq(p->nsignatures, 2);
	ck_assert_uint_eq(sig_set_count(s), 2);

	g = sig_set_get(s, 0);
	ck_assert_str_eq(g->id, "kaspersky.kesl");
	ck_assert_str_eq(g->vendor, "Kaspersky");
	ck_assert_str_eq(g->product, "Kaspersky Endpoint Security for Linux");
	ck_assert_str_eq(g->description, "two lines");
	ck_assert_str_eq(g->remove, "apt-get purge kesl");
	ck_assert_uint_eq(g->pack, 0);
	ck_assert_uint_eq(g->loc.line, 6);
	ck_assert_uint_eq(g->loc.col, 5);
	ck_assert_uint_eq(g->references.n, 1);
	ck_assert_str_eq(g->references.v[0],
		"https://support.kaspersky.com/kes-for-linux/12.0/236944");

	ck_assert_uint_eq(g->npackages, 2);
	ck_assert_str_eq(g->packages[0].name, "kesl");
	ck_assert(!g->packages[0].glob);
	ck_assert_uint_eq(g->packages[0].loc.line, 14);
	ck_assert_uint_eq(g->packages[0].loc.col, 16);
	ck_assert_str_eq(g->packages[1].name, "kesl-gui*");
	ck_assert(g->packages[1].glob);

	ck_assert_uint_eq(g->npaths, 2);
	ck_assert_str_eq(g->paths[0].path, "/opt/kaspersky/kesl/bin/kesl-control");
	ck_assert_int_eq(g->paths[0].role, SIG_ROLE_INSTALL);
	ck_assert(!g->paths[0].glob);
	ck_assert_uint_eq(g->paths[0].loc.line, 17);
	ck_assert_uint_eq(g->paths[0].loc.col, 16);
	ck_assert_str_eq(g->paths[1].path, "/var/opt/kaspersky/kesl/install_[0-9]*");
	ck_assert_int_eq(g->paths[1].role, SIG_ROLE_REMNANT);
	ck_assert(g->paths[1].glob);

	ck_assert_uint_eq(g->nfiles, 1);
	ck_assert_str_eq(g->files[0].name, "kesl_*_*.deb");
	ck_assert_int_eq(g->files[0].role, SIG_ROLE_INSTALLER);
	ck_assert(g->files[0].glob);

	ck_assert_uint_eq(g->nhashes, 2);
	ck_assert_str_eq(g->hashes[0].hex,
		"e0befb5dbf628344ecf022259841f9e3688e86b07ce094f45ed871711b98fc7f");
	ck_assert_mem_eq(g->hashes[0].sha256, e0, sizeof(e0));
	ck_assert_uint_eq(g->hashes[0].sha256[31], 0x7f);
	ck_assert_uint_eq(g->hashes[0].size, 123456);
	ck_assert_str_eq(g->hashes[0].name, "kesl_12.4.0-1225_amd64.deb");
	ck_assert_int_eq(g->hashes[0].role, SIG_ROLE_INSTALLER);
	ck_assert_uint_eq(g->hashes[0].loc.line, 22);
	ck_assert_uint_eq(g->hashes[0].loc.col, 17);
	ck_assert_str_eq(g->hashes[1].hex,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert_uint_eq(g->hashes[1].size, 0);
	ck_assert_ptr_null(g->hashes[1].name);
	ck_assert_int_eq(g->hashes[1].role, SIG_ROLE_REMNANT);

	ck_assert_uint_eq(g->processes.n, 2);
	ck_assert_str_eq(g->processes.v[0], "kesl");
	ck_assert_str_eq(g->processes.v[1], "wdserver");
	ck_assert_uint_eq(g->services.n, 1);
	ck_assert_str_eq(g->services.v[0], "kesl.service");
	ck_assert_uint_eq(g->kernel_modules.n, 0);

	g = sig_set_get(s, 1);
	ck_assert_str_eq(g->id, "kaspersky.other");
	ck_assert_ptr_null(g->description);
	ck_assert_ptr_null(g->remove);
	ck_assert_uint_eq(g->references.n + g->npackages + g->npaths + g->nfiles + g->nhashes +
		g->processes.n + g->services.n, 0);
	ck_assert_uint_eq(g->kernel_modules.n, 1);
	ck_assert_str_eq(g->kernel_modules.v[0], "kav4fs_oas");
	ck_assert_ptr_null(sig_set_get(s, 2));
	ck_assert_ptr_null(sig_set_pack(s, 1));
	sig_set_free(s);
}
END_TEST

START_TEST(test_minimal_pack)
{
	static const char yaml[] = "schema: 1\nsignatures:\n  - {id: x, vendor: v, product: p, "
		"services: [x.service]}\n";
	struct sig_set *s;
	struct kerr e;

	ck_assert_int_eq(load(&s, yaml, strlen(yaml), &e), 0);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	/* no version: "" */
	ck_assert_str_eq(sig_set_pack(s, 0)->version, "");
	ck_assert_str_eq(sig_set_get(s, 0)->services.v[0], "x.service");
	/* a finished set takes no more packs */
	kerr_clear(&e);
	ck_assert_int_eq(sigload_mem(s, "u.yaml", yaml, strlen(yaml), false, &e), -1);
	ck_assert_int_eq(e.code, KERR_INTERNAL);
	ck_assert_uint_eq(sig_set_count(s), 1);
	sig_set_free(s);
}
END_TEST

/* The keys of the host probes, read into exactly the expected structures. */
/* Confidence: the signature's default, each entry's own, both forms of the name lists. */
START_TEST(test_confidence)
{
	static const char yaml[] =
		"schema: 1\n"
		"date: 2026-11-22\n"
		"expires: \"2027-05-31\"\n"
		"signatures:\n"
		"  - id: kaspersky.a\n"
		"    vendor: Kaspersky\n"
		"    product: A\n"
		"    confidence: medium\n"
		"    packages: [{name: kesl}, {name: kesl-gui, confidence: high}]\n"
		"    paths: [{path: /opt/kaspersky/kesl, role: install, confidence: low}]\n"
		"    files: [{name: \"kesl_*.deb\", role: installer}]\n"
		"    hashes:\n"
		"      - {sha256: "
		"\"00000000000000000000000000000000000000000000000000000000000000AA\""
		", role: installer, confidence: low}\n"
		"      - {sha256: "
		"\"00000000000000000000000000000000000000000000000000000000000000bb\""
		", size: 0, role: installer}\n"
		"    processes: [kesl, {name: wdserver, confidence: low}]\n"
		"    services: [{name: kesl.service}]\n"
		"    kernel_modules: [{name: kesl_fs, role: remnant, confidence: low}, kesl_oas]\n"
		"    accounts: [{name: kesladmin, confidence: high}, keslaudit]\n"
		"  - id: kaspersky.b\n"
		"    vendor: Kaspersky\n"
		"    product: B\n"
		"    fallback: true\n"
		"    paths: [{path: \"/opt/kaspersky/*\", role: remnant}]\n";
	const struct sig_pack *p;
	const struct sig *g;
	struct sig_set *s;
	struct kerr e;

	ck_assert_int_eq(load(&s, yaml, strlen(yaml), &e), 0);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	g = sig_set_get(s, 0);
	ck_assert_int_eq(g->confidence, SIG_CONF_MEDIUM);
	ck_assert(!g->fallback);
	ck_assert_int_eq(g->packages[0].confidence, SIG_CONF_MEDIUM);
	ck_assert_int_eq(g->packages[1].confidence, SIG_CONF_HIGH);
	ck_assert_int_eq(g->paths[0].confidence, SIG_CONF_LOW);
	ck_assert_int_eq(g->files[0].confidence, SIG_CONF_MEDIUM);
	ck_assert_int_eq(g->hashes[0].confidence, SIG_CONF_LOW);
	ck_assert(!g->hashes[0].has_size);
	ck_assert_str_eq(g->hashes[0].hex,
		"00000000000000000000000000000000000000000000000000000000000000aa");
	ck_assert(g->hashes[1].has_size);
	ck_assert_uint_eq(g->hashes[1].size, 0);
	ck_assert_uint_eq(g->processes.n, 2);
	ck_assert_str_eq(g->processes.v[1], "wdserver");
	ck_assert_int_eq(g->processes.conf[0], SIG_CONF_MEDIUM);
	ck_assert_int_eq(g->processes.conf[1], SIG_CONF_LOW);
	ck_assert_str_eq(g->services.v[0], "kesl.service");
	ck_assert_int_eq(g->services.conf[0], SIG_CONF_MEDIUM);
	ck_assert_int_eq(g->kernel_module_roles[0], SIG_ROLE_REMNANT);
	ck_assert_int_eq(g->kernel_modules.conf[0], SIG_CONF_LOW);
	ck_assert_int_eq(g->kernel_modules.conf[1], SIG_CONF_MEDIUM);
	ck_assert_int_eq(g->accounts.conf[0], SIG_CONF_HIGH);
	ck_assert_int_eq(g->accounts.conf[1], SIG_CONF_MEDIUM);
	ck_assert_ptr_null(g->references.conf);
	g = sig_set_get(s, 1);
	ck_assert(g->fallback);
	ck_assert_int_eq(g->confidence, SIG_CONF_HIGH);
	ck_assert_int_eq(g->paths[0].confidence, SIG_CONF_HIGH);
	p = sig_set_pack(s, 0);
	ck_assert_str_eq(p->date, "2026-11-22");
	ck_assert_int_eq(p->date_days, 20779);
	ck_assert_str_eq(p->expires, "2027-05-31");
	ck_assert_str_eq(sig_confidence_name(SIG_CONF_LOW), "low");
	ck_assert_str_eq(sig_confidence_name(SIG_CONF_HIGH), "high");
	sig_set_free(s);
}
END_TEST

/* A pack without dates has empty ones; the calendar is checked day by day. */
START_TEST(test_dates)
{
	struct sig_set *s;
	struct kerr e;
	int64_t d = -1;

	ck_assert_int_eq(load(&s, HDR MATCH, strlen(HDR MATCH), &e), 0);
	ck_assert_str_eq(sig_set_pack(s, 0)->date, "");
	ck_assert_str_eq(sig_set_pack(s, 0)->expires, "");
	sig_set_free(s);
	ck_assert_int_eq(sig_parse_date("1970-01-01", &d), 0);
	ck_assert_int_eq(d, 0);
	ck_assert_int_eq(sig_parse_date("2000-03-01", &d), 0);
	ck_assert_int_eq(d, 11017);
	ck_assert_int_eq(sig_parse_date("9999-12-31", &d), 0);
	ck_assert_int_eq(d, 2932896);
	ck_assert_int_eq(sig_parse_date("2024-02-29", &d), 0);
	ck_assert_int_eq(sig_parse_date("2023-02-29", &d), -1);
	ck_assert_int_eq(sig_parse_date("1900-02-29", &d), -1);
	ck_assert_int_eq(sig_parse_date("2026-04-31", &d), -1);
	ck_assert_int_eq(sig_parse_date("2026-00-10", &d), -1);
	ck_assert_int_eq(sig_parse_date("2026-01-00", &d), -1);
	ck_assert_int_eq(sig_parse_date("2026-1-010", &d), -1);
	ck_assert_int_eq(sig_parse_date("2026-01-01x", &d), -1);
	ck_assert_int_eq(sig_parse_date("+026-01-01", &d), -1);
}
END_TEST

/* compliance: entries reach the set's pack, in order, the reference optional. */
START_TEST(test_compliance)
{
	static const char yaml[] = "schema: 1\ncompliance:\n"
		"  - framework: DHS BOD 17-01\n    control: remove them\n"
		"    reference: https://www.cisa.gov/\n"
		"  - {framework: FAR 52.204-23, control: do not use them}\n"
		"signatures:\n  - id: x\n    vendor: v\n    product: p\n" MATCH;
	const struct sig_pack *p;
	struct sig_set *s;
	struct kerr e;

	ck_assert_int_eq(load(&s, yaml, strlen(yaml), &e), 0);
	p = sig_set_pack(s, 0);
	ck_assert_uint_eq(p->ncompliance, 2);
	ck_assert_str_eq(p->compliance[0].framework, "DHS BOD 17-01");
	ck_assert_str_eq(p->compliance[0].control, "remove them");
	ck_assert_str_eq(p->compliance[0].reference, "https://www.cisa.gov/");
	ck_assert_str_eq(p->compliance[1].framework, "FAR 52.204-23");
	ck_assert_ptr_null(p->compliance[1].reference);
	sig_set_free(s);
}
END_TEST

START_TEST(test_probe_keys)
{
	static const char yaml[] =
		"schema: 1\n"
		"signatures:\n"
		"  - id: kaspersky.klnagent\n"
		"    vendor: Kaspersky\n"
		"    product: Network Agent\n"
		"    processes: [klnagent]\n"
		"    kernel_modules: [kav4fs-oas, {name: redirfs, role: remnant}, "
		"{name: x_y, role: install}]\n"
		"    accounts: [kesladmin, klusers, user.name]\n"
		"    ports:\n"
		"      - {port: 15000, proto: udp}\n"
		"      - {proto: tcp, port: 15000}\n"
		"      - {port: 65535, proto: tcp}\n"
		"    uninstall:\n"
		"      - {path: /opt/kaspersky/klnagent64/lib/bin/setup/uninstall.pl, "
		"args: [--silent, \"a b\", --silent]}\n"
		"      - {path: /opt/kaspersky/klnagent/uninstall}\n";
	const struct sig *g;
	struct sig_set *s;
	struct kerr e;

	ck_assert_int_eq(load(&s, yaml, strlen(yaml), &e), 0);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	g = sig_set_get(s, 0);
	ck_assert_uint_eq(g->kernel_modules.n, 3);
	ck_assert_str_eq(g->kernel_modules.v[0], "kav4fs-oas");
	ck_assert_int_eq(g->kernel_module_roles[0], SIG_ROLE_INSTALL);
	ck_assert_str_eq(g->kernel_modules.v[1], "redirfs");
	ck_assert_int_eq(g->kernel_module_roles[1], SIG_ROLE_REMNANT);
	ck_assert_str_eq(g->kernel_modules.v[2], "x_y");
	ck_assert_int_eq(g->kernel_module_roles[2], SIG_ROLE_INSTALL);
	ck_assert_uint_eq(g->accounts.n, 3);
	ck_assert_str_eq(g->accounts.v[2], "user.name");
	ck_assert_uint_eq(g->nports, 3);
	ck_assert_uint_eq(g->ports[0].port, 15000);
	ck_assert_int_eq(g->ports[0].proto, SIG_PROTO_UDP);
	ck_assert_uint_eq(g->ports[0].loc.line, 10);
	ck_assert_uint_eq(g->ports[1].port, 15000);
	ck_assert_int_eq(g->ports[1].proto, SIG_PROTO_TCP);
	ck_assert_uint_eq(g->ports[2].port, 65535);
	ck_assert_uint_eq(g->nuninstall, 2);
	ck_assert_str_eq(g->uninstall[0].path,
		"/opt/kaspersky/klnagent64/lib/bin/setup/uninstall.pl");
	ck_assert_uint_eq(g->uninstall[0].args.n, 3);
	ck_assert_str_eq(g->uninstall[0].args.v[1], "a b");
	ck_assert_str_eq(g->uninstall[0].args.v[2], "--silent");
	ck_assert_str_eq(g->uninstall[1].path, "/opt/kaspersky/klnagent/uninstall");
	ck_assert_uint_eq(g->uninstall[1].args.n, 0);
	ck_assert_str_eq(sig_proto_name(SIG_PROTO_UDP), "udp");
	ck_assert_str_eq(sig_proto_name(SIG_PROTO_TCP), "tcp");
	sig_set_free(s);
}
END_TEST

/* Accounts alone make a signature that matches something: remnants are findings too. */
START_TEST(test_accounts_alone)
{
	static const char yaml[] = "schema: 1\nsignatures:\n  - {id: x, vendor: v, product: p, "
		"accounts: [kluser]}\n";
	struct sig_set *s;
	struct kerr e;

	ck_assert_int_eq(load(&s, yaml, strlen(yaml), &e), 0);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	ck_assert_ptr_null(sig_set_get(s, 0)->kernel_module_roles);
	sig_set_free(s);
}
END_TEST

START_TEST(test_roles)
{
	ck_assert_str_eq(sig_role_name(SIG_ROLE_INSTALL), "install");
	ck_assert_str_eq(sig_role_name(SIG_ROLE_REMNANT), "remnant");
	ck_assert_str_eq(sig_role_name(SIG_ROLE_INSTALLER), "installer");
}
END_TEST

/* ---- Several packs. ---- */

START_TEST(test_duplicate_ids_across_packs)
{
	static const char a[] = "schema: 1\nsignatures:\n  - id: x\n    vendor: v\n"
		"    product: p\n    processes: [a]\n";
	static const char b[] = "schema: 1\nsignatures:\n  - {id: y, vendor: v, product: p, "
		"processes: [b]}\n  - {id: x, vendor: v, product: p, processes: [c]}\n";
	struct sig_set *s = sig_set_new();
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	kerr_clear(&e);
	ck_assert_int_eq(sigload_mem(s, "a.yaml", a, strlen(a), false, &e), 0);
	ck_assert_int_eq(sigload_mem(s, "b.yaml", b, strlen(b), false, &e), 0);
	ck_assert_uint_eq(sig_set_count(s), 3);
	ck_assert_uint_eq(sig_set_get(s, 2)->pack, 1);
	ck_assert_int_eq(sig_set_finish(s, &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	ck_assert_uint_eq(sig_set_ndiags(s), 1);
	ck_assert_str_eq(sig_set_diag(s, 0), "b.yaml:4:5: duplicate id \"x\" (also in a.yaml:3:5)");
	ck_assert_str_eq(e.msg, sig_set_diag(s, 0));
	/* and it stays refused */
	ck_assert_int_eq(sig_set_finish(s, &e), -1);
	sig_set_free(s);
}
END_TEST

START_TEST(test_bad_pack_adds_nothing)
{
	static const char good[] = "schema: 1\nsignatures: [{id: g, vendor: v, product: p, "
		"processes: [a]}]\n";
	static const char bad[] = "schema: 1\nsignatures:\n  - {id: b1, vendor: v, product: p, "
		"processes: [a]}\n  - {id: b2, vendor: v, product: p, processes: [\"a b\"]}\n";
	struct sig_set *s = sig_set_new();
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	kerr_clear(&e);
	ck_assert_int_eq(sigload_mem(s, "g.yaml", good, strlen(good), false, &e), 0);
	ck_assert_int_eq(sigload_mem(s, "b.yaml", bad, strlen(bad), false, &e), -1);
	ck_assert_uint_eq(sig_set_count(s), 1);
	ck_assert_str_eq(sig_set_get(s, 0)->id, "g");
	ck_assert_uint_eq(sig_set_npacks(s), 1);
	ck_assert_int_eq(sig_set_finish(s, &e), -1);
	sig_set_free(s);
}
END_TEST

/* ---- Files and directories. ---- */

static const char *tmp_path(const char *rel)
{
	static char path[PATH_MAX];

	cu_fmt(path, sizeof(path), "%s/%s", cu_tmp, rel);
	return path;
}

#define PACK(id) "schema: 1\nsignatures: [{id: " id ", vendor: v, product: p, processes: [x]}]\n"

START_TEST(test_load_dir)
{
	struct sig_set *s = sig_set_new();
	char want[PATH_MAX];
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(mkdir(tmp_path("packs"), 0755), 0);
	cu_write_at(cu_tmp, "packs/b.yaml", PACK("b"), 0644);
	cu_write_at(cu_tmp, "packs/a.yml", PACK("a"), 0644);
	cu_write_at(cu_tmp, "packs/c.yaml.txt", "not a pack", 0644);
	cu_write_at(cu_tmp, "packs/notes.txt", "not a pack", 0644);
	cu_write_at(cu_tmp, "packs/.hidden.yaml", "not: a pack", 0644);
	cu_write_at(cu_tmp, "packs/.yaml", "not: a pack", 0644);
	kerr_clear(&e);
	ck_assert_int_eq(sigload_path(s, tmp_path("packs"), &e), 0);
	ck_assert_int_eq(sig_set_finish(s, &e), 0);
	ck_assert_uint_eq(sig_set_npacks(s), 2);
	cu_fmt(want, sizeof(want), "%s/packs/a.yml", cu_tmp);
	ck_assert_str_eq(sig_set_pack(s, 0)->name, want);
	cu_fmt(want, sizeof(want), "%s/packs/b.yaml", cu_tmp);
	ck_assert_str_eq(sig_set_pack(s, 1)->name, want);
	ck_assert_str_eq(sig_set_get(s, 0)->id, "a");
	ck_assert_str_eq(sig_set_get(s, 1)->id, "b");
	/* the same file as a file, with a trailing slash on the directory */
	sig_set_free(s);
	s = sig_set_new();
	cu_fmt(want, sizeof(want), "%s/packs/", cu_tmp);
	ck_assert_int_eq(sigload_path(s, want, &e), 0);
	cu_fmt(want, sizeof(want), "%s/packs/a.yml", cu_tmp);
	ck_assert_str_eq(sig_set_pack(s, 0)->name, want);
	ck_assert_int_eq(sigload_path(s, want, &e), 0);
	ck_assert_uint_eq(sig_set_npacks(s), 3);
	ck_assert_int_eq(sig_set_finish(s, &e), -1);
	sig_set_free(s);
}
END_TEST

START_TEST(test_load_dir_bad_entries)
{
	struct sig_set *s = sig_set_new();
	char want[PATH_MAX];
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(mkdir(tmp_path("packs"), 0755), 0);
	cu_write_at(cu_tmp, "packs/a.yaml", PACK("a"), 0644);
	cu_write_at(cu_tmp, "packs/b.yaml", "schema: 1\nsignatures: []\n", 0644);
	cu_write_at(cu_tmp, "packs/c.yaml", PACK("c"), 0644);
	ck_assert_int_eq(symlink("a.yaml", tmp_path("packs/d.yaml")), 0);
	ck_assert_int_eq(mkfifo(tmp_path("packs/e.yaml"), 0644), 0);
	kerr_clear(&e);
	ck_assert_int_eq(sigload_path(s, tmp_path("packs"), &e), -1);
	/* every entry was tried: the good ones loaded, the first error is returned */
	ck_assert_uint_eq(sig_set_npacks(s), 2);
	ck_assert_int_eq(e.code, KERR_INPUT);
	cu_fmt(want, sizeof(want), "%s/packs/b.yaml:2:13: \"signatures\" is empty", cu_tmp);
	ck_assert_str_eq(e.msg, want);
	ck_assert_uint_eq(sig_set_ndiags(s), 1);
	ck_assert_str_eq(sig_set_diag(s, 0), want);
	ck_assert_int_eq(sig_set_finish(s, &e), -1);
	sig_set_free(s);

	/* alone, the symlink and the FIFO each say what they are, without blocking */
	ck_assert_int_eq(unlink(tmp_path("packs/b.yaml")), 0);
	s = sig_set_new();
	ck_assert_int_eq(sigload_path(s, tmp_path("packs"), &e), -1);
	cu_fmt(want, sizeof(want), "%s/packs/d.yaml: is a symbolic link; packs in a directory "
		"must be regular files", cu_tmp);
	ck_assert_str_eq(e.msg, want);
	ck_assert_uint_eq(sig_set_ndiags(s), 0);
	sig_set_free(s);
	ck_assert_int_eq(unlink(tmp_path("packs/d.yaml")), 0);
	s = sig_set_new();
	ck_assert_int_eq(sigload_path(s, tmp_path("packs"), &e), -1);
	cu_fmt(want, sizeof(want), "%s/packs/e.yaml: not a regular file", cu_tmp);
	ck_assert_str_eq(e.msg, want);
	sig_set_free(s);
}
END_TEST

START_TEST(test_load_path_errors)
{
	struct sig_set *s = sig_set_new();
	char want[PATH_MAX];
	struct kerr e;
	FILE *f;

	ck_assert_ptr_nonnull(s);
	kerr_clear(&e);
	/* missing */
	ck_assert_int_eq(sigload_path(s, tmp_path("nope.yaml"), &e), -1);
	ck_assert_int_eq(e.code, KERR_IO);
	ck_assert_int_eq(e.sys_errno, ENOENT);
	/* an empty directory */
	ck_assert_int_eq(mkdir(tmp_path("empty"), 0755), 0);
	ck_assert_int_eq(sigload_path(s, tmp_path("empty"), &e), -1);
	cu_fmt(want, sizeof(want), "%s/empty: no *.yaml or *.yml signature packs here", cu_tmp);
	ck_assert_str_eq(e.msg, want);
	/* a FIFO given directly: refused without blocking on open or read */
	ck_assert_int_eq(mkfifo(tmp_path("fifo.yaml"), 0644), 0);
	ck_assert_int_eq(sigload_path(s, tmp_path("fifo.yaml"), &e), -1);
	cu_fmt(want, sizeof(want), "%s/fifo.yaml: not a regular file or a directory", cu_tmp);
	ck_assert_str_eq(e.msg, want);
	/* a file past the cap */
	f = fopen(tmp_path("big.yaml"), "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), KS_SIG_FILE_MAX + 1), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(sigload_path(s, tmp_path("big.yaml"), &e), -1);
	ck_assert_int_eq(e.code, KERR_LIMIT);
	cu_fmt(want, sizeof(want), "%s/big.yaml:1:1: the pack is larger than 4194304 bytes",
		cu_tmp);
	ck_assert_str_eq(e.msg, want);
	ck_assert_str_eq(sig_set_diag(s, 0), want);
	/* a file of exactly the cap is read (and then is not YAML) */
	ck_assert_int_eq(truncate(tmp_path("big.yaml"), KS_SIG_FILE_MAX), 0);
	ck_assert_int_eq(sigload_path(s, tmp_path("big.yaml"), &e), -1);
	ck_assert_int_eq(e.code, KERR_INPUT);
	ck_assert_uint_eq(sig_set_npacks(s), 0);
	sig_set_free(s);
}
END_TEST

START_TEST(test_load_file_sha256)
{
	struct sig_set *s = sig_set_new();
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	cu_write_at(cu_tmp, "good.yaml", good_pack, 0644);
	kerr_clear(&e);
	ck_assert_int_eq(sigload_path(s, tmp_path("good.yaml"), &e), 0);
	ck_assert_str_eq(sig_set_pack(s, 0)->sha256, good_pack_sha256);
	ck_assert_str_eq(sig_set_pack(s, 0)->name, tmp_path("good.yaml"));
	sig_set_free(s);
}
END_TEST

/* ---- The built-in packs. ---- */

static const char *const builtin_ids[] = {
	"kaspersky.cybertrace", "kaspersky.epagent", "kaspersky.kav4fs", "kaspersky.kav4ws",
	"kaspersky.kav4proxy", "kaspersky.kavsdk", "kaspersky.kes4lwks", "kaspersky.kesl",
	"kaspersky.kess", "kaspersky.kfl", "kaspersky.kics", "kaspersky.klnagent",
	"kaspersky.kpsn", "kaspersky.ksc", "kaspersky.ksvla-lightagent", "kaspersky.ksvla-viis",
	"kaspersky.ksvla-svm", "kaspersky.kuma", "kaspersky.kuu", "kaspersky.kwts",
	"kaspersky.legacy-kav5", "kaspersky.kav4lms", "kaspersky.klms", "kaspersky.scanengine",
	"kaspersky.shared",
	"kaspersky.unidentified",
};

/* Signatures whose research sources are public code with no known address: no references. */
static const char *const builtin_no_refs[] = {
	"kaspersky.kes4lwks", "kaspersky.kav4lms", "kaspersky.kpsn",
};

static bool builtin_lacks_refs(const char *id)
{
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(builtin_no_refs); i++) {
		if (strcmp(builtin_no_refs[i], id) == 0) {
			return true;
		}
	}
	return false;
}

static struct sig_set *load_builtin(void)
{
	struct sig_set *s = sig_set_new();
	struct kerr e;

	ck_assert_ptr_nonnull(s);
	kerr_clear(&e);
	ck_assert_msg(sigload_builtin(s, &e) == 0, "%s", e.msg);
	ck_assert_msg(sig_set_finish(s, &e) == 0, "%s", e.msg);
	return s;
}

START_TEST(test_builtin_loads)
{
	struct sig_set *s = load_builtin();
	size_t i, total = 0;

	ck_assert_uint_eq(sig_builtin_npacks, 22);
	ck_assert_uint_eq(sig_set_npacks(s), 22);
	ck_assert_str_eq(sig_set_pack(s, 0)->name, "builtin:kaspersky-cybertrace.yaml");
	ck_assert_str_eq(sig_set_pack(s, 19)->name, "builtin:kaspersky-scanengine.yaml");
	ck_assert_str_eq(sig_set_pack(s, 21)->name, "builtin:kaspersky-unidentified.yaml");
	for (i = 0; i < sig_set_npacks(s); i++) {
		const struct sig_pack *p = sig_set_pack(s, i);

		ck_assert(p->builtin);
		ck_assert_str_eq(p->version, "2026.11.22");
		ck_assert_uint_eq(strlen(p->sha256), 64);
		ck_assert_uint_eq(strspn(p->sha256, "0123456789abcdef"), 64);
		total += p->nsignatures;
	}
	ck_assert_uint_eq(sig_set_count(s), XSTD_COUNTOF(builtin_ids));
	ck_assert_uint_eq(total, XSTD_COUNTOF(builtin_ids));
	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *g = sig_set_get(s, i);

		ck_assert_str_eq(g->id, builtin_ids[i]);
		ck_assert_str_eq(g->vendor, "Kaspersky");
		ck_assert_ptr_nonnull(g->remove);
		ck_assert_msg((g->references.n > 0) != builtin_lacks_refs(g->id), "%s", g->id);
	}
	sig_set_free(s);
}
END_TEST

/* The ports each built-in signature lists, as "proto/port ..." in pack order. */
static const char *builtin_ports(const char *id)
{
	static const char *const table[][2] = {
		{"kaspersky.klnagent", "udp/15000"},
		{"kaspersky.ksc", "tcp/13000 tcp/14000 tcp/13291 tcp/13299 tcp/13111 udp/15111 "
			"tcp/17111 tcp/8080 tcp/2001 tcp/1329 tcp/2003 tcp/2005 tcp/8200 tcp/4150 "
			"tcp/4151 tcp/4152"},
		{"kaspersky.kav4proxy", "tcp/1344"},
		{"kaspersky.kwts", "tcp/1344"},
		{"kaspersky.scanengine", "tcp/1344 tcp/1443"},
		{"kaspersky.kuma", "tcp/7220 tcp/7210 tcp/7215 tcp/7221 tcp/7222 tcp/7209 tcp/8429 "
			"tcp/8123 tcp/9009 tcp/2181 tcp/2182 tcp/9090 tcp/8880 tcp/27017"},
	};
	size_t i;

	for (i = 0; i < XSTD_COUNTOF(table); i++) {
		if (strcmp(table[i][0], id) == 0) {
			return table[i][1];
		}
	}
	return "";
}

/* The ports of the built-in packs: only those the research documents. */
START_TEST(test_builtin_ports)
{
	struct sig_set *s = load_builtin();
	struct buf got;
	size_t i, k;

	buf_init(&got, 4096);
	for (i = 0; i < sig_set_count(s); i++) {
		const struct sig *g = sig_set_get(s, i);

		buf_reset(&got);
		for (k = 0; k < g->nports; k++) {
			buf_addf(&got, "%s%s/%u", k > 0 ? " " : "",
				sig_proto_name(g->ports[k].proto), (unsigned)g->ports[k].port);
		}
		ck_assert_str_eq(buf_str(&got), builtin_ports(g->id));
	}
	buf_free(&got);
	sig_set_free(s);
}
END_TEST

/* Every built-in pattern of one kind against a name; @return the id that matches, or NULL. */
/* Does an entry of @g of the given kind match @name? */
static bool builtin_match_sig(const struct sig *g, char kind, const char *name)
{
	size_t j;

	for (j = 0; kind == 'k' && j < g->npackages; j++) {
		if (fnmatch(g->packages[j].name, name, 0) == 0) {
			return true;
		}
	}
	for (j = 0; kind == 'p' && j < g->npaths; j++) {
		if (fnmatch(g->paths[j].path, name, FNM_PATHNAME | FNM_PERIOD) == 0) {
			return true;
		}
	}
	for (j = 0; kind == 'f' && j < g->nfiles; j++) {
		if (fnmatch(g->files[j].name, name, FNM_PERIOD) == 0) {
			return true;
		}
	}
	for (j = 0; kind == 's' && j < g->services.n; j++) {
		if (strcmp(g->services.v[j], name) == 0) {
			return true;
		}
	}
	for (j = 0; kind == 'r' && j < g->processes.n; j++) {
		if (strcmp(g->processes.v[j], name) == 0) {
			return true;
		}
	}
	for (j = 0; kind == 'a' && j < g->accounts.n; j++) {
		if (strcmp(g->accounts.v[j], name) == 0) {
			return true;
		}
	}
	return false;
}

/* The signature that claims @name: a specific one first, else a fallback (as the scan). */
static const char *builtin_match(const struct sig_set *s, char kind, const char *name)
{
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sig_set_count(s); i++) {
			const struct sig *g = sig_set_get(s, i);

			if (g->fallback == (pass == 1) && builtin_match_sig(g, kind, name)) {
				return g->id;
			}
		}
	}
	return NULL;
}

struct probe {
	char kind;
	const char *name;
	/* the signature that must match, or NULL for none */
	const char *id;
};

static const struct probe probes[] = {
	/* look-alikes that must match nothing */
	{'k', "kscreen", NULL}, {'k', "kservice", NULL}, {'k', "klavaro", NULL},
	{'k', "kde-runtime", NULL}, {'k', "kmod", NULL}, {'k', "kesl-utils-fake", NULL},
	{'k', "k", NULL}, {'k', "kav", NULL},
	{'p', "/opt/kasperskyfan", NULL}, {'p', "/opt/kasperskyfan/kesl", NULL},
	{'p', "/opt/kaspersky", NULL}, {'p', "/var/opt/kaspersky", NULL},
	{'p', "/opt/kav", NULL}, {'p', "/opt/kaspersky/.hidden", NULL},
	{'p', "/opt/kav/6.0", NULL}, {'p', "/etc/kav", NULL}, {'p', "/usr/bin/kesl", NULL},
	{'p', "/usr/share/kservices5/ServiceMenus/other.desktop", NULL},
	{'f', "kesl.txt", NULL}, {'f', "kesl_notes.deb", NULL}, {'f', "kesl-gui.rpm", NULL},
	{'f', "kscreen_5.27.5-2_amd64.deb", NULL}, {'f', "klavaro_3.13-1_amd64.deb", NULL},
	{'f', "kesl_12.4.0-1225_amd64.deb.txt", NULL}, {'f', ".kesl_1.2.3-4_amd64.deb", NULL},
	{'s', "keslint.service", NULL}, {'s', "kservice.service", NULL},
	{'r', "kscreen", NULL}, {'r', "klavaro", NULL},
	{'a', "klusteradm", NULL}, {'a', "ksc", NULL}, {'a', "rightless", NULL},
	{'a', "kav", NULL}, {'a', "admin", NULL},
	/* look-alikes of the other families */
	{'k', "kics-utils", NULL}, {'k', "kuma", NULL}, {'k', "kessel", NULL},
	{'k', "klnagentx", NULL}, {'k', "kflash", NULL}, {'k', "kwtsx", NULL},
	{'p', "/opt/kuma", NULL}, {'p', "/opt/kaspersky/kesl-old", "kaspersky.unidentified"},
	{'p', "/usr/local/kpsnx", NULL}, {'p', "/opt/kav/sdk9", NULL},
	{'f', "kics_1.7.13_linux_x64.tar.gz", NULL}, {'f', "kesl.zip.txt", NULL},
	{'f', "kuu-notes.tar.gz", NULL}, {'f', "klnagent64_15.1.0-20748_amd64.sh.txt", NULL},
	{'f', "lightagent-bundle.sh", NULL}, {'f', "ksc64_notes.deb", NULL},
	{'r', "kics", NULL}, {'r', "kuma-cp", NULL}, {'r', "kuma-dp", NULL},
	{'s', "kuma-cp.service", NULL}, {'s', "kics-scan.service", NULL},
	{'a', "kfl", NULL}, {'a', "ksn", NULL},
	/* the real thing */
	{'k', "kesl", "kaspersky.kesl"}, {'k', "kesl-gui", "kaspersky.kesl"},
	{'k', "kesl-astra", "kaspersky.kesl"}, {'k', "klnagent64", "kaspersky.klnagent"},
	{'k', "klnagent", "kaspersky.klnagent"}, {'k', "ksc64", "kaspersky.ksc"},
	{'k', "ksc-web-console", "kaspersky.ksc"}, {'k', "kav4fs", "kaspersky.kav4fs"},
	{'k', "kav4ws", "kaspersky.kav4ws"},
	{'p', "/opt/kaspersky/kesl/bin/kesl-control", "kaspersky.kesl"},
	{'p', "/var/opt/kaspersky/kesl/install_12.4.0.1225", "kaspersky.kesl"},
	{'p', "/etc/opt/kaspersky/kesl.ini", "kaspersky.kesl"},
	{'p', "/var/log/kaspersky/kesl-service", "kaspersky.kesl"},
	{'p', "/opt/kaspersky/klnagent64/bin/klnagchk", "kaspersky.klnagent"},
	{'p', "/var/opt/kaspersky/klnagent", "kaspersky.klnagent"},
	{'p', "/etc/ksc-web-console-setup.json", "kaspersky.ksc"},
	{'p', "/opt/kaspersky/kav4fs/lib/samba/kav4fs-smb-vfs10a.so", "kaspersky.kav4fs"},
	{'p', "/opt/kav/5.5/kav4unix/bin/kavscanner", "kaspersky.legacy-kav5"},
	{'p', "/var/db/kav/5.6", "kaspersky.legacy-kav5"},
	{'p', "/var/opt/kaspersky/applications.setup", "kaspersky.shared"},
	/* in Kaspersky's directories but no known product's: the catch-all, never KESL */
	{'p', "/etc/opt/kaspersky/keslint", "kaspersky.unidentified"},
	{'p', "/opt/kaspersky/newthing", "kaspersky.unidentified"},
	{'p', "/var/log/kaspersky/kwts-next", "kaspersky.unidentified"},
	{'f', "kesl_12.4.0-1225_amd64.deb", "kaspersky.kesl"},
	{'f', "kesl_11.3.0-7508.cert_amd64.deb", "kaspersky.kesl"},
	{'f', "kesl_10.1.1-6421_e2k-4c.deb", "kaspersky.kesl"},
	{'f', "kesl-12.1.0-1297.x86_64.rpm", "kaspersky.kesl"},
	{'f', "kesl-gui_12.1.0-1274_amd64.deb", "kaspersky.kesl"},
	{'f', "kesl-astra_11.1.0-3013.mod_amd64.deb", "kaspersky.kesl"},
	{'f', "klnagent64_15.1.0-20748_amd64.sh", "kaspersky.klnagent"},
	{'f', "klnagent64-14.2.0-23324.x86_64.rpm", "kaspersky.klnagent"},
	{'f', "ksc64_15.4.0-8873_amd64.deb", "kaspersky.ksc"},
	{'f', "ksc-web-console-15.1.489.x86_64.deb", "kaspersky.ksc"},
	{'f', "kav4fs_8.0.4-312_i386.deb", "kaspersky.kav4fs"},
	{'f', "kav4fileservers-linux-5.5.33.tar.gz", "kaspersky.legacy-kav5"},
	{'s', "kesl.service", "kaspersky.kesl"}, {'s', "klnagent64.service", "kaspersky.klnagent"},
	{'s', "KSCWebConsole.service", "kaspersky.ksc"},
	{'r', "wdserver", "kaspersky.kesl"}, {'r', "klserver", "kaspersky.ksc"},
	{'a', "kesladmin", "kaspersky.kesl"}, {'a', "nokesl", "kaspersky.kesl"},
	{'a', "kladmins", "kaspersky.ksc"}, {'a', "kluser", "kaspersky.shared"},
	{'a', "klusers", "kaspersky.shared"},
	/* one of every other family */
	{'f', "kesl.zip", "kaspersky.kesl"}, {'f', "kesl-10.1.1-6421.e2kv4.rpm", "kaspersky.kesl"},
	{'s', "kesl-supervisor.service", "kaspersky.kesl"},
	{'k', "kes4lwks", "kaspersky.kes4lwks"},
	{'f', "kes4lwks_8.0.1-50_i386.deb", "kaspersky.kes4lwks"},
	{'f', "klnagent64_15.4.0-8873_arm64.deb", "kaspersky.klnagent"},
	{'f', "klnagent-10.1.1-26.i386.rpm", "kaspersky.klnagent"},
	{'s', "KSCWebConsoleNATS.service", "kaspersky.ksc"},
	{'s', "kav4fs-supervisor.service", "kaspersky.kav4fs"},
	{'p', "/opt/kaspersky/kav4ws/bin/kav4ws-kavscanner", "kaspersky.kav4ws"},
	{'p', "/opt/kav/5.6/kavmilter/bin/kavmilter", "kaspersky.legacy-kav5"},
	{'p', "/etc/opt/kaspersky/kav4lms.conf", "kaspersky.kav4lms"},
	{'r', "kavmd", "kaspersky.kav4lms"}, {'k', "klms", "kaspersky.klms"},
	{'f', "klms_8.0.2-16_i386.deb", "kaspersky.klms"},
	{'k', "kav4proxy", "kaspersky.kav4proxy"},
	{'f', "kav4proxy_5.5-86_i386.deb", "kaspersky.kav4proxy"},
	{'f', "kav4proxy_5.5-88.tar.gz", "kaspersky.kav4proxy"},
	{'f', "kwts_6.1.0-4762_amd64.deb", "kaspersky.kwts"},
	{'f', "kwts-6.1.0-4762.x86_64.rpm", "kaspersky.kwts"},
	{'f', "Kaspersky_ScanEngine-Linux-x86_64-2.1.0.1234-Release.tar.gz",
		"kaspersky.scanengine"},
	{'r', "klScanEngineUI", "kaspersky.scanengine"},
	{'p', "/opt/kav/sdk8l3", "kaspersky.kavsdk"}, {'r', "kavehost", "kaspersky.kavsdk"},
	{'k', "kics-gui", "kaspersky.kics"}, {'f', "kics-1.5.0.123.zip", "kaspersky.kics"},
	{'f', "kics_2.0.0-1234_amd64.deb", "kaspersky.kics"},
	{'k', "kess", "kaspersky.kess"}, {'f', "kess-3.3.0-1234.x86_64.rpm", "kaspersky.kess"},
	{'f', "lightagent-5.2.1-57-bundle.sh", "kaspersky.ksvla-lightagent"},
	{'k', "ksvla-viis", "kaspersky.ksvla-viis"}, {'s', "viis.service", "kaspersky.ksvla-viis"},
	{'a', "klconfig", "kaspersky.ksvla-svm"}, {'k', "epagent", "kaspersky.epagent"},
	{'p', "/etc/opt/kaspersky/epagent", "kaspersky.epagent"},
	{'p', "/opt/kaspersky/kuma/kuma", "kaspersky.kuma"}, {'k', "kpsn", "kaspersky.kpsn"},
	{'a', "ksnuser", "kaspersky.kpsn"},
	{'s', "cybertrace.service", "kaspersky.cybertrace"},
	{'f', "kfl_2.0.0-1234_amd64.deb.setup", "kaspersky.kfl"},
	{'f', "kfl_2.0.0-1234.x86_64.rpm.setup", "kaspersky.kfl"},
	{'a', "nokfl", "kaspersky.kfl"},
	{'f', "kuu4.1.0.474_x86_64_en.tar.gz", "kaspersky.kuu"},
	{'f', "kuu4.1.0.474_i686-linux_en.tar.gz", "kaspersky.kuu"},
};

START_TEST(test_builtin_specific)
{
	const struct probe *p = &probes[_i];
	struct sig_set *s = load_builtin();
	const char *got = builtin_match(s, p->kind, p->name);

	if (p->id == NULL) {
		ck_assert_msg(got == NULL, "%s matches %s", p->name, got);
	} else {
		ck_assert_msg(got != NULL && strcmp(got, p->id) == 0, "%s: got %s, want %s",
			p->name, got != NULL ? got : "nothing", p->id);
	}
	sig_set_free(s);
}
END_TEST

static Suite *sig_suite(void)
{
	Suite *su = suite_create("sig");
	TCase *tc = tcase_create("validation");
	TCase *caps = tcase_create("caps");
	TCase *good = tcase_create("good");
	TCase *files = tcase_create("files");
	TCase *builtin = tcase_create("builtin");

	tcase_add_loop_test(tc, test_bad_pack, 0, (int)XSTD_COUNTOF(bad_cases));
	suite_add_tcase(su, tc);
	tcase_add_test(caps, test_alias_bomb);
	tcase_add_test(caps, test_very_deep_nesting);
	tcase_add_test(caps, test_huge_scalar);
	tcase_add_test(caps, test_list_cap);
	tcase_add_test(caps, test_signatures_cap);
	tcase_add_test(caps, test_file_cap);
	tcase_add_test(caps, test_diags_capped);
	tcase_add_test(caps, test_packs_cap);
	suite_add_tcase(su, caps);
	tcase_add_test(good, test_good_pack);
	tcase_add_test(good, test_minimal_pack);
	tcase_add_test(good, test_roles);
	tcase_add_test(good, test_probe_keys);
	tcase_add_test(good, test_confidence);
	tcase_add_test(good, test_dates);
	tcase_add_test(good, test_compliance);
	tcase_add_test(good, test_accounts_alone);
	tcase_add_test(good, test_duplicate_ids_across_packs);
	tcase_add_test(good, test_bad_pack_adds_nothing);
	suite_add_tcase(su, good);
	tcase_add_checked_fixture(files, cu_tmp_setup, cu_tmp_teardown);
	tcase_add_test(files, test_load_dir);
	tcase_add_test(files, test_load_dir_bad_entries);
	tcase_add_test(files, test_load_path_errors);
	tcase_add_test(files, test_load_file_sha256);
	suite_add_tcase(su, files);
	tcase_add_test(builtin, test_builtin_loads);
	tcase_add_test(builtin, test_builtin_ports);
	tcase_add_loop_test(builtin, test_builtin_specific, 0, (int)XSTD_COUNTOF(probes));
	suite_add_tcase(su, builtin);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(sig_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
