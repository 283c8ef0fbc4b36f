#!/bin/bash
# What the collector receives: gzip and HMAC it can verify, and the dashboard formats (ECS
# NDJSON, ECS _bulk, Splunk HEC, CycloneDX, OCSF) parsed by it, on a host with a real dpkg-installed finding.
. "$KSCAN_SRC/tests/lib/fixtures.sh"
. "$KSCAN_SRC/tests/lib/collector.sh"

pki_setup || { not_ok "certificates made with openssl"; fx_done; exit 1; }
R=$(fx_root host)
mkdir -p "$R/etc"
echo kesl-host >"$R/etc/hostname"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' \
	>"$R/etc/os-release"
deb=$(fx_deb kesl 12.4.0-1225 amd64 /opt/kaspersky/kesl/bin/kesl-control)
check "fixture: dpkg -i kesl" fx_dpkg "$R" -i "$deb"
printf 'hmac-secret-7\n' >"$FX/hmac.key"
chmod 600 "$FX/hmac.key"
printf 'hec-token-42\n' >"$FX/token"
chmod 600 "$FX/token"

# gzip and HMAC, checked by the collector over the bytes it received.
collector_start sign server --hmac-key "$FX/hmac.key"
kscan_config "$FX/c.yaml" "$C_URL" "compress: gzip" "hmac_key_file: $FX/hmac.key"
run_kscan --root "$R" --config "$FX/c.yaml" --output "$FX/r.json"
expect_exit "a finding, delivered: 1" 1
rcheck "Content-Encoding: gzip, and the collector inflated it" \
	'q[0]["headers"]["content-encoding"] == "gzip" and q[0]["gzip"] == "ok"'
rcheck "the compressed body is smaller" 'q[0]["len"] < len(body(1))'
rcheck "X-Kscan-Signature verified by the collector" \
	'q[0]["hmac"] == "ok" and q[0]["headers"]["x-kscan-signature"].startswith("sha256=")'
check "the inflated body is the report" cmp -s "$C_DIR/body-1" "$FX/r.json"
check "the signature is HMAC-SHA256 of the gzip bytes" python3 -c '
import hashlib, hmac, json, sys
d = sys.argv[1]
q = json.loads(open(d + "/requests.jsonl").readline())
raw = open(d + "/raw-1", "rb").read()
want = hmac.new(b"hmac-secret-7", raw, hashlib.sha256).hexdigest()
assert q["headers"]["x-kscan-signature"] == "sha256=" + want' "$C_DIR"
collector_stop sign
printf 'another-key\n' >"$FX/other.key"
collector_start forged server --hmac-key "$FX/other.key"
kscan_config "$FX/c.yaml" "$C_URL" "hmac_key_file: $FX/hmac.key"
run_kscan --root "$R" --config "$FX/c.yaml"
rcheck "a collector with another key sees a bad signature" 'q[0]["hmac"] == "bad"'
chmod 644 "$FX/hmac.key"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "a world-readable HMAC key is refused when the configuration is loaded" 65
check "and named where the configuration names it" \
	grep -q "^kscan: $FX/c.yaml:[0-9]*:[0-9]*: \"hmac_key_file\" $FX/hmac.key has mode 0644" "$FX/err"
chmod 600 "$FX/hmac.key"
rm -rf "$FX/spool"

# ecs: NDJSON, one summary event, then one event per finding.
collector_start ecs server
kscan_config "$FX/c.yaml" "$C_URL" "format: ecs"
run_kscan --root "$R" --config "$FX/c.yaml" --output "$FX/r.json"
expect_exit "ecs delivered" 1
ID=$(jget "$FX/r.json" 'r["report_id"]')
rcheck "ecs: NDJSON parsed by the collector" \
	"q[0]['parsed'] == 'ecs' and q[0]['report_ids'] == ['$ID'] and q[0]['headers']['content-type'] == 'application/x-ndjson'"
