#!/bin/bash
# The built-in pack against Kaspersky software as public deployment material shows it (issue
# 13, classes 1 and 4; the sources are in docs/signatures.md, "Sources of the deployment
# facts"): the Astra Linux builds of the Network Agent and of the KESL GUI under their own
# package names; the Network Agent's settings and log directories; kits packed as .rar; the
# Update Utility unpacked in a folder of the admin's choosing and run from cron; KUMA's
# distribution kit, renamed and unpacked. Each form
# gets a look-alike that must stay clean, and so must real Debian packages that mention
# Kaspersky's paths in their files (fetched with apt-get download).
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v dpkg-deb >/dev/null || skip_all "dpkg is not installed"

# deep_json OUT ROOT: a deep scan of ROOT, report in OUT, exit code in $rc.
deep_json() {
	rc=0
	timeout 120 "$KSCAN" scan --deep --no-low-priority --format json --root "$2" \
		>"$1" 2>"$1.err" || rc=$?
}
# pkg_ev ID NAME: the expectation that package NAME is evidence of kaspersky.ID.
pkg_ev() {
	expect "$NAME: package $2 is evidence of kaspersky.$1" \
		"any(e['kind'] == 'package' and e.get('name') == '$2' for e in ev('kaspersky.$1'))"
}

# (1) Astra Linux SE: "apt-get install kesl-astra klnagent64-astra" from the Astra
# repositories, and the GUI as kesl-gui-astra. Only the packages carry the names: the
# fixtures install files no signature names, so a finding proves the package name matched.
R=$(fx_root astra)
debs=(
	"$(fx_deb klnagent64-astra 15.1.0-20748 amd64 /usr/share/doc/klnagent64-astra/README)"
	"$(fx_deb kesl-gui-astra 11.1.0-3013 amd64 /usr/share/doc/kesl-gui-astra/README)"
) || exit 1
check "fixture: dpkg -i of the Astra builds" fx_dpkg "$R" -i "${debs[@]}"
kscan_json "$FX/astra.json" --root "$R"
check "astra: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
NAME=astra
pkg_ev klnagent klnagent64-astra
pkg_ev kesl kesl-gui-astra
expect "astra: both are installed products, nothing else" \
	"[(f['signature'], f['state']) for f in sorted(r['findings'], key=lambda f: f['signature'])]
		== [('kaspersky.kesl', 'installed'), ('kaspersky.klnagent', 'installed')]"
judge "$FX/astra.json"

# Their look-alikes: names that only start or end like the Astra builds.
R=$(fx_root astra-decoys)
debs=()
for p in klnagent64-astral klnagent64-astra-tools astra-klnagent64 kesl-gui-astrafix \
	kesl-gui-astra-docs fly-kesl-gui-astra; do
	debs+=("$(fx_deb "$p" 1.0-1 amd64 "/usr/share/doc/$p/README")") || exit 1
done
check "fixture: dpkg -i of ${#debs[@]} Astra look-alikes" fx_dpkg "$R" -i "${debs[@]}"
kscan_json "$FX/astra-decoys.json" --root "$R"
check "astra look-alikes: exit 0 (clean), got $rc" [ "$rc" -eq 0 ]

# The Network Agent's settings root and log directory left after dpkg -r: its package keeps
# a conffile under /etc/opt/kaspersky/klnagent, and registration.log stays. A Kaspersky
# directory, but the Network Agent's, not an unidentified product's.
R=$(fx_root klnagent-left)
deb=$(fx_deb klnagent64 15.4.0-8873 amd64 /opt/kaspersky/klnagent64/sbin/klnagent \
	/etc/opt/kaspersky/klnagent/connectors.d/kesl.conf=fixture) || exit 1
check "fixture: dpkg -i then -r of klnagent64" fx_dpkg "$R" -i "$deb"
check "fixture: dpkg -r of klnagent64" fx_dpkg "$R" -r klnagent64
# left-overs only: the package database forgets the agent (a purge), its directories stay
rm -rf "$R/var/lib/dpkg" && mkdir -p "$R/var/lib/dpkg/info" && : >"$R/var/lib/dpkg/status"
mkdir -p "$R/var/log/kaspersky/klnagent64"
echo log >"$R/var/log/kaspersky/klnagent64/registration.log"
kscan_json "$FX/klnagent-left.json" --root "$R"
check "klnagent left-overs: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
expect "klnagent left-overs: the Network Agent's remnant, and nothing else" \
	"[(f['signature'], f['state']) for f in r['findings']]
		== [('kaspersky.klnagent', 'remnant')]"
expect "klnagent left-overs: both directories are evidence" \
	"{'/etc/opt/kaspersky/klnagent', '/var/log/kaspersky/klnagent64'}
		<= {e.get('path') for e in ev('kaspersky.klnagent')}"
