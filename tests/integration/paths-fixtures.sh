#!/bin/bash
# Products present only as files: found by the paths source, with paths inside the root.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

PACK="$FX/pack.yaml"
cat >"$PACK" <<'YAML'
schema: 1
version: "test"
signatures:
  - id: test.kesl
    vendor: Kaspersky
    product: Test Endpoint Security
    remove: "apt-get purge kesl"
    paths:
      - {path: /opt/kaspersky/kesl/bin/kesl-control, role: install}
      - {path: "/var/opt/kaspersky/kesl/install_[0-9]*", role: install}
      - {path: /var/opt/kaspersky/kesl/install-current, role: install}
      - {path: /var/opt/kaspersky/kesl, role: remnant}
      - {path: /var/log/kaspersky/kesl, role: remnant}
  - id: test.legacy
    vendor: Kaspersky
    product: Test legacy
    paths:
      - {path: "/opt/kav/5.*/kav4unix/bin/kavscanner", role: install}
      - {path: /etc/kav, role: remnant}
YAML
scan() { kscan_json "$1" --no-default-signatures --signatures "$PACK" --root "$2"; }

# Installed as files only (an unpacked tarball, no package).
R="$FX/files"
mkdir -p "$R/opt/kaspersky/kesl/bin" "$R/var/opt/kaspersky/kesl/install_12.4.0.1225"
echo bin >"$R/opt/kaspersky/kesl/bin/kesl-control"
ln -s install_12.4.0.1225 "$R/var/opt/kaspersky/kesl/install-current"
scan "$FX/files.json" "$R"
check "files-only install detected (exit 1)" [ "$rc" -eq 1 ]
jcheck "state installed" "$FX/files.json" \
	'[f["state"] for f in r["findings"]] == ["installed"] and r["findings"][0]["signature"] == "test.kesl"'
jcheck "evidence paths are inside the root" "$FX/files.json" \
	'sorted(e["path"] for e in r["findings"][0]["evidence"]) == ["/opt/kaspersky/kesl/bin/kesl-control", "/var/opt/kaspersky/kesl", "/var/opt/kaspersky/kesl/install-current", "/var/opt/kaspersky/kesl/install_12.4.0.1225"]'
jcheck "symlink reported with its target, not followed" "$FX/files.json" \
	'[(e["type"], e.get("target")) for e in r["findings"][0]["evidence"] if e["path"].endswith("install-current")] == [("symlink", "install_12.4.0.1225")]'
jcheck "evidence carries role and pattern" "$FX/files.json" \
	'all(e["kind"] == "path" and e["role"] in ("install", "remnant") and e["pattern"] for e in r["findings"][0]["evidence"])'
jcheck "remove hint carried" "$FX/files.json" 'r["findings"][0]["remove_hint"] == "apt-get purge kesl"'

# Left-overs only.
R="$FX/remnant"
mkdir -p "$R/var/opt/kaspersky/kesl/common" "$R/var/log/kaspersky/kesl"
scan "$FX/remnant.json" "$R"
check "remnant detected (exit 1)" [ "$rc" -eq 1 ]
jcheck "state remnant" "$FX/remnant.json" '[f["state"] for f in r["findings"]] == ["remnant"]'

# Legacy 5.x layout, glob in a middle component.
R="$FX/legacy"
mkdir -p "$R/opt/kav/5.5/kav4unix/bin" "$R/etc/kav/5.5"
echo bin >"$R/opt/kav/5.5/kav4unix/bin/kavscanner"
scan "$FX/legacy.json" "$R"
jcheck "legacy product installed" "$FX/legacy.json" \
	'[(f["signature"], f["state"]) for f in r["findings"]] == [("test.legacy", "installed")]'

# Decoys that merely look similar stay clean.
R="$FX/decoys"
mkdir -p "$R/opt/kasperskyfan/kesl/bin" "$R/opt/kaspersky-notes" "$R/home/u" "$R/var/opt/kesl" \
	"$R/opt/kav/latest/kav4unix/bin" "$R/opt/kaspersky/keslint/bin"
