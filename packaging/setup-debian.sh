#!/bin/sh
# Install every build, test and benchmark dependency of kscan on Debian 12 (and what of
# them Debian 11 and 13 have).
# Used by README.md, .ci/run and developers alike: one list, one place.
set -eu

if [ "$(id -u)" -ne 0 ]; then
	echo "setup-debian.sh: run as root (it calls apt-get)" >&2
	exit 1
fi

PKGS="
	build-essential meson ninja-build pkg-config
	libyaml-dev libssl-dev libcurl4-openssl-dev libsqlite3-dev zlib1g-dev libarchive-dev makeself
	check
	dpkg-dev rpm gpg gpg-agent
	openssl python3 ca-certificates
	bfs hyperfine
	clang libclang-rt-14-dev valgrind time
	clamav python3-jsonschema python3-yaml
	debhelper lintian rpmlint fakeroot mandoc groff-base bash-completion systemd
	file cpio debootstrap
	ansible-core python3-apt
	musl-tools autoconf automake libtool tcl
"

export DEBIAN_FRONTEND=noninteractive
# packaging/build-static.sh builds its libraries from Debian's source packages (apt-get
# source): the archive's deb-src index, this release's own (its point releases carry the
# security fixes too), added once in its own file so the machine's sources stay as they are.
SRC_LIST=/etc/apt/sources.list.d/kscan-deb-src.sources
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
need_update=false
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ &&
	! grep -qs '^deb-src ' /etc/apt/sources.list; then
	cat >"$SRC_LIST" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	need_update=true
fi
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii'; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ] || $need_update; then
	apt-get update -q
fi
if [ -n "$missing" ]; then
	# Debian 12 has every one. Another release (11, 13: CI builds there too) may lack a
	# tool; the build needs none of those, and the tests that use one skip without it.
	avail=""
	for p in $missing; do
		if apt-cache show --no-all-versions "$p" >/dev/null 2>&1; then
			avail="$avail $p"
		else
			echo "setup-debian.sh: $p is not in this release's archive: not installed" >&2
		fi
	done
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $avail
fi
