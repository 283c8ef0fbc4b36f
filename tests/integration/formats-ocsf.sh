#!/bin/bash
# --format ocsf: NDJSON OCSF 1.8.0 Compliance Finding events, checked against the OCSF
# schema's own definition files (kept in tests/data/ocsf-1.8.0) by tests/lib/ocsf.py, for
# products installed by the real dpkg and rpm, a clean root and scans that could not look
# everywhere. Each file of events is also read as a list r for expect/judge.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

SCHEMA="$KSCAN_SRC/tests/data/ocsf-1.8.0"
events() {
	local out=$1
	shift
	rc=0
	"$KSCAN" scan --format ocsf "$@" >"$out" 2>"$out.err" || rc=$?
	python3 -c 'import json, sys
json.dump([json.loads(l) for l in open(sys.argv[1])], open(sys.argv[2], "w"))' \
		"$out" "$out.list" || : >"$out.list"
}
valid() {
	check "$1: valid OCSF 1.8.0 Compliance Finding" \
		python3 "$KSCAN_SRC/tests/lib/ocsf.py" "$SCHEMA" compliance_finding "$2"
}

# dpkg: KESL and the Network Agent installed by the real dpkg on a Debian 12 root
R=$(fx_root deb)
mkdir -p "$R/etc"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$R/etc/os-release"
echo web01 >"$R/etc/hostname"
deb=$(fx_deb kesl 12.4.0-1225 amd64 /opt/kaspersky/kesl/bin/kesl-control)
check "fixture: dpkg -i kesl" fx_dpkg "$R" -i "$deb"
deb=$(fx_deb klnagent64 15.1.0-20748 amd64 /opt/kaspersky/klnagent64/sbin/klnagent)
check "fixture: dpkg -i klnagent64" fx_dpkg "$R" -i "$deb"
events "$FX/deb.ndjson" --root "$R"
check "dpkg: exit 1 (detected)" [ "$rc" -eq 1 ]
valid dpkg "$FX/deb.ndjson"
expect "dpkg: one Fail event per product, nothing else" '[e["compliance"]["status"]
	for e in r] == ["Fail", "Fail"] and all(e["compliance"]["status_id"] == 3 for e in r)'
expect "dpkg: class, type and severity" 'all(e["class_uid"] == 2003 and
	e["type_uid"] == 200301 and e["severity_id"] == 4 for e in r)'
expect "dpkg: the directives and the control" 'all("DHS BOD 17-01" in
	e["compliance"]["standards"] and "FAR 52.204-23" in e["compliance"]["standards"] and
	e["compliance"]["control"] for e in r)'
expect "dpkg: the products as resources beside the host" 'sorted(e["resources"][1]["name"]
	for e in r) == ["Kaspersky Endpoint Security for Linux",
	"Kaspersky Security Center Network Agent"] and all(e["resources"][0]["type"] == "Host"
	and e["resources"][0]["name"] == "web01" for e in r)'
expect "dpkg: the package as evidence data" 'any(v.get("data", {}).get("manager") == "dpkg"
	and v["data"]["name"] == "kesl" and v["data"]["version"] == "12.4.0-1225"
	for e in r for v in e["evidences"])'
expect "dpkg: the path as a file evidence" 'any(v.get("file", {}).get("path") ==
	"/opt/kaspersky/kesl/bin/kesl-control" for e in r for v in e["evidences"])'
expect "dpkg: the removal plan as remediation" 'any("dpkg --purge kesl" in
	e["remediation"]["desc"] for e in r)'
expect "dpkg: the device and its OS" 'all(e["device"]["hostname"] == "web01" and
	e["device"]["os"]["type_id"] == 200 and e["device"]["os"]["version"] == "12" for e in r)'
expect "dpkg: ids tie the events to one report" 'len({e["metadata"]["correlation_uid"]
	for e in r}) == 1 and len({e["metadata"]["uid"] for e in r}) == 2 and
	len({e["finding_info"]["uid"] for e in r}) == 2'
