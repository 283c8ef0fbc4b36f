#!/bin/bash
# The command line: options, exit codes, output formats, the report's envelope.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

expect_rc() {
	# expect_rc DESCRIPTION WANT COMMAND...: ok if the command exits WANT
	local what=$1 want=$2 got=0
	shift 2
	"$@" >"$FX/out" 2>"$FX/err" || got=$?
	if [ "$got" -eq "$want" ]; then ok "$what (exit $want)"; else
		not_ok "$what: exit $got, want $want"
		sed 's/^/#   /' "$FX/err" >&2
	fi
}

expect_rc "--version" 0 "$KSCAN" --version
check "--version prints the version" grep -qx 'kscan [0-9]*\.[0-9]*\.[0-9]*' "$FX/out"
expect_rc "--help" 0 "$KSCAN" --help
check "--help lists the exit codes" grep -q '65  invalid signature' "$FX/out"
expect_rc "scan --help" 0 "$KSCAN" scan --help
expect_rc "signatures --help" 0 "$KSCAN" signatures --help
expect_rc "packages --help" 0 "$KSCAN" packages --help
expect_rc "unknown option" 64 "$KSCAN" --bogus
check "unknown option is named" grep -q "unknown option '--bogus'" "$FX/err"
expect_rc "unknown command" 64 "$KSCAN" frobnicate
check "a command near nothing gets no hint" bash -c '! grep -q "did you mean" "$1"' _ "$FX/err"
expect_rc "misspelt option" 64 "$KSCAN" scan --formt json
check "misspelt option: the nearest is named" \
	grep -qxF "kscan: unknown option '--formt' (did you mean '--format'?)" "$FX/err"
expect_rc "misspelt option before the verb's operands" 64 "$KSCAN" signatures sign --kye k p
check "misspelt option: the verb's own is named" grep -qF "(did you mean '--key'?)" "$FX/err"
expect_rc "misspelt command" 64 "$KSCAN" scna
check "misspelt command: the nearest is named" \
	grep -qxF "kscan: unknown command 'scna' (did you mean 'scan'?)" "$FX/err"
expect_rc "misspelt signatures command" 64 "$KSCAN" signatures verfiy p
check "misspelt signatures command: the nearest is named" \
	grep -qF "unknown signatures command 'verfiy' (did you mean 'verify'?)" "$FX/err"
expect_rc "stray argument" 64 "$KSCAN" scan extra
expect_rc "bad format" 64 "$KSCAN" --format xml
expect_rc "missing option argument" 64 "$KSCAN" --root
expect_rc "option of another command" 64 "$KSCAN" packages --deep
expect_rc "a format packages does not write" 64 "$KSCAN" packages --format ecs
expect_rc "missing root" 64 "$KSCAN" --root "$FX/does-not-exist"
expect_rc "signatures without verb" 64 "$KSCAN" signatures
expect_rc "no signatures at all" 64 "$KSCAN" --no-default-signatures --root "$FX"

# An empty root: no package database, no paths: clean, with honest coverage.
R="$FX/empty"
mkdir -p "$R/etc"
printf 'ID=testos\nVERSION_ID="1.2"\nPRETTY_NAME="Test OS \\"one\\""\n' >"$R/etc/os-release"
echo 0123456789abcdef0123456789abcdef >"$R/etc/machine-id"
echo fixture-host >"$R/etc/hostname"
mkdir -p "$FX/tmp"
TMPDIR="$FX/tmp" kscan_json "$FX/empty.json" --root "$R"
check "empty root is clean (exit 0)" [ "$rc" -eq 0 ]
jcheck "verdict clean" "$FX/empty.json" 'r["verdict"] == "clean"'
jcheck "schema 7" "$FX/empty.json" 'r["schema"] == 7'
jcheck "report_id is a UUIDv4" "$FX/empty.json" \
	'__import__("re").fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", r["report_id"])'
jcheck "scan root is the absolute root" "$FX/empty.json" "r['scan']['root'] == '$(realpath "$R")'"
jcheck "scan mode quick" "$FX/empty.json" 'r["scan"]["mode"] == "quick"'
jcheck "os from the root's os-release" "$FX/empty.json" \
	'r["host"]["os"] == {"id": "testos", "version_id": "1.2", "pretty_name": "Test OS \"one\""}'
jcheck "machine id and hostname from the root" "$FX/empty.json" \
	'r["host"]["machine_id"] == "0123456789abcdef0123456789abcdef" and r["host"]["hostname"] == "fixture-host"'
