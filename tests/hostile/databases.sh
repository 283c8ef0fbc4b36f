#!/bin/bash
# Corrupted package databases: the source must be "failed" with a reason and the verdict
# "incomplete" (exit 2), never "clean", in bounded time and memory.
. "$KSCAN_SRC/tests/lib/fixtures.sh"
cd "$FX"

# incomplete NAME WHAT: scans root NAME and checks source WHAT failed.
incomplete() {
	local name=$1 what=$2 rc=0 rss
	/usr/bin/time -f '%M' -o "$name.rss" timeout 60 "$KSCAN" scan --format json \
		--root "$FX/$name" >"$name.json" 2>"$name.err" || rc=$?
	rss=$(tail -1 "$name.rss" | tr -dc 0-9)
	check "$name: exit 2 incomplete (got $rc)" [ "$rc" -eq 2 ]
	jcheck "$name: $what failed with a reason, verdict incomplete" "$name.json" \
		"r['sources']['$what']['status'] == 'failed' and len(r['sources']['$what']['error']) > 10 and r['verdict'] == 'incomplete'"
	check "$name: peak memory ${rss} KiB under 64 MiB" [ "${rss:-999999}" -lt 65536 ]
}

dpkg_root() {
	mkdir -p "$FX/$1/var/lib/dpkg/updates"
	echo "$FX/$1/var/lib/dpkg/status"
}

head -c 200000 /dev/urandom >"$(dpkg_root garbage)"
incomplete garbage dpkg

# a 100 MB single line (the line cap is 1 MiB: read stops there)
{ printf 'Package: kesl\nDescription: '; head -c 100000000 /dev/zero | tr '\0' 'x'; echo; } \
	>"$(dpkg_root longline)"
incomplete longline dpkg

printf 'Package: a\nStatus: install ok installed\nVersion: 1\nPackage: b\nStatus: install ok installed\nVersion: 1\n' \
	>"$(dpkg_root noblank)"
incomplete noblank dpkg

printf 'Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\nPackage: a\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n' \
	>"$(dpkg_root duplicate)"
incomplete duplicate dpkg

s=$(dpkg_root badjournal)
: >"$s"
printf 'Package: kesl\nStatus: install ok bogus\nVersion: 1\n' >"${s%/status}/updates/0000"
incomplete badjournal dpkg

if command -v rpmbuild >/dev/null && command -v rpm >/dev/null; then
	for how in garbage truncated empty; do
		R="$FX/rpm-$how"
		rpmf=$(fx_rpm kfx 1.0 1 /opt/kfx/file) && fx_rpm_install "$R" /var/lib/rpm "$rpmf"
		case $how in
		garbage) head -c 100000 /dev/urandom >"$R/var/lib/rpm/rpmdb.sqlite" ;;
		truncated) truncate -s 40000 "$R/var/lib/rpm/rpmdb.sqlite" ;;
		empty) : >"$R/var/lib/rpm/rpmdb.sqlite" ;;
		esac
		rm -f "$R/var/lib/rpm/rpmdb.sqlite-wal" "$R/var/lib/rpm/rpmdb.sqlite-shm"
		incomplete "rpm-$how" rpm
	done
fi

fx_done
