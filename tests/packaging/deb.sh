#!/bin/bash
# The .deb: built with packaging/build-deb.sh (dpkg-buildpackage -us -uc -b), its contents
# and modes, lintian's remaining tags (exactly those docs/packaging.md explains). With
# KSCAN_PKG_INSTALL=1 (CI; it changes the machine) also: dpkg -i, the installed kscan's
# --version and a scan, modes on disk, the units with their man pages, purge, nothing left.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v dh >/dev/null || skip_all "debhelper not installed (packaging/setup-debian.sh)"
"$KSCAN_SRC/packaging/build-deb.sh" "$FX/out" >"$FX/build.log" 2>&1
rc=$?
check "build-deb.sh: exit 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tail -30 "$FX/build.log" | sed 's/^/#   /'
deb=$(ls "$FX"/out/kscan_*.deb 2>/dev/null | head -1)
check "a .deb was built" [ -n "$deb" ]
[ -n "$deb" ] || { fx_done; exit 1; }

dpkg-deb -c "$deb" | awk '{print $1, $6}' >"$FX/contents"
has() {
	# has MODE PATH: the package ships PATH with MODE
	check "ships $2 ($1)" grep -qx -- "$1 \\./$2" "$FX/contents"
}
has -rwxr-xr-x usr/bin/kscan
has drwx------ var/spool/kscan/
has drwxr-xr-x etc/kscan/keys/
has -rw-r--r-- etc/kscan/kscan.yaml
has -rw-r--r-- etc/cron.d/kscan
has -rw-r--r-- lib/systemd/system/kscan.service
has -rw-r--r-- lib/systemd/system/kscan.timer
has -rw-r--r-- usr/share/man/man1/kscan.1.gz
has -rw-r--r-- usr/share/man/man5/kscan.yaml.5.gz
has -rw-r--r-- usr/share/man/man5/kscan-signatures.5.gz
has -rw-r--r-- usr/share/bash-completion/completions/kscan
has -rw-r--r-- usr/share/doc/kscan/copyright
# everything the shipped README links, and the report's schema (dh_compress gzips them)
for doc in README.md configuration.md performance.md report.md signatures.md security.md \
	packaging.md ARCHITECTURE.md report.schema.json; do
	has -rw-r--r-- "usr/share/doc/kscan/$doc.gz"
done
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/doc/kscan/copyright >"$FX/copyright"
check "the .deb's copyright is debian/copyright (the MIT text of LICENSE)" \
	cmp -s "$FX/copyright" "$KSCAN_SRC/packaging/debian/copyright"
dpkg-deb -e "$deb" "$FX/ctl"
check "cron file is a conffile" grep -qx /etc/cron.d/kscan "$FX/ctl/conffiles"
check "kscan.yaml is a conffile" grep -qx /etc/kscan/kscan.yaml "$FX/ctl/conffiles"
# dh_installsystemd --no-enable: the timer is only re-enabled where the admin had enabled it
check "postinst enables the timer only if it was enabled" [ \
	"$(grep -c "helper enable 'kscan.timer'" "$FX/ctl/postinst")" = \
	"$(grep -c "was-enabled 'kscan.timer'" "$FX/ctl/postinst")" ]
check "postinst starts nothing" bash -c "! grep -Eq 'invoke.*(start|restart)' '$FX/ctl/postinst'"
check "postrm purges the spool" grep -q 'rm -rf /var/spool/kscan' "$FX/ctl/postrm"
dpkg-deb -f "$deb" Depends >"$FX/depends"
check "depends on libyaml, libsqlite3" bash -c \
	"grep -q libyaml '$FX/depends' && grep -q libsqlite3 '$FX/depends'"
# libcurl is loaded only to deliver (report/deliver/curlso.c): recommended, and named in
# the binary's .note.dlopen for tools that read it
check "recommends libcurl4" bash -c "dpkg-deb -f '$deb' Recommends | grep -q '^libcurl4'"
check "the binary's .note.dlopen names libcurl.so.4" bash -c "dpkg-deb --fsys-tarfile '$deb' |
	tar -xOf - ./usr/bin/kscan >'$FX/kscan.bin' &&
	readelf -p .note.dlopen '$FX/kscan.bin' | grep -q 'libcurl.so.4'"
check "does not depend on librpm" bash -c "! grep -q librpm '$FX/depends'"

