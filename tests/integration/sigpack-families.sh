#!/bin/bash
# Every family of the built-in pack, found in each of the forms it takes on a host:
# installed from its package (the real dpkg, and the real rpm where the research names an
# rpm), present as files only, left behind (dpkg -r keeps the conffiles; leftover state
# directories, accounts, a masked unit), and as an installer kit found by --deep.
# One root per form holds all the families: each signature gets its own finding.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v dpkg-deb >/dev/null || skip_all "dpkg is not installed"

# id|package|version|arch|a file the package installs|a conffile it leaves on dpkg -r
# Families with no package name in the research have none here and are covered below.
FAMILIES='
kesl|kesl|12.4.0-1225|amd64|/opt/kaspersky/kesl/bin/kesl-control|/etc/opt/kaspersky/kesl/kesl.conf
kes4lwks|kes4lwks|8.0.1-50|i386|/opt/kaspersky/kes4lwks/bin/kes4lwks-control|/etc/opt/kaspersky/kes4lwks.conf
klnagent|klnagent64|15.4.0-8873|amd64|/opt/kaspersky/klnagent64/sbin/klnagent|/etc/opt/kaspersky/klnagent64.conf
ksc|ksc64|15.4.0-8873|amd64|/opt/kaspersky/ksc64/sbin/klsrvconfig|/etc/ksc-web-console-setup.json
kav4fs|kav4fs|8.0.4-312|i386|/opt/kaspersky/kav4fs/lib/samba/kav4fs-smb-vfs22.so|/etc/opt/kaspersky/kav4fs.conf
kav4ws|kav4ws|8.0.4-312|i386|/opt/kaspersky/kav4ws/bin/kav4ws-kavscanner|/etc/opt/kaspersky/kav4ws.conf
kav4lms|kav4lms|5.6.42-1|i386|/opt/kaspersky/kav4lms/sbin/kavmd|/etc/opt/kaspersky/kav4lms.conf
klms|klms|8.0.2-16|i386|/opt/kaspersky/klms/bin/klms-control|/etc/opt/kaspersky/klms.conf
kav4proxy|kav4proxy|5.5-86|i386|/opt/kaspersky/kav4proxy/sbin/kav4proxy-kavicapserver|/etc/opt/kaspersky/kav4proxy.conf
kwts|kwts|6.1.0-4762|amd64|/opt/kaspersky/kwts/bin/kwts-control|/etc/opt/kaspersky/kwts.conf
kics|kics|2.0.0-1234|amd64|/opt/kaspersky/kics/bin/kics-control|/etc/opt/kaspersky/kics.conf
kess|kess|3.3.0-1234|amd64|/opt/kaspersky/kess/bin/kess-control|/etc/opt/kaspersky/kess.conf
ksvla-viis|ksvla-viis|6.4.0-100|amd64|/usr/lib/systemd/system/viis.service|/etc/opt/kaspersky/viis.conf
epagent|epagent|3.15.0-100|amd64|/opt/kaspersky/epagent/bin/epagent|/etc/opt/kaspersky/epagent/agent.conf
kpsn|kpsn|4.0.0-100|amd64|/usr/local/kpsn/bin/kpsn|/etc/opt/kaspersky/kpsn.conf
kfl|kfl|2.0.0-100|amd64|/opt/kaspersky/kfl/bin/kfl-control|/etc/opt/kaspersky/kfl.conf
'
# The families the research gives an rpm for: id|name|version|release|file
RPMS='
kesl|kesl|12.4.0|1225|/opt/kaspersky/kesl/bin/kesl-control
klnagent|klnagent64|15.4.0|8873|/opt/kaspersky/klnagent64/sbin/klnagent
ksc|ksc-web-console|15.4.1021|1|/var/opt/kaspersky/ksc-web-console/index.js
kav4fs|kav4fs|8.0.4|312|/opt/kaspersky/kav4fs/bin/kav4fs-control
kwts|kwts|6.1.0|4762|/opt/kaspersky/kwts/bin/kwts-control
kics|kics|2.0.0|1234|/opt/kaspersky/kics/bin/kics-control
kess|kess|3.3.0|1234|/opt/kaspersky/kess/bin/kess-control
ksvla-viis|ksvla-viis|6.4.0|100|/usr/lib/systemd/system/viis.service
kfl|kfl|2.0.0|100|/opt/kaspersky/kfl/bin/kfl-control
'
# Installer kits as the vendor names them: id|file name
KITS='
kesl|kesl_12.4.0-1225_amd64.deb
kesl|kesl-12.1.0-1297.x86_64.rpm
kesl|kesl-gui_12.1.0-1274_amd64.deb
kesl|kesl-astra_11.1.0-3013.mod_amd64.deb
kesl|kesl_11.3.0-7508.cert_amd64.deb
kesl|kesl_10.1.1-6421_e2k-8c.deb
kesl|kesl-10.1.1-6421.e2kv4.rpm
kesl|kesl_12.4.0-1225_arm64.deb
kesl|kesl.zip
kes4lwks|kes4lwks_8.0.1-50_i386.deb
klnagent|klnagent64_15.4.0-8873_amd64.deb
klnagent|klnagent64_15.1.0-20748_amd64.sh
klnagent|klnagent64-14.2.0-23324.aarch64.rpm
klnagent|klnagent_10.1.1-26_i386.deb
ksc|ksc64_15.4.0-8873_amd64.deb
ksc|ksc-web-console-15.4.1021.x86_64.deb
ksc|ksc-web-console-15.1.489.x86_64.rpm
kav4fs|kav4fs_8.0.4-312_i386.deb
kav4ws|kav4ws_8.0.4-312_i386.deb
legacy-kav5|kav4fileservers-linux-5.5.33.tar.gz
klms|klms_8.0.2-16_i386.deb
kav4proxy|kav4proxy_5.5-86_i386.deb
kav4proxy|kav4proxy_5.5-88.tar.gz
kwts|kwts_6.1.0-4762_amd64.deb
kwts|kwts-6.1.0-4762.x86_64.rpm
scanengine|Kaspersky_ScanEngine-Linux-x86_64-2.1.0.1234-Release.tar.gz
kics|kics_2.0.0-1234_amd64.deb
kics|kics-gui-2.0.0-1234.i386.rpm
kics|kics-1.5.0.123.zip
kess|kess_3.3.0-1234_i386.deb
kess|kess-gui-3.3.0-1234.x86_64.rpm
ksvla-lightagent|lightagent-5.2.1-57-bundle.sh
ksvla-viis|ksvla-viis_6.4.0.100_amd64.deb
ksvla-viis|ksvla-viis-6.4.0-100.x86_64.rpm
kfl|kfl_2.0.0-100_amd64.deb.setup
kfl|kfl_2.0.0-100.x86_64.rpm.setup
kuu|kuu4.1.0.474_x86_64_en.tar.gz
kuu|kuu4.1.0.474_i686-linux_en.tar.gz
kuu|kuu4.1.0.474_aarch64_en.tar.gz
'

