#!/bin/bash
# The whole built-in pack on this machine's real filesystem, package database and running
# system, which has no Kaspersky product: not one finding. A deep sweep of the trees where
# software lives (/usr /etc /opt /var/lib), and a scan of / without the sweep (the other
# tests keep kit-named fixtures under /tmp while they run, so / is not swept).
. "$KSCAN_SRC/tests/lib/fixtures.sh"

# A host that does have a Kaspersky product proves nothing here: say which, and skip.
if command -v dpkg-query >/dev/null && [ -e /var/lib/dpkg/status ]; then
	names=$(sed -n 's/^ *- {name: \([A-Za-z0-9.+-]*\)}.*/\1/p' "$KSCAN_SRC"/signatures/*.yaml |
		sort -u)
	# shellcheck disable=SC2086 # one word per package name
	found=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' $names 2>/dev/null |
		awk '$1 ~ /^[a-z][ic]/ { print $2 }' | tr '\n' ' ')
	[ -z "$found" ] || skip_all "this host has Kaspersky packages installed: $found"
fi
for d in /opt/kaspersky /var/opt/kaspersky /etc/opt/kaspersky /opt/kav; do
	[ ! -e "$d" ] || skip_all "this host has $d: a Kaspersky product is or was here"
done

# no_findings NAME: the report $FX/NAME.json has no finding; lists them if it has.
no_findings() {
	jcheck "$1: no findings (verdict $(jget "$FX/$1.json" 'r["verdict"]'))" "$FX/$1.json" \
		'r["findings"] == []'
	python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    for e in f["evidence"]:
        print("#  ", f["signature"], e["kind"], e.get("path") or e.get("name"), file=sys.stderr)' \
		"$FX/$1.json"
}

rc=0
timeout 240 "$KSCAN" scan --deep --no-low-priority --format json \
	--path /usr --path /etc --path /opt --path /var/lib \
	>"$FX/deep.json" 2>"$FX/deep.err" || rc=$?
check "deep: not detected (exit $rc; stderr: $(head -c 300 "$FX/deep.err"))" \
	[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]
no_findings deep
jcheck "deep: the sweep covered the four trees" "$FX/deep.json" \
	'r["sources"]["fs"]["paths"] == ["/etc", "/opt", "/usr", "/var/lib"] and r["sources"]["fs"]["counts"]["files"] > 1000'
jcheck "deep: the real dpkg database was read" "$FX/deep.json" \
	'r["sources"]["dpkg"]["status"] in ("ok", "absent")'

rc=0
timeout 120 "$KSCAN" scan --format json >"$FX/root.json" 2>"$FX/root.err" ||
	rc=$?
check "/: not detected (exit $rc; stderr: $(head -c 300 "$FX/root.err"))" \
	[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]
no_findings root
jcheck "/: a live scan, with the probes of the running system" "$FX/root.json" \
	'r["scan"]["live"] is True and r["sources"]["processes"]["status"] == "ok"'

fx_done
