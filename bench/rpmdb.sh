#!/bin/bash
# A large rpm database read by kscan against rpm itself, in the same run (docs/performance.md).
#
#   bench/rpmdb.sh [KSCAN] [PACKAGES] [RUNS]
#
# Builds PACKAGES (default 3000) tiny noarch packages with the real rpmbuild, as the
# subpackages of a few specs built two at a time (no payload compression: the database is
# what is measured, not rpmbuild), installs them all with the real rpm (--justdb) into the
# sqlite database of a scratch root, and times `kscan packages --root R` against
# `rpm -qa --root R`, both listing every package. Prints the medians and their ratio
# (kscan / rpm). KSCAN_BENCH_ROOT=DIR keeps the root there and reuses it when it exists.
set -eu
KSCAN=$(realpath "${1:-build/kscan}")
N=${2:-3000}
RUNS=${3:-20}
for t in hyperfine rpm rpmbuild; do
	command -v "$t" >/dev/null || { echo "bench: $t missing (packaging/setup-debian.sh)" >&2; exit 1; }
done
[ -x "$KSCAN" ] || { echo "bench: $KSCAN is not built" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
R=${KSCAN_BENCH_ROOT:-$tmp/root}
DB=/var/lib/rpm
CHUNK=250

# spec K: subpackages bench-K-1..bench-K-CHUNK (at most N in all), one small file each
spec() {
	local k=$1 n=$2 i
	printf 'Name: bench%d\nVersion: 1.0\nRelease: 1\nSummary: bench\nLicense: MIT\n' "$k"
	printf 'BuildArch: noarch\nAutoReqProv: no\n%%description\nbench\n%%install\n'
	printf 'mkdir -p %%{buildroot}/opt/bench%d\n' "$k"
	printf 'for i in $(seq %d); do echo $i > %%{buildroot}/opt/bench%d/f$i; done\n' "$n" "$k"
	for i in $(seq "$n"); do
		printf '%%package -n bench-%d-%d\nSummary: bench package %d of spec %d\n' \
			"$k" "$i" "$i" "$k"
		printf '%%description -n bench-%d-%d\nbench\n%%files -n bench-%d-%d\n' \
			"$k" "$i" "$k" "$i"
		printf '/opt/bench%d/f%d\n' "$k" "$i"
	done
}

build() {
	local k=$1 n=$2
	spec "$k" "$n" >"$tmp/bench$k.spec"
	rpmbuild --quiet --define "_topdir $tmp/top$k" --define '_build_id_links none' \
		--define '_binary_payload w0.ufdio' -bb "$tmp/bench$k.spec" >"$tmp/build$k.log" 2>&1
}

if [ ! -e "$R$DB/rpmdb.sqlite" ]; then
	start=$(date +%s)
	k=0
	left=$N
	while [ "$left" -gt 0 ]; do
		n=$((left < CHUNK ? left : CHUNK))
		build "$k" "$n" &
		k=$((k + 1))
		left=$((left - n))
		# two builds at a time
		[ $((k % 2)) -eq 0 ] && wait
	done
	wait
	mkdir -p "$R$DB"
	rpm --root "$R" --dbpath "$DB" --initdb 2>/dev/null
	find "$tmp" -name 'bench-*.rpm' >"$tmp/rpms"
	# shellcheck disable=SC2046
	rpm --root "$R" --dbpath "$DB" -i --justdb --nodeps --noscripts $(cat "$tmp/rpms") \
		2>"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }
	echo "generated $(wc -l <"$tmp/rpms") packages in $(($(date +%s) - start)) s"
fi

nk=$("$KSCAN" packages --root "$R" | awk -F'\t' '$1 == "rpm"' | wc -l)
nr=$(rpm --root "$R" --dbpath "$DB" -qa | wc -l)
echo "packages: kscan lists $nk, rpm -qa lists $nr; rpmdb.sqlite $(du -h "$R$DB/rpmdb.sqlite" | cut -f1)"
[ "$nk" -eq "$nr" ] || { echo "bench: kscan and rpm disagree" >&2; exit 1; }

hyperfine --style basic --warmup 3 --runs "$RUNS" --shell=none --export-json "$tmp/r.json" \
	--command-name kscan "$KSCAN packages --root $R" \
	--command-name rpm "rpm -qa --root $R --dbpath $DB" >"$tmp/out" 2>&1 ||
	{ cat "$tmp/out"; exit 1; }

python3 - "$tmp/r.json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
k, r = res["kscan"], res["rpm"]
for name, x in (("kscan packages", k), ("rpm -qa", r)):
    print("%-15s median %8.2f ms  (min %.2f, max %.2f, %d runs)" % (
        name, x["median"] * 1e3, x["min"] * 1e3, x["max"] * 1e3, len(x["times"])))
print("ratio kscan/rpm (medians): %.2f" % (k["median"] / r["median"]))
PY