judge "$FX/klnagent-left.json"

# Kits as sites pass them around: the agent's .sh bundle packed in a .rar, and the KESL
# GUI's bundle unpacked from one; with near misses beside them.
R="$FX/packs"
mkdir -p "$R/home/u/Downloads" "$R/tmp/decoys"
for k in klnagent64_15.0.0-12912_amd64.rar kesl-gui_12.0.0-6672.sh; do
	echo "kit $k" >"$R/home/u/Downloads/$k"
done
for k in klnagent64_15.0.0-12912_amd64.rar.part klnagent64-notes.rar kesl-gui_12.0.0-6672.sh.txt \
	kesl-gui-setup.sh kesl-gui_latest.sh klnagent64_15.0_amd64.rar; do
	echo "decoy $k" >"$R/tmp/decoys/$k"
done
deep_json "$FX/packs.json" "$R"
check "packs: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
expect "packs: the .rar is the Network Agent's installer" \
	"[f['signature'] for f in r['findings'] for e in f['evidence']
		if e.get('path') == '/home/u/Downloads/klnagent64_15.0.0-12912_amd64.rar']
		== ['kaspersky.klnagent']"
expect "packs: the GUI bundle is KESL's installer" \
	"[f['signature'] for f in r['findings'] for e in f['evidence']
		if e.get('path') == '/home/u/Downloads/kesl-gui_12.0.0-6672.sh']
		== ['kaspersky.kesl']"
expect "packs: no near miss is evidence" \
	"not any(e.get('path', '').startswith('/tmp/decoys/')
		for f in r['findings'] for e in f['evidence'])"
judge "$FX/packs.json"

# The mail products' log directories, alone: kav4lms' keepup2date report and KLMS' task
# logs. Each is its product's remnant, not an unidentified Kaspersky product.
R="$FX/mail-logs"
mkdir -p "$R/var/log/kaspersky/kav4lms" "$R/var/log/kaspersky/klms"
echo log >"$R/var/log/kaspersky/kav4lms/keepup2date.log"
echo log >"$R/var/log/kaspersky/klms/scan_2024-01-01.log"
kscan_json "$FX/mail-logs.json" --root "$R"
check "mail logs: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
expect "mail logs: kav4lms and klms remnants, nothing else" \
	"sorted((f['signature'], f['state']) for f in r['findings'])
		== [('kaspersky.kav4lms', 'remnant'), ('kaspersky.klms', 'remnant')]"
judge "$FX/mail-logs.json"

# Look-alikes of these directories outside Kaspersky's roots.
R="$FX/klnagent-decoys"
mkdir -p "$R/etc/opt/klnagent" "$R/var/log/klnagent64" "$R/var/log/kasperskyfan/klnagent64" \
	"$R/var/log/klms" "$R/var/log/kav4lms-notes"
echo x >"$R/etc/opt/klnagent/connectors.d"
echo x >"$R/var/log/klnagent64/registration.log"
echo x >"$R/var/log/kasperskyfan/klnagent64/registration.log"
echo x >"$R/var/log/klms/klms.log"
kscan_json "$FX/klnagent-decoys.json" --root "$R"
check "directory look-alikes: exit 0 (clean), got $rc" [ "$rc" -eq 0 ]

# (2) The Update Utility unpacked and run from cron, in the forms deployments use:
# /opt/kuu with a cron.d line running uu-console.sh; a Docker image's wrapper
# /usr/bin/kavupdater.sh (cd /opt/kuu; ./uu-console.sh -u ...) with its cron file; a copy
# in root's home, found by path and by the deep sweep; Artica's /opt/kaspersky/UpdateUtility
# (a Kaspersky directory the catch-all would otherwise call unidentified).
kuu_tree() {
	mkdir -p "$1" || return 1
	printf '#!/bin/sh\ncd "$(dirname "$0")" && %s\n' \
		'./UpdateUtility-Console -u -o updater.ini "$@"' \
		>"$1/uu-console.sh"
	printf '\177ELF fixture\n' >"$1/UpdateUtility-Console"
	printf '[ComponentSettings]\nKasperskyEndpointSecurity_12_Linux=true\n' >"$1/updater.ini"
	chmod 755 "$1/uu-console.sh" "$1/UpdateUtility-Console"
}
R="$FX/kuu"
mkdir -p "$R/etc/cron.d" "$R/usr/bin" "$R/var/spool/cron/crontabs"
kuu_tree "$R/opt/kuu"
kuu_tree "$R/root/kasper"
kuu_tree "$R/opt/kaspersky/UpdateUtility"
echo '0 2 * * * root /opt/kuu/uu-console.sh -u -r >/var/log/kuu.log 2>&1' >"$R/etc/cron.d/kuu"
printf '#!/bin/bash\ncd /opt/kuu\n./uu-console.sh -u -r --accepteula\n' >"$R/usr/bin/kavupdater.sh"
echo '0 */4 * * * root /usr/bin/kavupdater.sh' >"$R/etc/cron.d/kavupdater_cron"
echo '30 3 * * * /root/kasper/uu-console.sh -u' >"$R/var/spool/cron/crontabs/root"
deep_json "$FX/kuu.json" "$R"
check "kuu: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
expect "kuu: the Update Utility is an installed product" \
	"any(f['signature'] == 'kaspersky.kuu' and f['state'] == 'installed'
		for f in r['findings'])"
