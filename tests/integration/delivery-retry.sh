#!/bin/bash
# Retries: full-jitter backoff on connection errors, timeouts, 5xx, 408 and 429 (honouring
# Retry-After); no retry on other 4xx. Whatever fails, the report waits in the spool (exit 3).
. "$KSCAN_SRC/tests/lib/fixtures.sh"
. "$KSCAN_SRC/tests/lib/collector.sh"

pki_setup || { not_ok "certificates made with openssl"; fx_done; exit 1; }
R=$(scan_root)
collector_start retry server

# 503, 503, then 200: delivered on the third attempt, the same report each time.
kscan_config "$FX/c.yaml" "$C_URL"
printf '503\n503\n200\n' >"$C_DIR/script"
run_kscan --root "$R" --config "$FX/c.yaml" --output "$FX/r1.json"
expect_exit "503, 503, 200: delivered" 0
ID=$(jget "$FX/r1.json" 'r["report_id"]')
rcheck "three requests with the same Idempotency-Key" \
	"[r['status'] for r in q] == [503, 503, 200] and {r['headers']['idempotency-key'] for r in q} == {'$ID'}"
rcheck "accepted once" "len(acc) == 1 and acc[0]['key'] == '$ID'"
check "nothing spooled" [ "$(spooled)" -eq 0 ]

# 503 through every attempt: spooled, with the status in the message.
printf '503\n503\n503\n' >"$C_DIR/script"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "503 every time: spooled" 3
check "tried 3 times (attempts: 3)" grep -q "not delivered after 3 attempt(s): the collector answered HTTP 503" "$FX/err"
check "one report spooled" [ "$(spooled)" -eq 1 ]
rm -rf "$FX/spool"

# 408 and 500 are retried too; the connection closed without an answer as well.
printf '408\n500\nclose\n' >"$C_DIR/script"
kscan_config "$FX/c.yaml" "$C_URL" "attempts: 4"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "408, 500, no answer, 200: delivered" 0
rcheck "four requests" 'len(q) == 3 + 3 + 4'

# 429 with Retry-After: 1: the second attempt waits at least that second.
rm -f "$C_DIR/requests.jsonl"
kscan_config "$FX/c.yaml" "$C_URL" "backoff_cap: 5s"
printf '429 1\n200\n' >"$C_DIR/script"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "429 Retry-After 1, then 200: delivered" 0
rcheck "two requests, the second no sooner than Retry-After" \
	'[r["status"] for r in q] == [429, 200] and q[1]["time"] - q[0]["time"] >= 1.0'

# A Retry-After longer than the backoff cap: not asked again in this run.
rm -f "$C_DIR/requests.jsonl"
kscan_config "$FX/c.yaml" "$C_URL"
printf '503 120\n' >"$C_DIR/script"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "503 Retry-After 120: spooled" 3
rcheck "one request only" 'len(q) == 1'
check "says the collector asked to wait" grep -q "asked to wait 120 s (Retry-After)" "$FX/err"
rm -rf "$FX/spool"

# 401: a configuration error, said plainly, never retried.
rm -f "$C_DIR/requests.jsonl"
printf '401\n200\n' >"$C_DIR/script"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "401: spooled" 3
rcheck "401 is not retried" 'len(q) == 1 and q[0]["status"] == 401'
check "401 says configuration error" grep -q "refused the report with HTTP 401, a configuration error, not retried: the collector did not accept the credentials: check collector.token_file" "$FX/err"
check "401 quotes the collector" grep -q 'it said: "ok"' "$FX/err"
check "401: report spooled" [ "$(spooled)" -eq 1 ]
printf '403\n' >"$C_DIR/script"
run_kscan send --config "$FX/c.yaml"
expect_exit "403 on kscan send: still spooled" 3
rcheck "403 is not retried either" 'len(q) == 2'
printf '400\n' >"$C_DIR/script"
run_kscan send --config "$FX/c.yaml"
expect_exit "400: still spooled" 3
check "400 names the format" grep -q "HTTP 400.*check collector.format" "$FX/err"
printf '404\n' >"$C_DIR/script"
run_kscan send --config "$FX/c.yaml"
check "404 names the URL" grep -q "HTTP 404.*check collector.url" "$FX/err"
run_kscan send --config "$FX/c.yaml"
expect_exit "kscan send with the collector back: delivered" 0
check "the spool is empty" [ "$(spooled)" -eq 0 ]
rcheck "the spooled report was accepted, once" \
	'acc[-1]["key"] == q[-1]["headers"]["idempotency-key"] and not any(a["dup"] for a in acc)'

