#!/bin/bash
# Logging: the "kscan: " prefix, --quiet and --verbose, and --log syslog for real: a
# datagram socket at /dev/log (in a private mount namespace, so the host's log is not
# touched) receives each message, tagged with the report id of the run.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

# under valgrind (KSCAN_VALGRIND=1) its own "--PID--" notes share stderr: not kscan's
strip_vg() {
	sed -i '/^--[0-9]*-- /d' "$FX/err"
}

R=$(fx_root host)
mkdir -p "$FX/tmp"
export TMPDIR="$FX/tmp"

"$KSCAN" scan --root "$R" --format json -o "$FX/r.json" 2>"$FX/err"
strip_vg
check "default: a clean scan says nothing on stderr" [ ! -s "$FX/err" ]
"$KSCAN" scan --root "$R" --format json -o "$FX/r.json" --verbose 2>"$FX/err"
strip_vg
id=$(python3 -c "import json; print(json.load(open('$FX/r.json'))['report_id'])")
check "--verbose: start line" grep -qx "kscan: scanning $R" "$FX/err"
check "--verbose: summary line" \
	grep -Eqx "kscan: scan of $(realpath "$R") \(quick\) finished: clean, 0 finding\(s\), [0-9]+ ms" \
	"$FX/err"
check "every stderr line has the prefix" bash -c "! grep -qv '^kscan: ' '$FX/err'"
"$KSCAN" scan --root "$FX/nope" -q 2>"$FX/err"
check "--quiet: errors still shown" grep -q "^kscan: .*nope" "$FX/err"
"$KSCAN" scan --root "$R" -q --verbose 2>"$FX/err"
check "--quiet with --verbose: usage error" grep -q "contradict" "$FX/err"
"$KSCAN" scan --log journal 2>"$FX/err"
check "--log journal: refused" grep -q "unknown --log 'journal'" "$FX/err"

# a broken rpm database makes a failed source: a warning, and the verdict incomplete
mkdir -p "$R/var/lib/rpm"
printf 'not a database' >"$R/var/lib/rpm/rpmdb.sqlite"
"$KSCAN" scan --root "$R" --format json -o "$FX/r2.json" 2>"$FX/err"
rc=$?
check "broken rpm db: exit 2" [ "$rc" -eq 2 ]
check "broken rpm db: warning names the source" grep -q "^kscan: warning: source rpm failed: " "$FX/err"

# a file name with a newline, chosen by whoever owns the scanned tree, stays on one line
"$KSCAN" scan --root "$FX/a
kscan: forged" 2>"$FX/err"
strip_vg
check "newline in a path is escaped" grep -q 'a\\x0akscan: forged' "$FX/err"
check "no forged line" [ "$(wc -l <"$FX/err")" -eq 1 ]

if ! unshare --mount true 2>/dev/null; then
	echo "# no mount namespaces here: syslog part skipped"
	fx_done
	exit $?
fi
cat >"$FX/listen.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
s.settimeout(20)
with open(sys.argv[1], "w") as out:
    try:
        while True:
            out.write(s.recv(65536).decode("utf-8", "replace") + "\n")
            out.flush()
    except socket.timeout:
        pass
PY
# /dev in the namespace: a tmpfs with the devices kscan needs, and the listener's socket
cat >"$FX/ns.sh" <<'SH'
set -e
mkdir "$FX/olddev"
mount --bind /dev "$FX/olddev"
mount -t tmpfs tmpfs /dev
for d in null zero urandom random; do
	touch "/dev/$d"
	mount --bind "$FX/olddev/$d" "/dev/$d"
done
python3 "$FX/listen.py" "$FX/syslog" &
for _ in $(seq 100); do [ -e "$FX/syslog.ready" ] && break; sleep 0.1; done
set +e
"$KSCAN" scan --root "$R" --format json -o "$FX/r3.json" --log syslog 2>"$FX/err3"
echo $? >"$FX/rc3"
"$KSCAN" scan --root "$FX/nope" --log syslog 2>/dev/null
sleep 0.5
kill %1
SH
FX=$FX R=$R KSCAN=$KSCAN unshare --mount --propagation private bash "$FX/ns.sh"
id=$(python3 -c "import json; print(json.load(open('$FX/r3.json'))['report_id'])")
sed 's/^/#   /' "$FX/syslog"
check "syslog run: exit 2 (rpm broken)" [ "$(cat "$FX/rc3")" = 2 ]
check "syslog: no kscan message on stderr" bash -c "! grep -q '^kscan: ' '$FX/err3'"
# <28> = facility daemon (3) * 8 + warning (4); <29> = notice (5)
check "syslog: warning with the report id" \
	grep -Eq "^<28>.* kscan\[[0-9]+\]: report_id=$id warning: source rpm failed: " "$FX/syslog"
check "syslog: summary at notice with the report id" \
	grep -Eq "^<29>.* kscan\[[0-9]+\]: report_id=$id scan of .* finished: incomplete" "$FX/syslog"
check "syslog: an error before any report has no id" \
	grep -Eq "^<27>.* kscan\[[0-9]+\]: root .*nope: No such file" "$FX/syslog"
check "syslog: info not sent by default" bash -c "! grep -q 'scanning' '$FX/syslog'"
fx_done
