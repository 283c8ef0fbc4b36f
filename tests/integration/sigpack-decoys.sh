#!/bin/bash
# Look-alikes of every family of the built-in pack, in one root: packages installed by the
# real dpkg and rpm whose names only resemble Kaspersky's, paths next to Kaspersky's,
# near-miss kit names in a home directory, unit files, init scripts, module files and
# accounts. A deep scan of it must be clean, with no finding at all.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v dpkg-deb >/dev/null || skip_all "dpkg is not installed"

R=$(fx_root decoys)

# Package names that start like a product's, or contain one (kscreen, kservice and klavaro
# are real Debian packages). Each installs a file named after itself under /usr/bin.
DEB_DECOYS='kscreen kservice klavaro keslint kesl-utils-fake kesl11x klnagentx klnagent64-tools
kscx ksc64-client ksc-web-consolex kav4fsx kav4ws-docs kes4lwksx kav4lmsx klmsx klms-tools
kav4proxyx kwtsx kics-utils kicsx kessel kess-tools ksvla-viisx epagentx kuma kuma-cp kpsnx
kfl-utils kflash kuu kavehost-tools cybertrace-lite lightagentx scanengine'
debs=()
for p in $DEB_DECOYS; do
	debs+=("$(fx_deb "$p" 1.0-1 amd64 "/usr/bin/$p")") || exit 1
done
check "fixture: dpkg -i of ${#debs[@]} look-alike packages" fx_dpkg "$R" -i "${debs[@]}"

