# Shared helpers for the integration tests: fixture roots built with the real dpkg and rpm
# tools, and small assertions over kscan's JSON report. Source it from a test script:
#   . "$KSCAN_SRC/tests/lib/fixtures.sh"
# Every test gets its own scratch directory ($FX), removed on exit.

set -u

: "${KSCAN:?run through meson test (KSCAN is the binary)}"
: "${KSCAN_SRC:?run through meson test}"

# The memory-check CI job (KSCAN_VALGRIND=1) runs every kscan of these tests under valgrind.
if [ "${KSCAN_VALGRIND:-0}" = 1 ]; then
	export KSCAN_REAL="$KSCAN"
	KSCAN="$KSCAN_SRC/tests/lib/valgrind-kscan"
fi

FX=$(mktemp -d "${TMPDIR:-/tmp}/kscan-test.XXXXXX")
trap 'rm -rf "$FX"' EXIT
fx_failed=0
fx_count=0

# ok COND-DESCRIPTION: record a passed check; not_ok: a failed one (the script goes on,
# and exits non-zero at the end through fx_done).
ok() {
	fx_count=$((fx_count + 1))
	echo "ok $fx_count - $*"
}
not_ok() {
	fx_count=$((fx_count + 1))
	fx_failed=$((fx_failed + 1))
	echo "not ok $fx_count - $*"
}
check() {
	# check DESCRIPTION COMMAND...: ok if the command succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
fx_done() {
	echo "1..$fx_count"
	[ "$fx_failed" -eq 0 ]
}
skip_all() {
	echo "1..0 # SKIP $*"
	exit 77
}

# fx_root NAME: an empty root with an empty dpkg database; prints its path.
fx_root() {
	local r="$FX/$1"
	mkdir -p "$r/var/lib/dpkg/updates" "$r/var/lib/dpkg/info"
	: >"$r/var/lib/dpkg/status"
	echo "$r"
}

# fx_deb NAME VERSION [ARCH] [FILE[=CONTENT]]...: builds NAME_VERSION_ARCH.deb with the
# given files (absolute paths inside the package). Files under /etc become conffiles.
# Set FX_DEB_POSTINST to a shell script body to add a postinst, FX_DEB_MAINTAINER and
# FX_DEB_DESCRIPTION to replace the control file's Maintainer and Description, FX_PAD_BYTES
# to add /usr/share/NAME/pad.bin of that many random bytes (a kit of a real size: the deep
# sweep opens no file under KS_KIT_SIZE_MIN). Prints the .deb path.
fx_deb() {
	local name=$1 version=$2 arch=${3:-amd64}
	shift 3 || shift $#
	local stage="$FX/stage-$name-$version-$arch"
	rm -rf "$stage"
	mkdir -p "$stage/DEBIAN"
	local f content
	for f in "$@"; do
		content=${f#*=}
		[ "$content" = "$f" ] && content="fixture $name"
		f=${f%%=*}
		mkdir -p "$stage$(dirname "$f")"
		printf '%s\n' "$content" >"$stage$f"
		case $f in /etc/*) echo "$f" >>"$stage/DEBIAN/conffiles" ;; esac
	done
	if [ -n "${FX_PAD_BYTES:-}" ]; then
		mkdir -p "$stage/usr/share/$name"
		head -c "$FX_PAD_BYTES" /dev/urandom >"$stage/usr/share/$name/pad.bin"
	fi
	cat >"$stage/DEBIAN/control" <<EOF
Package: $name
Version: $version
Architecture: $arch
Maintainer: ${FX_DEB_MAINTAINER:-kscan tests <tests@kscan.invalid>}
Description: ${FX_DEB_DESCRIPTION:-kscan test fixture $name}
EOF
	if [ -n "${FX_DEB_POSTINST:-}" ]; then
		printf '#!/bin/sh\n%s\n' "$FX_DEB_POSTINST" >"$stage/DEBIAN/postinst"
		chmod 755 "$stage/DEBIAN/postinst"
	fi
	local deb="$FX/${name}_${version}_${arch}.deb"
	dpkg-deb --root-owner-group -Zgzip -b "$stage" "$deb" >/dev/null || return 1
	echo "$deb"
}

# fx_dpkg ROOT ARGS...: the real dpkg, acting on ROOT (scripts run without chroot, since
# fixture roots have no shell).
fx_dpkg() {
	local root=$1
	shift
	dpkg --root="$root" --force-not-root --force-script-chrootless \
		--force-unsafe-io --no-triggers "$@" >/dev/null 2>&1
}

# fx_rpm NAME VERSION RELEASE [FILE[=CONTENT]]...: builds a noarch rpm with rpmbuild;
# prints its path. FX_PAD_BYTES pads it as fx_deb does.
fx_rpm() {
	local name=$1 version=$2 release=$3
	shift 3
	local top="$FX/rpmbuild-$name-$version"
	mkdir -p "$top/SPECS"
	local spec="$top/SPECS/$name.spec" f content install="" files=""
	for f in "$@"; do
		content=${f#*=}
		[ "$content" = "$f" ] && content="fixture $name"
		f=${f%%=*}
		install="$install
mkdir -p %{buildroot}$(dirname "$f")
printf '%s\\n' '$content' > %{buildroot}$f"
		files="$files
$f"
	done
	if [ -n "${FX_PAD_BYTES:-}" ]; then
		install="$install
mkdir -p %{buildroot}/usr/share/$name
head -c $FX_PAD_BYTES /dev/urandom > %{buildroot}/usr/share/$name/pad.bin"
		files="$files
/usr/share/$name/pad.bin"
	fi
	cat >"$spec" <<EOF
Name: $name
Version: $version
Release: $release
Summary: kscan test fixture
License: MIT
BuildArch: noarch
AutoReqProv: no
%description
kscan test fixture $name
%install
$install
%files
$files
EOF
	rpmbuild --quiet --define "_topdir $top" --define '_build_id_links none' \
		-bb "$spec" >/dev/null 2>&1 || return 1
	ls "$top"/RPMS/noarch/*.rpm
}

# fx_rpm_install ROOT DBPATH RPM...: installs into ROOT with the database at DBPATH.
fx_rpm_install() {
	local root=$1 dbpath=$2
	shift 2
	mkdir -p "$root$dbpath"
	rpm --root "$root" --dbpath "$dbpath" --initdb >/dev/null 2>&1 || return 1
	rpm --root "$root" --dbpath "$dbpath" -i --nodeps --ignorearch "$@" >/dev/null 2>&1
}

# fx_rhel_agent NAME: a RHEL 9.4 root (os-release) with klnagent64 15.1.0-20748 installed
# by the real rpm into /var/lib/rpm, checked as a fixture; prints the root. The formats'
# tests use it for their rpm case.
fx_rhel_agent() {
	local root rpm
	root=$(fx_root "$1")
	mkdir -p "$root/etc"
	printf 'ID="rhel"\nVERSION_ID="9.4"\n' >"$root/etc/os-release"
	rpm=$(fx_rpm klnagent64 15.1.0 20748 /opt/kaspersky/klnagent64/sbin/klnagent) &&
		fx_rpm_install "$root" /var/lib/rpm "$rpm" || return 1
	echo "$root"
}

# kscan_json OUT ARGS...: runs kscan with --format json, report in OUT, exit code in $rc.
kscan_json() {
	local out=$1
	shift
	rc=0
	"$KSCAN" scan --format json "$@" >"$out" 2>"$out.err" || rc=$?
}

# jq-like queries over a report, with python3 (always there: meson needs it).
# jget FILE EXPR: prints the Python expression EXPR evaluated with r = the parsed report.
jget() {
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# jcheck DESCRIPTION FILE EXPR: ok if the Python expression is true.
jcheck() {
	local what=$1 file=$2 expr=$3
	if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$file" "$expr"; then
		ok "$what"
	else
		not_ok "$what"
		echo "#   expression: $expr" >&2
		echo "#   report: $(head -c 4000 "$file")" >&2
	fi
}
# Python helpers usable inside jcheck expressions are plain comprehensions, e.g.
#   'any(f["signature"]=="kaspersky.kesl" and f["state"]=="installed" for f in r["findings"])'

# The machine may be busy: one python per report, not one per expectation. expect DESC
# EXPR queues a jcheck-style expectation; judge FILE evaluates the queue against FILE.
# Expressions may use ev(ID), the evidence of signature ID, ev_all(), all evidence, and
# sigs(), the signatures found, sorted.
fx_queue=()
expect() { fx_queue+=("$1"$'\t'"$(tr '\n\t' '  ' <<<"$2")"); }
judge() {
	while IFS=$'\t' read -r verdict what; do
		if [ "$verdict" = 1 ]; then ok "$what"; else not_ok "$what"; fi
	done < <(printf '%s\n' "${fx_queue[@]}" | python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
def ev(sig):
    return [e for f in r["findings"] if f["signature"] == sig for e in f["evidence"]]
def ev_all():
    return [e for f in r["findings"] for e in f["evidence"]]
def sigs():
    return sorted(f["signature"] for f in r["findings"])
for line in sys.stdin:
    what, expr = line.rstrip("\n").split("\t", 1)
    try:
        good = bool(eval(expr))
    except Exception as e:
        good = False
        what += " (%s)" % e
    print("%d\t%s" % (good, what))
    if not good:
        print("#   expression: " + expr, file=sys.stderr)
        print("#   findings: %s" % [(f["signature"], f["state"]) for f in r["findings"]],
            file=sys.stderr)
' "$1")
	fx_queue=()
}
