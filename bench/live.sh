#!/bin/bash
# What the host probes cost on a busy host: kscan's whole scan of this host (package
# databases, paths, and the probes: every /proc/<pid>, /proc/net, units, modules, accounts,
# cron) against `ps -e -o pid,comm,args` alone, in the same run, with NPROCS extra processes.
#
#   bench/live.sh [KSCAN] [NPROCS] [RUNS]
#
# Prints the medians and their ratio (kscan / ps). ps reads stat and cmdline of every
# process, as the processes probe reads comm and the exe link; the rest of kscan's scan comes
# on top, so a ratio near 1 means the probes cost about what listing the processes costs.
set -eu
KSCAN=${1:-build/kscan}
NPROCS=${2:-2000}
RUNS=${3:-30}
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (packaging/setup-debian.sh)" >&2; exit 1; }
[ -x "$KSCAN" ] || { echo "bench: $KSCAN is not built" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
	[ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

for _ in $(seq 1 "$NPROCS"); do
	sleep 600 &
	pids+=($!)
done

hyperfine --style basic --warmup 3 --runs "$RUNS" --shell=none --export-json "$tmp/l.json" \
	--command-name kscan "$KSCAN scan --format json" \
	--command-name ps "ps -e -o pid,comm,args" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
"$KSCAN" scan --format json >"$tmp/report.json" || true

python3 - "$tmp/l.json" "$tmp/report.json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rep = json.load(open(sys.argv[2]))
k, p = res["kscan"], res["ps"]
print("processes read by kscan: %s" % rep["sources"]["processes"]["counts"]["processes"])
for name, r in (("kscan scan", k), ("ps -e", p)):
    print("%-11s median %7.2f ms  (min %.2f, max %.2f, %d runs)" % (
        name, r["median"] * 1e3, r["min"] * 1e3, r["max"] * 1e3, len(r["times"])))
print("ratio kscan/ps (medians): %.2f" % (k["median"] / p["median"]))
PY
