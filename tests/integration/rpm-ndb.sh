#!/bin/bash
# The ndb backend (SUSE's Packages.db) end to end: a root whose database Debian 13's rpm 4.20
# wrote with %_db_backend ndb (Debian 12's rpm has no ndb writer), read by kscan natively,
# compared with what that rpm lists, and damaged copies refused with the slot and offset.
# The rpms are built on the host with fx_rpm; only rpm -i/-U/-e/-qa run in the chroot.
# KSCAN_NDB_KEEP=DIR copies the fixture root there (to refresh tests/fuzz/rpmndb seeds).
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v rpmbuild >/dev/null || skip_all "rpmbuild missing"
C=$("$KSCAN_SRC/tests/lib/rpm-chroot.sh" trixie) || {
	rc=$?
	[ "$rc" -eq 77 ] && skip_all "no trixie chroot (needs root)"
	echo "Bail out! rpm-chroot.sh trixie failed ($rc)"
	exit 1
}
CHECK_NDB="$KSCAN_BUILD/tests/check_rpmndb"
DBPATH=/usr/lib/sysimage/rpm

# The root lives inside the chroot so its rpm can write it; removed with $FX on exit.
CT=$(mktemp -d "$C/tmp/kscan-ndb.XXXXXX")
trap 'rm -rf "$FX" "$CT"' EXIT
IN=/tmp/${CT##*/}
R="$CT/root"

# chroot_rpm ARGS...: the chroot's rpm on the fixture root, ndb in SUSE's place.
chroot_rpm() {
	chroot "$C" rpm --root "$IN/root" --dbpath "$DBPATH" --define '_db_backend ndb' "$@"
}

# Packages: the agent carries its real vendor (fx_rpm has none: rpmbuild takes it from
# %vendor, set in a private ~/.rpmmacros); big has 400 files, so its blob spans many blocks.
mkdir -p "$FX/home"
printf '%%vendor AO Kaspersky Lab\n' >"$FX/home/.rpmmacros"
AGENT=$(HOME="$FX/home" fx_rpm klnagent64 14.2.0 35148 \
	/opt/kaspersky/klnagent64/sbin/klnagent /opt/kaspersky/klnagent64/bin/klnagchk) ||
	not_ok "build klnagent64"
files=()
for i in $(seq 1 400); do
	files+=("/usr/share/bigpkg/d$((i % 20))/file-$i")
done
BIG=$(fx_rpm bigpkg 1.0 1 "${files[@]}") || not_ok "build bigpkg"
FOO1=$(fx_rpm foo 1.0 1 /opt/foo/file) || not_ok "build foo 1.0"
FOO2=$(fx_rpm foo 2.0 1 /opt/foo/file /opt/foo/new) || not_ok "build foo 2.0"
GONE=$(fx_rpm gone 0.1 1 /opt/gone/file) || not_ok "build gone"
KEEP=$(fx_rpm keep 3.3 2 /opt/keep/file) || not_ok "build keep"
cp "$AGENT" "$BIG" "$FOO1" "$FOO2" "$GONE" "$KEEP" "$CT/"

# SUSE's configuration: the root's own macros name the backend and the directory.
mkdir -p "$R$DBPATH" "$R/usr/lib/rpm/macros.d"
printf '%%_dbpath %s\n%%_db_backend ndb\n' "$DBPATH" >"$R/usr/lib/rpm/macros.d/macros.db"
q() { chroot_rpm "$@" >"$FX/rpm.log" 2>&1 || { cat "$FX/rpm.log" >&2; return 1; }; }
q --initdb || not_ok "rpm --initdb"
q -i --nodeps --ignorearch "$IN/${FOO1##*/}" "$IN/${GONE##*/}" "$IN/${KEEP##*/}" ||
	not_ok "rpm -i foo gone keep"
q -i --nodeps --ignorearch "$IN/${BIG##*/}" "$IN/${AGENT##*/}" || not_ok "rpm -i big agent"
q -U --nodeps --ignorearch "$IN/${FOO2##*/}" || not_ok "rpm -U foo 2.0"
q -e --nodeps gone || not_ok "rpm -e gone"
DB="$R$DBPATH/Packages.db"
check "rpm wrote an ndb Packages.db (and no sqlite)" \
	test -f "$DB" -a ! -e "$R$DBPATH/rpmdb.sqlite"
check "Packages.db starts with RpmP" [ "$(head -c 4 "$DB")" = RpmP ]
# A stale sqlite database beside it (as a backend conversion leaves): rpm's order would take
# it first, so only the root's %_db_backend makes kscan read Packages.db, as rpm does.
# (rpm itself would add to the ndb database it finds, so the sqlite one is made aside.)
mkdir -p "$CT/stale/db"
chroot "$C" rpm --root "$IN/stale" --dbpath /db --define '_db_backend sqlite' \
	-i --nodeps --justdb "$IN/${GONE##*/}" >"$FX/rpm.log" 2>&1 || not_ok "stale sqlite"
cp "$CT/stale/db/rpmdb.sqlite" "$R$DBPATH/"
check "a stale rpmdb.sqlite lies beside Packages.db" [ -f "$R$DBPATH/rpmdb.sqlite" ]
[ -n "${KSCAN_NDB_KEEP:-}" ] && cp -a "$R" "$KSCAN_NDB_KEEP"

# The oracle: the real rpm's list, five columns, and kscan's three-column form of it.
chroot_rpm -qa --qf '%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n' 2>/dev/null |
	LC_ALL=C sort >"$FX/oracle.tsv"
check "rpm -qa lists four packages (foo upgraded, gone erased)" \
	[ "$(cut -f1 "$FX/oracle.tsv" | tr '\n' ' ')" = "bigpkg foo keep klnagent64 " ]
check "foo is 2.0 after the upgrade" grep -q $'^foo\t0\t2.0\t1\t' "$FX/oracle.tsv"

# rpmndb_read + rpmhdr on the file, against the oracle (check_rpmndb reads these variables).
if [ -x "$CHECK_NDB" ]; then
	rc=0
	KSCAN_NDB_FIXTURE="$DB" KSCAN_NDB_ORACLE="$FX/oracle.tsv" CK_RUN_CASE=fixture \
		"$CHECK_NDB" >"$FX/check.log" 2>&1 || rc=$?
	check "rpmndb_read + rpmhdr equal rpm -qa" [ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || sed 's/^/#   /' "$FX/check.log" >&2
else
	not_ok "check_rpmndb not built (tests=enabled)"
fi

# kscan packages: the same list through rpmcfg (the macros file) and rpmdb.
awk -F'\t' '{ printf "%s\t%s%s-%s\t%s\n", $1, ($2 == 0 ? "" : $2 ":"), $3, $4, $5 }' \
	"$FX/oracle.tsv" >"$FX/want.tsv"
rc=0
"$KSCAN" packages --root "$R" >"$FX/pk.tsv" 2>"$FX/pk.err" || rc=$?
awk -F'\t' '$1 == "rpm"' "$FX/pk.tsv" | cut -f2-4 | LC_ALL=C sort >"$FX/got.tsv"
check "kscan packages exits 0" [ "$rc" -eq 0 ]
check "kscan packages equals rpm -qa" cmp -s "$FX/want.tsv" "$FX/got.tsv"
cmp -s "$FX/want.tsv" "$FX/got.tsv" || {
	printf '#   rpm:\n%s\n#   kscan:\n%s\n#   stderr: %s\n' "$(cat "$FX/want.tsv")" \
		"$(cat "$FX/got.tsv")" "$(head -c 600 "$FX/pk.err")" >&2
}
kscan_json "$FX/scan.json" --root "$R"
jcheck "scan: the ndb database read, four packages" "$FX/scan.json" \
	'(r["sources"]["rpm"]["status"], r["sources"]["rpm"]["location"],
	r["sources"]["rpm"]["counts"]["packages"]) == ("ok", "/usr/lib/sysimage/rpm", 4)'
jcheck "scan: klnagent64 found through its rpm" "$FX/scan.json" \
	'any(e["kind"] == "package" and e["manager"] == "rpm" and e["name"] == "klnagent64"
	for f in r["findings"] for e in f["evidence"])'
