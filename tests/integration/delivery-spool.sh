#!/bin/bash
# The spool: nothing lost while the collector is down, order kept, bounds enforced with the
# drops reported, corrupted files moved aside, kscan send.
. "$KSCAN_SRC/tests/lib/fixtures.sh"
. "$KSCAN_SRC/tests/lib/collector.sh"

pki_setup || { not_ok "certificates made with openssl"; fx_done; exit 1; }
R=$(scan_root)
DOWN="https://localhost:$(free_port)/reports"

# Twenty runs while the collector is down, then one while it is up: all twenty-one arrive,
# oldest first, each exactly once.
kscan_config "$FX/down.yaml" "$DOWN" "attempts: 1"
: >"$FX/ids"
fails=0
for i in $(seq 20); do
	run_kscan --root "$R" --config "$FX/down.yaml" --output "$FX/r$i.json"
	[ "$rc" -eq 3 ] || fails=$((fails + 1))
	jget "$FX/r$i.json" 'r["report_id"]' >>"$FX/ids"
done
check "twenty runs while down all exit 3" [ "$fails" -eq 0 ]
check "twenty reports spooled" [ "$(spooled)" -eq 20 ]
collector_start twenty server
kscan_config "$FX/up.yaml" "$C_URL"
run_kscan --root "$R" --config "$FX/up.yaml" --output "$FX/r21.json" --verbose
expect_exit "the run with the collector up delivers its own report" 0
jget "$FX/r21.json" 'r["report_id"]' >>"$FX/ids"
check "said it sent the spooled ones (--verbose)" grep -q "delivered 20 spooled report(s)" "$FX/err"
rcheck "21 reports received, oldest first, each once" \
	"[r['headers']['idempotency-key'] for r in q] == open('$FX/ids').read().split()"
rcheck "every body is the report its key names" \
	'all(r["report_ids"] == [r["headers"]["idempotency-key"]] for r in q)'
rcheck "no duplicate delivery" 'len(acc) == 21 and not any(a["dup"] for a in acc)'
check "the spool is empty" [ "$(spooled)" -eq 0 ]
check "the spooled bodies are the reports as written locally" cmp -s "$C_DIR/body-1" "$FX/r1.json"

# A lost answer: the collector took the report but kscan never heard (timeout), so it is
# sent again later; the Idempotency-Key lets the collector see the duplicate.
collector_start lost server
# long enough for the request to get out even under valgrind, whose TLS handshake is slow
tmo=1s
[ "${KSCAN_VALGRIND:-0}" = 1 ] && tmo=10s
kscan_config "$FX/lost.yaml" "$C_URL" "timeout: $tmo" "attempts: 1"
printf 'lose\n' >"$C_DIR/script"
run_kscan --root "$R" --config "$FX/lost.yaml"
expect_exit "answer lost: spooled" 3
run_kscan send --config "$FX/lost.yaml"
expect_exit "sent again" 0
rcheck "the collector sees the same key twice and can drop the second" \
	'len(q) == 2 and q[0]["headers"]["idempotency-key"] == q[1]["headers"]["idempotency-key"] and [a["dup"] for a in acc] == [False, True]'

# A full spool: the oldest are dropped, and the next delivered report says which.
SPOOL="$FX/small"
kscan_config "$FX/small-down.yaml" "$DOWN" "attempts: 1" "spool_max_reports: 3"
: >"$FX/small-ids"
for i in 1 2 3 4 5; do
	run_kscan --root "$R" --config "$FX/small-down.yaml" --output "$FX/s$i.json"
	jget "$FX/s$i.json" 'r["report_id"]' >>"$FX/small-ids"
done
expect_exit "spool full: still spooled" 3
check "says it dropped the oldest" grep -q "the spool is full: dropped the 1 oldest report(s)" "$FX/err"
check "the spool holds 3" [ "$(spooled)" -eq 3 ]
read -r -d '' D1 D2 D3 D4 D5 <"$FX/small-ids"
check "the oldest two are gone, the newest three stay" \
	[ -z "$(ls "$SPOOL" | grep -e "$D1" -e "$D2")" ] && [ "$(ls "$SPOOL" | grep -c -e "$D3" -e "$D4" -e "$D5")" -eq 3 ]