# A collector that accepts and never answers: the timeout, then the spool.
collector_start hang server
# long enough for the request to get out even under valgrind, whose TLS handshake is slow
tmo=1s
[ "${KSCAN_VALGRIND:-0}" = 1 ] && tmo=10s
kscan_config "$FX/c.yaml" "$C_URL" "timeout: $tmo" "attempts: 2"
printf 'hang\nhang\n' >"$C_DIR/script"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "no answer: spooled" 3
check "says it timed out" grep -q "not delivered after 2 attempt(s): Operation timed out" "$FX/err"
rcheck "two attempts reached the collector" 'len(q) == 2'
rm -rf "$FX/spool"

# Connection refused: spooled, the file and directory private.
PORT=$(free_port)
kscan_config "$FX/c.yaml" "https://localhost:$PORT/reports"
run_kscan --root "$R" --config "$FX/c.yaml" --output "$FX/down.json"
expect_exit "connection refused: spooled" 3
check "says it could not connect" grep -qiE "could(n't| not) connect|connection refused" "$FX/err"
check "says where the report waits" grep -q "is in the spool $FX/spool (1 waiting)" "$FX/err"
F=$(find "$FX/spool" -name '*.report')
ID=$(jget "$FX/down.json" 'r["report_id"]')
check "the spool file is named by the report id" [ "$(basename "$F" | cut -c17-)" = "$ID.report" ]
check "the spool file is 0600" [ "$(stat -c %a "$F")" = 600 ]
check "the spool directory is 0700" [ "$(stat -c %a "$FX/spool")" = 700 ]
check "the spool file holds the report" python3 -c '
import json, sys
data = open(sys.argv[1], "rb").read()
head, body = data.split(b"\n\n", 1)
assert head.split(b"\n")[0] == b"KSCAN-SPOOL 1"
assert json.loads(body) == json.load(open(sys.argv[2]))' "$F" "$FX/down.json"
check "no temporary file left (the report and the journal's reserve)" \
	[ "$(ls -A "$FX/spool" | tr '\n' ' ')" = "$(basename "$F") reserve " ]

# Exit 3 wins over the verdict: a host with a finding whose report is not delivered.
mkdir -p "$R/opt/kaspersky/kesl"
run_kscan --root "$R" --config "$FX/c.yaml" --output "$FX/det.json"
jcheck "the scan detected something" "$FX/det.json" 'r["verdict"] == "detected"'
expect_exit "detected but not delivered: 3" 3
collector_start up server
kscan_config "$FX/c.yaml" "$C_URL"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "detected and delivered: 1" 1
rcheck "the two spooled reports, then the new one" 'len(q) == 3'
rmdir "$R/opt/kaspersky/kesl"

# A spool kscan cannot use and a collector that is down: the report is lost, and says so.
mkdir -p "$FX/notmine"
chown 65534 "$FX/notmine"
kscan_config "$FX/c.yaml" "https://localhost:$PORT/reports" "spool_dir: $FX/notmine"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "not delivered and no usable spool: internal error" 70
check "says the spool is not ours" grep -q "spool $FX/notmine is owned by uid 65534" "$FX/err"
check "says the report is lost" grep -q "cannot be spooled: it is lost" "$FX/err"

# A ca_file that does not exist: FILE:LINE:COL and exit 65 before any scan, whether the
# collector is up or down (issue 14), nothing sent, nothing spooled.
collector_start noca server
for where in up down; do
	url=$C_URL
	[ "$where" = down ] && url="https://localhost:$(free_port)/reports"
	SPOOL="$FX/noca-$where" kscan_config "$FX/noca.yaml" "$url" "ca_file: $FX/no-such-ca.pem"
	run_kscan --root "$R" --config "$FX/noca.yaml" --output "$FX/noca.json"
	expect_exit "a missing ca_file, collector $where: configuration error" 65
	check "collector $where: named with its place in the file" \
		grep -q "^kscan: $FX/noca.yaml:[0-9]*:[0-9]*: \"ca_file\" $FX/no-such-ca.pem does not exist" "$FX/err"
	check "collector $where: no scan was written or spooled" \
		[ ! -e "$FX/noca.json" ] && [ ! -e "$FX/noca-$where" ]
done
rcheck "the collector got nothing" 'len(q) == 0'

fx_done