expect "kuu: the cron.d line running uu-console.sh is evidence" \
	"any(e['kind'] == 'cron' and e['path'] == '/etc/cron.d/kuu' for e in ev('kaspersky.kuu'))"
expect "kuu: the Docker wrapper's cron line is evidence" \
	"any(e['kind'] == 'cron' and e['path'] == '/etc/cron.d/kavupdater_cron'
		for e in ev('kaspersky.kuu'))"
expect "kuu: root's crontab line is evidence" \
	"any(e['kind'] == 'cron' and e['path'] == '/var/spool/cron/crontabs/root'
		for e in ev('kaspersky.kuu'))"
expect "kuu: the unpacked copies are evidence by path" \
	"{'/opt/kuu/UpdateUtility-Console', '/root/kasper/UpdateUtility-Console',
		'/opt/kaspersky/UpdateUtility'} <= {e.get('path') for e in ev('kaspersky.kuu')}"
expect "kuu: the deep sweep finds the binary by name" \
	"any(e['kind'] == 'file' and e['path'] == '/root/kasper/UpdateUtility-Console'
		for e in ev('kaspersky.kuu'))"
expect "kuu: the Artica copy is the Update Utility, not an unidentified product" \
	"sigs() == ['kaspersky.kuu']"
judge "$FX/kuu.json"

# Their look-alikes: other tools' names next to the Update Utility's, a directory called
# kuu-bot, a cron line running something else from /opt.
R="$FX/kuu-decoys"
mkdir -p "$R/etc/cron.d" "$R/opt/kuu-bot" "$R/opt/uu" "$R/root/tools" "$R/home/u/kuuzuki"
for f in /opt/kuu-bot/.env /opt/uu/uu-console /opt/uu/UpdateUtility-Console.txt \
	/root/tools/uu-console.sh.bak /root/tools/UpdateUtility-Gui-notes \
	/home/u/kuuzuki/update-console.sh; do
	echo decoy >"$R$f"
done
echo '0 2 * * * root /opt/kuu-bot/run.sh' >"$R/etc/cron.d/kuu-bot"
echo '0 3 * * * root /opt/uu/uu-console -u' >"$R/etc/cron.d/uu"
echo '0 4 * * * root /usr/bin/kavupdater -u' >"$R/etc/cron.d/kavupdater"
deep_json "$FX/kuu-decoys.json" "$R"
check "kuu look-alikes: exit 0 (clean), got $rc" [ "$rc" -eq 0 ]

# (2b) KUMA's distribution kit as deployment scripts handle it: the kit
# kuma-ansible-installer-3.0.2.37.tar.gz in root's home, unpacked into
# /root/kuma-ansible-installer (the kit's own top directory inside, with install.sh and
# single.inventory.yml.template), the previous unpack kept as kuma-ansible-installer-old,
# and a copy of the kit saved under a name of the admin's choosing. Kits hold a product's
# binaries: the fixture pads them past KS_KIT_SIZE_MIN so the sweep opens them.
kuma_kit() {
	local top=$1
	mkdir -p "$top/kuma-ansible-installer/roles/kuma/files" || return 1
	printf '#!/bin/bash\nansible-playbook -i "$1" install.yml\n' \
		>"$top/kuma-ansible-installer/install.sh"
	printf 'all:\n  vars:\n    deploy_example_services: false\n' \
		>"$top/kuma-ansible-installer/single.inventory.yml.template"
	head -c 1200000 /dev/urandom >"$top/kuma-ansible-installer/roles/kuma/files/kuma"
}
R="$FX/kuma"
mkdir -p "$R/root/kuma-ansible-installer" "$R/root/kuma-ansible-installer-old" "$R/srv/dist" \
	"$FX/kuma-stage"
kuma_kit "$FX/kuma-stage" && kuma_kit "$R/root/kuma-ansible-installer" &&
	kuma_kit "$R/root/kuma-ansible-installer-old" || exit 1
