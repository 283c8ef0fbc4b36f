#!/bin/bash
# kscan's whole quick scan of this host against `dpkg-query -W` alone, in the same run.
#
#   bench/quick.sh [KSCAN] [RUNS]
#
# Both read the dpkg database; kscan also loads its signatures, reads the rpm database if
# there is one, looks up every signature path and writes a JSON report. Prints the medians
# and their ratio (kscan / dpkg-query): the target is <= 1.0.
set -eu
KSCAN=${1:-build/kscan}
RUNS=${2:-40}
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (packaging/setup-debian.sh)" >&2; exit 1; }
[ -x "$KSCAN" ] || { echo "bench: $KSCAN is not built" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

hyperfine --style basic --warmup 5 --runs "$RUNS" --shell=none --export-json "$tmp/q.json" \
	--command-name kscan "$KSCAN scan --format json" \
	--command-name dpkg-query "dpkg-query -W" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }

python3 - "$tmp/q.json" "$(dpkg-query -W | wc -l)" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
k, d = res["kscan"], res["dpkg-query"]
print("packages on this host: %s" % sys.argv[2])
for name, r in (("kscan scan", k), ("dpkg-query -W", d)):
    print("%-14s median %7.2f ms  (min %.2f, max %.2f, %d runs)" % (
        name, r["median"] * 1e3, r["min"] * 1e3, r["max"] * 1e3, len(r["times"])))
print("ratio kscan/dpkg-query (medians): %.2f" % (k["median"] / d["median"]))
PY
