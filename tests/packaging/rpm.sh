#!/bin/bash
# The .rpm: packaging/build-rpm.sh (rpmbuild -bb packaging/rpm/kscan.spec, --nodeps on
# Debian) builds it, without librpm; its files, modes and scriptlets; it carries the
# static binary (packaging/build-static.sh: KSCAN_STATIC_BIN, or built with its libraries
# cached in KSCAN_STATIC_CACHE) and requires no library; installed into a scratch rpm root,
# its kscan runs and kscan finds the package there. The static binary's libraries take
# long to build the first time: without KSCAN_STATIC_BIN, KSCAN_STATIC=1 or their cache,
# the package is built with the dynamic binary and the static checks are skipped.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v rpmbuild >/dev/null || skip_all "rpmbuild not installed"
nodeps=--nodeps
[ -e /etc/redhat-release ] && nodeps=""
export KSCAN_STATIC_CACHE=${KSCAN_STATIC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kscan-static}
static=1
if [ -z "${KSCAN_STATIC_BIN:-}" ] && [ "${KSCAN_STATIC:-0}" != 1 ] &&
	[ ! -d "$KSCAN_STATIC_CACHE/prefix" ]; then
	static=0
	export KSCAN_RPM_DYNAMIC=1
fi
# shellcheck disable=SC2086
"$KSCAN_SRC/packaging/build-rpm.sh" "$FX/out" $nodeps >"$FX/build.log" 2>&1
rc=$?
check "build-rpm.sh: exit 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tail -30 "$FX/build.log" | sed 's/^/#   /'
pkg=$(ls "$FX"/out/kscan-*.rpm 2>/dev/null | head -1)
check "an .rpm was built" [ -n "$pkg" ]
[ -n "$pkg" ] || { fx_done; exit 1; }

rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILENAMES}\n]' "$pkg" >"$FX/files" 2>/dev/null
has() {
	# has MODE PATH: the package ships PATH with MODE, owned by root
	check "ships $2 ($1)" grep -qx -- "$1 root $2" "$FX/files"
}
has -rwxr-xr-x /usr/bin/kscan
has drwx------ /var/spool/kscan
has drwxr-xr-x /etc/kscan/keys
has -rw-r--r-- /etc/kscan/kscan.yaml
has -rw-r--r-- /etc/cron.d/kscan
has -rw-r--r-- /usr/lib/systemd/system/kscan.service
has -rw-r--r-- /usr/lib/systemd/system/kscan.timer
has -rw-r--r-- /usr/share/man/man1/kscan.1
has -rw-r--r-- /usr/share/man/man5/kscan.yaml.5
has -rw-r--r-- /usr/share/man/man5/kscan-signatures.5
has -rw-r--r-- /usr/share/bash-completion/completions/kscan
has -rw-r--r-- /usr/share/doc/kscan/signatures.md
# everything the shipped README links, and the report's schema
has -rw-r--r-- /usr/share/doc/kscan/configuration.md
has -rw-r--r-- /usr/share/doc/kscan/performance.md
has -rw-r--r-- /usr/share/doc/kscan/report.schema.json
has -rw-r--r-- /usr/share/licenses/kscan/LICENSE
rpm -qp --licensefiles "$pkg" >"$FX/licenses" 2>/dev/null
check "LICENSE is the package's %license" grep -qx /usr/share/licenses/kscan/LICENSE "$FX/licenses"
rpm -qp --configfiles "$pkg" >"$FX/conf" 2>/dev/null
check "cron file is %config" grep -qx /etc/cron.d/kscan "$FX/conf"
check "kscan.yaml is %config" grep -qx /etc/kscan/kscan.yaml "$FX/conf"
rpm -qp --scripts "$pkg" >"$FX/scripts" 2>/dev/null
check "erase leaves the spool's reports (no rm in a scriptlet)" \
	bash -c '! grep -q "rm -rf" "$1"' _ "$FX/scripts"
