#!/bin/bash
# The docs agree with the program (issue 18): every relative link and anchor in README.md and
# docs/ resolves; every example command of the README runs with the exit status the README
# claims; the README's text report is the program's output on the same fixture, not typed.
# The examples run as written, in a private mount namespace where /mnt/web-03 (and
# /mnt/vmdisk) is a fixture root built with the real dpkg and /opt/vendor-install a folder of
# "vendor" files, so no path in the README has to be rewritten for the test.
# KSCAN_DOCS_UPDATE=1 rewrites the README's generated block instead of comparing it.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

MD="$KSCAN_SRC/tests/lib/mddocs.py"
README="$KSCAN_SRC/README.md"

for f in "$README" "$KSCAN_SRC"/docs/*.md; do
	check "links and anchors in ${f#"$KSCAN_SRC"/} resolve" python3 "$MD" links "$f"
done
printf '# Top\n[a](nope.md) [b](#nowhere) [c](#top) [d](bad.md#top)\n' >"$FX/bad.md"
python3 "$MD" links "$FX/bad.md" >"$FX/bad.out"
check "the link check reports a missing file and a missing anchor, and only those" \
	[ "$(cut -d' ' -f3- "$FX/bad.out")" = "$(printf '%s\n' \
		"nope.md: no such file" "#nowhere: no heading with anchor #nowhere")" ]

if ! python3 "$MD" examples "$README" >"$FX/examples"; then
	not_ok "every README example claims its exit status"
fi
check "the README has examples" [ "$(wc -l <"$FX/examples")" -ge 10 ]

# The examples need a private mount namespace: root, unshare(1), and a / that is a mount
# point (in a chroot it is not, and unshare cannot make it private; CI's step 2 runs this
# test on the machine itself).
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null ||
	! unshare --mount --propagation private true 2>/dev/null; then
	ok "# SKIP the README's examples: no private mount namespace here (not root, or a chroot)"
	fx_done
	exit
fi
case $FX/ in /mnt/* | /opt/*)
	not_ok "scratch directory $FX is hidden by the namespace's /mnt or /opt"
	fx_done
	exit
	;;
esac

# The fixture: KESL installed by the real dpkg, then removed with dpkg -r, keeping its
# configuration; a copy of a vendor file renamed under /srv/tools for the hashed pack.
r=$(fx_root web-03)
mkdir -p "$r/etc" "$r/srv/tools" "$FX/vendor-install/bin" "$FX/work" "$FX/bin"
echo web-03 >"$r/etc/hostname"
cat >"$r/etc/os-release" <<'EOF'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
EOF
deb=$(fx_deb kesl 12.4.0-1225 amd64 /etc/opt/kaspersky/kesl.conf \
	/opt/kaspersky/kesl/bin/kesl-control)
check "fixture: dpkg -i kesl" fx_dpkg "$r" -i "$deb"
check "fixture: dpkg -r kesl" fx_dpkg "$r" -r kesl
head -c 200000 /dev/urandom >"$FX/vendor-install/bin/acme-agent"
printf 'acme agent configuration\n' >"$FX/vendor-install/acme.conf"
cp "$FX/vendor-install/bin/acme-agent" "$r/srv/tools/helper.bin"
ln -s "$KSCAN" "$FX/bin/kscan"

# Inside the namespace: one "CODE<TAB>COMMAND" line per example, then the text report.
cat >"$FX/ns.sh" <<'EOF'
set -u
mount -t tmpfs kscan-docs /mnt && mkdir /mnt/web-03 /mnt/vmdisk &&
	mount --bind "$ROOT" /mnt/web-03 && mount --bind "$ROOT" /mnt/vmdisk &&
	mount -t tmpfs kscan-docs /opt && mkdir /opt/vendor-install &&
	mount --bind "$VENDOR" /opt/vendor-install || exit 1
cd "$WORK" || exit 1
while IFS=$'\t' read -r codes cmd; do
	bash -c "$cmd" >/dev/null 2>"$WORK/stderr"
	printf '%s\t%s\t%s\t%s\n' "$?" "$codes" "$cmd" "$(head -c 300 "$WORK/stderr" | tr '\n\t' '  ')"
done <"$EXAMPLES" >"$RESULTS"
kscan --root /mnt/web-03 --format text >"$TEXT"
exit 0
EOF
ROOT=$r VENDOR=$FX/vendor-install WORK=$FX/work EXAMPLES=$FX/examples \
	RESULTS=$FX/results TEXT=$FX/text PATH="$FX/bin:$PATH" \
	unshare --mount --propagation private bash "$FX/ns.sh" ||
	not_ok "the examples' mount namespace could not be set up"

while IFS=$'\t' read -r rc codes cmd err; do
	case ",$codes," in
	*",$rc,"*) ok "README example exits $rc as claimed: $cmd" ;;
	*) not_ok "README example exits $rc, README claims $codes: $cmd ($err)" ;;
	esac
done <"$FX/results"
check "every example ran" [ "$(wc -l <"$FX/results")" -eq "$(wc -l <"$FX/examples")" ]

# The generated block: the command and its output, fenced. Values that differ from run to
# run (report id, times, the kernel's Landlock ABI) are compared as placeholders.
{
	printf '```\n$ kscan --root /mnt/web-03 --format text\n'
	cat "$FX/text"
	printf '```\n'
} >"$FX/block"
normalise() {
	# the Sandbox line says what this kernel (or valgrind) allows and may wrap: one placeholder
	sed -E -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g' -e 's/, [0-9]+ ms$/, N ms/' "$1" |
		awk '/^Sandbox: / { print "Sandbox: SANDBOX"; wrap = 1; next }
			wrap && /^ / { next } { wrap = 0; print }'
}
if [ "${KSCAN_DOCS_UPDATE:-0}" = 1 ]; then
	check "README's text example rewritten" python3 "$MD" replace "$README" text-example \
		<"$FX/block"
fi
python3 "$MD" block "$README" text-example >"$FX/readme-block"
if diff -u <(normalise "$FX/readme-block") <(normalise "$FX/block") >"$FX/diff"; then
	ok "README's text example is the program's output on the fixture"
else
	not_ok "README's text example differs from the program's output (rerun with" \
		"KSCAN_DOCS_UPDATE=1 meson test -C build docs)"
	sed 's/^/# /' "$FX/diff"
fi
check "the text example is a detected remnant of KESL" \
	grep -q '^\[1\] Kaspersky Endpoint Security for Linux (kaspersky.kesl): remnant' "$FX/text"
fx_done
