#!/bin/bash
# --format ecs and ecs-bulk: every field of every event, outside kscan.*, checked against
# ECS 8.11.0's own field list (tests/data/ecs-8.11.0/ecs_flat.yml.gz) by tests/lib/ecs.py,
# for products installed by the real dpkg and rpm, a clean root and an incomplete scan.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml is not installed"
FLAT="$KSCAN_SRC/tests/data/ecs-8.11.0/ecs_flat.yml.gz"
ecs() {
	local name=$1 want=$2
	shift 2
	rc=0
	"$KSCAN" scan --format ecs "$@" >"$FX/$name.ndjson" 2>"$FX/$name.err" || rc=$?
	check "$name: exit $want" [ "$rc" -eq "$want" ]
	check "$name: valid ECS 8.11" python3 "$KSCAN_SRC/tests/lib/ecs.py" "$FLAT" \
		"$FX/$name.ndjson"
	rc=0
	"$KSCAN" scan --format ecs-bulk "$@" >"$FX/$name.bulk" 2>/dev/null || rc=$?
	check "$name: valid ECS 8.11 with _bulk action lines" python3 \
		"$KSCAN_SRC/tests/lib/ecs.py" "$FLAT" "$FX/$name.bulk"
}

# dpkg: KESL (two packages) and the Network Agent
R=$(fx_root deb)
mkdir -p "$R/etc"
printf 'ID=debian\nVERSION_ID="12"\n' >"$R/etc/os-release"
for p in "kesl 12.4.0-1225 /opt/kaspersky/kesl/bin/kesl-control" \
	"kesl-gui 12.4.0-1225 /opt/kaspersky/kesl/bin/kesl-gui" \
	"klnagent64 15.1.0-20748 /opt/kaspersky/klnagent64/sbin/klnagent"; do
	read -r n v f <<<"$p"
	deb=$(fx_deb "$n" "$v" amd64 "$f")
	check "fixture: dpkg -i $n" fx_dpkg "$R" -i "$deb"
done
ecs dpkg 1 --root "$R"
check "dpkg: KESL's two packages as parallel arrays" python3 -c 'import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
k = [e for e in ev if e.get("rule", {}).get("id") == "kaspersky.kesl"][0]
assert k["package"]["name"] == ["kesl", "kesl-gui"], k["package"]
assert k["package"]["version"] == ["12.4.0-1225", "12.4.0-1225"]
assert k["rule"]["ruleset"] == "builtin:kaspersky-kesl.yaml" and k["rule"]["reference"]
assert k["data_stream"]["dataset"] == "kscan.finding"' "$FX/dpkg.ndjson"

# rpm: the real rpm's database
if command -v rpmbuild >/dev/null && command -v rpm >/dev/null; then
	R=$(fx_rhel_agent rpm)
	check "fixture: rpm -i klnagent64" [ -n "$R" ]
	ecs rpm 1 --root "$R"
	check "rpm: package.type rpm" grep -q '"type":"rpm"' "$FX/rpm.ndjson"
else
	echo "# kscan without an rpm reader or no rpmbuild: rpm part skipped"
fi

# clean, and incomplete (the dpkg database cannot be read)
ecs clean 0 --root "$(fx_root clean)"
R=$(fx_root unreadable)
rm "$R/var/lib/dpkg/status"
mkdir "$R/var/lib/dpkg/status"
ecs incomplete 2 --root "$R"
check "incomplete: the summary's outcome is failure" grep -q '"outcome":"failure"' \
	"$FX/incomplete.ndjson"

fx_done
