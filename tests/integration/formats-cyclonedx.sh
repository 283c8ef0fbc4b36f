#!/bin/bash
# --format cyclonedx: a CycloneDX 1.6 BOM valid against the official schema (kept in
# tests/data/cyclonedx), for a host with a product installed by the real dpkg, one installed
# by the real rpm, a clean root and a scan that could not look everywhere.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

python3 -c 'import jsonschema' 2>/dev/null || skip_all "python3-jsonschema is not installed"
SCHEMAS="$KSCAN_SRC/tests/data/cyclonedx"
bom() { local out=$1; shift; rc=0; "$KSCAN" scan --format cyclonedx "$@" >"$out" 2>"$out.err" || rc=$?; }
valid() { check "$1: valid CycloneDX 1.6" python3 "$KSCAN_SRC/tests/lib/cyclonedx.py" "$SCHEMAS" "$2"; }

# dpkg: KESL installed by the real dpkg, on a root that says it is Debian 12
R=$(fx_root deb)
mkdir -p "$R/etc"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$R/etc/os-release"
deb=$(fx_deb kesl 1:12.4.0-1225 amd64 /opt/kaspersky/kesl/bin/kesl-control)
check "fixture: dpkg -i kesl" fx_dpkg "$R" -i "$deb"
bom "$FX/deb.json" --root "$R"
check "dpkg: exit 1 (detected)" [ "$rc" -eq 1 ]
valid dpkg "$FX/deb.json"
expect "dpkg: header" 'r["bomFormat"] == "CycloneDX" and r["specVersion"] == "1.6" and
	r["serialNumber"].startswith("urn:uuid:")'
expect "dpkg: verdict and host in metadata" 'any(p["name"] == "kscan:verdict" and
	p["value"] == "detected" for p in r["metadata"]["properties"]) and
	r["metadata"]["component"]["components"][0]["name"] == "debian"'
expect "dpkg: KESL is a product component" '[c["name"] for c in r["components"]] ==
	["Kaspersky Endpoint Security for Linux"] and
	r["components"][0]["supplier"]["name"] == "Kaspersky"'
expect "dpkg: its package with a deb purl" '[p["purl"] for p in r["components"][0]["components"]
	if p["type"] == "application"] ==
	["pkg:deb/debian/kesl@1%3A12.4.0-1225?arch=amd64&distro=debian-12"]'
expect "dpkg: the package file path is an occurrence" 'any(o["location"] ==
	"/opt/kaspersky/kesl/bin/kesl-control" for o in r["components"][0]["evidence"]["occurrences"])'
expect "dpkg: identified by its manifest" 'any(m["technique"] == "manifest-analysis"
	for m in r["components"][0]["evidence"]["identity"][0]["methods"])'
expect "dpkg: removal plan as properties" 'any(p["name"].startswith("kscan:remove:") and
	"kesl" in p["value"] for p in r["components"][0]["properties"])'
expect "dpkg: the signature's reference and pack" 'r["components"][0]["externalReferences"][0]
	["url"].startswith("https://") and any(p["name"] == "kscan:pack" and p["value"] ==
	"builtin:kaspersky-kesl.yaml" for p in r["components"][0]["properties"])'
expect "dpkg: composition complete" 'r["compositions"][0]["aggregate"] == "complete"'
judge "$FX/deb.json"

# rpm: the real rpm's database
if command -v rpmbuild >/dev/null && command -v rpm >/dev/null; then
	R=$(fx_rhel_agent rpm)
	check "fixture: rpm -i klnagent64" [ -n "$R" ]
	bom "$FX/rpm.json" --root "$R"
	check "rpm: exit 1 (detected)" [ "$rc" -eq 1 ]
	valid rpm "$FX/rpm.json"
	expect "rpm: its package with an rpm purl" '[p.get("purl")
		for c in r["components"] for p in c.get("components", [])
		if p["name"] == "klnagent64"] ==
		["pkg:rpm/rhel/klnagent64@15.1.0-20748?arch=noarch&distro=rhel-9.4"]'
	judge "$FX/rpm.json"
else
	echo "# kscan without an rpm reader or no rpmbuild: rpm part skipped"
fi

# clean: a valid BOM with no component and a complete composition
R=$(fx_root clean)
bom "$FX/clean.json" --root "$R"
check "clean: exit 0" [ "$rc" -eq 0 ]
valid clean "$FX/clean.json"
jcheck "clean: no component, composition complete" "$FX/clean.json" \
	'r["components"] == [] and r["compositions"][0]["aggregate"] == "complete"'

# detected with a source failed (a symlink loop where a product path goes): the product is
# listed, but the list must not claim to be complete
R=$(fx_root loop)
mkdir -p "$R/opt/kaspersky"
ln -s kesl "$R/opt/kaspersky/kesl"
bom "$FX/loop.json" --root "$R"
check "source failed: exit 1" [ "$rc" -eq 1 ]
valid "source failed" "$FX/loop.json"
expect "source failed: composition incomplete" 'r["compositions"][0]["aggregate"] == "incomplete"'
expect "source failed: named in metadata" 'any(p["name"] == "kscan:sources:failed" and
	p["value"] == "paths" for p in r["metadata"]["properties"])'
judge "$FX/loop.json"

# incomplete: the dpkg database cannot be read, nothing found; never a complete empty BOM
R=$(fx_root unreadable)
rm "$R/var/lib/dpkg/status"
mkdir "$R/var/lib/dpkg/status"
bom "$FX/incomplete.json" --root "$R"
check "incomplete: exit 2" [ "$rc" -eq 2 ]
valid incomplete "$FX/incomplete.json"
expect "incomplete: composition incomplete" 'r["compositions"][0]["aggregate"] == "incomplete"'
expect "incomplete: the reason in metadata" 'any(p["name"] == "kscan:verdict_reason" and
	"dpkg" in p["value"] for p in r["metadata"]["properties"])'
judge "$FX/incomplete.json"

# the validator itself must catch a broken BOM, or the checks above prove nothing
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["components"][0]["type"]="program"
json.dump(d, open(sys.argv[2], "w"))' "$FX/deb.json" "$FX/broken.json"
check "a BOM with an unknown component type is refused" \
	bash -c '! python3 "$1" "$2" "$3" >/dev/null' _ "$KSCAN_SRC/tests/lib/cyclonedx.py" \
	"$SCHEMAS" "$FX/broken.json"

fx_done