tar -C "$FX/kuma-stage" -czf "$R/root/kuma-ansible-installer-3.0.2.37.tar.gz" \
	kuma-ansible-installer || exit 1
cp "$R/root/kuma-ansible-installer-3.0.2.37.tar.gz" "$R/srv/dist/siem-dist.tgz"
deep_json "$FX/kuma.json" "$R"
check "kuma: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
expect "kuma: KUMA's kit, an installer, and nothing else" \
	"[(f['signature'], f['state']) for f in r['findings']] == [('kaspersky.kuma', 'installer')]"
expect "kuma: the kit is evidence by name" \
	"any(e['path'] == '/root/kuma-ansible-installer-3.0.2.37.tar.gz'
		for e in ev('kaspersky.kuma'))"
expect "kuma: the renamed kit is evidence by its members" \
	"any(e['path'] == '/srv/dist/siem-dist.tgz' for e in ev('kaspersky.kuma'))"
expect "kuma: the unpacked kit and the kept previous one are evidence by path" \
	"{'/root/kuma-ansible-installer', '/root/kuma-ansible-installer-old'}
		<= {e.get('path') for e in ev('kaspersky.kuma')}"
judge "$FX/kuma.json"

# Its look-alikes: Kong's Kuma service mesh (kuma-2.5.1-ubuntu-amd64.tar.gz, unpacked with
# kuma-cp and kuma-dp), Uptime Kuma's folder, an Ansible inventory template of another
# product, names that only begin like the kit's.
R="$FX/kuma-decoys"
mkdir -p "$R/opt/kuma-2.5.1/bin" "$R/root/uptime-kuma" "$R/root/kuma-ansible" \
	"$R/srv/ansible" "$FX/kong-stage/kuma-2.5.1/bin"
for f in kuma-cp kuma-dp kumactl; do
	head -c 400000 /dev/urandom >"$FX/kong-stage/kuma-2.5.1/bin/$f"
	cp "$FX/kong-stage/kuma-2.5.1/bin/$f" "$R/opt/kuma-2.5.1/bin/$f"
done
tar -C "$FX/kong-stage" -czf "$R/root/kuma-2.5.1-ubuntu-amd64.tar.gz" kuma-2.5.1 || exit 1
for f in /root/uptime-kuma/package.json /root/kuma-ansible/site.yml \
	/srv/ansible/single.inventory.yml /srv/ansible/multi.inventory.yml.template \
	/root/kuma-ansible-installer.md /root/kuma-ansible-installer-3.0.tar.gz.sha256; do
	echo decoy >"$R$f"
done
deep_json "$FX/kuma-decoys.json" "$R"
check "kuma look-alikes: exit 0 (clean), got $rc" [ "$rc" -eq 0 ]

# (3) Real Debian packages whose files name Kaspersky's paths and programs: amavisd-new's
# scanner table lists Kaspersky's aveclient and kavdaemon, Lynis' malware tests probe KESL's
# files, FusionInventory's Windows antivirus inventory names Kaspersky's products. Installed
# by the real dpkg into a root (their maintainer scripts stripped, since dpkg --root would
# run them on this host), a deep scan of it is clean.
real_debs() {
	local dir="$FX/real" p stage
	mkdir -p "$dir" && cd "$dir" || return 1
	timeout 120 apt-get download amavisd-new lynis fusioninventory-agent >/dev/null 2>&1 ||
		return 1
	for p in *.deb; do
		stage="$dir/stage-${p%%_*}"
		dpkg-deb -R "$p" "$stage" || return 1
		rm -f "$stage"/DEBIAN/{preinst,postinst,prerm,postrm,config,triggers}
		dpkg-deb --root-owner-group -b "$stage" "$dir/repacked-$p" >/dev/null || return 1
	done
	cd - >/dev/null
}
if ! command -v apt-get >/dev/null || ! real_debs; then
	ok "# SKIP real Debian packages: apt-get download failed (offline?)"
else
	R=$(fx_root real)
	check "fixture: dpkg -i of amavisd-new, lynis and fusioninventory-agent" \
		fx_dpkg "$R" --force-depends -i "$FX"/real/repacked-*.deb
	fia=/usr/share/fusioninventory/lib/FusionInventory/Agent/Task/Inventory/Win32/AntiVirus.pm
	for f in /etc/amavis/conf.d/15-av_scanners /usr/share/lynis/include/tests_malware "$fia"; do
		check "fixture: $f names Kaspersky" grep -qi kaspersky "$R$f"
	done
	deep_json "$FX/real.json" "$R"
	check "real packages: exit 0 (clean), got $rc" [ "$rc" -eq 0 ]
fi

fx_done
