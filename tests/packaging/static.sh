#!/bin/bash
# The static binary (packaging/build-static.sh) on hosts that are not the one it was built
# on: it is static, runs, passes a representative set of integration tests inside a Debian
# 11 (bullseye) chroot, and scans and delivers over HTTPS from an empty root that holds
# only the binary, a CA file and the fixture it scans.
# Which binary: KSCAN_STATIC_BIN (one already built); else with KSCAN_STATIC=1 the test
# builds it into KSCAN_STATIC_OUT (default $KSCAN_BUILD/static), its libraries cached in
# KSCAN_STATIC_CACHE (default ~/.cache/kscan-static: the first build takes minutes, the
# next ones seconds); else it skips. Needs root (chroot, mount namespaces).
. "$KSCAN_SRC/tests/lib/fixtures.sh"
. "$KSCAN_SRC/tests/lib/collector.sh"

bin=${KSCAN_STATIC_BIN:-}
if [ -z "$bin" ]; then
	[ "${KSCAN_STATIC:-0}" = 1 ] || skip_all "set KSCAN_STATIC=1 or KSCAN_STATIC_BIN=PATH"
	out=${KSCAN_STATIC_OUT:-${KSCAN_BUILD:-$FX}/static}
	export KSCAN_STATIC_CACHE=${KSCAN_STATIC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kscan-static}
	if ! "$KSCAN_SRC/packaging/build-static.sh" "$out" >"$FX/build.log" 2>&1; then
		not_ok "build-static.sh: exit 0"
		tail -30 "$FX/build.log" | sed 's/^/#   /'
		fx_done
		exit 1
	fi
	ok "build-static.sh: exit 0"
	grep 'took\|ready\|bytes' "$FX/build.log" | sed 's/^/#   /'
	bin=$out/kscan
fi
[ "$(id -u)" -eq 0 ] || skip_all "needs root (chroot, mount namespaces)"
bin=$(readlink -f "$bin")
dir=$(dirname "$bin")

check "file: statically linked" bash -c "file '$bin' | grep -q 'statically linked'"
check "no program interpreter (PT_INTERP)" bash -c "! readelf -lW '$bin' | grep -q INTERP"
check "no dynamic section" bash -c "readelf -dW '$bin' | grep -q 'no dynamic section'"
check "--version runs" bash -c "'$bin' --version | grep -qx 'kscan [0-9.]*'"
version=$("$bin" --version | awk '{print $2}')
tarball=$dir/kscan-$version-x86_64-linux-static.tar.gz
if [ -f "$dir/SHA256SUMS" ]; then
	check "SHA256SUMS verifies" bash -c "cd '$dir' && sha256sum --quiet -c SHA256SUMS"
	check "the tarball holds binary, licence, README, man pages, completion, units" \
		bash -c "tar -tzf '$tarball' | sed 's,^[^/]*/,,' | sort >'$FX/tar' &&
		for f in kscan LICENSE README.md man/kscan.1 man/kscan.yaml.5 \
			man/kscan-signatures.5 completion/kscan systemd/kscan.service \
			systemd/kscan.timer cron/kscan; do grep -qx \"\$f\" '$FX/tar' || exit 1; done"
	check "the tarball's binary is the one built" bash -c \
		"tar -xzOf '$tarball' kscan-$version-x86_64-linux-static/kscan | cmp -s - '$bin'"
fi

# A kscan wrapper that runs the static binary inside ROOT, in a private mount namespace:
# ROOT stays untouched below an overlay, the host's /tmp, /dev, the source and build trees
# are bound at their own paths (the tests pass absolute paths), /proc is ROOT's own.
mk_wrapper() {
	local root=$1 w=$2
	cat >"$w" <<EOF
#!/bin/bash
ovl=\$(mktemp -d /var/tmp/kscan-ovl.XXXXXX) || exit 125
rc=0
unshare -m --propagation private bash -c '
	set -e
	o=\$1 root=\$2 bin=\$3 src=\$4 build=\$5 cwd=\$6
	shift 6
	mkdir -p "\$o/u" "\$o/w" "\$o/m"
	mount -t overlay overlay -o "lowerdir=\$root,upperdir=\$o/u,workdir=\$o/w" "\$o/m"
	for d in /tmp "\$src" "\$build" "\${TMPDIR:-/tmp}"; do
		mkdir -p "\$o/m\$d"
		mount --bind "\$d" "\$o/m\$d"
	done
	mkdir -p "\$o/m/dev" "\$o/m/proc" "\$o/m/usr/local/bin"
	mount --rbind /dev "\$o/m/dev"
	mount -t proc proc "\$o/m/proc"
	cp "\$bin" "\$o/m/usr/local/bin/kscan"
	set +e
	exec chroot "\$o/m" /bin/sh -c "cd \"\\\$0\" 2>/dev/null || cd /; exec /usr/local/bin/kscan \"\\\$@\"" \
		"\$cwd" "\$@"
' bash "\$ovl" "$root" "$bin" "$KSCAN_SRC" "${KSCAN_BUILD:-$KSCAN_SRC}" "\$PWD" "\$@" || rc=\$?
rm -rf "\$ovl"
exit \$rc
EOF
	chmod 755 "$w"
}

