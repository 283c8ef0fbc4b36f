#!/bin/bash
# kscan scan --deep: package archives and kits recognised by content, whatever their name,
# built with the real tools (dpkg-deb, rpmbuild, tar, python3 zipfile, makeself). Kits are
# padded with random bytes to a real size: the sweep opens no file under KS_KIT_SIZE_MIN
# (1 MiB, base/limits.h), and real Kaspersky kits are tens to hundreds of MiB.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

# A bit over KS_KIT_SIZE_MIN, incompressible so that no compressor brings a kit under it.
PAD=$((1024 * 1024 + 65536))
export FX_PAD_BYTES=$PAD

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
# A .deb whose control member turns to garbage after 200 bytes: counted as corrupt, the
# sweep goes on.
{ head -c 200 "$KESL" && head -c "$PAD" /dev/urandom; } >"$R/home/u/broken.deb"
# The same KESL package unpadded (a few KiB): under KS_KIT_SIZE_MIN it is never opened
# under a name that says nothing, and still found by name under its real one.
SMALL=$(FX_PAD_BYTES="" FX_DEB_MAINTAINER="AO Kaspersky Lab <support@kaspersky.com>" \
	FX_DEB_DESCRIPTION="Kaspersky Endpoint Security for Linux" \
	fx_deb kesl 12.1.0-1296 amd64 /opt/kaspersky/kesl/bin/kesl-control) ||
	{ not_ok "build the small kesl .deb"; fx_done; exit; }
cp "$SMALL" "$R/home/u/small.bin"
mkdir -p "$R/var/tmp"
cp "$SMALL" "$R/var/tmp/kesl_12.1.0-1296_amd64.deb"

# A tarball kit holding an installer the packs name, and a zip kit (python3 zipfile).
mkdir -p "$FX/kit/kesl-kit"
echo fake >"$FX/kit/kesl-kit/kesl_12.1.0-1297_amd64.deb"
echo 'install: kesl' >"$FX/kit/kesl-kit/playbook.yml"
head -c "$PAD" /dev/urandom >"$FX/kit/kesl-kit/payload.bin"
tar -C "$FX/kit" -czf "$R/opt/kits/bundle.tgz" kesl-kit
python3 - "$R/srv/pkg/kit.dat" "$PAD" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("agent/klnagent64_15.1.0-20748_amd64.sh", "#!/bin/sh\n")
    z.writestr("agent/readme.txt", "kit\n")
    z.writestr("agent/payload.bin", os.urandom(int(sys.argv[2])))
PY
# A zip bomb of entries: past KS_KIT_MEMBERS_MAX, counted over the limit.
python3 - "$R/home/u/bomb.zip" "$PAD" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    z.writestr("d/payload.bin", os.urandom(int(sys.argv[2])))
    for i in range(3000):
        z.writestr("d/%d" % i, "")
PY
# A self-extracting bundle built by makeself, saved under a name that says nothing.
have_makeself=0
if command -v makeself >/dev/null; then
	mkdir -p "$FX/sh/kesl-sh"
	cp "$KESL" "$FX/sh/kesl-sh/kesl_12.1.0-1297_amd64.deb"
	printf '#!/bin/sh\ndpkg -i kesl_*.deb\n' >"$FX/sh/kesl-sh/install.sh"
	chmod 755 "$FX/sh/kesl-sh/install.sh"
	if makeself --quiet "$FX/sh/kesl-sh" "$R/home/u/installer.run" "KESL installer" \
		./install.sh >/dev/null 2>&1; then
		have_makeself=1
	else
		not_ok "build the makeself bundle"
	fi
fi

# An .rpm built by rpmbuild, under an arbitrary name.
if command -v rpmbuild >/dev/null && command -v rpm >/dev/null; then
	RPM=$(fx_rpm kesl 12.1.0 1297 /opt/kaspersky/kesl/bin/kesl) || not_ok "build the kesl .rpm"
	cp "$RPM" "$R/srv/pkg/agent.dat"
	have_rpm=1
else
	have_rpm=0
fi

# A real Debian package that is no Kaspersky product, over KS_KIT_SIZE_MIN so that it is
# read (bash: 1.5 MB; fetched now, skipped offline).
have_real=0
if (cd "$FX" && timeout 60 apt-get download bash >/dev/null 2>&1); then
	cp "$FX"/bash_*.deb "$R/var/cache/apt/shell.deb" && have_real=1
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
if [ "$have_real" = 1 ]; then
	jcheck "a real Debian package (bash) is no finding" "$FX/r.json" \
		'not any("shell.deb" in e.get("path", "") for f in r["findings"] for e in f["evidence"])'
else
	ok "# SKIP apt-get download bash failed (offline?): the real-package decoy is not run"