expect "dpkg: the signature as the analytic, its reference as src_url" 'any(
	e["finding_info"]["analytic"] == {"uid": "kaspersky.kesl", "name":
	"Kaspersky Endpoint Security for Linux", "type_id": 1, "type": "Rule", "category":
	"builtin:kaspersky-kesl.yaml", "version": e["unmapped"]["kscan"]["finding"]["pack"]
	["version"]} and e["finding_info"]["src_url"].startswith("https://") for e in r)'
expect "dpkg: the native finding under unmapped.kscan" 'all(e["unmapped"]["kscan"]["finding"]
	["signature"].startswith("kaspersky.") for e in r)'
judge "$FX/deb.ndjson.list"

# rpm: the real rpm's database
if command -v rpmbuild >/dev/null && command -v rpm >/dev/null; then
	R=$(fx_rhel_agent rpm)
	check "fixture: rpm -i klnagent64" [ -n "$R" ]
	events "$FX/rpm.ndjson" --root "$R"
	check "rpm: exit 1 (detected)" [ "$rc" -eq 1 ]
	valid rpm "$FX/rpm.ndjson"
	expect "rpm: Fail, with the rpm package as evidence" 'r[0]["compliance"]["status"] ==
		"Fail" and any(v.get("data", {}).get("manager") == "rpm" for v in r[0]["evidences"])'
	expect "rpm: the product version from the package" 'r[0]["resources"][1]["version"] ==
		"15.1.0-20748"'
	judge "$FX/rpm.ndjson.list"
else
	echo "# kscan without an rpm reader or no rpmbuild: rpm part skipped"
fi

# clean: one Pass event for the host
R=$(fx_root clean)
events "$FX/clean.ndjson" --root "$R"
check "clean: exit 0" [ "$rc" -eq 0 ]
valid clean "$FX/clean.ndjson"
expect "clean: one Pass event, informational" 'len(r) == 1 and
	r[0]["compliance"]["status"] == "Pass" and r[0]["compliance"]["status_id"] == 1 and
	r[0]["severity_id"] == 1 and "evidences" not in r[0]'
judge "$FX/clean.ndjson.list"

# incomplete: the dpkg database cannot be read, nothing found: Warning with the reason,
# never Pass
R=$(fx_root unreadable)
rm "$R/var/lib/dpkg/status"
mkdir "$R/var/lib/dpkg/status"
events "$FX/incomplete.ndjson" --root "$R"
check "incomplete: exit 2" [ "$rc" -eq 2 ]
valid incomplete "$FX/incomplete.ndjson"
expect "incomplete: one Warning event, never Pass" 'len(r) == 1 and
	r[0]["compliance"]["status"] == "Warning" and r[0]["compliance"]["status_id"] == 2'
expect "incomplete: the reason names dpkg" '"dpkg" in r[0]["compliance"]["status_detail"]
	and "dpkg" not in r[0]["finding_info"]["data_sources"]'
judge "$FX/incomplete.ndjson.list"

# the validator itself must catch broken events, or the checks above prove nothing
broken() {
	python3 -c 'import json, sys
e = json.loads(open(sys.argv[1]).readline())
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(e) + "\n")' "$FX/deb.ndjson" "$FX/broken.ndjson" "$2"
	check "the validator refuses $1" bash -c '! python3 "$1" "$2" compliance_finding "$3" \
		>/dev/null' _ "$KSCAN_SRC/tests/lib/ocsf.py" "$SCHEMA" "$FX/broken.ndjson"
}
broken "a missing required attribute" 'del e["finding_info"]["uid"]'
broken "an attribute OCSF does not define" 'e["compliance"]["verdict"] = "fail"'
broken "a status id outside the enum" 'e["compliance"]["status_id"] = 7'
broken "a string where an integer goes" 'e["device"]["os"]["type_id"] = "200"'
broken "a wrong type_uid" 'e["type_uid"] = 200302'

fx_done
