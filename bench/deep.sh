#!/bin/bash
# The deep sweep against peers doing the same work, in one run (docs/performance.md).
#
#   bench/deep.sh [KSCAN] [RUNS] [TREE]
#
# 1. kscan --deep --path TREE (default /usr) against bfs TREE -xdev -type f -printf '%s\n'
#    (bfs stats every file, as kscan must when a signature has hashes): kscan with the
#    default pack (names only: no stat per file) and with the default pack plus 64 hash
#    signatures (a stat per file), each with --jobs 1 and the default jobs. Warm cache.
# 2. kscan against clamscan -r with the same 64 hashes as a .hsb database, on TREE/bin.
# 3. hashing a 1 GiB file (kscan signatures hash, one job, file in the page cache) against
#    openssl speed -evp sha256 -bytes 16384 on one core.
# 4. peak RSS of kscan --deep of / (/usr/bin/time -v).
# Ratios are of medians; every kscan run uses --no-low-priority so it competes fairly.
set -eu
KSCAN=$(realpath "${1:-build/kscan}")
RUNS=${2:-10}
TREE=${3:-/usr}
for t in hyperfine bfs clamscan openssl /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: $t missing (packaging/setup-debian.sh)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
jobs=$(nproc)

# 64 hash signatures of files that exist nowhere on the host: sizes spread like binaries.
mkdir -p "$tmp/ref"
for i in $(seq 1 64); do
	head -c $((4096 + i * 7919)) /dev/urandom >"$tmp/ref/f$i"
done
"$KSCAN" signatures hash "$tmp/ref" --id bench.hashes --product Bench >"$tmp/hashes.yaml"
# the same hashes as ClamAV's .hsb: sha256:size:name
python3 - "$tmp/hashes.yaml" >"$tmp/bench.hsb" <<'PY'
import re, sys
for m in re.finditer(r'sha256: "([0-9a-f]{64})", size: (\d+)', open(sys.argv[1]).read()):
    print("%s:%s:Bench.Kaspersky.%s" % (m.group(1), m.group(2), m.group(1)[:8]))
PY

deep() { echo "$KSCAN scan --deep --no-low-priority --format json --path $1 $2"; }
echo "== 1. metadata walk of $TREE ($(nproc) CPUs)"
hyperfine --style basic --warmup 2 --runs "$RUNS" --export-json "$tmp/walk.json" -i \
	--command-name bfs "bfs $TREE -xdev -type f -printf '%s\n' >/dev/null" \
	--command-name names-j1 "$(deep "$TREE" "--jobs 1") >/dev/null" \
	--command-name names-jN "$(deep "$TREE" "--jobs $jobs") >/dev/null" \
	--command-name hashes-j1 "$(deep "$TREE" "--jobs 1 --signatures $tmp/hashes.yaml") >/dev/null" \
	--command-name hashes-jN "$(deep "$TREE" "--jobs $jobs --signatures $tmp/hashes.yaml") >/dev/null" \
	>"$tmp/walk.out" 2>&1 || { cat "$tmp/walk.out"; exit 1; }
"$KSCAN" scan --deep --no-low-priority --format json --path "$TREE" >"$tmp/r.json" || true
python3 - "$tmp/walk.json" "$tmp/r.json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
c = json.load(open(sys.argv[2]))["sources"]["fs"]["counts"]
print("tree: %d dirs, %d files, %d symlinks" % (c["dirs"], c["files"], c["symlinks"]))
for n, r in res.items():
    print("%-10s median %8.1f ms  (min %.1f, max %.1f, %d runs)" % (
        n, r["median"] * 1e3, r["min"] * 1e3, r["max"] * 1e3, len(r["times"])))
b = res["bfs"]["median"]
for n in ("names-j1", "names-jN", "hashes-j1", "hashes-jN"):
    print("ratio %s / bfs: %.2f" % (n, res[n]["median"] / b))
PY

SUB=$TREE/bin
echo "== 2. $SUB: kscan (hashes) vs clamscan -r with the same hashes (.hsb)"
hyperfine --style basic --warmup 1 --runs 3 --export-json "$tmp/clam.json" -i \
	--command-name kscan "$(deep "$SUB" "--signatures $tmp/hashes.yaml") >/dev/null" \
	--command-name clamscan "clamscan --no-summary --infected -d $tmp/bench.hsb -r $SUB >/dev/null" \
	>"$tmp/clam.out" 2>&1 || { cat "$tmp/clam.out"; exit 1; }
python3 - "$tmp/clam.json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
for n, r in res.items():
    print("%-9s median %9.1f ms" % (n, r["median"] * 1e3))
print("ratio clamscan / kscan: %.0f" % (res["clamscan"]["median"] / res["kscan"]["median"]))
PY

echo "== 3. sha256 of a 1 GiB file, one job, page cache warm"
mkdir -p "$tmp/big"
head -c $((1 << 30)) /dev/urandom >"$tmp/big/file"
hyperfine --style basic --runs 5 --export-json "$tmp/hash.json" \
	--prepare "cat $tmp/big/file >/dev/null" \
	--command-name kscan "$KSCAN signatures hash $tmp/big --id b.b --product B --jobs 1 >/dev/null" \
	>"$tmp/hash.out" 2>&1 || { cat "$tmp/hash.out"; exit 1; }
openssl speed -evp sha256 -bytes 16384 -seconds 3 2>/dev/null | tail -1 >"$tmp/openssl"
python3 - "$tmp/hash.json" "$tmp/openssl" <<'PY'
import json, sys
med = json.load(open(sys.argv[1]))["results"][0]["median"]
kscan = (1 << 30) / med / 1e6
ossl = float(open(sys.argv[2]).read().split()[1].rstrip("k")) * 1000 / 1e6
print("kscan   %7.0f MB/s (median %.2f s for 1 GiB)" % (kscan, med))
print("openssl %7.0f MB/s (speed -evp sha256 -bytes 16384)" % ossl)
print("ratio kscan / openssl: %.2f" % (kscan / ossl))
PY
rm -rf "$tmp/big"

echo "== 4. peak RSS of kscan --deep of /"
/usr/bin/time -v "$KSCAN" scan --deep --no-low-priority --format json >"$tmp/root.json" \
	2>"$tmp/time.txt" || true
python3 - "$tmp/root.json" "$tmp/time.txt" <<'PY'
import json, re, sys
c = json.load(open(sys.argv[1]))["sources"]["fs"]["counts"]
t = open(sys.argv[2]).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print("/: %d dirs, %d files in %d ms; peak RSS %.1f MiB" % (
    c["dirs"], c["files"], c["elapsed_ms"], rss / 1024))
PY