# has ID STATE NAME: the report NAME has a finding of kaspersky.ID in STATE.
has() {
	expect "$3: kaspersky.$1 is $2" \
		"any(f['signature'] == 'kaspersky.$1' and f['state'] == '$2' for f in r['findings'])"
}
# families IDS...: the ids of a column of a table on stdin.
ids() { grep -v '^$' | cut -d'|' -f1 | sort -u; }

# (1) Every family with a package, installed by the real dpkg in one run.
R=$(fx_root pkg)
debs=()
while IFS='|' read -r id name version arch file conf; do
	[ -n "$id" ] || continue
	debs+=("$(fx_deb "$name" "$version" "$arch" "$file" "$conf=fixture")") || exit 1
done <<<"$FAMILIES"
check "fixture: dpkg -i of ${#debs[@]} family packages" \
	fx_dpkg "$R" --force-architecture -i "${debs[@]}"
kscan_json "$FX/pkg.json" --root "$R"
check "pkg: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
expect "pkg: dpkg source ok" 'r["sources"]["dpkg"]["status"] == "ok"'
for id in $(ids <<<"$FAMILIES"); do
	has "$id" installed pkg
done

judge "$FX/pkg.json"

# (2) The same packages removed, not purged: their conffiles keep them "rc".
names=$(grep -v '^$' <<<"$FAMILIES" | cut -d'|' -f2 | tr '\n' ' ')
# shellcheck disable=SC2086 # one word per package
check "fixture: dpkg -r of every family package" fx_dpkg "$R" -r $names
check "fixture: every one is rc" [ "$(dpkg-query --root="$R" -W -f '${db:Status-Abbrev}\n' \
	$names | sort -u)" = "rc " ]
