#!/bin/bash
# The dpkg source end to end: fixture roots made by the real dpkg-deb and dpkg, scanned by
# kscan with its built-in signatures.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v dpkg >/dev/null || skip_all "dpkg is not installed"

# Evidence of FINDING's package NAME, as a Python generator over the report r.
pkg_ev() {
	printf '(e for f in r["findings"] if f["signature"] == "%s" ' "$1"
	printf 'for e in f["evidence"] if e["kind"] == "package" '
	printf 'and e.get("manager") == "dpkg" and e.get("name") == "%s")' "$2"
}
# True if the dpkg source failed with an error naming /var/lib/dpkg/status:LINE.
failed_at() {
	printf '(r["sources"]["dpkg"]["status"] == "failed" and __import__("re").search('
	printf 'r"/var/lib/dpkg/status:%s: ", json.dumps(r["sources"]["dpkg"].get("error"))))' "$1"
}

# (1) KESL installed: detected, with the package as evidence
r1=$(fx_root kesl-installed)
deb=$(fx_deb kesl 12.4.0-1225 amd64 /opt/kaspersky/kesl/bin/kesl-control)
check "fixture: dpkg -i kesl" fx_dpkg "$r1" -i "$deb"
kscan_json "$FX/r1.json" --root "$r1"
check "installed kesl: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
jcheck "installed kesl: verdict detected" "$FX/r1.json" 'r["verdict"] == "detected"'
jcheck "installed kesl: dpkg source ok" "$FX/r1.json" 'r["sources"]["dpkg"]["status"] == "ok"'
jcheck "installed kesl: finding kaspersky.kesl, state installed" "$FX/r1.json" \
	'any(f["signature"] == "kaspersky.kesl" and f["state"] == "installed"
		for f in r["findings"])'
expr="any(e.get('version') == '12.4.0-1225' and e.get('arch') == 'amd64' and"
expr+=" e.get('status') == 'install ok installed' and e['state'] == 'installed'"
expr+=" for e in $(pkg_ev kaspersky.kesl kesl))"
jcheck "installed kesl: package evidence kesl 12.4.0-1225 amd64 'install ok installed'" \
	"$FX/r1.json" "$expr"

# (2) KESL removed but not purged: its conffile keeps it "rc", a remnant
r2=$(fx_root kesl-removed)
deb=$(fx_deb kesl 12.4.0-1225 amd64 /opt/kaspersky/kesl/bin/kesl-control \
	/etc/opt/kaspersky/kesl/kesl.conf=ScanMemory=yes)
check "fixture: dpkg -i kesl" fx_dpkg "$r2" -i "$deb"
check "fixture: dpkg -r kesl" fx_dpkg "$r2" -r kesl
check "fixture: dpkg-query says rc" \
	[ "$(dpkg-query --admindir="$r2/var/lib/dpkg" -W -f '${db:Status-Abbrev}' kesl)" = "rc " ]
kscan_json "$FX/r2.json" --root "$r2"
check "removed kesl: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
jcheck "removed kesl: finding kaspersky.kesl, state remnant" "$FX/r2.json" \
	'any(f["signature"] == "kaspersky.kesl" and f["state"] == "remnant" for f in r["findings"])'
expr="any(e.get('status') == 'deinstall ok config-files' and e['state'] == 'remnant'"
expr+=" for e in $(pkg_ev kaspersky.kesl kesl))"
jcheck "removed kesl: package evidence 'deinstall ok config-files', state remnant" \
	"$FX/r2.json" "$expr"

# (3) dpkg killed while configuring klnagent64: the package is only in the updates/ journal
r3=$(fx_root agent-crash)
deb=$(fx_deb kscreen 5.27.5-2 amd64 /usr/bin/kscreen-doctor)
check "fixture: dpkg -i kscreen" fx_dpkg "$r3" -i "$deb"
deb=$(FX_DEB_POSTINST='kill -KILL $PPID' fx_deb klnagent64 15.0.0-12 amd64 \
	/opt/kaspersky/klnagent64/sbin/klnagent)
# the shell that waits reports the kill: keep that off the test output
(fx_dpkg "$r3" -i "$deb") 2>/dev/null
check "fixture: dpkg was killed and left its journal" [ -f "$r3/var/lib/dpkg/updates/0000" ]
check "fixture: status itself does not list klnagent64" \
	bash -c '! grep -q "^Package: klnagent64$" "$1"' _ "$r3/var/lib/dpkg/status"
prc=0
"$KSCAN" packages --root "$r3" >"$FX/r3.packages" 2>"$FX/r3.packages.err" || prc=$?
check "journal: kscan packages exits 0, got $prc" [ "$prc" -eq 0 ]
cut -f1-5 "$FX/r3.packages" | LC_ALL=C sort >"$FX/r3.kscan"
fmt='dpkg\t${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n'
dpkg-query --admindir="$r3/var/lib/dpkg" -W -f "$fmt" | LC_ALL=C sort >"$FX/r3.dpkg"
check "journal: kscan packages equals dpkg-query ($(tr '\t\n' ' ;' <"$FX/r3.dpkg"))" \
	cmp -s "$FX/r3.kscan" "$FX/r3.dpkg"