jcheck "no kernel for a mounted root" "$FX/empty.json" '"kernel" not in r["host"]'
jcheck "dpkg and rpm absent, paths ok" "$FX/empty.json" \
	'[r["sources"][s]["status"] for s in ("dpkg", "rpm", "paths")] == ["absent", "absent", "ok"]'
jcheck "paths looked at every pattern" "$FX/empty.json" \
	'r["sources"]["paths"]["counts"]["patterns"] > 0 and r["sources"]["paths"]["counts"]["lookups"] > 0'
jcheck "built-in packs listed with sha256" "$FX/empty.json" \
	'len(r["signatures"]["packs"]) >= 5 and all(p["builtin"] and len(p["sha256"]) == 64 for p in r["signatures"]["packs"])'
jcheck "timestamps are RFC 3339 UTC" "$FX/empty.json" \
	'all(r["scan"][k].endswith("Z") and "T" in r["scan"][k] for k in ("started_at", "finished_at"))'
jcheck "no findings" "$FX/empty.json" 'r["findings"] == []'
# the scan runs with no-new-privs and, where the kernel has Landlock, a read-only filesystem
# (valgrind does not know the Landlock syscalls: under it kscan rightly reports none)
if [ "${KSCAN_VALGRIND:-0}" != 1 ] &&
	python3 -c 'import ctypes,sys; sys.exit(0 if ctypes.CDLL(None).syscall(444, None, 0, 1) > 0 else 1)'; then
	jcheck "sandbox: Landlock enforced" "$FX/empty.json" \
		'r["scan"]["sandbox"]["no_new_privs"] and r["scan"]["sandbox"]["landlock_abi"] >= 1'
else
	jcheck "sandbox: says Landlock is unavailable" "$FX/empty.json" \
		'r["scan"]["sandbox"]["landlock_abi"] == 0 and "unavailable" in r["scan"]["sandbox"]["note"]'
fi
check "the private temporary directory is removed" [ -z "$(ls -A "$FX/tmp" 2>/dev/null)" ]

# --output: atomic file, mode 0640, nothing on stdout.
rc=0
"$KSCAN" --root "$R" --output "$FX/report.json" >"$FX/stdout" 2>"$FX/stderr" || rc=$?
check "--output exit 0" [ "$rc" -eq 0 ]
check "--output leaves stdout empty" [ ! -s "$FX/stdout" ]
check "--output file is mode 0640" [ "$(stat -c %a "$FX/report.json")" = 640 ]
check "--output file is JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$FX/report.json"
check "--output leaves no temporary file" [ "$(ls -A "$FX" | grep -c '^\.report\|report.json.')" -eq 0 ]
rc=0
"$KSCAN" --root "$R" --output "$FX/no-such-dir/report.json" >/dev/null 2>"$FX/stderr" || rc=$?
check "--output into a missing directory is refused before scanning (64)" [ "$rc" -eq 64 ]

# Formats: JSON by default on a pipe, text on request.
"$KSCAN" --root "$R" | python3 -c 'import json,sys; json.load(sys.stdin)'
check "JSON is the default on a pipe" [ "${PIPESTATUS[0]}" -eq 0 ]
rc=0
"$KSCAN" --root "$R" --format text >"$FX/text" 2>&1 || rc=$?
check "text format exit 0" [ "$rc" -eq 0 ]
check "text format has the verdict banner" grep -q 'CLEAN' "$FX/text"
"$KSCAN" --root "$R" --pretty >"$FX/pretty.json"
check "--pretty is indented JSON" python3 -c 'import json,sys; t=open(sys.argv[1]).read(); json.loads(t); assert "\n\t" in t or "\n " in t' "$FX/pretty.json"

# The live host (this machine runs no Kaspersky product).
kscan_json "$FX/host.json"
check "live host scan is clean (exit 0)" [ "$rc" -eq 0 ]
jcheck "live host has a kernel" "$FX/host.json" 'r["host"]["kernel"] == "'"$(uname -r)"'"'
jcheck "live host root is /" "$FX/host.json" 'r["scan"]["root"] == "/"'
if [ -f /var/lib/dpkg/status ]; then
	jcheck "live host dpkg read" "$FX/host.json" \
		'r["sources"]["dpkg"]["status"] == "ok" and r["sources"]["dpkg"]["counts"]["packages"] > 10'
fi

fx_done