# Families with no package: what they leave behind.
mkdir -p "$R/etc/kav/5.5/kav4unix" "$R/var/db/kav" "$R/var/opt/kaspersky/kuma/core" \
	"$R/var/opt/kaspersky/lightagent" "$R/etc/systemd/system"
echo conf >"$R/etc/kav/5.5/kav4unix/kav4unix.conf"
printf '[1126]\nNAME=Kaspersky Anti-Virus for Sendmail\n' >"$R/var/db/kav/applications.setup"
echo '<config/>' >"$R/etc/kavehost.xml"
echo '<config/>' >"$R/etc/kavicapd.xml"
echo log >"$R/var/opt/kaspersky/kuma/core/log"
echo ini >"$R/var/opt/kaspersky/lightagent/lightagent.ini"
ln -s /dev/null "$R/etc/systemd/system/cybertrace.service"
printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'klconfig:x:1001:1001::/home/klconfig:/bin/sh' \
	>"$R/etc/passwd"
printf '%s\n' 'root:x:0:' 'klconfig:x:1001:' >"$R/etc/group"
kscan_json "$FX/rem.json" --root "$R"
check "rem: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
for id in $(ids <<<"$FAMILIES") legacy-kav5 kavsdk scanengine kuma ksvla-lightagent \
	cybertrace ksvla-svm; do
	has "$id" remnant rem
done
expect "rem: package evidence says deinstall ok config-files" \
	"all(e['status'] == 'deinstall ok config-files' for e in ev_all() if e['kind'] == 'package')"

judge "$FX/rem.json"

# (3) Files only: each family's programs with no package behind them.
R="$FX/files"
while IFS='|' read -r id name version arch file conf; do
	[ -n "$id" ] || continue
	mkdir -p "$R$(dirname "$file")" && echo bin >"$R$file"
done <<<"$FAMILIES"
for f in /opt/kav/5.5/kav4unix/bin/kavscanner /opt/kav/5.6/kavmilter/bin/kavmilter \
	/opt/kav/sdk8l3/ppl/plugin /opt/kaspersky/ScanEngine/bin/kavhttpd \
	/opt/kaspersky/kuma/kuma /opt/kaspersky/lightagent/bin/lightagent-setup.pl \
	/var/opt/kaspersky/klconfig/klnagent_distro /etc/systemd/system/cybertrace.service \
	/lib/modules/5.10.0-28-686/extra/kav4fs_oas.ko; do
	mkdir -p "$R$(dirname "$f")" && echo bin >"$R$f"
done
mkdir -p "$R/var/opt/kaspersky/kesl/install_12.4.0.1225/opt/kaspersky/kesl/bin"
ln -s install_12.4.0.1225 "$R/var/opt/kaspersky/kesl/install-current"
kscan_json "$FX/files.json" --root "$R"
check "files: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
for id in $(ids <<<"$FAMILIES") legacy-kav5 kavsdk scanengine kuma ksvla-lightagent \
	cybertrace ksvla-svm; do
	has "$id" installed files
done
expect "files: kav4fs's module file is evidence" \
	"any(e['kind'] == 'kernel_module' and e['name'] == 'kav4fs_oas' for e in ev('kaspersky.kav4fs'))"
expect "files: KESL's versioned tree and install-current are evidence" \
	"{'/var/opt/kaspersky/kesl/install_12.4.0.1225', '/var/opt/kaspersky/kesl/install-current'}
		<= {e.get('path') for e in ev('kaspersky.kesl')}"
expect "files: no package evidence in a root without packages" \
	"not any(e['kind'] == 'package' for e in ev_all())"

judge "$FX/files.json"

# (4) Installer kits in a home directory, found by the deep sweep.
R="$FX/kits"
mkdir -p "$R/home/u/Downloads"
while IFS='|' read -r id kit; do
	[ -n "$id" ] || continue
	echo "kit $kit" >"$R/home/u/Downloads/$kit"
