#!/bin/bash
# Issue 13, classes 2, 3 and 5: who a piece of evidence belongs to. A package Kaspersky
# made is found by its vendor fields alone (and a package that only mentions Kaspersky is
# not); entries under Kaspersky's shared roots go to the family that owns their name;
# evidence several products share (applications.setup, kluser/klusers) never makes a
# product, joins the product the host shows, and alone is reported as shared only; the
# removal plan purges the package names actually installed. Roots built with the real dpkg.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v dpkg-deb >/dev/null || skip_all "dpkg is not installed"

KL='AO Kaspersky Lab <support@kaspersky.com>'
sig() { echo "[f for f in r['findings'] if f['signature'] == '$1']"; }

# (1) The vendor rule: an unknown Kaspersky package; a Debian-style package whose
# Description names Kaspersky; a maintainer whose name only contains the word.
R=$(fx_root vendor)
a=$(FX_DEB_MAINTAINER="$KL" FX_DEB_DESCRIPTION="Kaspersky Foo Agent for Linux" \
	fx_deb kfoo-agent 1.0.0-10 amd64 /usr/share/doc/kfoo-agent/README) || exit 1
b=$(FX_DEB_DESCRIPTION="ClamAV signatures, also compatible with Kaspersky Lab formats" \
	fx_deb clamav-kav-sigs 0.1-1 all /usr/share/doc/clamav-kav-sigs/README) || exit 1
c=$(FX_DEB_MAINTAINER="Kaspersky Lab fan club <fans@example.org>" \
	fx_deb kfan-tools 0.2-1 all /usr/share/doc/kfan-tools/README) || exit 1
check "fixture: dpkg -i of three packages" fx_dpkg "$R" -i "$a" "$b" "$c"
kscan_json "$FX/vendor.json" --root "$R"
check "vendor: exit 1 (detected), got $rc" [ "$rc" -eq 1 ]
jcheck "vendor: the Kaspersky-made package is a medium finding named from its summary" \
	"$FX/vendor.json" "([(f['product'], f['confidence'], f['state'], f['evidence'][0]['name'])
	for f in $(sig kaspersky.package.kfoo-agent)] ==
	[('Kaspersky Foo Agent for Linux', 'medium', 'installed', 'kfoo-agent')])"
jcheck "vendor: a description or a look-alike maintainer is no finding" "$FX/vendor.json" \
	"len(r['findings']) == 1"
jcheck "vendor: the plan purges the package" "$FX/vendor.json" \
	"any('kfoo-agent' in (s.get('command') or '') for f in r['findings'] for s in f['remove'])"

# (2) Component directories under the shared roots go to their family.
R=$(fx_root components)
a=$(fx_deb kl-leftovers 1.0 all /var/log/kaspersky/kesl-service/service.log \
	/etc/opt/kaspersky/kics/kics.ini /var/opt/kaspersky/kuma/state \
	/var/opt/kaspersky/nosuchproduct/state) || exit 1
check "fixture: dpkg -i of the component entries" fx_dpkg "$R" -i "$a"
kscan_json "$FX/comp.json" --root "$R"
for pair in kesl:/var/log/kaspersky/kesl-service kics:/etc/opt/kaspersky/kics \
	kuma:/var/opt/kaspersky/kuma; do
	jcheck "components: ${pair#*:} is kaspersky.${pair%%:*}'s" "$FX/comp.json" \
		"any(e.get('path') == '${pair#*:}' for f in $(sig "kaspersky.${pair%%:*}")
		for e in f['evidence'])"
done
jcheck "components: only the unknown entry is left to the catch-all" "$FX/comp.json" \
	"([e['path'] for f in $(sig kaspersky.unidentified) for e in f['evidence']] ==
	['/var/opt/kaspersky/nosuchproduct'])"

