#!/bin/bash
# kscan scan --deep: the whole-filesystem sweep on fixture roots built here.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

# Every sweep runs under timeout: a sweep that blocks (on a FIFO...) fails, never hangs.
deep() {
	local out=$1
	shift
	rc=0
	timeout 60 "$KSCAN" scan --deep --format json --no-low-priority "$@" >"$out" 2>"$out.err" ||
		rc=$?
}

# A root with installers where admins leave them, decoys, and hostile entries.
R="$FX/host"
mkdir -p "$R/home/alice/Downloads" "$R/srv/tools/agent" "$R/tmp" "$R/var/cache" "$R/opt/notes"
echo deb >"$R/home/alice/Downloads/kesl_12.4.0-1225_amd64.deb"
echo sh >"$R/srv/tools/klnagent64_15.1.0-20748_amd64.sh"
echo rpm >"$R/tmp/kesl-11.2.0-4528.x86_64.rpm"
echo decoy >"$R/opt/notes/kesl.txt"
echo decoy >"$R/var/cache/kesl_notes.deb"
mkfifo "$R/tmp/kesl_12.0.0-1000_amd64.deb"
ln -s / "$R/var/rootlink"
ln -s loop "$R/var/loop"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$R/tmp/sock"
# a name with a newline, an escape sequence and a byte that is not UTF-8
odd=$(printf 'kesl_1.2.3-4_\033[2J\n\377_amd64.deb')
echo odd >"$R/tmp/$odd"

deep "$FX/host.json" --root "$R"
check "sweep finished without blocking on the FIFO (exit 1: detected)" [ "$rc" -eq 1 ]
jcheck "mode deep" "$FX/host.json" 'r["scan"]["mode"] == "deep"'
jcheck "installers found by name, with their state and role" "$FX/host.json" \
	'sorted((f["signature"], e["kind"], e["path"], e["state"], e["role"]) for f in r["findings"] for e in f["evidence"] if e["kind"] == "file") == sorted([("kaspersky.kesl", "file", "/home/alice/Downloads/kesl_12.4.0-1225_amd64.deb", "installer", "installer"), ("kaspersky.kesl", "file", "/tmp/kesl-11.2.0-4528.x86_64.rpm", "installer", "installer"), ("kaspersky.kesl", "file", "/tmp/kesl_1.2.3-4_\x1b[2J\n\ufffd_amd64.deb", "installer", "installer"), ("kaspersky.klnagent", "file", "/srv/tools/klnagent64_15.1.0-20748_amd64.sh", "installer", "installer")])'
jcheck "file evidence carries sha256, size and the glob" "$FX/host.json" \
	'[(e["sha256"], e["size"], e["pattern"]) for f in r["findings"] for e in f["evidence"] if e["path"].endswith("amd64.deb") and "alice" in e["path"]] == [(__import__("hashlib").sha256(b"deb\n").hexdigest(), 4, "kesl_[0-9]*.[0-9]*.[0-9]*-[0-9]*_amd64.deb")]'
jcheck "odd name: exact bytes in path_b64" "$FX/host.json" \
	'[__import__("base64").b64decode(e["path_b64"]) for f in r["findings"] for e in f["evidence"] if "path_b64" in e] == [b"/tmp/kesl_1.2.3-4_\x1b[2J\n\xff_amd64.deb"]'
jcheck "the FIFO named like an installer is not evidence" "$FX/host.json" \
	'not any("12.0.0-1000" in e["path"] for f in r["findings"] for e in f["evidence"])'
jcheck "nothing read through the symlink to /" "$FX/host.json" \
	'not any(e["path"].startswith("/var/rootlink") for f in r["findings"] for e in f["evidence"])'
jcheck "fs source ok with exact counts" "$FX/host.json" \
	'(lambda s: s["status"] == "ok" and s["counts"]["dirs"] == 12 and s["counts"]["files"] == 6 and s["counts"]["symlinks"] == 2 and s["counts"]["files_hashed"] == 4 and s["counts"]["matched"] == 4 and s["skipped"]["special"] == 2)(r["sources"]["fs"])'
jcheck "fs coverage: what was swept, no errors" "$FX/host.json" \
	'(lambda s: s["paths"] == ["/"] and s["excluded"] == [] and s["errors_by_kind"] == {} and s["failed_paths"] == [] and s["max_file_size"] == 4294967296)(r["sources"]["fs"])'