done <<<"$KITS"
rc=0
timeout 120 "$KSCAN" scan --deep --no-low-priority --format json --root "$R" \
	>"$FX/kits.json" 2>"$FX/kits.err" || rc=$?
check "kits: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
for id in $(ids <<<"$KITS"); do
	has "$id" installer kits
done
while IFS='|' read -r id kit; do
	[ -n "$id" ] || continue
	expect "kits: $kit is installer evidence of kaspersky.$id" \
		"[f['signature'] for f in r['findings'] for e in f['evidence']
			if e.get('path') == '/home/u/Downloads/$kit'] == ['kaspersky.$id']"
done <<<"$KITS"

judge "$FX/kits.json"

# (5) The rpm products, installed by the real rpm. One rpmbuild makes them all, as
# subpackages of one spec, each with its own name, version and release.
rpm_families() {
	local top="$FX/rpmbuild-families" id name version release file
	mkdir -p "$top/SPECS"
	{
		printf '%s\n' 'Name: kscan-fixtures' 'Version: 1' 'Release: 1' 'Summary: fixtures' \
			'License: MIT' 'BuildArch: noarch' 'AutoReqProv: no' '%description' 'fixtures'
		while IFS='|' read -r id name version release file; do
			[ -n "$id" ] || continue
			printf '%s\n' "%package -n $name" "Version: $version" "Release: $release" \
				"Summary: fixture $name" "%description -n $name" "fixture $name" \
				"%files -n $name" "$file"
		done <<<"$RPMS"
		echo '%install'
		while IFS='|' read -r id name version release file; do
			[ -n "$id" ] || continue
			printf 'mkdir -p %%{buildroot}%s && echo %s >%%{buildroot}%s\n' \
				"$(dirname "$file")" "$name" "$file"
		done <<<"$RPMS"
	} >"$top/SPECS/families.spec"
	rpmbuild --quiet --define "_topdir $top" --define '_build_id_links none' \
		-bb "$top/SPECS/families.spec" >/dev/null 2>&1
}
if command -v rpmbuild >/dev/null && command -v rpm >/dev/null; then
	R="$FX/rpmroot"
	check "fixture: rpmbuild of the family packages" rpm_families
	rpms=("$FX"/rpmbuild-families/RPMS/noarch/*.rpm)
	check "fixture: rpm -i of ${#rpms[@]} family packages" \
		fx_rpm_install "$R" /var/lib/rpm "${rpms[@]}"
	kscan_json "$FX/rpm.json" --root "$R"
	check "rpm: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
	expect "rpm: rpm source ok" 'r["sources"]["rpm"]["status"] == "ok"'
	while IFS='|' read -r id name version release file; do
		[ -n "$id" ] || continue
		has "$id" installed rpm
		expect "rpm: $name is package evidence of kaspersky.$id" \
			"any(e['kind'] == 'package' and e.get('manager') == 'rpm'
				and e.get('name') == '$name' for e in ev('kaspersky.$id'))"
	done <<<"$RPMS"
	judge "$FX/rpm.json"
else
	ok "# SKIP rpm fixtures: rpm or rpmbuild missing (packaging/setup-debian.sh)"
fi

# What the research only infers is marked: a root with nothing but Kaspersky for Linux's
# directory (a path the research infers, confidence low) gives a finding that says so.
R="$FX/lowroot"
mkdir -p "$R/opt/kaspersky/kfl"
kscan_json "$FX/low.json" --root "$R"
check "low: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
jcheck "low: kaspersky.kfl on low-confidence evidence only, and says so" "$FX/low.json" \
	'[(f["signature"], f["confidence"], f["low_confidence"]) for f in r["findings"]] == [("kaspersky.kfl", "low", True)]'
"$KSCAN" scan --root "$R" --format text >"$FX/low.txt" 2>/dev/null
check "low: the text report says it" grep -q "low confidence: only inferred evidence" "$FX/low.txt"
# and the catch-all does not claim what the specific signature found
jcheck "low: no unidentified finding beside it" "$FX/low.json" \
	'not any(f["signature"] == "kaspersky.unidentified" for f in r["findings"])'

fx_done
