#!/bin/bash
# kscan scan --deep: package archives and kits recognised by content, whatever their name,
# built with the real tools (dpkg-deb, rpmbuild, tar, python3 zipfile).
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v dpkg-deb >/dev/null || skip_all "dpkg-deb missing"

deep() {
	local out=$1
	shift
	rc=0
	timeout 120 "$KSCAN" scan --deep --format json --no-low-priority "$@" >"$out" 2>"$out.err" ||
		rc=$?
}

R="$FX/root"
mkdir -p "$R/tmp" "$R/home/u" "$R/srv/pkg" "$R/opt/kits" "$R/var/cache/apt"

# A KESL .deb as a playbook saves it, and the same bytes under a name that says nothing.
KESL=$(FX_DEB_MAINTAINER="AO Kaspersky Lab <support@kaspersky.com>" \
	FX_DEB_DESCRIPTION="Kaspersky Endpoint Security for Linux" \
	fx_deb kesl 12.1.0-1297 amd64 /opt/kaspersky/kesl/bin/kesl-control) ||
	{ not_ok "build the kesl .deb"; fx_done; exit; }
cp "$KESL" "$R/tmp/kesl.deb"
cp "$KESL" "$R/home/u/download.bin"
# Kaspersky's maintainer on a package no signature names: the vendor rule.
NEW=$(FX_DEB_MAINTAINER="Kaspersky Lab <support@kaspersky.com>" \
	FX_DEB_DESCRIPTION="Kaspersky Future Sensor for Linux" \
	fx_deb kfs-newproduct 1.0.0-1 amd64 /opt/kaspersky/kfs/bin/kfs) ||
	{ not_ok "build the vendor .deb"; fx_done; exit; }
cp "$NEW" "$R/opt/kits/payload.pkg"
# Decoy: a description that mentions Kaspersky, a maintainer who is not Kaspersky.
DECOY=$(FX_DEB_MAINTAINER="Debian Security Tools <team@security.invalid>" \
	FX_DEB_DESCRIPTION="removal helper for Kaspersky leftovers" \
	fx_deb kasp-cleaner 0.3-1 all /usr/share/kasp-cleaner/README) ||
	{ not_ok "build the decoy .deb"; fx_done; exit; }
cp "$DECOY" "$R/home/u/cleaner.deb"
# A .deb cut short: counted as corrupt, the sweep goes on.
head -c 200 "$KESL" >"$R/home/u/broken.deb"

# A tarball kit holding an installer the packs name, and a zip kit (python3 zipfile).
mkdir -p "$FX/kit/kesl-kit"
echo fake >"$FX/kit/kesl-kit/kesl_12.1.0-1297_amd64.deb"
echo 'install: kesl' >"$FX/kit/kesl-kit/playbook.yml"
tar -C "$FX/kit" -czf "$R/opt/kits/bundle.tgz" kesl-kit
python3 - "$R/srv/pkg/kit.dat" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("agent/klnagent64_15.1.0-20748_amd64.sh", "#!/bin/sh\n")
    z.writestr("agent/readme.txt", "kit\n")
PY
# A zip bomb of entries: past KS_KIT_MEMBERS_MAX, counted over the limit.
python3 - "$R/home/u/bomb.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    for i in range(3000):
        z.writestr("d/%d" % i, "")
PY

# An .rpm built by rpmbuild, under an arbitrary name.
if [ "${KSCAN_HAVE_RPM:-0}" = 1 ] && command -v rpmbuild >/dev/null; then
	RPM=$(fx_rpm kesl 12.1.0 1297 /opt/kaspersky/kesl/bin/kesl) || not_ok "build the kesl .rpm"
	cp "$RPM" "$R/srv/pkg/agent.dat"
	have_rpm=1
else
	have_rpm=0
fi

# A real Debian package that is no Kaspersky product (fetched now; skipped offline).
have_hello=0
if (cd "$FX" && timeout 60 apt-get download hello >/dev/null 2>&1); then
	cp "$FX"/hello_*.deb "$R/var/cache/apt/hello.deb" && have_hello=1
fi