# Without the macros file rpm's order takes the stale sqlite database: the check above is
# really the macros' doing.
cp -a "$R" "$FX/nomacros"
rm "$FX/nomacros/usr/lib/rpm/macros.d/macros.db"
check "without the macros, the stale sqlite database is read instead" \
	[ "$("$KSCAN" packages --root "$FX/nomacros" 2>/dev/null | cut -f1,2)" = $'rpm\tgone' ]

# Damage: each copy must fail the rpm source (exit 2) with a message naming what broke.
# damaged NAME WANT-IN-ERROR PYTHON: PYTHON edits bytearray d (the file), then kscan reads it.
damaged() {
	local name=$1 want=$2 code=$3 D="$FX/bad-$1"
	cp -a "$R" "$D"
	python3 -c '
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
le = lambda o: struct.unpack_from("<I", d, o)[0]
slots = [o for o in range(32, 4096 * le(12), 16) if le(o + 8)]
'"$code"'
open(p, "wb").write(d)' "$D$DBPATH/Packages.db" || { not_ok "$name: edit"; return; }
	rc=0
	"$KSCAN" packages --root "$D" >/dev/null 2>"$FX/$name.err" || rc=$?
	check "$name: kscan packages exits 2" [ "$rc" -eq 2 ]
	check "$name: the error says '$want'" grep -qF -- "$want" "$FX/$name.err"
	grep -qF -- "$want" "$FX/$name.err" || sed 's/^/#   /' "$FX/$name.err" >&2
}
damaged truncated "past the end of the file" 'del d[len(d) - 4096:]'
damaged slot-past-end "past the end of the file" \
	'struct.pack_into("<I", d, slots[0] + 8, len(d) // 16 - 1)'
damaged pkgidx "the slot says" 'struct.pack_into("<I", d, slots[0] + 4, 999)'
damaged checksum "Adler-32" 'o = le(slots[-1] + 8) * 16 + 40; d[o] ^= 0xff'

fx_done
