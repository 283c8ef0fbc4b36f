#!/bin/sh
# Install every build, test and benchmark dependency of kscan on Debian 12.
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
"

export DEBIAN_FRONTEND=noninteractive
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii'; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
