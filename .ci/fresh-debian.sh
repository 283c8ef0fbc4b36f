#!/bin/bash
# .ci/fresh-debian.sh ROOT [SUITE [MESON-TEST-ARGS...]]: the README's two commands on a
# fresh Debian, as its reader would run them. Makes ROOT with `debootstrap --variant=minbase
# SUITE` (bookworm unless given; git and ca-certificates only), clones this repository's
# HEAD into ROOT/root/kscan, and runs, as root inside the chroot, `./packaging/quickstart.sh`
# and then `meson test -C build` (with MESON-TEST-ARGS: CI runs the unit and integration
# suites on Debian 11 and 13, the generations around the one kscan is made on).
# The test log is left at ROOT/root/kscan/build/meson-logs/testlog.json.
# Exit status: that of the first command that failed (quickstart or the test run).
set -u
cd "$(dirname "$0")/.."

ROOT=${1:?usage: .ci/fresh-debian.sh ROOT [SUITE [MESON-TEST-ARGS...]]}
SUITE=${2:-bookworm}
shift $(($# < 2 ? $# : 2))
TESTARGS="$*"
MIRROR=${KSCAN_CI_MIRROR:-http://deb.debian.org/debian}

unmount() {
	for m in sys dev proc; do
		umount -R "$ROOT/$m" 2>/dev/null || umount -lR "$ROOT/$m" 2>/dev/null || true
	done
}
trap unmount EXIT

if [ -e "$ROOT" ]; then
	unmount
	# never delete through a mount that is still there (the host's /dev, /sys)
	for m in proc dev sys; do
		if mountpoint -q "$ROOT/$m"; then
			echo "fresh-debian.sh: $ROOT/$m is still mounted; not removing $ROOT" >&2
			exit 1
		fi
	done
	rm -rf --one-file-system "$ROOT"
fi
echo "-- debootstrap --variant=minbase $SUITE $ROOT ($MIRROR)"
if ! debootstrap --variant=minbase --include=git,ca-certificates "$SUITE" "$ROOT" "$MIRROR" \
	>"$ROOT.debootstrap.log" 2>&1; then
	tail -20 "$ROOT.debootstrap.log"
	exit 1
fi
mount -t proc proc "$ROOT/proc"
mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev"
mount --rbind /sys "$ROOT/sys" && mount --make-rslave "$ROOT/sys"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# a real machine has one; curl before 7.78 (Debian 11) resolves localhost only through it
cp /etc/hosts "$ROOT/etc/hosts"
git clone -q "$PWD" "$ROOT/root/kscan" || exit 1
git -C "$ROOT/root/kscan" checkout -q "$(git rev-parse HEAD)" || exit 1

# the two commands, verbatim from the README, in a login-like environment
chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
	/bin/sh -c 'cd /root/kscan && ./packaging/quickstart.sh >/root/quickstart.log 2>&1 || {
		tail -40 /root/quickstart.log; exit 1; }
	echo "-- quickstart.sh: ok (its scan of the chroot: exit 0)"
	meson test -C build --print-errorlogs --num-processes 2 '"$TESTARGS"