# Every report of this script must validate against the JSON Schema.
schema_ok() {
	python3 -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])),
    cls=jsonschema.Draft202012Validator)' "$KSCAN_SRC/report/report.schema.json" "$1"
}
if python3 -c 'import jsonschema' 2>/dev/null; then
	check "report with sources.fs validates against the schema" schema_ok "$FX/host.json"
else
	ok "# SKIP python3-jsonschema is not installed"
fi

"$KSCAN" scan --deep --format text --no-low-priority --root "$R" >"$FX/host.txt" 2>&1
check "text report escapes the odd name" grep -qF 'kesl_1.2.3-4_\x1b[2J\x0a\xff_amd64.deb' "$FX/host.txt"
check "text report has the sweep's coverage" grep -q 'swept: /' "$FX/host.txt"
check "text report: no line is wider than 100 columns" \
	awk 'length > 100 { print FILENAME ":" FNR ": " length " columns" > "/dev/stderr"; bad = 1 }
		END { exit bad }' "$FX/host.txt"

# The same with one worker: the same report, whatever the threads did.
deep "$FX/host1.json" --root "$R" --jobs 1
jcheck "jobs 1 finds the same evidence" "$FX/host1.json" \
	'[f["evidence"] for f in r["findings"]] == [f["evidence"] for f in __import__("json").load(open("'"$FX/host.json"'"))["findings"]]'

# --path and --exclude.
deep "$FX/path.json" --root "$R" --path /srv --path /srv/tools
jcheck "--path sweeps only that tree (nested paths once)" "$FX/path.json" \
	'[e["path"] for f in r["findings"] for e in f["evidence"] if e["kind"] == "file"] == ["/srv/tools/klnagent64_15.1.0-20748_amd64.sh"] and r["sources"]["fs"]["paths"] == ["/srv"]'
deep "$FX/excl.json" --root "$R" --exclude /home/alice --exclude /tmp/kesl-11.2.0-4528.x86_64.rpm
jcheck "--exclude skips a directory and a file" "$FX/excl.json" \
	'not any("alice" in e["path"] or "rpm" in e["path"] for f in r["findings"] for e in f["evidence"]) and r["sources"]["fs"]["skipped"]["excluded"] == 2 and r["sources"]["fs"]["excluded"] == ["/home/alice", "/tmp/kesl-11.2.0-4528.x86_64.rpm"]'
deep "$FX/bad.json" --root "$R" --path /nope
check "--path that is not there: usage error (64)" [ "$rc" -eq 64 ]
deep "$FX/bad.json" --root "$R" --path ../etc
check "--path not absolute: usage error (64)" [ "$rc" -eq 64 ]
rc=0
"$KSCAN" scan --path /srv >/dev/null 2>"$FX/nodeep.err" || rc=$?
check "--path without --deep: usage error (64)" [ "$rc" -eq 64 ]
check "--path without --deep: says so" grep -q "needs --deep" "$FX/nodeep.err"
rc=0
"$KSCAN" scan --deep --jobs 0 >/dev/null 2>&1 || rc=$?
check "--jobs 0: usage error (64)" [ "$rc" -eq 64 ]
rc=0
"$KSCAN" scan --deep --max-file-size 12Q >/dev/null 2>&1 || rc=$?
check "--max-file-size 12Q: usage error (64)" [ "$rc" -eq 64 ]

# A clean root is clean, and says how much it looked at.
C="$FX/clean"
mkdir -p "$C/a/b" "$C/c"
echo x >"$C/a/b/kesl.conf"
deep "$FX/clean.json" --root "$C"
check "clean root: exit 0" [ "$rc" -eq 0 ]
jcheck "clean root: verdict clean, 4 dirs and 1 file looked at" "$FX/clean.json" \
	'r["verdict"] == "clean" and r["sources"]["fs"]["counts"]["dirs"] == 4 and r["sources"]["fs"]["counts"]["files"] == 1'

# Hashes: renamed copies are found by content; a same-size decoy is hashed, not matched.
H="$FX/hashes"
mkdir -p "$H/srv/x" "$H/home/bob"
printf 'kesl binary v12\n' >"$H/srv/x/renamed.bin"
printf 'kesl binary v13\n' >"$H/home/bob/same-size"
SUM=$(sha256sum "$H/srv/x/renamed.bin" | cut -d' ' -f1)
cat >"$FX/hash.yaml" <<YAML
schema: 1
signatures:
  - id: test.hashed
    vendor: Kaspersky
    product: Hashed
    hashes:
      - {sha256: "$SUM", size: 16, name: kesl, role: install}