# (3) A Network Agent host: the package's scripts register it in applications.setup.
R=$(fx_root nagent)
a=$(FX_DEB_MAINTAINER="$KL" FX_DEB_POSTINST='mkdir -p "$DPKG_ROOT/var/opt/kaspersky"
printf "[1103]\nProductName=klnagent64\n" >"$DPKG_ROOT/var/opt/kaspersky/applications.setup"' \
	fx_deb klnagent64 15.4.0-8873 amd64 /opt/kaspersky/klnagent64/sbin/klnagent \
	/var/opt/kaspersky/klnagent/log/klnagent.log) || exit 1
check "fixture: dpkg -i klnagent64" fx_dpkg "$R" -i "$a"
check "fixture: the postinst wrote applications.setup" \
	[ -f "$R/var/opt/kaspersky/applications.setup" ]
kscan_json "$FX/nagent.json" --root "$R"
jcheck "nagent: no KAV 5.x finding" "$FX/nagent.json" \
	"not $(sig kaspersky.legacy-kav5)"
jcheck "nagent: applications.setup is the Network Agent's evidence" "$FX/nagent.json" \
	"any(e.get('path') == '/var/opt/kaspersky/applications.setup'
	for f in $(sig kaspersky.klnagent) for e in f['evidence'])"
jcheck "nagent: no shared finding of its own" "$FX/nagent.json" \
	"not $(sig kaspersky.shared) and not any(f.get('shared_only') for f in r['findings'])"

# (3b) A KLMS host: the kluser account and klusers group are KLMS's, not KAV 5.x's.
R=$(fx_root klms)
a=$(fx_deb klms 8.0.2-16 i386 /opt/kaspersky/klms/bin/klms-control) || exit 1
check "fixture: dpkg -i klms" fx_dpkg "$R" --force-architecture -i "$a"
mkdir -p "$R/etc"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'kluser:x:999:999::/var/opt/kaspersky:/bin/false' \
	>"$R/etc/passwd"
printf '%s\n' 'root:x:0:' 'klusers:x:999:' >"$R/etc/group"
kscan_json "$FX/klms.json" --root "$R"
jcheck "klms: no KAV 5.x finding" "$FX/klms.json" "not $(sig kaspersky.legacy-kav5)"
jcheck "klms: kluser and klusers are KLMS's evidence" "$FX/klms.json" \
	"sorted(e['name'] for f in $(sig kaspersky.klms) for e in f['evidence']
	if e['kind'] == 'account') == ['kluser', 'klusers']"

# (4) Shared evidence alone: a shared-component finding that says so.
R=$(fx_root shared)
mkdir -p "$R/etc" "$R/var/opt/kaspersky"
printf '[1103]\n' >"$R/var/opt/kaspersky/applications.setup"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'kluser:x:999:999::/var/opt/kaspersky:/bin/false' \
	>"$R/etc/passwd"
kscan_json "$FX/shared.json" --root "$R"
jcheck "shared: one finding, kaspersky.shared, shared_only" "$FX/shared.json" \
	"([(f['signature'], f.get('shared_only')) for f in r['findings']] ==
	[('kaspersky.shared', True)])"
jcheck "shared: its hint removes the leftover only after every product" "$FX/shared.json" \
	"'after every Kaspersky' in r['findings'][0]['remove_hint']"
"$KSCAN" scan --format text --root "$R" >"$FX/shared.txt" 2>/dev/null
check "shared: the text report says shared only" grep -q 'shared only:' "$FX/shared.txt"

# (5) A distribution build under another name: the plan purges kesl-astra, not kesl.
R=$(fx_root astra)
a=$(FX_DEB_MAINTAINER="$KL" FX_DEB_DESCRIPTION="Kaspersky Endpoint Security for Linux" \
	fx_deb kesl-astra 11.2.0-4528 amd64 /opt/kaspersky/kesl/bin/kesl-control) || exit 1
check "fixture: dpkg -i kesl-astra" fx_dpkg "$R" -i "$a"
kscan_json "$FX/astra.json" --root "$R"
jcheck "astra: one finding, kaspersky.kesl" "$FX/astra.json" \
	"[f['signature'] for f in r['findings']] == ['kaspersky.kesl']"
jcheck "astra: the plan purges kesl-astra and never kesl" "$FX/astra.json" \
	"[s['targets'] for f in r['findings'] for s in f['remove']
	if s['action'] == 'remove_packages'] == [['kesl-astra']]"

fx_done
