#!/bin/sh
# The README's first command: install what kscan needs (Debian 12, as root), build it in
# ./build, and scan this host. Arguments are passed to kscan (e.g. --format json).
# Safe to run again: an existing build directory is reused.
set -eu
cd "$(dirname "$0")/.."

./packaging/setup-debian.sh
if [ -f build/build.ninja ]; then
	meson setup --reconfigure build
else
	meson setup build
fi
meson compile -C build
exec ./build/kscan scan "$@"
