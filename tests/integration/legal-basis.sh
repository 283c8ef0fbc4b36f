#!/bin/bash
# The legal basis of a finding: a pack's compliance: entries reach the native report (per
# finding, and once each for the scan), and every format carries them in its own
# field: ECS tags, OCSF compliance.standards/requirements, CycloneDX properties, HEC's
# event, the text report's "Legal basis:" line. A pack without any gives none.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

R=$(fx_root deb)
deb=$(fx_deb kesl 12.4.0-1225 amd64 /opt/kaspersky/kesl/bin/kesl-control)
check "fixture: dpkg -i kesl" fx_dpkg "$R" -i "$deb"
deb=$(fx_deb acme-av 1.0 amd64 /opt/acme/av)
check "fixture: dpkg -i acme-av" fx_dpkg "$R" -i "$deb"
cat >"$FX/acme.yaml" <<'PACK'
schema: 1
version: "1"
compliance:
  - framework: Agency policy 7
    control: No ACME antivirus on agency hosts
    reference: https://policy.example.gov/7
signatures:
  - id: acme.av
    vendor: ACME
    product: ACME AV
    packages: [{name: acme-av}]
PACK
cat >"$FX/plain.yaml" <<'PACK'
schema: 1
signatures:
  - id: other.tool
    vendor: Other
    product: Other Tool
    paths: [{path: /opt/acme/av, role: install}]
PACK
run() { rc=0; "$KSCAN" scan --root "$R" -s "$FX/acme.yaml" -s "$FX/plain.yaml" "$@" \
	>"$FX/out" 2>"$FX/err" || rc=$?; }

run --format json
check "detected: exit 1" [ "$rc" -eq 1 ]
cp "$FX/out" "$FX/r.json"
expect "the packs do not repeat them (signatures.compliance has each once)" 'all(
	"compliance" not in p for p in r["signatures"]["packs"])'
expect "the scan lists every obligation once" '[c["framework"] for c in
	r["signatures"]["compliance"]] == ["DHS BOD 17-01", "NDAA FY2018 Section 1634",
	"FAR 52.204-23", "Commerce ICTS Final Determination ICTS-2021-002", "Agency policy 7"]'
expect "KESL: the directives, with their references" '[(c["framework"], c["reference"])
	for f in r["findings"] if f["signature"] == "kaspersky.kesl" for c in f["compliance"]][0]
	== ("DHS BOD 17-01",
	"https://www.cisa.gov/news-events/directives/bod-17-01-removal-kaspersky-branded-products")'
expect "ACME: only the obligation of its own pack" '[f["compliance"] for f in r["findings"]
	if f["signature"] == "acme.av"] == [[{"framework": "Agency policy 7", "control":
	"No ACME antivirus on agency hosts", "reference": "https://policy.example.gov/7"}]]'
expect "a finding of a pack without any: no compliance member" 'all("compliance" not in f
	for f in r["findings"] if f["signature"] == "other.tool")'
judge "$FX/r.json"
check "the native report is valid against its schema" python3 -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])),
	cls=jsonschema.Draft202012Validator)' "$KSCAN_SRC/report/report.schema.json" "$FX/r.json"

run --format ecs
check "ECS: the finding's frameworks as tags" python3 -c 'import json, sys
ev = {e.get("rule", {}).get("id", "scan"): e for e in map(json.loads, open(sys.argv[1]))}
assert ev["kaspersky.kesl"]["tags"][0] == "DHS BOD 17-01", ev["kaspersky.kesl"].get("tags")
assert ev["acme.av"]["tags"] == ["Agency policy 7"]
assert "tags" not in ev["other.tool"]
assert ev["scan"]["tags"][-1] == "Agency policy 7" and len(ev["scan"]["tags"]) == 5' "$FX/out"

run --format ocsf
check "OCSF: standards and requirements from the finding's pack" python3 -c 'import json, sys
ev = {e["finding_info"]["analytic"]["uid"]: e for e in map(json.loads, open(sys.argv[1]))}
c = ev["kaspersky.kesl"]["compliance"]
assert c["standards"][:3] == ["DHS BOD 17-01", "NDAA FY2018 Section 1634", "FAR 52.204-23"]
assert len(c["requirements"]) == 4
assert ev["acme.av"]["compliance"]["standards"] == ["Agency policy 7"]
assert ev["acme.av"]["compliance"]["requirements"] == ["No ACME antivirus on agency hosts"]
assert ev["other.tool"]["compliance"]["standards"] == []' "$FX/out"

run --format cyclonedx
check "CycloneDX: the obligations as properties of the product" python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))
p = {c["name"]: [x["value"] for x in c["properties"] if x["name"].startswith(
	"kscan:compliance:")] for c in b["components"]}
assert p["ACME AV"] == ["Agency policy 7: No ACME antivirus on agency hosts"], p
assert p["Kaspersky Endpoint Security for Linux"][0].startswith("DHS BOD 17-01: ")
assert p["Other Tool"] == []' "$FX/out"

run --format splunk-hec
check "HEC: the finding event carries its compliance" python3 -c 'import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
f = [e for e in ev if e["sourcetype"] == "kscan:finding" and
	e["event"]["finding"]["signature"] == "acme.av"][0]
assert f["event"]["finding"]["compliance"][0]["framework"] == "Agency policy 7"' "$FX/out"

run --format text --color never
check "text: the legal basis, wrapped within 100 columns" bash -c '
grep -q "^Legal basis: DHS BOD 17-01, NDAA FY2018 Section 1634, FAR 52.204-23," "$1" &&
grep -q "^             Commerce ICTS Final Determination ICTS-2021-002, Agency policy 7$" "$1" &&
! grep -A1 "^Legal basis" "$1" | awk "length > 100" | grep -q .' _ "$FX/out"

fx_done
