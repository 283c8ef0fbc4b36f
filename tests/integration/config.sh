#!/bin/bash
# The configuration file: strict validation with FILE:LINE:COL (exit 65), every CLI option
# in it, the command line winning, --splay, and the example shipped in packaging/.
. "$KSCAN_SRC/tests/lib/fixtures.sh"
. "$KSCAN_SRC/tests/lib/collector.sh"

R=$(scan_root)
cfg() {
	# cfg NAME LINES...: writes $FX/NAME.yaml (mode 0644) from the lines given
	local f="$FX/$1.yaml"
	shift
	printf '%s\n' "$@" >"$f"
	chmod 644 "$f"
}

run_kscan --config "$FX/missing.yaml" --root "$R"
expect_exit "a missing --config file" 65
check "says which file" grep -q "^kscan: $FX/missing.yaml: cannot open the configuration: No such file or directory" "$FX/err"

cfg bad "quiet: yes" "rooot: /" "collector:" "  url: http://collector.example/" \
	"  timeout: 10 s" "  headers: {Authorization: \"Bearer x\"}"
run_kscan --config "$FX/bad.yaml" --root "$R"
expect_exit "an invalid configuration" 65
check "every problem, FILE:LINE:COL" diff -u - "$FX/err" <<ERR
kscan: $FX/bad.yaml:1:8: write true or false for "quiet", not "yes"
kscan: $FX/bad.yaml:2:1: unknown key "rooot" at the top of the configuration
kscan: $FX/bad.yaml:4:8: the collector URL must be https://, not "http://collector.example/"
kscan: $FX/bad.yaml:5:12: expected a duration (10s, 250ms, 5m) for "timeout", not "10 s"
kscan: $FX/bad.yaml:6:13: header "Authorization" is set by kscan itself (use token_file and auth_scheme)
ERR
check "nothing scanned, nothing written" [ ! -s "$FX/out" ]

cfg alias "root: &r /mnt" "output: *r"
run_kscan --config "$FX/alias.yaml" --root "$R"
expect_exit "aliases are refused" 65
check "anchors and aliases named" grep -q "alias.yaml:1:7: anchors are not allowed in the configuration" "$FX/err"

cfg open "quiet: true"
chmod 666 "$FX/open.yaml"
run_kscan --config "$FX/open.yaml" --root "$R"
expect_exit "a world-writable configuration is refused" 65
check "and named" grep -q "group or others may write it (mode 0666): refused" "$FX/err"

cfg empty "# nothing but comments"
run_kscan --config "$FX/empty.yaml" --root "$R" --format json
expect_exit "an empty configuration is valid" 0

# Every option of the command line, from the file.
mkdir -p "$R/opt/acme"
cat >"$FX/acme.yaml" <<'PACK'
schema: 1
signatures:
  - id: test.acme
    vendor: Acme
    product: Acme Test Product
    paths:
      - {path: /opt/acme, role: install}
PACK
cfg all "root: $R" "signatures: [$FX/acme.yaml]" "no_default_signatures: true" \
	"format: text" "output: $FX/from-config.txt" "quiet: true"
run_kscan --config "$FX/all.yaml"
expect_exit "root, signatures and no_default_signatures from the file: detected" 1
check "format and output from the file" grep -q "^== DETECTED == 1 product" "$FX/from-config.txt"
check "only the file's pack was loaded" grep -q "^Signatures: 1 pack, 1 signature" "$FX/from-config.txt"
check "the file's pack is named" grep -qx " *$FX/acme.yaml" "$FX/from-config.txt"
run_kscan --config "$FX/all.yaml" --format json --output "$FX/cli.json"
jcheck "the command line wins: --format and --output" "$FX/cli.json" \
	'r["findings"][0]["signature"] == "test.acme"'