# --- Debian 11: the integration tests with KSCAN pointing at the static binary there ---
chroot_root=$("$KSCAN_SRC/tests/lib/rpm-chroot.sh" bullseye 2>"$FX/chroot.err")
if [ -z "$chroot_root" ]; then
	not_ok "a bullseye chroot (tests/lib/rpm-chroot.sh)"
	sed 's/^/#   /' "$FX/chroot.err"
else
	mk_wrapper "$chroot_root" "$FX/kscan-bullseye"
	check "bullseye: the wrapper runs the binary there" \
		bash -c "'$FX/kscan-bullseye' --version | grep -qx 'kscan $version'"
	check "bullseye: the chroot is Debian 11" grep -q '^11' "$chroot_root/etc/debian_version"
	for t in dpkg-fixtures rpm-fixtures paths-fixtures signatures delivery-tls deep-kits; do
		KSCAN="$FX/kscan-bullseye" KSCAN_VALGRIND=0 \
			bash "$KSCAN_SRC/tests/integration/$t.sh" >"$FX/$t.log" 2>&1
		trc=$?
		passed=$(grep -c '^ok ' "$FX/$t.log")
		failed=$(grep -c '^not ok ' "$FX/$t.log")
		if [ "$trc" -eq 77 ]; then
			ok "bullseye: $t # SKIP $(grep -m1 SKIP "$FX/$t.log")"
		elif [ "$trc" -eq 0 ]; then
			ok "bullseye: $t ($passed checks)"
		else
			not_ok "bullseye: $t: exit $trc, $failed of $((passed + failed)) checks failed"
			grep -A3 '^not ok ' "$FX/$t.log" | head -40 | sed 's/^/#   /'
		fi
	done
fi

# --- An empty root: the binary, a CA file, the fixture to scan, an empty /tmp (kscan's
# private directory goes there), nothing else: no /dev, /proc, /etc, libc or CA store ---
E=$FX/empty
mkdir -p "$E/tmp"
cp "$bin" "$E/kscan"
pki_setup || not_ok "certificates made with openssl"
cp "$PKI/ca/ca.pem" "$E/ca.pem"
R=$(fx_root fixture)
deb=$(fx_deb kesl 12.1.0-1297 amd64 /opt/kaspersky/kesl/bin/kesl-control)
fx_dpkg "$R" -i "$deb"
cp -a "$R" "$E/fixture"
check "empty root: nothing but kscan, ca.pem, the fixture and /tmp" \
	bash -c "[ \"\$(ls '$E' | tr '\n' ' ')\" = 'ca.pem fixture kscan tmp ' ]"

chroot "$E" /kscan scan --root /fixture --format json >"$FX/e.json" 2>"$FX/e.err"
erc=$?
check "empty root: the scan runs (exit 1: detected)" [ "$erc" -eq 1 ]
check "empty root: kesl found in the fixture's dpkg database" \
	"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]));
sys.exit(0 if any(f.get("product") and "kesl" in json.dumps(f) for f in r["findings"]) else 1)' \
	"$FX/e.json"
check "empty root: scan.sandbox says what it could do" "$PY" -c \
	'import json,sys; s=json.load(open(sys.argv[1]))["scan"]["sandbox"]; print("#  ", s)' \
	"$FX/e.json"
sed 's/^/#   /' "$FX/e.err"

# HTTPS to a loopback collector: the collector's address is an IP (no /etc/hosts in
# there), in the server's certificate. No CA anywhere: refused, spooled. The CA where RHEL
# keeps its bundle: trusted without configuration. ca_file alone: trusted.
collector_start empty server
url="https://127.0.0.1:$C_PORT/reports"
printf 'collector:\n  spool_dir: /spool\n  attempts: 1\n' >"$E/nostore.yaml"
chroot "$E" /kscan scan --root /fixture --config /nostore.yaml --post "$url" \
	>"$FX/p.out" 2>"$FX/p.err"
prc=$?
check "empty root: no CA store, no ca_file: not delivered, spooled (exit 3)" [ "$prc" -eq 3 ]
check "empty root: says the certificate is not trusted" grep -q 'not trusted' "$FX/p.err"
sed 's/^/#   /' "$FX/p.err"
mkdir -p "$E/etc/pki/tls/certs"
cp "$PKI/ca/ca.pem" "$E/etc/pki/tls/certs/ca-bundle.crt"
chroot "$E" /kscan scan --root /fixture --config /nostore.yaml --post "$url" \
	>"$FX/p.out" 2>"$FX/p.err"
prc=$?
check "empty root: RHEL's CA bundle found: delivered (exit 1: detected)" [ "$prc" -eq 1 ]
sed 's/^/#   /' "$FX/p.err"
rm -rf "$E/etc"
printf 'collector:\n  ca_file: /ca.pem\n  spool_dir: /spool\n  attempts: 1\n' >"$E/kscan.yaml"
chroot "$E" /kscan scan --root /fixture --config /kscan.yaml --post "$url" \
	>"$FX/p.out" 2>"$FX/p.err"
prc=$?
check "empty root: --post with ca_file delivers (exit 1: detected)" [ "$prc" -eq 1 ]
sed 's/^/#   /' "$FX/p.err"
# the refused report waited in the spool and went with the next delivery
: >"$FX/err"
rcheck "empty root: the collector got three reports (one from the spool)" 'len(q) == 3'
check "empty root: the spool is empty" [ -z "$(ls "$E/spool" 2>/dev/null | grep -v "^journal$\|^reserve$")" ]
collector_stop empty
fx_done
