#!/bin/bash
# Trees built to trap a whole-filesystem sweep (--deep): symlink farms pointing at / and at
# /proc/self/root, 100,000 entries in one directory, a 1 TiB sparse file whose size equals a
# hash signature's size, names of 255 bytes at depth 200. Each sweep must finish in bounded
# time and memory, stay inside the root and say what it skipped.
. "$KSCAN_SRC/tests/lib/fixtures.sh"
cd "$FX"
R="$FX/root"
mkdir -p "$R/home/u" "$R/srv"

TIB=1099511627776
cat >pack.yaml <<YAML
schema: 1
signatures:
  - id: test.huge
    vendor: Test
    product: A product whose installer is exactly 1 TiB
    hashes:
      - {sha256: "$(printf '%064d' 0 | tr 0 a)", size: $TIB, role: installer}
YAML

# symlink farm: 500 links to /, and links to /proc/self/root and its fds
for i in $(seq 1 500); do ln -s / "$R/home/u/l$i"; done
ln -s /proc/self/root "$R/home/u/proc-root"
ln -s /proc/self/root/proc/self/root "$R/home/u/proc-root-2"
# one directory with 100,000 entries
mkdir "$R/srv/wide"
(cd "$R/srv/wide" && seq -f 'f%06g' 1 100000 | xargs touch)
# a sparse file of exactly the signature's size
truncate -s "$TIB" "$R/srv/sparse.img"
# 255-byte names, 200 levels deep (a 51,000-byte path, far past PATH_MAX)
python3 - "$R/srv" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(200):
    name = ("d%03d" % i) + "x" * 251
    os.mkdir(name, dir_fd=fd)
    nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = nfd
with open(os.open("kesl_12.4.0-1225_amd64.deb", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
    f.write("installer at the bottom\n")
os.close(fd)
PY

rc=0
/usr/bin/time -f '%M %e' -o time.out timeout 300 "$KSCAN" scan --deep --no-low-priority \
	--signatures pack.yaml --root "$R" --format json >deep.json 2>deep.err || rc=$?
read -r rss secs < <(tail -1 time.out)
check "sweep finished (exit $rc in ${secs} s)" [ "$rc" -ne 124 ] && [ "$rc" -le 2 ]
check "peak memory ${rss} KiB under 64 MiB" [ "${rss:-999999}" -lt 65536 ]
jcheck "the installer 200 levels down is found" deep.json \
	'any(e.get("kind") == "file" and e["path"].endswith("/kesl_12.4.0-1225_amd64.deb") for f in r["findings"] for e in f["evidence"])'
jcheck "the 1 TiB sparse file is skipped by the size cap, not read" deep.json \
	'r["sources"]["fs"]["skipped"]["too_large"] == 1 and r["sources"]["fs"]["counts"]["bytes_hashed"] < 1000000'
jcheck "... and that is said: the fs source failed (a file of a signature's size unread)" deep.json \
	'r["sources"]["fs"]["status"] == "failed" and r["verdict"] == "detected"'
jcheck "nothing outside the root is reported" deep.json \
	'all(not e.get("path", "").startswith(("/proc", "/usr", "/etc")) for f in r["findings"] for e in f["evidence"])'
jcheck "the 100,000 files were looked at" deep.json \
	'r["sources"]["fs"]["counts"]["files"] >= 100000'

fx_done