rpm -qp --requires "$pkg" >"$FX/requires" 2>/dev/null
check "requires crontabs (it ships /etc/cron.d/kscan)" grep -qx crontabs "$FX/requires"
# rpm -qpR: nothing beyond crontabs, rpmlib's features, its own config() and a scriptlet
# shell or systemd (Fedora's macros): no soname, so it installs on any rpm-based host
grep -Evx 'crontabs|rpmlib\(.*|config\(kscan\) = .*|/bin/sh|systemd.*' "$FX/requires" \
	>"$FX/requires.other"
if [ "$static" = 1 ]; then
	check "rpm -qpR: no library or other requirement" [ ! -s "$FX/requires.other" ]
else
	ok "rpm -qpR: no library # SKIP dynamic build (KSCAN_STATIC=1 for the static one)"
fi
sed 's/^/#   requires: /' "$FX/requires"
check "the binary is stripped" bash -c "rpm2cpio '$pkg' | (cd '$FX' && cpio -idm --quiet ./usr/bin/kscan) &&
	file '$FX/usr/bin/kscan' | grep -q ', stripped'"
if command -v rpmlint >/dev/null; then
	rpmlint "$pkg" >"$FX/rpmlint" 2>&1
	awk '$1 ~ /^kscan/ && ($2 == "E:" || $2 == "W:") {print $3}' "$FX/rpmlint" | sort -u >"$FX/tags"
	{
		printf '%s\n' bad-manual-page-folder invalid-license manpage-not-compressed \
			no-group-tag no-manual-page-for-binary no-packager-tag no-signature \
			non-standard-dir-perm
		# the static binary: deliberate (docs/packaging.md)
		[ "$static" = 0 ] || printf '%s\n' only-non-binary-in-usr-lib \
			position-independent-executable-suggested statically-linked-binary
	} | sort >"$FX/known"
	check "rpmlint: only the tags docs/packaging.md explains" cmp -s "$FX/tags" "$FX/known"
	diff "$FX/known" "$FX/tags" | sed 's/^/#   /'
	grep -E ': (E|W): ' "$FX/rpmlint" | sed 's/^/#   /'
else
	not_ok "rpmlint not installed (packaging/setup-debian.sh)"
fi
# installed into a scratch root (no scripts: this may be Debian); the machine is untouched
mkdir -p "$FX/rr"
rpm --root "$FX/rr" --dbpath /var/lib/rpm --initdb
rpm --root "$FX/rr" --dbpath /var/lib/rpm -i --nodeps --noscripts "$pkg" 2>"$FX/i.err"
check "rpm -i into a scratch root: exit 0" [ $? -eq 0 ]
check "installed spool 0700" [ "$(stat -c %a "$FX/rr/var/spool/kscan")" = 700 ]
check "the unit runs the installed binary" \
	grep -q '^ExecStart=/usr/bin/kscan scan ' "$FX/rr/usr/lib/systemd/system/kscan.service"
# the rpm database is read natively (issue 15): librpm must not come back as a dependency
if [ "$static" = 1 ]; then
	check "kscan in the rpm is the static binary" \
		bash -c "file '$FX/rr/usr/bin/kscan' | grep -q 'statically linked'"
	check "kscan in the rpm has no program interpreter" \
		bash -c "! readelf -lW '$FX/rr/usr/bin/kscan' | grep -q INTERP"
else
	check "kscan in the rpm does not link librpm" \
		bash -c "! ldd '$FX/rr/usr/bin/kscan' | grep -q librpm"
fi
check "kscan in the rpm runs" bash -c "'$FX/rr/usr/bin/kscan' --version | grep -qx 'kscan [0-9.]*'"
"$KSCAN" packages --root "$FX/rr" >"$FX/pkgs"
check "kscan reads its own rpm from that root" grep -q "^rpm	kscan	0.1.0-1	x86_64" "$FX/pkgs"
sed 's/^/#   /' "$FX/pkgs"
fx_done
