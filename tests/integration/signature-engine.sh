#!/bin/bash
# What the signature engine adds to matching: confidence, size-less hashes, the catch-all
# fallback signature, and pack dates with a maximum age.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

scan() {
	local out=$1
	shift
	kscan_json "$out" "$@"
}

# ---- The built-in catch-all: only what no other signature claims. ----
R=$(fx_root fallback)
mkdir -p "$R/opt/kaspersky/kesl/bin" "$R/opt/kaspersky/newthing/bin" "$R/var/opt/kaspersky/kesl"
echo bin >"$R/opt/kaspersky/kesl/bin/kesl-control"
echo bin >"$R/opt/kaspersky/newthing/bin/newthing"
scan "$FX/fallback.json" --root "$R"
check "KESL and a new product detected (exit 1)" [ "$rc" -eq 1 ]
jcheck "one kesl finding and one unidentified finding" "$FX/fallback.json" \
	'sorted(f["signature"] for f in r["findings"]) == ["kaspersky.kesl", "kaspersky.unidentified"]'
jcheck "the unidentified finding names only newthing" "$FX/fallback.json" \
	'[e["path"] for f in r["findings"] if f["signature"] == "kaspersky.unidentified" for e in f["evidence"]] == ["/opt/kaspersky/newthing"]'
jcheck "it is a remnant of medium confidence" "$FX/fallback.json" \
	'[(f["state"], f["confidence"], f["low_confidence"], f["evidence"][0]["confidence"]) for f in r["findings"] if f["signature"] == "kaspersky.unidentified"] == [("remnant", "medium", False, "medium")]'
jcheck "KESL keeps its own evidence" "$FX/fallback.json" \
	'all(e["path"].startswith(("/opt/kaspersky/kesl", "/var/opt/kaspersky/kesl")) for f in r["findings"] if f["signature"] == "kaspersky.kesl" for e in f["evidence"] if "path" in e)'

R=$(fx_root claimed)
mkdir -p "$R/opt/kaspersky/kesl/bin" "$R/var/log/kaspersky"
echo bin >"$R/opt/kaspersky/kesl/bin/kesl-control"
scan "$FX/claimed.json" --root "$R"
jcheck "everything claimed: no unidentified finding" "$FX/claimed.json" \
	'[f["signature"] for f in r["findings"]] == ["kaspersky.kesl"]'

R=$(fx_root lookalike)
mkdir -p "$R/opt/kasperskyfan/bin" "$R/var/log/kaspersky-old"
echo bin >"$R/opt/kasperskyfan/bin/fan"
scan "$FX/lookalike.json" --root "$R"
check "/opt/kasperskyfan is nothing (exit 0)" [ "$rc" -eq 0 ]
jcheck "verdict clean" "$FX/lookalike.json" 'r["verdict"] == "clean" and r["findings"] == []'

R=$(fx_root logs)
mkdir -p "$R/var/log/kaspersky/kwts-next" "$R/etc/opt/kaspersky/.hidden"
scan "$FX/logs.json" --root "$R"
jcheck "an unknown product's logs are found, a dot entry is not" "$FX/logs.json" \
	'[(f["signature"], [e["path"] for e in f["evidence"]]) for f in r["findings"]] == [("kaspersky.unidentified", ["/var/log/kaspersky/kwts-next"])]'

# ---- Confidence: a finding on inferred evidence only says so. ----
PACK="$FX/conf.yaml"
cat >"$PACK" <<'YAML'
schema: 1
signatures:
  - id: test.inferred
    vendor: Kaspersky
    product: Test inferred
    confidence: low
    paths:
      - {path: /opt/kaspersky/kfl, role: install}
      - {path: /opt/kaspersky/kfl/bin/kfl-control, role: install, confidence: high}
YAML
R=$(fx_root inferred)
mkdir -p "$R/opt/kaspersky/kfl"
scan "$FX/low.json" --no-default-signatures --signatures "$PACK" --root "$R"
jcheck "only low evidence: low_confidence" "$FX/low.json" \
	'[(f["confidence"], f["low_confidence"], [e["confidence"] for e in f["evidence"]]) for f in r["findings"]] == [("low", True, ["low"])]'
"$KSCAN" scan --format text --no-default-signatures --signatures "$PACK" --root "$R" \
	>"$FX/low.txt" 2>&1
check "text says it plainly" grep -q "^    low confidence: only inferred evidence$" "$FX/low.txt"
mkdir -p "$R/opt/kaspersky/kfl/bin"
echo bin >"$R/opt/kaspersky/kfl/bin/kfl-control"
scan "$FX/high.json" --no-default-signatures --signatures "$PACK" --root "$R"
jcheck "one high item: high, not low_confidence" "$FX/high.json" \
	'[(f["confidence"], f["low_confidence"], sorted(e["confidence"] for e in f["evidence"])) for f in r["findings"]] == [("high", False, ["high", "low"])]'

# ---- Hashes without a size: only files the signature's names matched are compared. ----
PACK="$FX/hash.yaml"
sum=$(printf 'kit\n' | sha256sum | cut -d' ' -f1)
cat >"$PACK" <<YAML
schema: 1
signatures:
  - id: test.kit
    vendor: Kaspersky
    product: Test kit
    files:
      - {name: "kesl_[0-9]*.deb", role: installer, confidence: low}
    hashes:
      - {sha256: "$sum", name: kesl_12.deb, role: installer}