# The same for rpm, when kscan reads rpm databases: one rpmbuild, several subpackages.
RPM_DECOYS='kscreen klavaro kesl-tools klnagent-helper kuma-dp kics-scanner kess-utils kfl-docs'
rpm_decoys() {
	local top="$FX/rpmbuild-decoys" p
	mkdir -p "$top/SPECS"
	{
		printf '%s\n' 'Name: decoys' 'Version: 1' 'Release: 1' 'Summary: decoys' \
			'License: MIT' 'BuildArch: noarch' 'AutoReqProv: no' '%description' 'decoys'
		for p in $RPM_DECOYS; do
			printf '%s\n' "%package -n $p" "Summary: decoy $p" "%description -n $p" \
				"decoy $p" "%files -n $p" "/usr/share/decoys/$p"
		done
		echo '%install'
		echo 'mkdir -p %{buildroot}/usr/share/decoys'
		for p in $RPM_DECOYS; do
			echo "echo $p >%{buildroot}/usr/share/decoys/$p"
		done
	} >"$top/SPECS/decoys.spec"
	rpmbuild --quiet --define "_topdir $top" --define '_build_id_links none' \
		-bb "$top/SPECS/decoys.spec" >/dev/null 2>&1 || return 1
	fx_rpm_install "$R" /var/lib/rpm "$top"/RPMS/noarch/*.rpm
}
have_rpm=0
if command -v rpmbuild >/dev/null && command -v rpm >/dev/null; then
	have_rpm=1
	check "fixture: rpm -i of look-alike rpm packages" rpm_decoys
fi

# Paths beside every family's: a different name at the same place, or the same name at a
# different place.
for f in /opt/kasperskyfan/kesl/bin/kesl-control /var/opt/kasperskyfan/kesl/common/kesl.ini \
	/etc/opt/kasperskyfan/kav4proxy.conf /var/log/kasperskyfan/kesl/kesl.log \
	/opt/kaspersky-notes/readme /opt/kesl/bin/kesl-control /usr/bin/kesl /usr/bin/kesl.txt \
	/usr/share/kservices5/ServiceMenus/kate.desktop /opt/klnagent64/sbin/klnagent \
	/opt/ksc64/sbin/klsrvconfig /etc/ksc-web-console.json /opt/kav4fs/bin/kav4fs-control \
	/usr/lib/samba/vfs/kav4fs.so /opt/kav/6.0/kav4unix/bin/kavscanner /opt/kavita/Kavita \
	/etc/kav/readme /var/db/kavita/db /var/db/kav/applications.setup.bak \
	/opt/kuma/bin/kuma-cp /etc/kuma/kuma-cp.conf /usr/local/kpsnx/bin/kpsn \
	/usr/local/ksn-tools/etc/x /opt/ScanEngine/bin/kavhttpd /etc/kavhttpd.xml.bak \
	/opt/kav/sdk9/ppl/x /etc/kavehost.xml.orig /var/run/kav4proxy.pid /opt/lightagent/bin/x \
	/var/opt/klconfig/x /opt/epagent/bin/epagent /usr/local/kfl/bin/kfl-control \
	/tmp/keslint.log /tmp/kesl.txt /tmp/klnagent.txt /tmp/kics-scan-results.json \
	/run/bl4control.old /var/run/wdserver.pid.old; do
	mkdir -p "$R$(dirname "$f")" && echo decoy >"$R$f"
done

# Units, init scripts and module files with near names.
mkdir -p "$R/etc/systemd/system/multi-user.target.wants" "$R/lib/systemd/system" \
	"$R/etc/init.d" "$R/lib/modules/6.1.0-18-amd64/extra"
for u in keslint kservice kuma-cp kuma-dp kics-scan cybertrace-lite viis-agent klnagent64x \
	KSCWebConsoleX kess-tools kavhttpd-proxy; do
	echo '[Unit]' >"$R/lib/systemd/system/$u.service"
	ln -s "/lib/systemd/system/$u.service" "$R/etc/systemd/system/multi-user.target.wants/$u.service"
done
for s in keslint kesl-supervisorx klmsx kav4proxyx kavmilter.dpkg-old kics-scan; do
	printf '#!/bin/sh\n' >"$R/etc/init.d/$s"
done
for m in kav4fs_oas_helper redirfs kesl_test kvm; do
	echo ko >"$R/lib/modules/6.1.0-18-amd64/extra/$m.ko"
done

# Accounts: close names, and the products' own names too common to prove anything.
printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'klusteradm:x:1001:1001::/home/k:/bin/sh' \
	'kav:x:1002:1002::/home/kav:/bin/sh' 'ksc:x:1003:1003::/home/ksc:/bin/sh' \
	'rightless:x:1004:1004::/:/bin/false' 'kfl:x:1005:1005::/home/kfl:/bin/sh' \
	'ksn:x:1006:1006::/home/ksn:/bin/sh' 'klconfigx:x:1007:1007::/:/bin/sh' >"$R/etc/passwd"
printf '%s\n' 'root:x:0:' 'klusteradm:x:1001:' 'kesladmins:x:1010:' 'kladmin:x:1011:' \
	'kfladmins:x:1012:' 'ksnusers:x:1013:' 'nokeslx:x:1014:' >"$R/etc/group"

# Near-miss kit names where downloads land: wrong product, wrong shape, wrong extension.
D="$R/home/u/Downloads"
mkdir -p "$D"
for k in kesl.txt kesl_notes.deb kesl-gui.rpm kesl_12.4.0-1225_amd64.deb.txt \
	kesl_12.4.0_amd64.deb kesl_12.4.0-1225_mips.deb kesl.zip.txt kesl-docs.zip keslint.zip \
	kscreen_5.27.5-2_amd64.deb klavaro_3.13-1_amd64.deb kservice-5.103.0.tar.gz \
	klnagent64_15.1.0-20748_amd64.sh.txt klnagent64_notes.sh klnagentx_1.0.0-1_amd64.deb \
	ksc64_notes.deb ksc64_15.4.0-8873_amd64.deb.sha256 ksc-web-console-notes.deb \
	kav4fs_notes.deb kav4fs-8.0.4-312.txt kav4ws.deb kes4lwks.deb \
	kav4fileservers-linux.txt kav4fileservers-linux-notes.pdf klms.deb klms_8.0.2.deb \
	kav4proxy.tar.gz kav4proxy_5.5.txt kwts_manual.pdf kwts.rpm \
	Kaspersky_ScanEngine-notes.tar.gz Kaspersky_ScanEngine-Linux-x86_64-Release.txt \
	kics_1.7.13_linux_x64.tar.gz kics_1.7.13_darwin_arm64.tar.gz kics-results.zip \
	kess_notes.rpm kessel_2.0.0-1_amd64.deb lightagent-bundle.sh lightagent-5.2.sh \
	ksvla-viis.deb kfl_notes.deb.setup kfl_2.0.0-100_amd64.deb kuu-notes.tar.gz \
	kuu4.1.0.474_x86_64_en.zip kuma-2.5.1-linux-amd64.tar.gz cybertrace.txt; do
	echo decoy >"$D/$k"
done

rc=0
timeout 120 "$KSCAN" scan --deep --no-low-priority --format json --root "$R" \
	>"$FX/decoys.json" 2>"$FX/decoys.err" || rc=$?
check "decoys: exit 0 (clean), got $rc" [ "$rc" -eq 0 ]
jcheck "decoys: verdict clean, no findings" "$FX/decoys.json" \
	'r["verdict"] == "clean" and r["findings"] == []'
jcheck "decoys: dpkg source ok" "$FX/decoys.json" 'r["sources"]["dpkg"]["status"] == "ok"'
if [ "$have_rpm" = 1 ]; then
	jcheck "decoys: rpm source ok" "$FX/decoys.json" 'r["sources"]["rpm"]["status"] == "ok"'
fi
jcheck "decoys: the sweep saw the kits" "$FX/decoys.json" \
	'r["sources"]["fs"]["status"] == "ok" and r["sources"]["fs"]["counts"]["files"] >= 50'
if [ "$rc" -ne 0 ]; then
	python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    for e in f["evidence"]:
        print("#  ", f["signature"], e["kind"], e.get("path") or e.get("name"), file=sys.stderr)' \
		"$FX/decoys.json"
fi

# The kits were sound decoys: the same names with a real kit among them are found.
echo kit >"$D/kesl_12.4.0-1225_amd64.deb"
timeout 120 "$KSCAN" scan --deep --no-low-priority --format json --root "$R" \
	--path /home >"$FX/control.json" 2>/dev/null
jcheck "control: a real kit beside them is found, and only it" "$FX/control.json" \
	'[e["path"] for f in r["findings"] for e in f["evidence"]] == ["/home/u/Downloads/kesl_12.4.0-1225_amd64.deb"]'

fx_done