YAML
deep "$FX/hash.json" --root "$H" --no-default-signatures --signatures "$FX/hash.yaml"
check "hash match: exit 1" [ "$rc" -eq 1 ]
jcheck "hash evidence: the renamed copy, installed" "$FX/hash.json" \
	'[(e["kind"], e["path"], e["sha256"], e["size"], e["state"], e["pattern"]) for f in r["findings"] for e in f["evidence"]] == [("hash", "/srv/x/renamed.bin", "'"$SUM"'", 16, "installed", "kesl")]'
jcheck "both 16-byte files hashed, nothing else" "$FX/hash.json" \
	'r["sources"]["fs"]["counts"]["files_hashed"] == 2 and r["sources"]["fs"]["counts"]["bytes_hashed"] == 32'

# A file of a signature's size over --max-file-size: not hashed, so not proven clean.
deep "$FX/big.json" --root "$H" --no-default-signatures --signatures "$FX/hash.yaml" \
	--max-file-size 8
check "over --max-file-size: incomplete (exit 2)" [ "$rc" -eq 2 ]
jcheck "too_large counted, verdict incomplete with the reason" "$FX/big.json" \
	'r["sources"]["fs"]["skipped"]["too_large"] == 2 and r["verdict"] == "incomplete" and "max-file-size" in r["verdict_reason"]'

# An unreadable directory, swept as an unprivileged user: incomplete, with the path.
U="$FX/user"
mkdir -p "$U/pub" "$U/priv"
echo x >"$U/priv/kesl_12.4.0-1225_amd64.deb"
chmod 700 "$U/priv"
chmod 755 "$FX"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	rc=0
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$KSCAN" scan --deep \
		--format json --root "$U" >"$FX/user.json" 2>"$FX/user.err" || rc=$?
	check "unreadable directory as a user: incomplete (exit 2)" [ "$rc" -eq 2 ]
	jcheck "EACCES counted and the path listed" "$FX/user.json" \
		'(lambda s: s["status"] == "failed" and s["errors_by_kind"] == {"EACCES": 1} and s["failed_paths"] == [{"path": "/priv", "kind": "EACCES", "error": "Permission denied"}])(r["sources"]["fs"])'
	jcheck "verdict reason names the path" "$FX/user.json" \
		'r["verdict"] == "incomplete" and "/priv" in r["verdict_reason"]'
	jcheck "low priority recorded" "$FX/user.json" 'r["sources"]["fs"]["low_priority"] is True'
else
	ok "# SKIP unprivileged sweep needs root and setpriv"
fi

# --max-duration: a 64 GiB sparse file of a signature's size would take far more than a
# second to hash; the 1-second budget stops the hash and the sweep there. The rest is not
# looked at, and the report says so.
T="$FX/slow"
mkdir -p "$T/a" "$T/z/y"
truncate -s 64G "$T/a/big"
echo x >"$T/z/y/kesl_12.4.0-1225_amd64.deb"
cat >"$FX/big.yaml" <<YAML
schema: 1
signatures:
  - id: test.big
    vendor: Kaspersky
    product: Big
    hashes:
      - {sha256: "0000000000000000000000000000000000000000000000000000000000000000", size: 68719476736, role: installer}
YAML
deep "$FX/slow.json" --root "$T" --signatures "$FX/big.yaml" --jobs 1 --max-duration 1 \
	--max-file-size 128G --path /a --path /z
check "--max-duration: incomplete (exit 2)" [ "$rc" -eq 2 ]
jcheck "--max-duration: reason says the sweep was stopped" "$FX/slow.json" \
	'r["verdict"] == "incomplete" and "max-duration" in r["verdict_reason"] and r["sources"]["fs"]["max_duration_s"] == 1'
jcheck "--max-duration: the tree after the stop was not looked at" "$FX/slow.json" \
	'r["findings"] == [] and r["sources"]["fs"]["counts"]["files_hashed"] == 0'

