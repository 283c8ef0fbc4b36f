#!/bin/bash
# Signature packs through the CLI: lint, list, --signatures FILE|DIR, --no-default-signatures,
# and that kscan refuses to scan with a bad pack instead of reporting a host clean.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

# run NAME COMMAND...: stdout in $FX/NAME.out, stderr in $FX/NAME.err, exit code in $rc.
run() {
	local name=$1
	shift
	rc=0
	"$@" >"$FX/$name.out" 2>"$FX/$name.err" || rc=$?
}

expect_rc() {
	local what=$1 want=$2
	if [ "$rc" -eq "$want" ]; then ok "$what (exit $want)"; else
		not_ok "$what: exit $rc, want $want"
		sed 's/^/#   /' "$FX"/*.err | tail -20 >&2
	fi
}

mkdir -p "$FX/packs"
GOOD="$FX/good.yaml"
cat >"$GOOD" <<'EOF'
schema: 1
version: "7.1"
signatures:
  - id: test.alpha
    vendor: Test
    product: Alpha
    paths:
      - {path: /opt/alpha/bin/alpha, role: install}
  - id: test.beta
    vendor: Test
    product: Beta
    packages:
      - {name: beta}
EOF
BAD="$FX/bad.yaml"
cat >"$BAD" <<'EOF'
schema: 1
signatures:
  - id: test.gamma
    vendor: Test
    product: Gamma
    pahts:
      - {path: /opt/gamma, role: install}
    paths:
      - {path: opt/gamma, role: install}
EOF
EMPTYROOT="$FX/emptyroot"
mkdir -p "$EMPTYROOT"

# lint
run lint-good "$KSCAN" signatures lint "$GOOD"
expect_rc "lint of a good pack" 0
check "lint says ok" grep -q '^2 signature(s) in 1 pack(s): ok$' "$FX/lint-good.out"
check "lint of a good pack prints nothing on stderr" [ ! -s "$FX/lint-good.err" ]

run lint-bad "$KSCAN" signatures lint "$BAD"
expect_rc "lint of a bad pack" 65
check "lint prints FILE:LINE:COL for the unknown key" \
	grep -qxF "kscan: $BAD:6:5: unknown key \"pahts\" in signature \"test.gamma\"" \
	"$FX/lint-bad.err"
check "lint prints every problem, not only the first" \
	grep -qxF "kscan: $BAD:9:16: path \"opt/gamma\" is not an absolute path below \"/\" in signature \"test.gamma\"" \
	"$FX/lint-bad.err"
check "lint says the signature is left matching nothing" \
	grep -qxF "kscan: $BAD:3:5: signature \"test.gamma\" matches nothing (it has no packages, paths, files, hashes, processes, services, kernel_modules or accounts)" \
	"$FX/lint-bad.err"
check "lint of a bad pack prints exactly its three problems" \
	[ "$(wc -l <"$FX/lint-bad.err")" -eq 3 ]
check "lint of a bad pack prints nothing on stdout" [ ! -s "$FX/lint-bad.out" ]

run lint-missing "$KSCAN" signatures lint "$FX/nope.yaml"
check "lint of a missing file fails (exit $rc)" [ "$rc" -ne 0 ]
check "lint of a missing file names it" grep -q "nope.yaml: cannot open" "$FX/lint-missing.err"

# the packs that ship with kscan lint clean from the source tree too
run lint-src "$KSCAN" signatures lint "$KSCAN_SRC/signatures"
expect_rc "lint of signatures/ in the source tree" 0

# ids must be unique across packs
cp "$GOOD" "$FX/copy.yaml"
run lint-dup "$KSCAN" signatures lint "$GOOD" "$FX/copy.yaml"
expect_rc "lint of two packs with the same ids" 65
check "the duplicate id names both places" \
	grep -qxF "kscan: $FX/copy.yaml:4:5: duplicate id \"test.alpha\" (also in $GOOD:4:5)" \
	"$FX/lint-dup.err"

# list: every built-in id with its pack
run list "$KSCAN" signatures list
expect_rc "signatures list" 0
for pair in cybertrace:cybertrace epagent:epagent kav4fs:kav4fs kav4ws:kav4fs \
	kav4proxy:kav4proxy kavsdk:kavsdk kes4lwks:kes4lwks kesl:kesl kess:kess kfl:kfl \
	kics:kics klnagent:klnagent kpsn:kpsn ksc:ksc ksvla-lightagent:ksvla \
	ksvla-viis:ksvla ksvla-svm:ksvla kuma:kuma kuu:kuu kwts:kwts legacy-kav5:legacy \
	kav4lms:mail klms:mail scanengine:scanengine unidentified:unidentified; do
	id=kaspersky.${pair%%:*} pack=builtin:kaspersky-${pair#*:}.yaml
	check "list shows $id from $pack" \
		grep -qP "^\Q$id\E\t[^\t]+\t\Q$pack\E$" "$FX/list.out"
done
check "list shows 26 built-in signatures" [ "$(wc -l <"$FX/list.out")" -eq 26 ]

run list-good "$KSCAN" signatures list --no-default-signatures --signatures "$GOOD"
expect_rc "list with only a given pack" 0
check "list shows only the given pack's ids" \
	[ "$(cut -f1 "$FX/list-good.out" | tr '\n' ' ')" = "test.alpha test.beta " ]
check "list names the given pack" [ "$(cut -f3 "$FX/list-good.out" | sort -u)" = "$GOOD" ]

run list-both "$KSCAN" signatures list --signatures "$GOOD"
check "list with defaults and a given pack shows both" \
	[ "$(wc -l <"$FX/list-both.out")" -eq 28 ]

# --signatures DIR: every *.yaml and *.yml, nothing else
cat >"$FX/packs/one.yaml" <<'EOF'
schema: 1
signatures: [{id: dir.one, vendor: T, product: One, processes: [one]}]
EOF
cat >"$FX/packs/two.yml" <<'EOF'
schema: 1
signatures: [{id: dir.two, vendor: T, product: Two, services: [two.service]}]
EOF
echo "not a pack" >"$FX/packs/README"
run list-dir "$KSCAN" signatures list --no-default-signatures --signatures "$FX/packs"
expect_rc "list with a directory of packs" 0
check "the directory's packs load in name order" \
	[ "$(cut -f1,3 "$FX/list-dir.out" | tr '\t\n' ' |')" = "dir.one $FX/packs/one.yaml|dir.two $FX/packs/two.yml|" ]

run lint-dir "$KSCAN" signatures lint "$FX/packs"
expect_rc "lint of a directory" 0
cp "$BAD" "$FX/packs/three.yaml"
run lint-dir-bad "$KSCAN" signatures lint "$FX/packs"
expect_rc "lint of a directory with a bad pack" 65
check "the bad pack in the directory is named" \
	grep -qF "kscan: $FX/packs/three.yaml:6:5: unknown key \"pahts\"" "$FX/lint-dir-bad.err"
rm "$FX/packs/three.yaml"

# a scan with a bad pack is refused: no report, exit 65
run scan-bad "$KSCAN" scan --format json --signatures "$BAD" --root "$EMPTYROOT"
expect_rc "scan with a bad pack" 65
check "no report on stdout" [ ! -s "$FX/scan-bad.out" ]
check "the problem is on stderr" grep -qF "$BAD:6:5: unknown key" "$FX/scan-bad.err"

run scan-bad-out "$KSCAN" scan --format json --signatures "$BAD" --root "$EMPTYROOT" \
	--output "$FX/report.json"
expect_rc "scan with a bad pack and --output" 65
check "no report file" [ ! -e "$FX/report.json" ]

# a scan with good packs reports each pack's name, version and sha256
kscan_json "$FX/scan.json" --signatures "$GOOD" --signatures "$FX/packs" --root "$EMPTYROOT"
check "scan with extra packs runs (exit $rc)" [ "$rc" -eq 0 ]
sha=$(sha256sum "$GOOD" | cut -d' ' -f1)
jcheck "the report lists the given pack with its sha256" "$FX/scan.json" \
	"{'name': '$GOOD', 'version': '7.1', 'sha256': '$sha', 'builtin': False, 'verified': False, 'signatures': 2, 'date': None, 'expires': None, 'stale': False} in r['signatures']['packs']"
jcheck "the report lists the built-in packs" "$FX/scan.json" \
	'sum(p["builtin"] for p in r["signatures"]["packs"]) == 22'
jcheck "the given packs are in the report in load order" "$FX/scan.json" \
	"[p['name'] for p in r['signatures']['packs'] if not p['builtin']] == ['$GOOD', '$FX/packs/one.yaml', '$FX/packs/two.yml']"

fx_done
