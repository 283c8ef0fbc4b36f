#!/bin/bash
# The rpm source end to end: roots whose rpm database the real rpm wrote, read by kscan,
# compared with what `rpm -qa` says, and scanned with the default signatures.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v rpmbuild >/dev/null && command -v rpm >/dev/null || skip_all "rpm tools missing"
# kscan reads in place now (no private copy); TMPDIR stays watched so none comes back
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
# kscan's own warning names the failed source; nothing else (sqlite's logging) may appear
check "corrupt db: nothing but kscan's own lines on stderr" \
	[ -z "$(grep -v '^kscan: ' "$FX/corrupt.json.err" | grep -iE 'sqlite|rpmdb|error:')" ]
check "corrupt db: kscan warned about the rpm source" \
	grep -q '^kscan: warning: source rpm failed: rpm database /var/lib/rpm' "$FX/corrupt.json.err"
rc=0
"$KSCAN" packages --root "$R" >/dev/null 2>&1 || rc=$?
check "corrupt db: kscan packages exits 2" [ "$rc" -eq 2 ]

# Read-only, on the database rpm just wrote (its .rpm.lock, -shm and empty -wal as rpm
# leaves them), in both locations: after a scan and a `packages`, no file in the database
# directory is new, changed or touched, and the directory's own mtime is the same.
dbstate() {
	(cd "$1" && find . -printf '%p %y %s %T@ %C@\n' | LC_ALL=C sort
		stat -c 'dir %Y.%y' .)
}
for DB in /var/lib/rpm /usr/lib/sysimage/rpm; do
	R="$FX/ro-${DB//\//_}"
	fx_rpm_install "$R" "$DB" "$FOO" "$BAR" || not_ok "install ro $DB"
	before=$(dbstate "$R$DB")
	sleep 0.02
	kscan_json "$FX/ro.json" --root "$R"
	"$KSCAN" packages --root "$R" >/dev/null 2>&1
	check "$DB: read-only: scan exit 0" [ "$rc" -eq 0 ]
	check "$DB: read-only: no file new or changed, directory mtime unchanged" \
		[ "$(dbstate "$R$DB")" = "$before" ]
	if [ "$(dbstate "$R$DB")" != "$before" ]; then
		diff <(echo "$before") <(dbstate "$R$DB") | sed 's/^/#   /'
	fi
	check "$DB: read-only: no -journal appeared" [ ! -e "$R$DB/rpmdb.sqlite-journal" ]
done

# Mid-transaction: frames committed to the WAL and never checkpointed (rpm killed, or
# running). The database file alone is not the state: the source fails with the reason.
R="$FX/walframes"
fx_rpm_install "$R" /var/lib/rpm "$FOO" "$BAR" || not_ok "install walframes"
(cd "$R/var/lib/rpm" && python3 -c 'import os, sqlite3
c = sqlite3.connect("rpmdb.sqlite", isolation_level=None)
c.execute("pragma wal_autocheckpoint = 0")
c.execute("delete from Packages where hnum = 2")
os._exit(0)')
check "walframes: the -wal holds frames" [ -s "$R/var/lib/rpm/rpmdb.sqlite-wal" ]
kscan_json "$FX/wal.json" --root "$R"
check "walframes: incomplete (exit 2)" [ "$rc" -eq 2 ]
jcheck "walframes: rpm source failed, the -wal named as the reason" "$FX/wal.json" \
	'r["verdict"] == "incomplete" and r["sources"]["rpm"]["status"] == "failed" and "rpmdb.sqlite-wal holds" in r["sources"]["rpm"]["error"] and "transaction in progress" in r["sources"]["rpm"]["error"]'
check "walframes: the frames are still there (nothing replayed)" \
	[ -s "$R/var/lib/rpm/rpmdb.sqlite-wal" ]

# rpm running a transaction: its write lock on .rpm.lock, held here by python as rpm does.
R="$FX/locked"
fx_rpm_install "$R" /var/lib/rpm "$FOO" || not_ok "install locked"
(cd "$R/var/lib/rpm" && exec python3 -c 'import fcntl, time
f = open(".rpm.lock", "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open("../../../held", "w").close()
time.sleep(60)') &
locker=$!
for _ in $(seq 100); do [ -e "$R/held" ] && break; sleep 0.1; done
kscan_json "$FX/locked.json" --root "$R"
kill "$locker"
wait "$locker" 2>/dev/null
check "locked: incomplete (exit 2)" [ "$rc" -eq 2 ]
jcheck "locked: rpm source failed, locked by the process" "$FX/locked.json" \
	'r["sources"]["rpm"]["status"] == "failed" and "is locked by process" in r["sources"]["rpm"]["error"]'

# The root's own macros decide (rpmcfg): a %_dbpath elsewhere, written with %{_var} in a
# macros.d file as distributions do, is found, and that database is what rpm -qa reads.
R="$FX/macros-dbpath"
fx_rpm_install "$R" /var/lib/custom-rpm "$FOO" "$EPOCH" || not_ok "install custom dbpath"
mkdir -p "$R/usr/lib/rpm/macros.d"
printf '%%_dbpath\t%%{_var}/lib/custom-rpm\n' >"$R/usr/lib/rpm/macros.d/macros.dbpath"
check "macros %_dbpath: kscan packages equals rpm -qa" \
	[ "$(kscan_rpm "$R")" = "$(rpm_qa "$R" /var/lib/custom-rpm)" ]
kscan_json "$FX/macros.json" --root "$R"
jcheck "macros %_dbpath: rpm source ok at that location" "$FX/macros.json" \
	'r["sources"]["rpm"]["status"] == "ok" and r["sources"]["rpm"]["location"] == "/var/lib/custom-rpm"'
# etc/rpm/macros comes last and wins; without it the directory is not looked in at all
rm "$R/usr/lib/rpm/macros.d/macros.dbpath"
check "macros %_dbpath removed: nothing found" [ -z "$(kscan_rpm "$R")" ]

# %_db_backend: a configured backend whose file is there is the one read (a stale
# Packages beside rpmdb.sqlite, after a conversion, would be preferred if configured);
# one whose file is absent falls back to what exists, as rpm does.
R="$FX/macros-backend"
fx_rpm_install "$R" /var/lib/rpm "$FOO" || not_ok "install backend"
mkdir -p "$R/etc/rpm"
printf '%%_db_backend ndb\n' >"$R/etc/rpm/macros"
check "%_db_backend ndb, no Packages.db: sqlite read" \
	[ "$(kscan_rpm "$R")" = $'foo\t1.0-1\tnoarch' ]
head -c 8192 /dev/urandom >"$R/var/lib/rpm/Packages"
printf '%%_db_backend bdb\n' >"$R/etc/rpm/macros"
kscan_json "$FX/backend.json" --root "$R"
jcheck "%_db_backend bdb, Packages there: bdb is what was read (and this one is junk)" \
	"$FX/backend.json" \
	'r["sources"]["rpm"]["status"] == "failed" and "(bdb)" in r["sources"]["rpm"]["error"]'
rm "$R/etc/rpm/macros"
check "no macros: sqlite first again" [ "$(kscan_rpm "$R")" = $'foo\t1.0-1\tnoarch' ]

# Nothing of kscan's is left in TMPDIR.
check "nothing left in TMPDIR" [ -z "$(ls -A "$TMPDIR")" ]

fx_done