check "journal: klnagent64 is listed half-configured" \
	grep -q "^dpkg	klnagent64	15.0.0-12	amd64	iF " "$FX/r3.kscan"
prc=0
"$KSCAN" packages --root "$r3" --format json >"$FX/r3.pkgs.json" 2>/dev/null || prc=$?
check "packages --format json: exit 0 and the same packages as the lines" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
lines = [l.split("\t") for l in open(sys.argv[2]).read().splitlines()]
assert d["complete"] is True and "error" not in d and d["root"] == sys.argv[3]
assert [(p["manager"], p["name"], p["version"], p["arch"], p["state"]) for p in d["packages"]] \
	== [(l[0], l[1], l[2], l[3], l[5]) for l in lines], d["packages"]
k = [p for p in d["packages"] if p["name"] == "klnagent64"][0]
assert k["source"].startswith("/var/lib/dpkg/") and k["status"].startswith("install ")
' "$FX/r3.pkgs.json" "$FX/r3.packages" "$r3"
check "packages --format json: exit 0" [ "$prc" -eq 0 ]
mkdir -p "$FX/broken/var/lib/dpkg/status"
prc=0
"$KSCAN" packages --root "$FX/broken" --format json >"$FX/broken.json" 2>/dev/null || prc=$?
check "packages --format json, an unreadable database: exit 2, complete false, why" \
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["complete"] is False and "status" in d["error"] and sys.argv[2] == "2"' \
	"$FX/broken.json" "$prc"
kscan_json "$FX/r3.json" --root "$r3"
check "journal: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
jcheck "journal: finding kaspersky.klnagent, state installed" "$FX/r3.json" \
	'any(f["signature"] == "kaspersky.klnagent" and f["state"] == "installed"
		for f in r["findings"])'
expr="any(e.get('status') == 'install ok half-configured' and e.get('version') == '15.0.0-12'"
expr+=" for e in $(pkg_ev kaspersky.klnagent klnagent64))"
jcheck "journal: package evidence 'install ok half-configured'" "$FX/r3.json" "$expr"
jcheck "journal: dpkg source ok" "$FX/r3.json" 'r["sources"]["dpkg"]["status"] == "ok"'

# (4) names that look like Kaspersky's and are not: clean
r4=$(fx_root decoys)
for p in kscreen klavaro keslint kservice; do
	deb=$(fx_deb "$p" 1.0-1 amd64 "/usr/bin/$p")
	check "fixture: dpkg -i $p" fx_dpkg "$r4" -i "$deb"
done
kscan_json "$FX/r4.json" --root "$r4"
check "decoys: exit 0 (clean), got $rc" [ "$rc" -eq 0 ]
jcheck "decoys: verdict clean, no findings" "$FX/r4.json" \
	'r["verdict"] == "clean" and r["findings"] == []'
jcheck "decoys: dpkg source ok" "$FX/r4.json" 'r["sources"]["dpkg"]["status"] == "ok"'

# (5) a corrupt status is a failed source, so never a clean host
r5=$(fx_root corrupt)
python3 -c 'import sys
sys.stdout.buffer.write(b"Package: a\n" + bytes((i * 37 + 11) % 256 for i in range(4096)))' \
	>"$r5/var/lib/dpkg/status"
kscan_json "$FX/r5a.json" --root "$r5"
check "binary status: exit 2 (incomplete), got $rc" [ "$rc" -eq 2 ]
jcheck "binary status: verdict incomplete" "$FX/r5a.json" 'r["verdict"] == "incomplete"'
jcheck "binary status: dpkg failed, naming line 2" "$FX/r5a.json" "$(failed_at 2)"

head -c 2097152 /dev/zero | tr '\0' x >"$r5/var/lib/dpkg/status"
kscan_json "$FX/r5b.json" --root "$r5"
check "2 MiB line: exit 2 (incomplete), got $rc" [ "$rc" -eq 2 ]
jcheck "2 MiB line: verdict incomplete" "$FX/r5b.json" 'r["verdict"] == "incomplete"'
jcheck "2 MiB line: dpkg failed, naming line 1" "$FX/r5b.json" "$(failed_at 1)"

printf '%s\n' 'Package: kscreen' 'Status: install ok installed' 'Version: 1' \
	'Architecture: amd64' '' 'Package: kscreen' 'Status: install ok installed' \
	'Version: 2' 'Architecture: amd64' >"$r5/var/lib/dpkg/status"
kscan_json "$FX/r5c.json" --root "$r5"
check "duplicate stanza: exit 2 (incomplete), got $rc" [ "$rc" -eq 2 ]
jcheck "duplicate stanza: verdict incomplete" "$FX/r5c.json" 'r["verdict"] == "incomplete"'
jcheck "duplicate stanza: dpkg failed, naming line 6" "$FX/r5c.json" "$(failed_at 6)"

fx_done