deep "$FX/r.json" --root "$R"
check "sweep finished (exit 1: detected)" [ "$rc" -eq 1 ]
archive_ev() { # signature path -> the archive evidence of that path, or None
	echo "next((e for f in r[\"findings\"] for e in f[\"evidence\"] if f[\"signature\"] == \"$1\" and e[\"kind\"] == \"archive\" and e[\"path\"] == \"$2\"), None)"
}
for p in /tmp/kesl.deb /home/u/download.bin; do
	jcheck "$p: a KESL installer by content, with the archive's metadata" "$FX/r.json" \
		"(lambda e: e is not None and e['state'] == 'installer' and e['format'] == 'deb' and e['name'] == 'kesl' and e['version'] == '12.1.0-1297' and e['arch'] == 'amd64' and e['vendor'].startswith('AO Kaspersky Lab') and e['summary'] == 'Kaspersky Endpoint Security for Linux')($(archive_ev kaspersky.kesl "$p"))"
done
jcheck "the KESL finding is an installer" "$FX/r.json" \
	'[f["state"] for f in r["findings"] if f["signature"] == "kaspersky.kesl"] == ["installer"]'
jcheck "vendor rule: an unknown package by Kaspersky, medium, named from its summary" \
	"$FX/r.json" \
	'[(f["product"], f["state"], f["confidence"], [e["name"] for e in f["evidence"]]) for f in r["findings"] if f["signature"] == "kaspersky.vendor-package"] == [("Kaspersky Future Sensor for Linux", "installer", "medium", ["kfs-newproduct"])]'
jcheck "decoy: Kaspersky in the description only is no evidence" "$FX/r.json" \
	'not any("cleaner" in e.get("path", "") for f in r["findings"] for e in f["evidence"])'
jcheck "tarball kit: its member the packs name" "$FX/r.json" \
	"(lambda e: e is not None and e['format'] == 'tar' and e['name'] == 'kesl-kit/kesl_12.1.0-1297_amd64.deb' and e['state'] == 'installer')($(archive_ev kaspersky.kesl /opt/kits/bundle.tgz))"
jcheck "zip kit: its member the packs name" "$FX/r.json" \
	"(lambda e: e is not None and e['format'] == 'zip' and e['name'].startswith('agent/klnagent64_'))($(archive_ev kaspersky.klnagent /srv/pkg/kit.dat))"
if [ "$have_rpm" = 1 ]; then
	jcheck "an .rpm under an arbitrary name, with its header's metadata" "$FX/r.json" \
		"(lambda e: e is not None and e['format'] == 'rpm' and e['name'] == 'kesl' and e['version'] == '12.1.0-1297' and e['arch'] == 'noarch' and e['summary'] == 'kscan test fixture')($(archive_ev kaspersky.kesl /srv/pkg/agent.dat))"
else
	ok "# SKIP rpmbuild missing or kscan built without rpm"
fi
if [ "$have_hello" = 1 ]; then
	jcheck "a real Debian package (hello) is no finding" "$FX/r.json" \
		'not any("hello" in e.get("path", "") for f in r["findings"] for e in f["evidence"])'
else
	ok "# SKIP apt-get download hello failed (offline?): the real-package decoy is not run"
fi
inspected=$((6 + have_rpm + have_hello))
jcheck "sources.fs counts the archives: the corrupt .deb and the zip bomb too" "$FX/r.json" \
	"(lambda a, s: a == {'inspected': $inspected + 2, 'corrupt': 1, 'over_limit': 1} and s['status'] == 'ok')(r['sources']['fs']['archives'], r['sources']['fs'])"
jcheck "nothing else was found" "$FX/r.json" \
	'sorted(f["signature"] for f in r["findings"]) == ["kaspersky.kesl", "kaspersky.klnagent", "kaspersky.vendor-package"]'

if python3 -c 'import jsonschema' 2>/dev/null; then
	check "the report validates against the schema" python3 -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])),
    cls=jsonschema.Draft202012Validator)' "$KSCAN_SRC/report/report.schema.json" "$FX/r.json"
else
	ok "# SKIP python3-jsonschema is not installed"
fi
"$KSCAN" scan --deep --format text --no-low-priority --root "$R" >"$FX/r.txt" 2>&1
check "text report shows the archive's summary" grep -q "summary \"Kaspersky Endpoint Security" \
	"$FX/r.txt"
fx_done
