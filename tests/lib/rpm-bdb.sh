#!/bin/bash
# rpm-bdb.sh OUT [SUBPACKAGES]: a root whose Berkeley DB rpm database (var/lib/rpm/Packages)
# was written by the real rpm 4.16 of a Debian 11 chroot (tests/lib/rpm-chroot.sh), made in
# OUT/root, with what that rpm lists in OUT/rpm-qa.tsv (name, epochnum, version, release,
# arch; sorted). The database has what real ones have:
#   big        600 files: a header larger than a page, stored in overflow pages
#   upg        installed at 1:1.0-1, then upgraded (rpm -U) to 2:1.1-2: the old header freed
#   gone       installed, then erased (rpm -e): its pages freed
#   kesl       Kaspersky's package name, vendor "AO Kaspersky Lab"
#   multi-N    SUBPACKAGES (default 120) small packages: bucket pages of many items. rpm's
#              table (fill factor 0) splits only when a bucket page is full: with 500 the
#              meta page has 3 buckets, the third on a page far from the first two (spares),
#              which takes 2 minutes to make here
# With OUT/swapped: OUT/swapped/root, the same database byte-swapped (bdb-swap.py) as a
# big-endian host would have written it, and OUT/swapped/rpm-qa.tsv, what rpm 4.16 lists
# from that copy (libdb reads either byte order, so the real tool checks the converter).
# Exit 77 (skip) when the chroot cannot be made (not root).
set -euo pipefail

out=${1:?usage: rpm-bdb.sh OUT [SUBPACKAGES]}
nsub=${2:-120}
here=$(cd "$(dirname "$0")" && pwd)
chroot_dir=$("$here/rpm-chroot.sh" bullseye) || exit $?

work=$(mktemp -d "$chroot_dir/tmp/kscan-bdb.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT
in=${work#"$chroot_dir"}

# spec NAME EPOCH VERSION RELEASE NFILES [VENDOR]: a noarch package of NFILES files.
spec() {
	cat >"$work/$1-$3.spec" <<EOF
Name: $1
${2:+Epoch: $2}
Version: $3
Release: $4
Summary: kscan Berkeley DB fixture
License: MIT
BuildArch: noarch
AutoReqProv: no
${6:+Vendor: $6}
%description
kscan Berkeley DB fixture $1
%install
mkdir -p %{buildroot}/opt/$1/bin
for i in \$(seq 1 $5); do echo \$i > %{buildroot}/opt/$1/bin/file-with-a-long-name-\$i; done
%files
/opt/$1
EOF
	echo "$in/$1-$3.spec"
}

# multi_spec FROM TO: one build (multichunk-FROM) of subpackages multi-FROM .. multi-TO.
multi_spec() {
	local i
	{
		printf 'Name: multichunk-%d\nVersion: 1\nRelease: 1\n' "$1"
		printf 'Summary: s\nLicense: MIT\n'
		printf 'BuildArch: noarch\nAutoReqProv: no\n%%description\nd\n'
		for i in $(seq "$1" "$2"); do
			printf '%%package -n multi-%d\nSummary: s\n' "$i"
			printf '%%description -n multi-%d\nd\n' "$i"
		done
		printf '%%install\nmkdir -p %%{buildroot}/opt/multi\n'
		printf 'for i in $(seq %d %d); do echo $i > %%{buildroot}/opt/multi/$i; done\n' \
			"$1" "$2"
		for i in $(seq "$1" "$2"); do
			printf '%%files -n multi-%d\n/opt/multi/%d\n' "$i" "$i"
		done
	} >"$work/multi-$1.spec"
	echo "$in/multi-$1.spec"
}

build() {
	chroot "$chroot_dir" rpmbuild --quiet --define "_topdir $in/top" \
		--define '_build_id_links none' -bb "$1" >"$work/build.log" 2>&1 || {
		tail -5 "$work/build.log" >&2
		return 1
	}
}

build "$(spec big '' 2.0 1 600)"
build "$(spec upg 1 1.0 1 3)"
build "$(spec upg 2 1.1 2 3)"
build "$(spec gone '' 0.1 1 2)"
build "$(spec kesl '' 11.4.0 1 2 'AO Kaspersky Lab')"
# rpmbuild slows down more than linearly with the subpackages of one spec: 100 at a time
for ((from = 1; from <= nsub; from += 100)); do
	build "$(multi_spec "$from" $((from + 99 < nsub ? from + 99 : nsub)))"
done

rpms=$in/top/RPMS/noarch
rpm_in() {
	# the chroot's rpm on the root $1 (a path inside the chroot)
	local root=$1
	shift
	chroot "$chroot_dir" rpm --root "$root" --dbpath /var/lib/rpm "$@" 2>>"$work/rpm.log"
}
qa() {
	rpm_in "$1" -qa --qf '%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n' |
		LC_ALL=C sort
}
mkdir -p "$work/root/var/lib/rpm"
rpm_in "$in/root" --initdb
rpm_in "$in/root" -i --nodeps "$rpms/big-2.0-1.noarch.rpm" "$rpms/upg-1.0-1.noarch.rpm" \
	"$rpms/gone-0.1-1.noarch.rpm" "$rpms/kesl-11.4.0-1.noarch.rpm"
if [ "$nsub" -gt 0 ]; then
	rpm_in "$in/root" -i --nodeps "$rpms"/multi-*.noarch.rpm
fi
rpm_in "$in/root" -U --nodeps "$rpms/upg-1.1-2.noarch.rpm"
rpm_in "$in/root" -e --nodeps gone
qa "$in/root" >"$work/rpm-qa.tsv"

# The byte-swapped copy, checked by the real rpm: only the database, the rest of the root
# is not needed to list it.
mkdir -p "$work/swapped/root/var/lib/rpm" "$work/swapped-rpm/var/lib/rpm"
python3 "$here/bdb-swap.py" "$work/root/var/lib/rpm/Packages" \
	"$work/swapped/root/var/lib/rpm/Packages"
# rpm gets a copy, so what kscan reads is the converter's output untouched
cp "$work/swapped/root/var/lib/rpm/Packages" "$work/swapped-rpm/var/lib/rpm/"
qa "$in/swapped-rpm" >"$work/swapped/rpm-qa.tsv"

mkdir -p "$out"
rm -rf "$out/root" "$out/swapped"
# rpm's lock files and the index databases are not needed: kscan reads Packages only
rm -f "$work/root/var/lib/rpm/.dbenv.lock" "$work/root/var/lib/rpm/.rpm.lock"
cp -a "$work/root" "$work/rpm-qa.tsv" "$work/swapped" "$out/"