check "the file's output was not written again" [ "$(stat -c %Y "$FX/from-config.txt")" -le "$(stat -c %Y "$FX/cli.json")" ]
EMPTY="$FX/empty-root"
mkdir -p "$EMPTY"
run_kscan --config "$FX/all.yaml" --root "$EMPTY" --output -
expect_exit "--root wins over root" 0
cat >"$FX/other.yaml" <<'PACK'
schema: 1
signatures:
  - id: test.other
    vendor: Other
    product: Other Product
    paths:
      - {path: /opt/other, role: install}
PACK
run_kscan --config "$FX/all.yaml" --signatures "$FX/other.yaml" --output - --format json
expect_exit "--signatures replaces the file's list" 0
check "only the command line's pack" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert [p["name"] for p in r["signatures"]["packs"]] == [sys.argv[2]], r["signatures"]' \
	"$FX/out" "$FX/other.yaml"
cfg pretty "pretty: true"
run_kscan --config "$FX/pretty.yaml" --root "$R" --format json
check "pretty from the file" grep -q '^	"schema": 7,$' "$FX/out"

# --splay: seconds, bounded; the file's collector.splay.
run_kscan --root "$R" --splay abc
expect_exit "--splay abc" 64
run_kscan --root "$R" --splay 86401
expect_exit "--splay past a day" 64
check "says the bound" grep -q "is not a number of seconds from 0 to 86400" "$FX/err"
run_kscan --root "$R" --splay 0 --format json
expect_exit "--splay 0" 0
cfg splay "collector: {splay: 1ms}"
run_kscan --config "$FX/splay.yaml" --root "$R" --format json
expect_exit "collector.splay without a URL only sleeps" 0

# --post overrides collector.url; without a collector nothing is sent.
pki_setup || not_ok "certificates made with openssl"
collector_start post server
kscan_config "$FX/post.yaml" "https://localhost:$(free_port)/nowhere"
run_kscan --config "$FX/post.yaml" --root "$R" --post "$C_URL"
expect_exit "--post wins over collector.url" 0
rcheck "the report went to --post" 'len(q) == 1 and q[0]["path"] == "/reports"'
check "with a collector, nothing on stdout" [ ! -s "$FX/out" ]
run_kscan --config "$FX/post.yaml" --root "$R" --post "$C_URL" --output - --format json
jcheck "--output - still writes the report locally" "$FX/out" '"report_id" in r'

# The example shipped in packaging/ (installed as /etc/kscan/kscan.yaml) sets nothing as
# shipped, and is valid with every key uncommented.
cp "$KSCAN_SRC/packaging/kscan.yaml" "$FX/example.yaml"
chmod 644 "$FX/example.yaml"
run_kscan --config "$FX/example.yaml" --root "$R" --format json
expect_exit "packaging/kscan.yaml as shipped: a plain scan" 0
check "as shipped it delivers nothing" [ ! -s "$FX/err" ]
# uncomment the key lines ("# key:", "#   key:", "#   - item"), keep the prose comments
sed -E 's/^# ( *)([a-z_]+:|- |[A-Z][A-Za-z-]+: )/\1\2/' "$KSCAN_SRC/packaging/kscan.yaml" |
	sed -E "s|^( *)spool_dir: .*|\1spool_dir: $FX/example-spool|" >"$FX/all-keys.yaml"
chmod 644 "$FX/all-keys.yaml"
check "every key of the example is uncommented" \
	[ "$(grep -c '^ *[A-Za-z_-]*:' "$FX/all-keys.yaml")" -eq 43 ]
mkdir -p "$FX/nokeys"
# the command line wins over each key that would touch this machine
run_kscan --config "$FX/all-keys.yaml" --root "$R" --splay 0 --signatures "$FX/acme.yaml" \
	--keys "$FX/nokeys" --output "$FX/example.json" --log stderr
expect_exit "the example with every key: valid, but the files it names are missing here" 65
check "the first missing file is named where it is named" \
	grep -q "^kscan: $FX/all-keys.yaml:[0-9]*:[0-9]*: \"keys\" /etc/kscan/keys does not exist" "$FX/err"
check "nothing was scanned or spooled" [ "$(SPOOL=$FX/example-spool spooled)" -eq 0 ]

fx_done