ecs_check() {
	check "$1" python3 -c '
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
if sys.argv[2] == "bulk":
    actions, lines = lines[0::2], lines[1::2]
ev = [json.loads(l) for l in lines]
s, f = ev
rid, ns = sys.argv[3], sys.argv[4]
rep = json.load(open(sys.argv[5]))["findings"][0]
rep_pack, rep_ref = rep["pack"], rep["reference"]
assert len(ev) == 2
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", s["@timestamp"])
assert s["ecs"] == {"version": "8.11.0"} and s["agent"]["type"] == "kscan"
assert s["event"]["kind"] == "state" and s["event"]["dataset"] == "kscan.scan"
assert s["event"]["id"] == rid and s["event"]["outcome"] == "success"
assert s["event"]["category"] == ["host"] and s["event"]["duration"] >= 0
assert s["host"]["name"] == "kesl-host" and s["host"]["os"]["platform"] == "debian"
assert s["host"]["os"]["full"] == "Debian GNU/Linux 12 (bookworm)" and s["host"]["os"]["type"] == "linux"
assert s["kscan"]["verdict"] == "detected" and s["kscan"]["findings"] == 1
assert s["kscan"]["sources"]["dpkg"]["status"] == "ok"
assert f["event"]["kind"] == "alert" and f["event"]["dataset"] == "kscan.finding"
assert f["event"]["id"] == rid + ":kaspersky.kesl" and f["event"]["severity"] == 3
assert f["event"]["category"] == ["file", "package"] and f["event"]["type"] == ["info"]
assert f["rule"] == {"id": "kaspersky.kesl", "name": "Kaspersky Endpoint Security for Linux",
	"category": "Prohibited software", "ruleset": "builtin:kaspersky-kesl.yaml",
	"version": rep_pack["version"], "reference": rep_ref}
assert s["data_stream"] == {"type": "logs", "dataset": "kscan.scan", "namespace": ns}
assert f["data_stream"] == {"type": "logs", "dataset": "kscan.finding", "namespace": ns}
assert f["package"] == {"name": "kesl", "version": "12.4.0-1225", "architecture": "amd64", "type": "deb"}
# two paths: every file field an array in evidence order, parallel
assert f["file"]["path"] == ["/opt/kaspersky/kesl", "/opt/kaspersky/kesl/bin/kesl-control"]
assert f["file"]["name"] == ["kesl", "kesl-control"] and f["file"]["type"] == ["dir", "file"]
assert f["file"]["directory"] == ["/opt/kaspersky", "/opt/kaspersky/kesl/bin"]
assert len(f["file"]["size"]) == 2 and len(f["file"]["mtime"]) == 2
assert f["kscan"]["finding"]["signature"] == "kaspersky.kesl" and f["kscan"]["finding"]["state"] == "installed"
assert f["@timestamp"] == s["@timestamp"] and f["host"] == s["host"]
if sys.argv[2] == "bulk":
    assert [json.loads(a) for a in actions] == [
        {"create": {"_index": "logs-kscan.scan-" + ns, "_id": rid}},
        {"create": {"_index": "logs-kscan.finding-" + ns, "_id": rid + ":kaspersky.kesl"}}]
' "$2" "$3" "$ID" "${4:-default}" "$FX/r.json"
	check "$1: every field is an ECS 8.11 field of its type" python3 \
		"$KSCAN_SRC/tests/lib/ecs.py" "$KSCAN_SRC/tests/data/ecs-8.11.0/ecs_flat.yml.gz" "$2"
}
ecs_check "ecs: summary and finding events carry the ECS fields" "$C_DIR/body-1" plain

kscan_config "$FX/c.yaml" "$C_URL" "format: ecs-bulk"
run_kscan --root "$R" --config "$FX/c.yaml" --output "$FX/r.json"
ID=$(jget "$FX/r.json" 'r["report_id"]')
rcheck "ecs-bulk: action lines parsed by the collector" \
	"q[1]['parsed'] == 'ecs-bulk' and q[1]['report_ids'] == ['$ID']"
ecs_check "ecs-bulk: create actions with stable ids before each event" "$C_DIR/body-2" bulk

# collector.ecs.namespace: the data streams' namespace, in the events and the actions
kscan_config "$FX/c.yaml" "$C_URL" "format: ecs-bulk" "ecs: {namespace: agency.north}"
run_kscan --root "$R" --config "$FX/c.yaml" --output "$FX/r.json"
ID=$(jget "$FX/r.json" 'r["report_id"]')
ecs_check "ecs-bulk: the configured namespace" "$C_DIR/body-3" bulk agency.north
kscan_config "$FX/c.yaml" "$C_URL" "format: ecs" "ecs: {namespace: North-1}"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "a namespace Elasticsearch refuses stops the load" 65

