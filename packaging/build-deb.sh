#!/bin/sh
# Builds the kscan .deb from this source tree: copies the tree (tracked and new files, no
# build directories) to a scratch directory, puts packaging/debian at its root, runs
# dpkg-buildpackage -us -uc -b there and moves the .deb into OUTDIR (default: the current
# directory). The source tree itself is never written to.
# Usage: packaging/build-deb.sh [OUTDIR]
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-.}" && cd "${1:-.}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kscan-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir "$work/kscan"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		(cd "$src" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
		(cd "$src" && tar --null -T - -cf -) | tar -C "$work/kscan" -xf -
else
	tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$work/kscan" -xf -
fi
rm -rf "$work/kscan/debian"
cp -r "$src/packaging/debian" "$work/kscan/debian"

(cd "$work/kscan" && dpkg-buildpackage -us -uc -b)
mv "$work"/kscan_*.deb "$out/"
ls "$out"/kscan_*.deb