jcheck "a report rendered after a drop lists it (the 5th run dropped the 2nd after)" \
	"$FX/s5.json" "r['delivery'] == {'dropped': {'count': 1,
		'reasons': {'evicted': 1}, 'ids': ['$D1']}}"
collector_start small server
kscan_config "$FX/small-up.yaml" "$C_URL" "spool_max_reports: 3"
run_kscan --root "$R" --config "$FX/small-up.yaml" --output "$FX/s6.json"
expect_exit "collector up: delivered" 0
rcheck "the three spooled, then the new one" \
	"[r['headers']['idempotency-key'] for r in q][:3] == ['$D3', '$D4', '$D5'] and len(q) == 4"
rcheck "the delivered report says how many and which were dropped" \
	"json.loads(body(4))['delivery']['dropped'] == {'count': 2,
		'reasons': {'evicted': 2}, 'ids': ['$D1', '$D2']}"
check "the journal is cleared once delivered" [ ! -e "$SPOOL/journal" ]
run_kscan --root "$R" --config "$FX/small-up.yaml" --output "$FX/s7.json"
jcheck "the next report has no delivery member" "$FX/s7.json" '"delivery" not in r'

# Bytes bound: a spool that holds about two reports.
SPOOL="$FX/bytes"
SIZE=$(stat -c %s "$FX/s7.json")
LIMIT=$((SIZE * 5 / 2 + 1000))
kscan_config "$FX/bytes.yaml" "$DOWN" "attempts: 1" "spool_max_bytes: $LIMIT"
for i in 1 2 3 4; do run_kscan --root "$R" --config "$FX/bytes.yaml"; done
check "spool_max_bytes keeps two reports" [ "$(spooled)" -eq 2 ]
check "under the bound" [ "$(cat "$SPOOL"/*.report | wc -c)" -le "$LIMIT" ]
kscan_config "$FX/tiny.yaml" "$DOWN" "attempts: 1" "spool_max_bytes: 64KiB" "format: ecs"
run_kscan --root "$R" --config "$FX/tiny.yaml"
expect_exit "64 KiB is enough for one report" 3

# A truncated spool file is moved aside and reported; the queue goes on.
SPOOL="$FX/trunc"
kscan_config "$FX/trunc-down.yaml" "$DOWN" "attempts: 1"
run_kscan --root "$R" --config "$FX/trunc-down.yaml" --output "$FX/t1.json"
run_kscan --root "$R" --config "$FX/trunc-down.yaml" --output "$FX/t2.json"
T1=$(jget "$FX/t1.json" 'r["report_id"]')
T2=$(jget "$FX/t2.json" 'r["report_id"]')
F1=$(ls "$SPOOL" | grep "$T1")
truncate -s -100 "$SPOOL/$F1"
collector_start trunc server
kscan_config "$FX/trunc-up.yaml" "$C_URL"
run_kscan --root "$R" --config "$FX/trunc-up.yaml" --output "$FX/t3.json"
expect_exit "a truncated file does not block the queue" 0
check "the truncated file was moved aside" [ -f "$SPOOL/$F1.bad" ] && [ ! -e "$SPOOL/$F1" ]
check "and said so" grep -q "spool file $SPOOL/$F1 is unreadable ($F1: truncated: [0-9]* body bytes, the header says [0-9]*): moved aside as $F1.bad" "$FX/err"
rcheck "the good one and the new one were delivered" \
	"[r['headers']['idempotency-key'] for r in q] == ['$T2', '$(jget "$FX/t3.json" 'r["report_id"]')']"
rcheck "the new report names the file moved aside" \
	"json.loads(body(2))['delivery'] == {'corrupt': {'count': 1, 'files': ['$F1.bad']}}"

