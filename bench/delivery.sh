#!/bin/bash
# What delivery costs, against the test collector (tests/lib/collector.py) on the loopback:
#
#   bench/delivery.sh [KSCAN] [RUNS] [SPOOLED]
#
# - one run: scan only, scan + HTTPS delivery (json; gzip + HMAC), scan with the collector
#   down (report spooled), medians with hyperfine in the same session;
# - kscan send: SPOOLED reports (default 200) flushed over one connection, reports/s;
# - body sizes of one report with a finding: json, gzip, ecs, ecs-bulk, splunk-hec.
# The collector is Python and single-host: the numbers bound kscan's side, not a real
# collector's.
set -eu
KSCAN=$(realpath "${1:-build/kscan}")
RUNS=${2:-30}
SPOOLED=${3:-200}
KSCAN_SRC=$(cd "$(dirname "$0")/.." && pwd)
export KSCAN KSCAN_SRC
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (packaging/setup-debian.sh)" >&2; exit 1; }
[ -x "$KSCAN" ] || { echo "bench: $KSCAN is not built" >&2; exit 1; }

# the test helpers: certificates, the collector, kscan_config
. "$KSCAN_SRC/tests/lib/fixtures.sh"
. "$KSCAN_SRC/tests/lib/collector.sh"
pki_setup || { echo "bench: openssl failed" >&2; exit 1; }

R="$FX/root"
mkdir -p "$R/etc" "$R/opt/kaspersky/kesl/bin"
echo bench-host >"$R/etc/hostname"
echo fixture >"$R/opt/kaspersky/kesl/bin/kesl-control"
printf 'bench-hmac-key\n' >"$FX/hmac"
chmod 600 "$FX/hmac"

collector_start bench server
kscan_config "$FX/up.yaml" "$C_URL" "spool_dir: $FX/spool-up"
kscan_config "$FX/sign.yaml" "$C_URL" "spool_dir: $FX/spool-up" "compress: gzip" \
	"hmac_key_file: $FX/hmac"
kscan_config "$FX/down.yaml" "https://localhost:$(free_port)/r" "spool_dir: $FX/spool-down" \
	"attempts: 1" "spool_max_reports: 10000"

hyperfine --style basic --warmup 3 --runs "$RUNS" --shell=none -i --export-json "$FX/h.json" \
	--command-name "scan only" "$KSCAN --root $R --format json --output $FX/local.json" \
	--command-name "scan + delivery" "$KSCAN --root $R --config $FX/up.yaml" \
	--command-name "scan + delivery, gzip + HMAC" "$KSCAN --root $R --config $FX/sign.yaml" \
	--command-name "scan, collector down: spooled" "$KSCAN --root $R --config $FX/down.yaml" \
	>"$FX/h.out" 2>&1 || { cat "$FX/h.out"; exit 1; }

python3 - "$FX/h.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
base = res[0]["median"]
for r in res:
    print("%-32s median %7.2f ms  (+%6.2f ms; min %.2f, max %.2f, %d runs)" % (
        r["command"], r["median"] * 1e3, (r["median"] - base) * 1e3, r["min"] * 1e3,
        r["max"] * 1e3, len(r["times"])))
PY

# kscan send: a full spool over one connection.
kscan_config "$FX/flush-down.yaml" "https://localhost:$(free_port)/r" \
	"spool_dir: $FX/spool-flush" "attempts: 1" "spool_max_reports: 10000"
for _ in $(seq "$SPOOLED"); do
	"$KSCAN" --root "$R" --config "$FX/flush-down.yaml" >/dev/null 2>&1 || true
done
kscan_config "$FX/flush-up.yaml" "$C_URL" "spool_dir: $FX/spool-flush"
start=$(date +%s.%N)
"$KSCAN" send --config "$FX/flush-up.yaml" --quiet
end=$(date +%s.%N)
python3 -c 'import sys; n, s, e = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]);
print("kscan send: %d spooled reports in %.2f s, %.0f reports/s" % (n, e - s, n / (e - s)))' \
	"$SPOOLED" "$start" "$end"

# Sizes of one report with a finding.
for f in json ecs ecs-bulk splunk-hec; do
	"$KSCAN" --root "$R" --format "$f" --output "$FX/size.$f" || true
done
gzip -c -6 "$FX/size.json" >"$FX/size.json.gz"
printf 'body sizes (one finding): json %d, gzip %d, ecs %d, ecs-bulk %d, splunk-hec %d bytes\n' \
	"$(stat -c %s "$FX/size.json")" "$(stat -c %s "$FX/size.json.gz")" \
	"$(stat -c %s "$FX/size.ecs")" "$(stat -c %s "$FX/size.ecs-bulk")" \
	"$(stat -c %s "$FX/size.splunk-hec")"