# the ECS checker itself must refuse what ECS does not have, or the checks prove nothing
bad_ecs() {
	python3 -c 'import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
exec(sys.argv[3])
open(sys.argv[2], "w").write("".join(json.dumps(e) + "\n" for e in ev))' \
		"$C_DIR/body-1" "$FX/bad.ndjson" "$2"
	check "the ECS checker refuses $1" bash -c '! python3 "$1" "$2" "$3" >/dev/null' _ \
		"$KSCAN_SRC/tests/lib/ecs.py" "$KSCAN_SRC/tests/data/ecs-8.11.0/ecs_flat.yml.gz" \
		"$FX/bad.ndjson"
}
bad_ecs "a field ECS does not define" 'ev[1]["package"]["manager"] = "dpkg"'
bad_ecs "a string where ECS has a long" 'ev[1]["event"]["severity"] = "high"'
bad_ecs "a category ECS does not allow" 'ev[1]["event"]["category"] = ["software"]'
bad_ecs "a type its category does not expect" 'ev[0]["event"]["type"] = ["creation"]'
bad_ecs "a bad IP address" 'ev[1]["server"] = {"ip": "300.1.1.1"}'

# cyclonedx: one BOM, under CycloneDX's media type, named by the report id.
collector_start cdx server
kscan_config "$FX/c.yaml" "$C_URL" "format: cyclonedx"
run_kscan --root "$R" --config "$FX/c.yaml" --output "$FX/r.json"
expect_exit "cyclonedx delivered" 1
ID=$(jget "$FX/r.json" 'r["report_id"]')
rcheck "cyclonedx: a BOM of this report, with its media type" \
	"(q[0]['parsed'] == 'cyclonedx' and q[0]['report_ids'] == ['$ID'] and
	q[0]['headers']['content-type'] == 'application/vnd.cyclonedx+json; version=1.6' and
	q[0]['headers']['idempotency-key'] == '$ID')"
collector_stop cdx
rm -rf "$FX/spool"

# ocsf: Compliance Finding events as NDJSON, tied to the report by correlation_uid.
collector_start ocsf server
kscan_config "$FX/c.yaml" "$C_URL" "format: ocsf"
run_kscan --root "$R" --config "$FX/c.yaml" --output "$FX/r.json"
expect_exit "ocsf delivered" 1
ID=$(jget "$FX/r.json" 'r["report_id"]')
rcheck "ocsf: events of this report, as NDJSON" \
	"(q[0]['parsed'] == 'ocsf' and q[0]['report_ids'] == ['$ID'] and
	q[0]['headers']['content-type'] == 'application/x-ndjson')"
collector_stop ocsf
rm -rf "$FX/spool"

# splunk-hec: envelopes, and the token as "Authorization: Splunk <token>".
collector_start hec server
kscan_config "$FX/c.yaml" "$C_URL" "format: splunk-hec" "token_file: $FX/token"
run_kscan --root "$R" --config "$FX/c.yaml" --output "$FX/r.json"
expect_exit "splunk-hec delivered" 1
ID=$(jget "$FX/r.json" 'r["report_id"]')
rcheck "splunk-hec: envelopes parsed by the collector" \
	"q[0]['parsed'] == 'splunk-hec' and q[0]['report_ids'] == ['$ID']"
rcheck "Authorization: Splunk <token>" 'q[0]["headers"]["authorization"] == "Splunk hec-token-42"'
check "splunk-hec: the envelopes carry the report" python3 -c '
import json, sys
dec, text, pos, env = json.JSONDecoder(), open(sys.argv[1]).read(), 0, []
while pos < len(text):
    o, pos = dec.raw_decode(text, pos)
    env.append(o)
    pos += text[pos:pos + 1] == "\n"