YAML
R=$(fx_root hashes)
mkdir -p "$R/srv/kits"
printf 'kit\n' >"$R/srv/kits/kesl_12.deb"
printf 'kit\n' >"$R/srv/kits/renamed.bin"
printf 'other\n' >"$R/srv/kits/kesl_13.deb"
timeout 60 "$KSCAN" scan --deep --no-low-priority --format json --no-default-signatures \
	--signatures "$PACK" --root "$R" >"$FX/hash.json" 2>"$FX/hash.err" || true
jcheck "hash evidence only for the named file with the digest" "$FX/hash.json" \
	'sorted((e["kind"], e["path"]) for f in r["findings"] for e in f["evidence"]) == [("file", "/srv/kits/kesl_12.deb"), ("file", "/srv/kits/kesl_13.deb"), ("hash", "/srv/kits/kesl_12.deb")]'
jcheck "the hash carries its role and its own confidence" "$FX/hash.json" \
	'[(e["role"], e["confidence"], e["sha256"]) for f in r["findings"] for e in f["evidence"] if e["kind"] == "hash"] == [("installer", "high", "'"$sum"'")]'
sed -i '/files:/,/role: installer, confidence: low}/d' "$PACK"
"$KSCAN" signatures lint "$PACK" >"$FX/lint.out" 2>&1 && rc=0 || rc=$?
check "a size-less hash without files is refused (exit 65)" [ "$rc" -eq 65 ]
check "lint explains the rule" grep -q "hashes\[0\]: size is required unless the signature names the file by a \`files\` glob" "$FX/lint.out"

# ---- Pack dates: expired packs are stale; a maximum age makes clean incomplete. ----
R=$(fx_root dated)
pack() {
	cat >"$FX/$1.yaml" <<YAML
schema: 1
$2
signatures:
  - id: test.$1
    vendor: Kaspersky
    product: Test $1
    paths: [{path: /opt/kaspersky/nothing-here, role: install}]
YAML
}
pack old "date: 2000-01-01"
pack expired $'date: 2000-01-01\nexpires: 2000-06-30'
pack future "date: 2999-01-01"
pack undated ""
sigs() { local a=(); for p in "$@"; do a+=(--signatures "$FX/$p.yaml"); done; echo "${a[@]}"; }

scan "$FX/dates.json" --no-default-signatures $(sigs old expired future undated) --root "$R"
check "without a maximum age: clean (exit 0)" [ "$rc" -eq 0 ]
jcheck "packs list date, expires and stale" "$FX/dates.json" \
	'[(p["date"], p["expires"], p["stale"]) for p in r["signatures"]["packs"]] == [("2000-01-01", None, False), ("2000-01-01", "2000-06-30", True), ("2999-01-01", None, False), (None, None, False)] and "max_age_days" not in r["signatures"]'

scan "$FX/maxage.json" --no-default-signatures $(sigs old expired future undated) \
	--max-signature-age 30 --root "$R"
check "with --max-signature-age: incomplete (exit 2)" [ "$rc" -eq 2 ]
jcheck "old, expired and undated packs are stale" "$FX/maxage.json" \
	'[p["stale"] for p in r["signatures"]["packs"]] == [True, True, False, True] and r["signatures"]["max_age_days"] == 30'
jcheck "the reason names them" "$FX/maxage.json" \
	'r["verdict"] == "incomplete" and r["verdict_reason"] == "stale signatures: '"$FX/old.yaml $FX/expired.yaml $FX/undated.yaml"'"'

scan "$FX/fresh.json" --no-default-signatures $(sigs future) --max-signature-age 30 --root "$R"
check "a pack within the age: clean (exit 0)" [ "$rc" -eq 0 ]

mkdir -p "$R/opt/kaspersky/nothing-here"
scan "$FX/found.json" --no-default-signatures $(sigs old) --max-signature-age 30 --root "$R"
check "a finding with stale packs is still detected (exit 1)" [ "$rc" -eq 1 ]
rmdir "$R/opt/kaspersky/nothing-here"

printf 'max_signature_age: 30\n' >"$FX/age.yaml"
chmod 600 "$FX/age.yaml"
scan "$FX/conf-age.json" --config "$FX/age.yaml" --no-default-signatures $(sigs old) --root "$R"
check "max_signature_age from the file: incomplete (exit 2)" [ "$rc" -eq 2 ]
scan "$FX/cli-age.json" --config "$FX/age.yaml" --no-default-signatures $(sigs old) \
	--max-signature-age 36500 --root "$R"
check "the command line wins over the file (exit 0)" [ "$rc" -eq 0 ]
jcheck "with its own maximum" "$FX/cli-age.json" 'r["signatures"]["max_age_days"] == 36500'

"$KSCAN" scan --max-signature-age 0 --root "$R" >/dev/null 2>&1 && rc=0 || rc=$?
check "--max-signature-age 0 is a usage error (exit 64)" [ "$rc" -eq 64 ]
printf 'max_signature_age: 0\n' >"$FX/age0.yaml"
chmod 600 "$FX/age0.yaml"
"$KSCAN" scan --config "$FX/age0.yaml" --root "$R" >/dev/null 2>"$FX/age0.err" && rc=0 || rc=$?
check "max_signature_age: 0 in the file is refused (exit 65)" [ "$rc" -eq 65 ]
check "at its line and column" grep -q "age0.yaml:1:20:" "$FX/age0.err"

pack baddate "date: 2026-02-30"
"$KSCAN" signatures lint "$FX/baddate.yaml" >"$FX/baddate.out" 2>&1 && rc=0 || rc=$?
check "an impossible date is refused (exit 65)" [ "$rc" -eq 65 ]
check "FILE:LINE:COL" grep -q "baddate.yaml:2:7: date \"2026-02-30\" is not a date" "$FX/baddate.out"

fx_done
