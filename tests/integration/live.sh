#!/bin/bash
# The live host: real processes named like a Network Agent daemon, found by name and by
# executable path, with their pid, exe, uid and start time; a port counted only with such a
# process; a deleted binary still running; gone once killed; and what a non-root run says.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v python3 >/dev/null || skip_all "python3 missing"

chmod 755 "$FX"
# A Network Agent daemon's name, made unique (15 bytes, the kernel's limit) so that another
# run of this test, or a real agent, on the same host is not taken for ours.
tag=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
NAME="klnagent-$tag"
AGENT="$FX/opt/kaspersky/klnagent64"
mkdir -p "$AGENT/sbin" "$FX/decoy"
cp "$(command -v sleep)" "$AGENT/sbin/$NAME"
# a look-alike: another name (within the 15 bytes the kernel keeps), outside the product's
# tree
cp "$(command -v sleep)" "$FX/decoy/klnagentd$tag"

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$FX"
}
trap cleanup EXIT

# listen NAME PORTFILE: a python process that names itself NAME (prctl) when NAME is not
# empty, binds a UDP port on 127.0.0.1 and writes it to PORTFILE.
listen() {
	python3 -c '
import ctypes, socket, sys, time
if sys.argv[1]:
    ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[2] + ".tmp", "w").write(str(s.getsockname()[1]))
__import__("os").rename(sys.argv[2] + ".tmp", sys.argv[2])
time.sleep(300)
' "$1" "$2" &
	pids+=($!)
}