# Other damage: a flipped byte (sha256), garbage, a symlink, a file named for another id.
SPOOL="$FX/damage"
kscan_config "$FX/damage-down.yaml" "$DOWN" "attempts: 1"
for i in 1 2 3 4 5; do run_kscan --root "$R" --config "$FX/damage-down.yaml"; done
mapfile -t FILES < <(ls "$SPOOL" | grep '\.report$')
python3 -c 'import sys; p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[-5] ^= 1; open(p, "wb").write(d)' "$SPOOL/${FILES[0]}"
echo garbage >"$SPOOL/${FILES[1]}"
rm "$SPOOL/${FILES[2]}" && ln -s /etc/passwd "$SPOOL/${FILES[2]}"
mv "$SPOOL/${FILES[3]}" "$SPOOL/${FILES[3]%%-*}-00000000-0000-4000-8000-000000000000.report"
echo "not ours" >"$SPOOL/README"
collector_start damage server
kscan_config "$FX/damage.yaml" "$C_URL"
run_kscan send --config "$FX/damage.yaml"
expect_exit "kscan send past four damaged files, one of them a planted symlink (quarantined)" 65
check "three files moved aside" [ "$(ls "$SPOOL" | grep -c '\.report\.bad$')" -eq 3 ]
check "the symlink is quarantined" [ -L "$SPOOL/quarantine/${FILES[2]}" ]
check "the sha256 mismatch is named" grep -q "the file does not match its sha256" "$FX/err"
check "garbage is named" grep -q "not a kscan spool file" "$FX/err"
check "the symlink is refused, not followed" grep -q "Too many levels of symbolic links\|not a regular file" "$FX/err"
check "the renamed file is caught" grep -q "holds report .*, not the one its name says" "$FX/err"
rcheck "only the intact report was sent" "len(q) == 1 and q[0]['headers']['idempotency-key'] == '${FILES[4]:16:36}'"
check "a foreign file is left alone" [ -f "$SPOOL/README" ]
check "/etc/passwd untouched" [ ! -L /etc/passwd ] && [ -f /etc/passwd ]
run_kscan --root "$R" --config "$FX/damage.yaml" --output "$FX/d.json"
jcheck "the next report lists the four" "$FX/d.json" 'r["delivery"]["corrupt"]["count"] == 3 and len(r["delivery"]["corrupt"]["files"]) == 3 and r["delivery"]["quarantined"] == {"count": 1, "files": ["'"${FILES[2]}"'"]}'
printf 'KSCAN-SPOOL-JOURNAL 1\ndropped x\n' >"$SPOOL/journal"
run_kscan --root "$R" --config "$FX/damage.yaml" --output "$FX/d2.json"
expect_exit "a broken journal does not stop delivery" 0
check "the broken journal is moved aside" [ -f "$SPOOL/journal.bad" ]
jcheck "and the report says its contents are lost" "$FX/d2.json" \
	'any("spool journal" in e and "moved aside" in e for e in r["errors"])'

# kscan send: nothing to do, collector down, no collector configured.
SPOOL="$FX/send"
kscan_config "$FX/send.yaml" "$DOWN" "attempts: 1"
run_kscan send --config "$FX/send.yaml" --verbose
expect_exit "kscan send on an empty spool" 0
check "says the spool is empty (--verbose)" grep -q "the spool is empty" "$FX/err"
run_kscan --root "$R" --config "$FX/send.yaml"
run_kscan send --config "$FX/send.yaml"
expect_exit "kscan send while the collector is down" 3
check "kscan send leaves the report in the spool" [ "$(spooled)" -eq 1 ]
run_kscan send
expect_exit "kscan send without a collector" 64
run_kscan send --post "$C_URL" --config "$FX/send.yaml"
expect_exit "kscan send --post overrides the configured URL" 0
check "kscan send emptied the spool" [ "$(spooled)" -eq 0 ]

# Two runs at once share the spool under its lock: both reports kept, none twice.
SPOOL="$FX/race"
kscan_config "$FX/race.yaml" "$DOWN" "attempts: 1"
pids=""
for i in 1 2 3 4; do
	"$KSCAN" --root "$R" --config "$FX/race.yaml" >/dev/null 2>&1 &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
check "four concurrent runs, four reports spooled" [ "$(spooled)" -eq 4 ]
collector_start race server
kscan_config "$FX/race-up.yaml" "$C_URL"
"$KSCAN" send --config "$FX/race-up.yaml" >/dev/null 2>&1 &
pids=$!
"$KSCAN" send --config "$FX/race-up.yaml" >/dev/null 2>&1 &
wait $pids $!
rcheck "two concurrent flushes send each report once" 'len(q) == 4 and len({r["headers"]["idempotency-key"] for r in q}) == 4'

fx_done