s, f = env
rep = json.load(open(sys.argv[2]))
assert [e["sourcetype"] for e in env] == ["kscan:scan", "kscan:finding"]
assert all(e["source"] == "kscan" and e["host"] == "kesl-host" for e in env)
assert isinstance(s["time"], float) and abs(s["time"] * 1000 - __import__("datetime").datetime.fromisoformat(rep["scan"]["finished_at"].replace("Z", "+00:00")).timestamp() * 1000) < 1
assert s["event"]["report_id"] == rep["report_id"] and s["event"]["verdict"] == "detected"
assert s["event"]["sources"] == rep["sources"] and s["event"]["host"] == rep["host"]
assert f["event"]["finding"] == rep["findings"][0] and f["event"]["hostname"] == "kesl-host"
' "$C_DIR/body-1" "$FX/r.json"
kscan_config "$FX/c.yaml" "$C_URL" "format: splunk-hec" "token_file: $FX/token" "auth_scheme: Bearer"
run_kscan --root "$R" --config "$FX/c.yaml"
rcheck "auth_scheme overrides the Splunk scheme" 'q[1]["headers"]["authorization"] == "Bearer hec-token-42"'
# collector.hec: index, source, sourcetype prefix, indexed fields, and the channel header
# HEC needs when indexer acknowledgement is on.
CH=0aeeac95-ac74-4aa9-b30d-6c4c0ac581ba
kscan_config "$FX/c.yaml" "$C_URL" "format: splunk-hec" "token_file: $FX/token" \
	"hec: {index: compliance, source: kscan-fleet, sourcetype: \"agency:kscan\",
	fields: [verdict, product, signature], channel: $CH}"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "splunk-hec with collector.hec delivered" 1
rcheck "collector.hec: the channel header, envelopes parsed" \
	"(q[2]['headers']['x-splunk-request-channel'] == '$CH' and
	q[2]['parsed'] == 'splunk-hec')"
check "collector.hec: index, source, sourcetypes and indexed fields" python3 -c '
import json, sys
env = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
s, f = env
assert [e["sourcetype"] for e in env] == ["agency:kscan:scan", "agency:kscan:finding"], env
assert all(e["index"] == "compliance" and e["source"] == "kscan-fleet" for e in env)
assert s["fields"] == {"verdict": "detected"}, s["fields"]
assert f["fields"] == {"verdict": "detected", "product":
	"Kaspersky Endpoint Security for Linux", "signature": "kaspersky.kesl"}, f["fields"]
' "$C_DIR/body-3"
kscan_config "$FX/c.yaml" "$C_URL" "format: splunk-hec" "hec: {index: Compliance}"
run_kscan --root "$R" --config "$FX/c.yaml"
expect_exit "an index name Splunk refuses stops the load" 65
check "and says where and why" grep -q 'c.yaml:.*"index" must be a Splunk index name' \
	"$FX/err"

# The same formats locally, and the native report's JSON Schema on a delivered report.
run_kscan --root "$R" --format ecs --pretty
expect_exit "--format ecs on stdout" 1
check "--format ecs: one JSON object per line, --pretty or not" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2 and all(json.loads(l)["ecs"]["version"] for l in lines)' "$FX/out"
run_kscan --root "$R" --format splunk-hec
expect_exit "--format splunk-hec on stdout" 1
check "--format splunk-hec: two envelopes" [ "$(grep -c '"sourcetype":"kscan:' "$FX/out")" -eq 2 ]
run_kscan --root "$R" --format ecs-bulk
check "--format ecs-bulk: four lines" [ "$(wc -l <"$FX/out")" -eq 4 ]
if "$PY" -c 'import jsonschema' 2>/dev/null; then
	SPOOL="$FX/schema-spool"
	DOWN="https://localhost:$(free_port)/r"
	kscan_config "$FX/d.yaml" "$DOWN" "attempts: 1" "spool_max_reports: 1"
	run_kscan --root "$R" --config "$FX/d.yaml"
	run_kscan --root "$R" --config "$FX/d.yaml"
	run_kscan --root "$R" --config "$FX/d.yaml" --output "$FX/withdrop.json"
	check "a report with a delivery member passes the JSON Schema" "$PY" -c '
import json, sys, jsonschema
r = json.load(open(sys.argv[2]))
assert r["delivery"]["dropped"]["count"] == 1
assert r["delivery"]["dropped"]["reasons"] == {"evicted": 1}
jsonschema.validate(r, json.load(open(sys.argv[1])), cls=jsonschema.Draft202012Validator)' \
		"$KSCAN_SRC/report/report.schema.json" "$FX/withdrop.json"
fi

fx_done