echo x >"$R/opt/kasperskyfan/kesl/bin/kesl-control"
echo x >"$R/home/u/kesl.txt"
echo x >"$R/opt/kav/latest/kav4unix/bin/kavscanner"
scan "$FX/decoys.json" "$R"
check "decoys: clean (exit 0)" [ "$rc" -eq 0 ]
jcheck "decoys: no finding" "$FX/decoys.json" 'r["findings"] == [] and r["verdict"] == "clean"'

# Symlinks that point out of the root are resolved inside it, never followed out.
OUT="$FX/outside"
mkdir -p "$OUT/kaspersky/kesl/bin"
echo x >"$OUT/kaspersky/kesl/bin/kesl-control"
R="$FX/escape"
mkdir -p "$R"
ln -s "$OUT" "$R/opt"
ln -s / "$R/var"
scan "$FX/escape.json" "$R"
check "escape attempts: clean (exit 0)" [ "$rc" -eq 0 ]
jcheck "escape attempts: nothing read from outside" "$FX/escape.json" 'r["findings"] == []'

# A symlink loop where a product path goes: cannot look, so cannot say clean.
R="$FX/loop"
mkdir -p "$R/opt/kaspersky"
ln -s kesl "$R/opt/kaspersky/kesl"
scan "$FX/loop.json" "$R"
check "loop: incomplete (exit 2)" [ "$rc" -eq 2 ]
jcheck "loop: paths source failed with the path" "$FX/loop.json" \
	'r["sources"]["paths"]["status"] == "failed" and "/opt/kaspersky/kesl" in r["sources"]["paths"]["error"]'
jcheck "loop: verdict reason names the source" "$FX/loop.json" \
	'r["verdict"] == "incomplete" and "paths" in r["verdict_reason"]'

# The default pack finds a files-only KESL too.
R="$FX/default"
mkdir -p "$R/opt/kaspersky/kesl/bin"
echo bin >"$R/opt/kaspersky/kesl/bin/kesl-control"
kscan_json "$FX/default.json" --root "$R"
check "default pack: files-only KESL detected (exit 1)" [ "$rc" -eq 1 ]
jcheck "default pack: kaspersky.kesl installed" "$FX/default.json" \
	'any(f["signature"] == "kaspersky.kesl" and f["state"] == "installed" for f in r["findings"])'

# /proc/PID/root of a process in its own mount namespace (a container's root): the magic link
# reads "/" from here, yet leads into that root. It is scanned, not the host, and is not live.
kscan_json "$FX/self.json" --no-default-signatures --signatures "$PACK" --root /proc/self/root
jcheck "/proc/self/root is the live host" "$FX/self.json" \
	'r["scan"]["live"] is True and r["scan"]["root"] == "/"'
if unshare --mount true 2>/dev/null; then
	mkdir -p "$FX/ns"
	cat >"$FX/ns.sh" <<'SH'
mount -t tmpfs kscan-ns "$1" || exit 1
mkdir -p "$1/opt/kaspersky/kesl/bin" && echo bin >"$1/opt/kaspersky/kesl/bin/kesl-control"
cd "$1" && exec python3 -c 'import os, time
os.chroot("."); os.chdir("/"); open("/ready", "w").close(); time.sleep(60)'
SH
	unshare --mount --propagation private --fork bash "$FX/ns.sh" "$FX/ns" &
	ns_pid=$!
	for _ in $(seq 100); do
		pid=$(pgrep -P "$ns_pid" -f 'os.chroot' || true)
		[ -n "$pid" ] && [ -e "/proc/$pid/root/ready" ] && break
		sleep 0.1
	done
	scan "$FX/ns.json" "/proc/$pid/root"
	check "container root via /proc/PID/root: detected (exit 1)" [ "$rc" -eq 1 ]
	jcheck "container root: not live, named as given" "$FX/ns.json" \
		'r["scan"]["live"] is False and r["scan"]["root"].startswith("/proc/")'
	jcheck "container root: its KESL found" "$FX/ns.json" \
		'[f["signature"] for f in r["findings"]] == ["test.kesl"]'
	kill "$pid" "$ns_pid" 2>/dev/null
	wait "$ns_pid" 2>/dev/null
else
	echo "# no mount namespaces here: /proc/PID/root part skipped"
fi

fx_done
