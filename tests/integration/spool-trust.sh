#!/bin/bash
# Spool trust and full disks (issue 14): a report another user planted in the spool is
# quarantined, never sent; a report that cannot be written on a full disk evicts nothing and
# is journaled as dropped. Needs root: real uids (setpriv) and a real tmpfs.
. "$KSCAN_SRC/tests/lib/fixtures.sh"
. "$KSCAN_SRC/tests/lib/collector.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root: entries written as uid 65534 and a tmpfs mount"
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is needed to write as uid 65534"
pki_setup || { not_ok "certificates made with openssl"; fx_done; exit 1; }
MNT="$FX/tmpfs"
trap 'umount "$MNT" 2>/dev/null; rm -rf "$FX"' EXIT
# uid 65534 must reach the spool under $FX
chmod 755 "$FX"
R=$(scan_root)
DOWN="https://localhost:$(free_port)/reports"

# A well-formed spool file, made by a run with the collector down.
SPOOL="$FX/src"
kscan_config "$FX/src.yaml" "$DOWN" "attempts: 1"
run_kscan --root "$R" --config "$FX/src.yaml"
NAME=$(ls "$SPOOL" | grep '\.report$')

# (a) a spool others could write, holding that file written by uid 65534: never sent.
SPOOL="$FX/open"
mkdir -m 777 "$SPOOL"
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "cat >'$SPOOL/$NAME'" <"$FX/src/$NAME"
check "the forged entry belongs to uid 65534" [ "$(stat -c %u "$SPOOL/$NAME")" = 65534 ]
collector_start forged server
kscan_config "$FX/open.yaml" "$C_URL"
run_kscan send --config "$FX/open.yaml"
expect_exit "kscan send on a spool others could write: an incident, not a clean flush" 65
rcheck "the forged report was not delivered" 'len(q) == 0'
check "it is in quarantine/" [ -f "$SPOOL/quarantine/$NAME" ] && [ ! -e "$SPOOL/$NAME" ]
check "quarantine/ is 0700" [ "$(stat -c %a "$SPOOL/quarantine")" = 700 ]
check "the spool is 0700 again" [ "$(stat -c %a "$SPOOL")" = 700 ]
check "and says so" grep -q "$NAME is untrusted (the spool directory was writable by others)" \
	"$FX/err"
run_kscan --root "$R" --config "$FX/open.yaml" --output "$FX/a.json"
expect_exit "the next scan delivers" 0
jcheck "its report counts the quarantined entry" "$FX/a.json" \
	'r["delivery"]["quarantined"] == {"count": 1, "files": ["'"$NAME"'"]}'
rcheck "only the scan's own report reached the collector" \
	"len(q) == 1 and q[0]['headers']['idempotency-key'] == '$(jget "$FX/a.json" 'r["report_id"]')'"

# A private spool with an entry of another user, or with a second link: quarantined too.
SPOOL="$FX/mixed"
mkdir -m 700 "$SPOOL"
cp "$FX/src/$NAME" "$SPOOL/$NAME"
chown 65534:65534 "$SPOOL/$NAME"
collector_start mixed server
kscan_config "$FX/mixed.yaml" "$C_URL"
run_kscan send --config "$FX/mixed.yaml"
rcheck "another user's entry is not delivered" 'len(q) == 0'
expect_exit "kscan send that quarantined the only entry" 65
check "it is in quarantine/" [ -f "$SPOOL/quarantine/$NAME" ]
check "and says why" grep -q "$NAME is untrusted (owned by another user)" "$FX/err"
rm -rf "$SPOOL/quarantine"
cp "$FX/src/$NAME" "$SPOOL/$NAME"
ln "$SPOOL/$NAME" "$FX/second-link"
run_kscan send --config "$FX/mixed.yaml"
rcheck "an entry with a second link is not delivered" 'len(q) == 0'
check "and says why" grep -q "$NAME is untrusted (has other hard links)" "$FX/err"

# (b) a full disk: 64 KiB tmpfs, at most two reports, collector down.
mkdir "$MNT"
if mount -t tmpfs -o size=64k,mode=700 tmpfs "$MNT"; then
	SPOOL="$MNT/spool"
	kscan_config "$FX/full.yaml" "$DOWN" "attempts: 1" "spool_max_reports: 2"
	run_kscan --root "$R" --config "$FX/full.yaml" --output "$FX/b1.json"
	run_kscan --root "$R" --config "$FX/full.yaml" --output "$FX/b2.json"
	check "two reports spooled" [ "$(spooled)" -eq 2 ]
	ls "$SPOOL" | grep '\.report$' >"$FX/before"
	dd if=/dev/zero of="$MNT/fill" bs=1k 2>/dev/null
	run_kscan --root "$R" --config "$FX/full.yaml" --output "$FX/b3.json"
	expect_exit "a report that can be neither sent nor spooled" 70
	B3=$(jget "$FX/b3.json" 'r["report_id"]')
	ls "$SPOOL" | grep '\.report$' >"$FX/after"
	check "the two old reports are still there" cmp -s "$FX/before" "$FX/after"
	check "the third's id is journaled as dropped" grep -qx "dropped-id $B3" "$SPOOL/journal"
	check "with why: it could not be written" grep -qx "dropped-unwritten 1" "$SPOOL/journal"
	check "and it says so" grep -q "report $B3 dropped (recorded in the journal; no older report was evicted)" "$FX/err"
	check "with the reason" grep -q "No space left on device" "$FX/err"
	rm "$MNT/fill"
	collector_start full server
	kscan_config "$FX/full-up.yaml" "$C_URL" "spool_max_reports: 2"
	run_kscan --root "$R" --config "$FX/full-up.yaml" --output "$FX/b4.json"
	expect_exit "the collector back: all delivered" 0
	jcheck "the next delivered report lists the dropped one" "$FX/b4.json" \
		'r["delivery"]["dropped"] == {"count": 1,
		"reasons": {"unwritten": 1}, "ids": ["'"$B3"'"]}'
	rcheck "the two old ones and the new one arrived" 'len(q) == 3'
	umount "$MNT"
else
	ok "# SKIP full disk: cannot mount a tmpfs here"
fi

fx_done
