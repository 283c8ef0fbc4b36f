#!/bin/sh
# Builds the kscan .rpm from this source tree with rpmbuild -bb packaging/rpm/kscan.spec:
# makes the source tarball (tracked and new files, no build directories) in a scratch
# _topdir and moves the binary rpm into OUTDIR (default: the current directory). On
# Debian, pass --nodeps (the spec's BuildRequires name Fedora/RHEL packages).
# The package carries the static binary (docs/packaging.md): KSCAN_STATIC_BIN names one
# already built, else packaging/build-static.sh makes it, its libraries cached in
# KSCAN_STATIC_CACHE (default ~/.cache/kscan-static). KSCAN_RPM_DYNAMIC=1 builds the
# dynamic binary instead, for a distribution's own build of the spec.
# Usage: packaging/build-rpm.sh [OUTDIR] [RPMBUILD-OPTION]...
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-.}" && cd "${1:-.}" && pwd)
[ $# -gt 0 ] && shift
version=$(sed -n 's/^Version: *//p' "$src/packaging/rpm/kscan.spec")
top=$(mktemp -d "${TMPDIR:-/tmp}/kscan-rpm.XXXXXX")
trap 'rm -rf "$top"' EXIT

mkdir -p "$top/SOURCES" "$top/stage/kscan-$version"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		(cd "$src" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
		(cd "$src" && tar --null -T - -cf -) | tar -C "$top/stage/kscan-$version" -xf -
else
	tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . |
		tar -C "$top/stage/kscan-$version" -xf -
fi
tar -C "$top/stage" -czf "$top/SOURCES/kscan-$version.tar.gz" "kscan-$version"

static=0
if [ "${KSCAN_RPM_DYNAMIC:-0}" != 1 ]; then
	bin=${KSCAN_STATIC_BIN:-}
	if [ -z "$bin" ]; then
		KSCAN_STATIC_CACHE=${KSCAN_STATIC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kscan-static} \
			"$src/packaging/build-static.sh" "$top/static"
		bin=$top/static/kscan
	fi
	cp "$bin" "$top/SOURCES/kscan"
	static=1
fi

rpmbuild -bb --define "_topdir $top" --define "kscan_static $static" "$@" \
	"$src/packaging/rpm/kscan.spec"
find "$top/RPMS" -name 'kscan-*.rpm' -exec mv {} "$out/" \;
ls "$out"/kscan-*.rpm