fi
if [ "$have_makeself" = 1 ]; then
	jcheck "makeself bundle: its payload's member the packs name" "$FX/r.json" \
		"(lambda e: e is not None and e['format'] == 'sh' and e['name'].endswith('kesl_12.1.0-1297_amd64.deb') and e['state'] == 'installer')($(archive_ev kaspersky.kesl /home/u/installer.run))"
else
	ok "# SKIP makeself missing (packaging/setup-debian.sh installs it)"
fi
jcheck "a .deb under KS_KIT_SIZE_MIN, its name saying nothing, is not opened" "$FX/r.json" \
	'not any(e.get("path") == "/home/u/small.bin" for f in r["findings"] for e in f["evidence"])'
jcheck "the same small .deb under its real name is found by name, as before" "$FX/r.json" \
	'any(f["signature"] == "kaspersky.kesl" and e["kind"] == "file" and e["path"] == "/var/tmp/kesl_12.1.0-1296_amd64.deb" for f in r["findings"] for e in f["evidence"])'
inspected=$((6 + have_rpm + have_real + have_makeself))
jcheck "sources.fs counts the archives: the corrupt .deb and the zip bomb too" "$FX/r.json" \
	"(lambda a, s: a == {'inspected': $inspected + 2, 'corrupt': 1, 'over_limit': 1} and s['status'] == 'ok')(r['sources']['fs']['archives'], r['sources']['fs'])"
jcheck "nothing else was found" "$FX/r.json" \
	'sorted(f["signature"] for f in r["findings"]) == ["kaspersky.kesl", "kaspersky.klnagent", "kaspersky.vendor-package"]'

fx_schema_check "the report validates against the schema" "$FX/r.json"
# CycloneDX: an archive is an installer file of its product, known by its own metadata.
timeout 120 "$KSCAN" scan --deep --format cyclonedx --no-low-priority --root "$R" \
	>"$FX/bom.json" 2>"$FX/bom.err"
if python3 -c 'import jsonschema' 2>/dev/null; then
	check "the CycloneDX BOM is valid CycloneDX 1.6" python3 "$KSCAN_SRC/tests/lib/cyclonedx.py" \
		"$KSCAN_SRC/tests/data/cyclonedx" "$FX/bom.json"
else
	ok "# SKIP python3-jsonschema is not installed"
fi
kesl_cdx='next(c for c in r["components"] if any(p["value"] == "kaspersky.kesl" for p in c["properties"]))'
jcheck "CycloneDX: the .deb by content is a file component with the archive's metadata" \
	"$FX/bom.json" \
	"(lambda c: any(p['type'] == 'file' and p['name'] == '/home/u/download.bin' and {'name': 'kscan:archive:name', 'value': 'kesl'} in p['properties'] and {'name': 'kscan:archive:format', 'value': 'deb'} in p['properties'] for p in c['components']))($kesl_cdx)"
jcheck "CycloneDX: identified by the archive's manifest" "$FX/bom.json" \
	"any(m['technique'] == 'manifest-analysis' and m['value'] == 'archive' for m in ($kesl_cdx)['evidence']['identity'][0]['methods'])"
# OCSF: an archive is a file evidence artifact, its format and vendor in data.
timeout 120 "$KSCAN" scan --deep --format ocsf --no-low-priority --root "$R" \
	>"$FX/ocsf.ndjson" 2>"$FX/ocsf.err"
check "the OCSF events are valid OCSF 1.8.0" python3 "$KSCAN_SRC/tests/lib/ocsf.py" \
	"$KSCAN_SRC/tests/data/ocsf-1.8.0" compliance_finding "$FX/ocsf.ndjson"
check "OCSF: the .deb by content is a file artifact with its format in data" python3 -c '
import json, sys
ev = [e for l in open(sys.argv[1]) for e in json.loads(l).get("evidences", [])]
sys.exit(0 if any(e["name"] == "archive" and e.get("file", {}).get("path") == "/home/u/download.bin"
    and e["data"].get("format") == "deb" for e in ev) else 1)' "$FX/ocsf.ndjson"
timeout 120 "$KSCAN" scan --deep --format ecs --no-low-priority --root "$R" \
	>"$FX/ecs.ndjson" 2>"$FX/ecs.err"
check "ECS: valid ECS 8.11, the .deb by content among file.path" bash -c '
python3 "$1/tests/lib/ecs.py" "$1/tests/data/ecs-8.11.0/ecs_flat.yml.gz" "$2" >/dev/null &&
grep -q "\"/home/u/download.bin\"" "$2"' _ "$KSCAN_SRC" "$FX/ecs.ndjson"
"$KSCAN" scan --deep --format text --no-low-priority --root "$R" >"$FX/r.txt" 2>&1
# the text report wraps long evidence lines under their value column: joined again here
tr -s ' \n' '  ' <"$FX/r.txt" >"$FX/r.joined"
check "text report shows the archive's summary" \
	grep -q 'summary "Kaspersky Endpoint Security for Linux"' "$FX/r.joined"
fx_done
