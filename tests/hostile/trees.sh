#!/bin/bash
# Filesystem trees built to trap scanners, under the quick audit's path lookups: they must
# finish in bounded time and memory, stay inside the root, and say what they could not see.
# (The deep sweep's traps are in tests/hostile/deep.sh once the sweep exists.)
. "$KSCAN_SRC/tests/lib/fixtures.sh"
cd "$FX"

scan() {
	local name=$1 rc=0 rss
	/usr/bin/time -f '%M %e' -o "$name.rss" timeout 60 "$KSCAN" scan --format json \
		--root "$FX/$name" >"$name.json" 2>"$name.err" || rc=$?
	read -r rss secs < <(tail -1 "$name.rss") || true
	scan_rc=$rc
	check "$name: finished (exit $rc, ${secs:-?} s)" [ "$rc" -ne 124 ] && [ "$rc" -le 2 ]
	check "$name: peak memory ${rss} KiB under 64 MiB" [ "${rss:-999999}" -lt 65536 ]
}

# symlink farms pointing at the host's / and at /proc/self/root where products would be
R="$FX/farm"
mkdir -p "$R/opt/kaspersky" "$R/var/opt" "$R/etc/opt"
for i in $(seq 1 200); do ln -s / "$R/opt/kaspersky/l$i"; done
ln -s /proc/self/root "$R/var/opt/kaspersky"
ln -s /proc/self/root/etc "$R/etc/opt/kaspersky"
ln -s / "$R/opt/kav"
scan farm
jcheck "farm: nothing from the host is reported" farm.json \
	'all(not e.get("path", "").startswith("/proc") for f in r["findings"] for e in f["evidence"])'
jcheck "farm: evidence, if any, is the links themselves" farm.json \
	'all(e.get("type") in (None, "symlink") for f in r["findings"] for e in f["evidence"] if e["kind"] == "path")'

# 100,000 entries in a directory a signature glob reads
R="$FX/wide"
mkdir -p "$R/var/log/kaspersky"
(cd "$R/var/log/kaspersky" && seq -f 'n%06g' 1 100000 | xargs touch)
scan wide
jcheck "wide: the glob expansion is capped and counted, not silent" wide.json \
	'r["sources"]["paths"]["counts"]["truncated"] >= 1 or r["sources"]["paths"]["counts"]["found"] <= 4096'

# names of 255 bytes, 200 levels deep, under a product directory
R="$FX/deepnames"
mkdir -p "$R/opt/kaspersky"
python3 - "$R/opt/kaspersky" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(200):
    name = ("d%03d" % i) + "x" * 251
    os.mkdir(name, dir_fd=fd)
    nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = nfd
os.close(fd)
PY
scan deepnames
check "deepnames: scan completed" [ "$scan_rc" -le 2 ]

# a self-loop and a two-link cycle where product directories would be: kscan cannot look
# below them, so the host is not proven clean
R="$FX/loops"
mkdir -p "$R/opt" "$R/var/opt"
ln -s kaspersky "$R/opt/kaspersky"
ln -s b "$R/var/opt/a" && ln -s a "$R/var/opt/b" && ln -s a "$R/var/opt/kaspersky"
scan loops
check "loops: incomplete, not clean (exit 2)" [ "$scan_rc" -eq 2 ]
jcheck "loops: the paths source names a looping path" loops.json \
	'r["sources"]["paths"]["status"] == "failed" and "symbolic links" in r["sources"]["paths"]["error"]'

fx_done