if command -v lintian >/dev/null; then
	lintian --pedantic "$deb" 2>/dev/null | awk '{print $3}' | sort -u >"$FX/tags"
	printf '%s\n' initial-upload-closes-no-bugs non-standard-dir-perm \
		uses-dpkg-database-directly >"$FX/known"
	check "lintian: only the tags docs/packaging.md explains" cmp -s "$FX/tags" "$FX/known"
	diff "$FX/known" "$FX/tags" | sed 's/^/#   /'
fi

if [ "${KSCAN_PKG_INSTALL:-0}" != 1 ]; then
	echo "# not installing (set KSCAN_PKG_INSTALL=1, as CI does)"
	fx_done
	exit $?
fi
if dpkg-query -W kscan >/dev/null 2>&1; then
	not_ok "kscan is already installed here: not touching it"
	fx_done
	exit 1
fi
dpkg -i "$deb" >"$FX/i.log" 2>&1
check "dpkg -i: exit 0" [ $? -eq 0 ]
dpkg -L kscan >"$FX/files"
check "installed kscan --version" bash -c "/usr/bin/kscan --version | grep -qx 'kscan [0-9.]*'"
/usr/bin/kscan scan --format json --output /var/spool/kscan/report.json --quiet
rc=$?
check "installed kscan scans this host (exit $rc: 0, 1 or 2)" [ "$rc" -le 2 ]
check "report in the spool, mode 0640" [ "$(stat -c %a /var/spool/kscan/report.json)" = 640 ]
check "the report is JSON with a verdict" python3 -c \
	"import json; assert json.load(open('/var/spool/kscan/report.json'))['verdict']"
check "spool is root's, 0700" [ "$(stat -c '%U %a' /var/spool/kscan)" = "root 700" ]
check "keys dir root's, 0755" [ "$(stat -c '%U %a' /etc/kscan/keys)" = "root 755" ]
check "config root's, 0644" [ "$(stat -c '%U %a' /etc/kscan/kscan.yaml)" = "root 644" ]
check "cron file root's, 0644" [ "$(stat -c '%U %a' /etc/cron.d/kscan)" = "root 644" ]
(cd / && systemd-analyze verify /lib/systemd/system/kscan.service \
	/lib/systemd/system/kscan.timer) >"$FX/verify" 2>&1
check "installed units verify, man pages included" [ ! -s "$FX/verify" ]
sed 's/^/#   /' "$FX/verify"
check "man -l renders kscan(1)" bash -c "MANWIDTH=80 man -l /usr/share/man/man1/kscan.1.gz 2>&1 >/dev/null | (! grep -q .)"

# the example playbook, against this machine: installs the same .deb, enables the cron job
# (no systemd runs here) or the timer, and scans
if command -v ansible-playbook >/dev/null; then
	dpkg --purge kscan >/dev/null 2>&1
	ANSIBLE_NOCOLOR=1 ansible-playbook -i localhost, --connection=local \
		-e kscan_deb="$deb" -e kscan_keys="[]" \
		"$KSCAN_SRC/packaging/ansible/kscan.yml" >"$FX/play.log" 2>&1
	check "ansible-playbook --connection=local: exit 0" [ $? -eq 0 ]
	tail -25 "$FX/play.log" | sed 's/^/#   /'
	check "playbook installed kscan" bash -c "dpkg-query -W -f '\${Status}' kscan | grep -q 'install ok installed'"
	check "playbook reported the verdict" grep -Eq 'kscan on localhost: (clean|detected|incomplete)' "$FX/play.log"
	if [ -d /run/systemd/system ]; then
		check "playbook enabled the timer" systemctl is-enabled kscan.timer
	else
		check "playbook enabled the cron job" grep -Eq '^[0-9]+ [0-9]+ .*kscan scan --splay' /etc/cron.d/kscan
	fi
	check "playbook's scan wrote the report" [ -s /var/spool/kscan/report.json ]
fi

dpkg --purge kscan >"$FX/p.log" 2>&1
check "dpkg --purge: exit 0" [ $? -eq 0 ]
check "package gone" bash -c "! dpkg-query -W kscan >/dev/null 2>&1"
left=""
while read -r f; do
	# shared directories (/etc, /usr/share/man...) stay; nothing of kscan's may
	case $f in
	*kscan*) if [ -e "$f" ]; then left="$left $f"; fi ;;
	esac
done <"$FX/files"
check "nothing of kscan left after purge:${left:- none}" [ -z "$left" ]
check "spool with its report removed" [ ! -e /var/spool/kscan ]
check "/etc/kscan removed" [ ! -e /etc/kscan ]
fx_done
