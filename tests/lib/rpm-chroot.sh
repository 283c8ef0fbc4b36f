#!/bin/sh
# rpm-chroot.sh SUITE: prints the path of a Debian SUITE chroot (debootstrap minbase) that
# holds that release's rpm, making it once. The rpm database tests write their fixtures with
# the real rpm of another Debian release: bullseye's rpm 4.16 writes Berkeley DB, trixie's
# 4.20 writes ndb and sqlite; bookworm's own rpm runs on the host.
# Cache: $KSCAN_CHROOTS, else $MESON_BUILD_ROOT/chroots, else /var/tmp/kscan-chroots.
# Needs root (debootstrap, chroot) and Debian's archive ($KSCAN_MIRROR overrides it).
# Exit 77 (meson's skip) when not root: the fixtures cannot be written without chroot(2).
set -eu

suite=${1:?usage: rpm-chroot.sh SUITE}
case $suite in
bullseye | bookworm | trixie | sid) ;;
*)
	echo "rpm-chroot.sh: unknown suite '$suite'" >&2
	exit 2
	;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "rpm-chroot.sh: needs root for debootstrap and chroot" >&2
	exit 77
fi

cache=${KSCAN_CHROOTS:-${MESON_BUILD_ROOT:+$MESON_BUILD_ROOT/chroots}}
cache=${cache:-/var/tmp/kscan-chroots}
mirror=${KSCAN_MIRROR:-http://deb.debian.org/debian}
root=$cache/$suite
mkdir -p "$cache"

# Two tests may want the same chroot at once: the first makes it, the other waits.
exec 9>"$cache/$suite.lock"
flock 9
if [ ! -x "$root/usr/bin/rpm" ] || [ ! -e "$root/.kscan-ready" ]; then
	rm -rf --one-file-system "$root"
	if ! debootstrap --variant=minbase --include=rpm "$suite" "$root" "$mirror" \
		>"$root.log" 2>&1; then
		echo "rpm-chroot.sh: debootstrap $suite failed; last lines of $root.log:" >&2
		tail -5 "$root.log" >&2
		exit 1
	fi
	: >"$root/.kscan-ready"
fi
printf '%s\n' "$root"
