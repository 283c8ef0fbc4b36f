#!/bin/bash
# On this machine's real dpkg database, `kscan packages` lists exactly what dpkg-query does:
# same packages, versions, architectures and ${db:Status-Abbrev} (trailing space kept).
. "$KSCAN_SRC/tests/lib/fixtures.sh"

[ -e /var/lib/dpkg/status ] || skip_all "no dpkg database on this host"

rc=0
"$KSCAN" packages >"$FX/kscan.out" 2>"$FX/kscan.err" || rc=$?
check "kscan packages exits 0 (stderr: $(head -c 300 "$FX/kscan.err"))" [ "$rc" -eq 0 ]

qrc=0
dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n' \
	>"$FX/dpkg.raw" 2>"$FX/dpkg.err" || qrc=$?
check "dpkg-query exits 0" [ "$qrc" -eq 0 ]

# manager, name, version, arch, abbrev of kscan's dpkg lines against dpkg-query's four fields
awk -F'\t' -v OFS='\t' '$1 == "dpkg" { print $2, $3, $4, $5 }' "$FX/kscan.out" |
	LC_ALL=C sort >"$FX/kscan.list"
LC_ALL=C sort "$FX/dpkg.raw" >"$FX/dpkg.list"
n=$(wc -l <"$FX/dpkg.list")
if cmp -s "$FX/kscan.list" "$FX/dpkg.list"; then
	ok "kscan lists the same $n dpkg packages as dpkg-query"
else
	not_ok "kscan lists the same $n dpkg packages as dpkg-query"
	diff "$FX/dpkg.list" "$FX/kscan.list" | head -40 | sed 's/^/#   /' >&2
fi

# the state column agrees with the abbreviation's status letter
bad=$(awk -F'\t' '$1 == "dpkg" {
	s = substr($5, 2, 1)
	want = s == "i" ? "installed" : s == "c" ? "config-files" : "partial"
	if ($6 != want) print
}' "$FX/kscan.out" | head -5)
check "every dpkg line's state matches its abbreviation${bad:+ (not: $bad)}" [ -z "$bad" ]

fx_done
