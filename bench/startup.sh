#!/bin/bash
# Start-up, dynamic against static, in one hyperfine run each:
#   `kscan --version` of both builds against /bin/true, and the quick audit
#   (`kscan scan --format json` of this host) of both against `dpkg-query -W`.
#
#   bench/startup.sh DYNAMIC-KSCAN STATIC-KSCAN [RUNS]
#
# e.g. bench/startup.sh build-release/kscan out/kscan 60 (packaging/build-static.sh makes
# the static one). Prints the medians and the ratios of medians; targets (issue 16): static
# --version <= 2x /bin/true, the quick audit <= 1.0x dpkg-query.
set -eu
DYN=${1:?usage: bench/startup.sh DYNAMIC-KSCAN STATIC-KSCAN [RUNS]}
STA=${2:?usage: bench/startup.sh DYNAMIC-KSCAN STATIC-KSCAN [RUNS]}
RUNS=${3:-40}
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (packaging/setup-debian.sh)" >&2; exit 1; }
for k in "$DYN" "$STA"; do
	[ -x "$k" ] || { echo "bench: $k is not built" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --shell=none: hyperfine measures the process itself, no shell around it
hyperfine --style basic --warmup 20 --runs "$((RUNS * 5))" -N --export-json "$tmp/v.json" \
	--command-name true /bin/true \
	--command-name dynamic "$DYN --version" \
	--command-name static "$STA --version" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
hyperfine --style basic --warmup 5 --runs "$RUNS" -N --export-json "$tmp/q.json" \
	--command-name dpkg-query "dpkg-query -W" \
	--command-name dynamic "$DYN scan --format json" \
	--command-name static "$STA scan --format json" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }

python3 - "$tmp/v.json" "$tmp/q.json" "$DYN" <<'PY'
import json, subprocess, sys
def load(p):
    return {r["command"]: r for r in json.load(open(p))["results"]}
def show(title, res, base):
    print(title)
    for name, r in res.items():
        # CPU time (user + system) moves less than wall time on a shared machine
        cpu = (r["user"] + r["system"]) / (res[base]["user"] + res[base]["system"])
        print("  %-11s median %7.2f ms  (min %.2f, max %.2f, %d runs)  %.2fx %s, cpu %.2fx" % (
            name, r["median"] * 1e3, r["min"] * 1e3, r["max"] * 1e3, len(r["times"]),
            r["median"] / res[base]["median"], base, cpu))
libs = subprocess.run(["ldd", sys.argv[3]], capture_output=True, text=True).stdout
print("dynamic build: %d shared libraries (ldd)" % len(libs.strip().splitlines()))
show("kscan --version (ratio of medians to /bin/true):", load(sys.argv[1]), "true")
show("quick audit, kscan scan --format json (ratio to dpkg-query -W):", load(sys.argv[2]),
     "dpkg-query")
PY
