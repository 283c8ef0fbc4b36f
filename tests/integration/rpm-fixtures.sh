#!/bin/bash
# The rpm source end to end: roots whose rpm database the real rpm wrote, read by kscan,
# compared with what `rpm -qa` says, and scanned with the default signatures.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v rpmbuild >/dev/null && command -v rpm >/dev/null || skip_all "rpm tools missing"
# kscan's private copies of the database go there, so we can see none is left behind
export TMPDIR="$FX/tmp"
mkdir "$TMPDIR"

# A package with an Epoch, which fx_rpm does not write: rpmbuild on a spec of our own.
rpm_with_epoch() {
	local top="$FX/rpmbuild-epoch"
	mkdir -p "$top/SPECS"
	cat >"$top/SPECS/epochpkg.spec" <<'EOF'
Name: epochpkg
Epoch: 3
Version: 2.5
Release: 7.el8
Summary: kscan test fixture
License: MIT
BuildArch: noarch
AutoReqProv: no
%description
kscan test fixture with an epoch
%install
mkdir -p %{buildroot}/opt/epochpkg
echo epoch > %{buildroot}/opt/epochpkg/file
%files
/opt/epochpkg/file
EOF
	rpmbuild --quiet --define "_topdir $top" --define '_build_id_links none' \
		-bb "$top/SPECS/epochpkg.spec" >/dev/null 2>&1 || return 1
	ls "$top"/RPMS/noarch/*.rpm
}

FOO=$(fx_rpm foo 1.0 1 /opt/foo/file) || { not_ok "build foo"; fx_done; exit; }
BAR=$(fx_rpm bar-utils 0.9.1 2 /usr/share/bar/file) || { not_ok "build bar"; fx_done; exit; }
EPOCH=$(rpm_with_epoch) || { not_ok "build epochpkg"; fx_done; exit; }

# What rpm itself lists, as kscan prints it: name, [epoch:]version-release, arch. rpm runs
# on a copy, since it rewrites rpmdb.sqlite-shm in place even to read.
rpm_qa() {
	local root=$1 dbpath=$2 copy="$FX/rpm-qa-copy"
	rm -rf "$copy" && cp -a "$root" "$copy"
	rpm --root "$copy" --dbpath "$dbpath" -qa \
		--qf '%{NAME}\t%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}\t%{ARCH}\n' 2>/dev/null |
		LC_ALL=C sort
}
# kscan's rpm lines, the same three fields.
kscan_rpm() {
	"$KSCAN" packages --root "$1" | awk -F'\t' '$1 == "rpm"' | cut -f2-4 | LC_ALL=C sort
}

for DB in /var/lib/rpm /usr/lib/sysimage/rpm; do
	R="$FX/root-${DB//\//_}"
	fx_rpm_install "$R" "$DB" "$FOO" "$BAR" "$EPOCH" || not_ok "install into $DB"
	want=$(rpm_qa "$R" "$DB")
	got=$(kscan_rpm "$R")
	check "$DB: rpm -qa lists the three packages" [ "$(echo "$want" | wc -l)" -eq 3 ]
	check "$DB: kscan packages equals rpm -qa" [ "$got" = "$want" ]
	if [ "$got" != "$want" ]; then
		printf '#   rpm:\n%s\n#   kscan:\n%s\n' "$want" "$got" >&2
	fi
	check "$DB: the epoch is kept" \
		grep -qx $'epochpkg\t3:2.5-7.el8\tnoarch' <<<"$got"
	lines=$("$KSCAN" packages --root "$R" | awk -F'\t' '$1 == "rpm"')
	check "$DB: empty abbrev and state installed on every rpm line" \
		[ -z "$(awk -F'\t' 'NF != 6 || $5 != "" || $6 != "installed"' <<<"$lines")" ]
	rc=0
	"$KSCAN" packages --root "$R" >/dev/null || rc=$?
	check "$DB: kscan packages exits 0" [ "$rc" -eq 0 ]
done

# Fedora's layout: var/lib/rpm is a symlink to the sysimage directory, listed once.
R="$FX/fedora"
fx_rpm_install "$R" /usr/lib/sysimage/rpm "$FOO" || not_ok "install fedora"
mkdir -p "$R/var/lib"
ln -s ../../usr/lib/sysimage/rpm "$R/var/lib/rpm"
check "fedora symlink: each package once" [ "$(kscan_rpm "$R")" = $'foo\t1.0-1\tnoarch' ]

# Network Agent installed by rpm: detected, with the package as evidence.
AGENT=$(fx_rpm klnagent64 14.2.0 35148 \
	/opt/kaspersky/klnagent64/sbin/klnagent /opt/kaspersky/klnagent64/bin/klnagchk \
	/opt/kaspersky/klnagent64/lib/bin/setup/postinstall.pl) || not_ok "build klnagent64"
R="$FX/agent"
fx_rpm_install "$R" /var/lib/rpm "$AGENT" "$FOO" || not_ok "install klnagent64"
kscan_json "$FX/agent.json" --root "$R"
check "klnagent64 rpm: detected (exit 1)" [ "$rc" -eq 1 ]
jcheck "klnagent64 rpm: rpm source ok, 2 packages" "$FX/agent.json" \
	'r["sources"]["rpm"]["status"] == "ok" and r["sources"]["rpm"]["location"] == "/var/lib/rpm" and r["sources"]["rpm"]["counts"]["packages"] == 2'
jcheck "klnagent64 rpm: kaspersky.klnagent installed" "$FX/agent.json" \
	'any(f["signature"] == "kaspersky.klnagent" and f["state"] == "installed" for f in r["findings"])'
jcheck "klnagent64 rpm: package evidence from rpm" "$FX/agent.json" \
	'any(e["kind"] == "package" and e["manager"] == "rpm" and e["name"] == "klnagent64" and e["version"] == "14.2.0-35148" and e["arch"] == "noarch" and e["source"] == "/var/lib/rpm" for f in r["findings"] if f["signature"] == "kaspersky.klnagent" for e in f["evidence"])'
jcheck "klnagent64 rpm: verdict detected" "$FX/agent.json" 'r["verdict"] == "detected"'

# Decoys whose names start like Kaspersky's: nothing found.
KSCREEN=$(fx_rpm kscreen 5.27.5 1 /usr/bin/kscreen-doctor) || not_ok "build kscreen"
KLAVARO=$(fx_rpm klavaro 3.13 6 /usr/bin/klavaro) || not_ok "build klavaro"
R="$FX/decoys"
fx_rpm_install "$R" /var/lib/rpm "$KSCREEN" "$KLAVARO" || not_ok "install decoys"
kscan_json "$FX/decoys.json" --root "$R"
check "decoys: clean (exit 0)" [ "$rc" -eq 0 ]
jcheck "decoys: no findings, rpm read" "$FX/decoys.json" \
	'r["verdict"] == "clean" and r["findings"] == [] and r["sources"]["rpm"]["status"] == "ok" and r["sources"]["rpm"]["counts"]["packages"] == 2'

# A corrupt database: the rpm source failed, the verdict incomplete, never clean.
R="$FX/corrupt"
fx_rpm_install "$R" /var/lib/rpm "$FOO" || not_ok "install corrupt"
head -c 65536 /dev/urandom >"$R/var/lib/rpm/rpmdb.sqlite"
kscan_json "$FX/corrupt.json" --root "$R"
check "corrupt db: incomplete (exit 2)" [ "$rc" -eq 2 ]
jcheck "corrupt db: rpm source failed with the location" "$FX/corrupt.json" \
	'r["sources"]["rpm"]["status"] == "failed" and "/var/lib/rpm" in r["sources"]["rpm"]["error"]'
jcheck "corrupt db: verdict incomplete" "$FX/corrupt.json" 'r["verdict"] == "incomplete"'
# kscan's own warning names the failed source; nothing else (librpm's logging) may appear
check "corrupt db: librpm printed nothing on stderr" \
	[ -z "$(grep -v '^kscan: ' "$FX/corrupt.json.err" | grep -iE 'sqlite|rpmdb|error:')" ]
check "corrupt db: kscan warned about the rpm source" \
	grep -q '^kscan: warning: source rpm failed: rpm database /var/lib/rpm' "$FX/corrupt.json.err"
rc=0
"$KSCAN" packages --root "$R" >/dev/null 2>&1 || rc=$?
check "corrupt db: kscan packages exits 2" [ "$rc" -eq 2 ]

# Nothing of kscan's private copy is left in TMPDIR.
check "no private copy left behind" [ -z "$(ls -A "$TMPDIR")" ]

fx_done