# Mounts: pseudo filesystems are not entered; --one-file-system stays on the root's mount.
M="$FX/mounts"
mkdir -p "$M/proc" "$M/data"
if [ "$(id -u)" -eq 0 ] && mount -t proc proc "$M/proc" 2>/dev/null; then
	mount -t tmpfs tmpfs "$M/data"
	echo x >"$M/data/klnagent64_15.1.0-20748_amd64.sh"
	trap 'umount -l "$M/proc" "$M/data" 2>/dev/null; rm -rf "$FX"' EXIT
	deep "$FX/mnt.json" --root "$M"
	jcheck "proc not entered, listed with its type" "$FX/mnt.json" \
		'r["sources"]["fs"]["mounts_skipped"] == [{"path": "/proc", "fstype": "proc", "reason": "pseudo"}] and r["sources"]["fs"]["skipped"]["mounts"] == 1'
	jcheck "a tmpfs is swept" "$FX/mnt.json" \
		'[e["path"] for f in r["findings"] for e in f["evidence"]] == ["/data/klnagent64_15.1.0-20748_amd64.sh"]'
	deep "$FX/onefs.json" --root "$M" --one-file-system
	check "--one-file-system: clean (exit 0)" [ "$rc" -eq 0 ]
	jcheck "--one-file-system: the tmpfs listed as other_fs" "$FX/onefs.json" \
		'{"path": "/data", "fstype": "tmpfs", "reason": "other_fs"} in r["sources"]["fs"]["mounts_skipped"]'
	umount -l "$M/proc" "$M/data"
else
	ok "# SKIP mount tests need root"
fi

# kscan signatures hash: generate from a reference tree, then find every file of it
# copied elsewhere under other names.
REF="$FX/ref"
mkdir -p "$REF/bin" "$REF/lib/deep/er"
printf 'control binary\n' >"$REF/bin/kesl-control"
printf 'library\n' >"$REF/lib/libkesl.so"
printf 'data %s\n' "$(seq 1 1000)" >"$REF/lib/deep/er/bases.dat"
cp "$REF/bin/kesl-control" "$REF/bin/kesl-control.copy"
: >"$REF/bin/empty"
ln -s kesl-control "$REF/bin/link"
printf 'odd\n' >"$REF/lib/$(printf 'new\nline')"
rc=0
"$KSCAN" signatures hash "$REF" --id test.ref --product "Reference \"KESL\"" --role install \
	>"$FX/gen.yaml" 2>"$FX/gen.err" || rc=$?
check "signatures hash: exit 0" [ "$rc" -eq 0 ]
check "signatures hash: says the empty file was left out" grep -q "1 empty" "$FX/gen.err"
check "generated pack lints" sh -c '"$0" signatures lint "$1" >/dev/null' "$KSCAN" "$FX/gen.yaml"
check "one entry per distinct content (4)" [ "$(grep -c 'sha256:' "$FX/gen.yaml")" -eq 4 ]
rc=0
"$KSCAN" signatures hash "$REF" --product X >/dev/null 2>&1 || rc=$?
check "signatures hash without --id: usage error (64)" [ "$rc" -eq 64 ]
rc=0
"$KSCAN" signatures hash "$REF" --id "Bad Id" --product X >/dev/null 2>"$FX/badid.err" || rc=$?
check "signatures hash with an id the loader refuses: exit 65" [ "$rc" -eq 65 ]
C2="$FX/copies"
mkdir -p "$C2/var/tmp/x" "$C2/home/eve"
cp "$REF/bin/kesl-control" "$C2/var/tmp/x/innocent"
cp "$REF/lib/libkesl.so" "$C2/home/eve/.hidden"
cp "$REF/lib/deep/er/bases.dat" "$C2/home/eve/notes.txt"
cp "$REF/lib/$(printf 'new\nline')" "$C2/var/tmp/odd"
printf 'library!\n' >"$C2/home/eve/same-size-decoy"
deep "$FX/round.json" --root "$C2" --no-default-signatures --signatures "$FX/gen.yaml"
check "round trip: detected (exit 1)" [ "$rc" -eq 1 ]
jcheck "round trip: every copy found by content, nothing else" "$FX/round.json" \
	'sorted(e["path"] for f in r["findings"] for e in f["evidence"]) == ["/home/eve/.hidden", "/home/eve/notes.txt", "/var/tmp/odd", "/var/tmp/x/innocent"] and all(e["kind"] == "hash" and e["state"] == "installed" for f in r["findings"] for e in f["evidence"])'
jcheck "round trip: the product name survived the quoting" "$FX/round.json" \
	'r["findings"][0]["product"] == "Reference \"KESL\""'

if python3 -c 'import jsonschema' 2>/dev/null; then
	for f in "$FX"/*.json; do
		# usage errors write no report
		[ -s "$f" ] && check "schema: $(basename "$f")" schema_ok "$f"
	done
fi

fx_done