# wait_for FILE: readiness, not timing: the helper writes the file once it listens.
wait_for() {
	local i
	for i in $(seq 1 200); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

t0=$(date +%s)
"$AGENT/sbin/$NAME" 300 &
A=$!
pids+=("$A")
"$FX/decoy/klnagentd$tag" 300 &
D=$!
pids+=("$D")
listen "$NAME" "$FX/port-b"
B=${pids[-1]}
listen "" "$FX/port-c"
C=${pids[-1]}
check "the helpers listen" wait_for "$FX/port-b"
check "the decoy listens" wait_for "$FX/port-c"
PB=$(cat "$FX/port-b")
PC=$(cat "$FX/port-c")

PACK="$FX/pack.yaml"
cat >"$PACK" <<YAML
schema: 1
signatures:
  - id: test.agent
    vendor: Kaspersky
    product: Test Network Agent
    processes: [$NAME]
    paths:
      - {path: $AGENT, role: install}
    ports:
      - {port: $PB, proto: udp}
      - {port: $PC, proto: udp}
YAML
chmod 644 "$PACK"
scan() { kscan_json "$1" --no-default-signatures --signatures "$PACK"; }

scan "$FX/run.json"
check "running agent: detected (exit 1), got $rc" [ "$rc" -eq 1 ]
jcheck "the scan is live" "$FX/run.json" 'r["scan"]["live"] is True'
fx_schema_check "the report validates against the schema" "$FX/run.json"
jcheck "state running, running true" "$FX/run.json" \
	'[(f["signature"], f["state"], f["running"]) for f in r["findings"]] == [("test.agent", "running", True)]'
procs() { echo '[e for e in r["findings"][0]["evidence"] if e["kind"] == "process"]'; }
jcheck "the copy of sleep: pid, exe and name" "$FX/run.json" \
	"[(e['name'], e['path'], e['pattern']) for e in $(procs) if e['pid'] == $A] == [('$NAME', '$AGENT/sbin/$NAME', '$NAME')]"
jcheck "its owner is this test's user" "$FX/run.json" \
	"[e['uid'] for e in $(procs) if e['pid'] == $A] == [$(id -u)]"
jcheck "its start time is when it started" "$FX/run.json" \
	"__import__('datetime').datetime.strptime([e['started_at'] for e in $(procs) if e['pid'] == $A][0], '%Y-%m-%dT%H:%M:%S.%f%z').timestamp() - $t0 > -5"
jcheck "the renamed python: found by name, its exe is python" "$FX/run.json" \
	"[(e['name'], 'python' in e['path']) for e in $(procs) if e['pid'] == $B] == [('$NAME', True)]"
jcheck "the look-alike and the plain listener are not evidence" "$FX/run.json" \
	"[e for e in $(procs) if e['pid'] in ($C, $D)] == []"
jcheck "the agent's port is evidence, with its process" "$FX/run.json" \
	"[(e['pid'], e['proto'], e['address'], e['port'], e['state']) for e in r['findings'][0]['evidence'] if e['kind'] == 'socket'] == [($B, 'udp', '127.0.0.1', $PB, 'running')]"
jcheck "a port alone proves nothing: the other listener's port is not evidence" "$FX/run.json" \
	"all(e.get('port') != $PC for e in r['findings'][0]['evidence'])"
jcheck "evidence kinds" "$FX/run.json" \
	'r["findings"][0]["evidence_kinds"] == ["path", "process", "socket"]'
jcheck "processes and sockets sources ran" "$FX/run.json" \
	'r["sources"]["processes"]["counts"]["matched"] == 2 and r["sources"]["sockets"]["counts"]["matched"] == 1 and r["sources"]["sockets"]["status"] == "ok"'
jcheck "the plan stops the processes and deletes the tree" "$FX/run.json" \
	"[(s['action'], s['command']) for s in r['findings'][0]['remove']] == [('stop_processes', 'kill ' + ' '.join(sorted(['$A', '$B']))), ('delete_paths', 'rm -rf -- $AGENT')]"
"$KSCAN" scan --format text --no-default-signatures --signatures "$PACK" >"$FX/run.txt" 2>&1
check "text: the finding says it runs" grep -qxF "    status:   running" "$FX/run.txt"
check "text: the plan's kill line" grep -qF "         \$ kill " "$FX/run.txt"

# A binary deleted while it runs still runs: the kernel says "(deleted)".
cp "$(command -v sleep)" "$AGENT/sbin/klnagent.new"
"$AGENT/sbin/klnagent.new" 300 &
E=$!
pids+=("$E")
for i in $(seq 1 100); do
	[ "$(readlink "/proc/$E/exe" 2>/dev/null)" = "$AGENT/sbin/klnagent.new" ] && break
	sleep 0.05
done
rm "$AGENT/sbin/klnagent.new"
scan "$FX/deleted.json"
jcheck "a deleted binary still running is evidence, by its path" "$FX/deleted.json" \
	"[(e['name'], e['path'], e['pattern']) for e in $(procs) if e['pid'] == $E] == [('klnagent.new', '$AGENT/sbin/klnagent.new (deleted)', '$AGENT')]"

# Without root, other users' executables cannot be read: the scan says so, never clean.
if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$KSCAN" scan --format json \
		--no-default-signatures --signatures "$PACK" >"$FX/nobody.json" 2>"$FX/nobody.err" ||
		rc=$?
	jcheck "non-root: the processes source failed and says why" "$FX/nobody.json" \
		'r["sources"]["processes"]["status"] == "failed" and r["sources"]["processes"]["counts"]["unreadable"] > 0 and "root" in r["sources"]["processes"]["error"]'
	jcheck "non-root: the agent is still found by name" "$FX/nobody.json" \
		"any(e['kind'] == 'process' and e['pid'] == $A for e in r['findings'][0]['evidence'])"
else
	ok "# SKIP setpriv cannot drop privileges here"
fi

# Killed: gone. What is left is installed, not running.
kill "$A" "$B" "$E"
wait "$A" "$B" "$E" 2>/dev/null
scan "$FX/after.json"
check "after the kill: still detected (the tree is there), got $rc" [ "$rc" -eq 1 ]
jcheck "after the kill: installed, not running" "$FX/after.json" \
	'[(f["state"], f["running"]) for f in r["findings"]] == [("installed", False)]'
jcheck "after the kill: no process or socket evidence" "$FX/after.json" \
	'[e["kind"] for e in r["findings"][0]["evidence"]] == ["path"]'
jcheck "after the kill: nothing to stop in the plan" "$FX/after.json" \
	'[s["action"] for s in r["findings"][0]["remove"]] == ["delete_paths"]'

# Another root is a mounted tree, which has no processes: the live probes are absent.
mkdir -p "$FX/img$AGENT"
kscan_json "$FX/root.json" --no-default-signatures --signatures "$PACK" --root "$FX/img"
jcheck "another root: live probes absent" "$FX/root.json" \
	'r["scan"]["live"] is False and r["sources"]["processes"]["status"] == "absent" and r["sources"]["sockets"]["status"] == "absent"'
jcheck "another root: installed, and no running field (it cannot be known)" "$FX/root.json" \
	'[(f["state"], "running" in f) for f in r["findings"]] == [("installed", False)]'

fx_done
