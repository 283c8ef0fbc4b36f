#!/bin/bash
# The Berkeley DB rpm database end to end: a root whose Packages file the real rpm 4.16 wrote
# (tests/lib/rpm-bdb.sh: overflow pages, an upgrade, an erase, kesl, 500 more packages), and
# its byte-swapped copy, read by kscan and compared with what that rpm lists; a scan finds
# kesl through it; a truncated file and a looping overflow chain fail the rpm source in
# bounded time; reading writes nothing.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (a Debian 11 chroot writes the database)"
command -v python3 >/dev/null || skip_all "python3 missing"
rc=0
"$KSCAN_SRC/tests/lib/rpm-bdb.sh" "$FX/bdb" 500 >"$FX/fixture.log" 2>&1 || rc=$?
[ "$rc" -eq 77 ] && skip_all "no chroot for rpm 4.16"
if [ "$rc" -ne 0 ]; then
	not_ok "rpm-bdb.sh made the fixture (exit $rc)"
	sed 's/^/#   /' "$FX/fixture.log" >&2
	fx_done
	exit
fi
DB=var/lib/rpm/Packages
# the table split: a third bucket, mapped through spares[] to a page after the others
check "the hash table has split (max_bucket >= 2, spares[2] set)" python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read(224)
sys.exit(not (struct.unpack_from("<I", d, 72)[0] >= 2 and struct.unpack_from("<I", d, 104)[0]))
' "$FX/bdb/root/$DB"

# rpm's lines as kscan prints them: name, [epoch:]version-release, arch. EPOCHNUM is 0 for
# no epoch; the fixture has no explicit epoch 0.
want_lines() {
	awk -F'\t' -v OFS='\t' '{ print $1, ($2 == 0 ? "" : $2 ":") $3 "-" $4, $5 }' "$1" |
		LC_ALL=C sort
}
kscan_rpm() {
	"$KSCAN" packages --root "$1" | awk -F'\t' '$1 == "rpm"' | cut -f2-4 | LC_ALL=C sort
}

for side in little big; do
	if [ $side = little ]; then dir="$FX/bdb"; else dir="$FX/bdb/swapped"; fi
	want=$(want_lines "$dir/rpm-qa.tsv")
	got=$(kscan_rpm "$dir/root")
	check "$side-endian: rpm 4.16 lists 503 packages" [ "$(wc -l <<<"$want")" -eq 503 ]
	check "$side-endian: kscan packages equals rpm -qa" [ "$got" = "$want" ]
	if [ "$got" != "$want" ]; then
		diff <(echo "$want") <(echo "$got") | head -20 | sed 's/^/#   /' >&2
	fi
	check "$side-endian: the upgraded package once" [ "$(grep -c '^upg	' <<<"$got")" = 1 ]
	check "$side-endian: at its new version, with its epoch" \
		grep -qx $'upg\t2:1.1-2\tnoarch' <<<"$got"
	check "$side-endian: the erased package is gone" [ -z "$(grep '^gone	' <<<"$got")" ]
done

# A scan of the root finds kesl through the Berkeley DB, and writes nothing there.
R="$FX/bdb/root"
before=$(cd "$R/var/lib/rpm" && ls -A && sha256sum -- * | sha256sum)
kscan_json "$FX/scan.json" --root "$R"
check "scan: detected (exit 1)" [ "$rc" -eq 1 ]
jcheck "scan: rpm source ok, 503 packages" "$FX/scan.json" \
	'r["sources"]["rpm"]["status"] == "ok" and r["sources"]["rpm"]["counts"]["packages"] == 503'
jcheck "scan: kaspersky.kesl from the rpm package" "$FX/scan.json" \
	'any(e["kind"] == "package" and e["manager"] == "rpm" and e["name"] == "kesl" and e["version"] == "11.4.0-1" for f in r["findings"] if f["signature"] == "kaspersky.kesl" for e in f["evidence"])'
after=$(cd "$R/var/lib/rpm" && ls -A && sha256sum -- * | sha256sum)
check "scan: the database directory is unchanged" [ "$before" = "$after" ]

# Broken copies: the rpm source fails with the page named, the verdict is incomplete, and
# kscan answers in bounded time (timeout 60 would be a hang).
broken() {
	local name=$1 r="$FX/$1"
	mkdir -p "$r/var/lib/rpm"
	cp "$FX/bdb/root/$DB" "$r/$DB"
	echo "$r"
}
R=$(broken truncated)
size=$(stat -c %s "$R/$DB")
truncate -s $((size / 2)) "$R/$DB"
rc=0
err=$(timeout 60 "$KSCAN" packages --root "$R" 2>&1 >/dev/null) || rc=$?
check "truncated: kscan packages exits 2" [ "$rc" -eq 2 ]
check "truncated: the error says so" grep -q 'truncated' <<<"$err"
kscan_json "$FX/truncated.json" --root "$R"
jcheck "truncated: rpm source failed, verdict incomplete" "$FX/truncated.json" \
	'r["sources"]["rpm"]["status"] == "failed" and r["verdict"] == "incomplete"'

# The second page of big's overflow chain pointed back at the first.
R=$(broken loop)
python3 - "$R/$DB" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
ps = struct.unpack_from('<I', d, 20)[0]
def hdr(p):
    return struct.unpack_from('<I', d, p * ps + 16)[0], d[p * ps + 25]
for a in range(1, len(d) // ps):
    b, kind = hdr(a)
    if kind == 7 and b and hdr(b)[1] == 7 and hdr(b)[0]:
        struct.pack_into('<I', d, b * ps + 16, a)
        break
else:
    sys.exit('no chain of three overflow pages')
open(sys.argv[1], 'wb').write(d)
EOF
rc=0
err=$(timeout 60 "$KSCAN" packages --root "$R" 2>&1 >/dev/null) || rc=$?
check "looping overflow chain: kscan packages exits 2" [ "$rc" -eq 2 ]
check "looping overflow chain: the error names the page" grep -q 'page [0-9]*: reached twice' <<<"$err"

fx_done
