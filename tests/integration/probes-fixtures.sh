#!/bin/bash
# The probes that read a root (services, module files, accounts, cron) on fixture roots with
# the built-in packs: unit files and their .wants links, init.d scripts and rc?.d links,
# module files of every suffix, passwd and group entries, cron lines, a package installed
# with the real dpkg, the removal plan built from all of it, and decoys that must not match
# (keslint.service, a user klusteradm, a module kvm, a cron line under /opt/kasperskyfan).
. "$KSCAN_SRC/tests/lib/fixtures.sh"

# schema_check DESCRIPTION FILE: FILE validates against report/report.schema.json.
schema_check() {
	if ! python3 -c 'import jsonschema' 2>/dev/null; then
		ok "# SKIP $1: python3-jsonschema missing"
		return
	fi
	check "$1" python3 -c 'import json, sys, jsonschema
V = jsonschema.Draft202012Validator
V(json.load(open(sys.argv[1])), format_checker=V.FORMAT_CHECKER).validate(json.load(open(sys.argv[2])))' \
		"$KSCAN_SRC/report/report.schema.json" "$2"
}

# A KESL installed from its package, enabled at boot, with its groups; a Network Agent whose
# unit is there but not enabled; kav4fs's module file and its SysV script; kav4unix 5.5's
# account and cron job; the tools a Debian system removes things with.
R=$(fx_root host)
deb=$(fx_deb kesl 12.4.0-1225 amd64 /opt/kaspersky/kesl/bin/kesl-control \
	/lib/systemd/system/kesl.service='[Unit]') || exit 1
check "kesl installs into the fixture root" fx_dpkg "$R" -i "$deb"
mkdir -p "$R/etc/systemd/system/multi-user.target.wants" "$R/etc/init.d" "$R/etc/rc0.d" \
	"$R/etc/rc2.d" "$R/etc/rc3.d" "$R/lib/modules/6.1.0-18-amd64/extra" \
	"$R/lib/modules/6.1.0-18-amd64/kernel/arch/x86/kvm" "$R/var/spool/cron/crontabs" \
	"$R/etc/cron.d" "$R/opt/kav/5.5/kav4unix/bin" "$R/usr/bin" "$R/usr/sbin"
ln -s /lib/systemd/system/kesl.service "$R/etc/systemd/system/multi-user.target.wants/kesl.service"
echo '[Unit]' >"$R/lib/systemd/system/klnagent64.service"
echo '[Unit]' >"$R/lib/systemd/system/keslint.service"
ln -s /lib/systemd/system/keslint.service \
	"$R/etc/systemd/system/multi-user.target.wants/keslint.service"
printf '#!/bin/sh\n' >"$R/etc/init.d/kav4fs-supervisor"
ln -s ../init.d/kav4fs-supervisor "$R/etc/rc0.d/K01kav4fs-supervisor"
printf '#!/bin/sh\n' >"$R/etc/init.d/keslint"
ln -s ../init.d/keslint "$R/etc/rc2.d/S01keslint"
echo ko >"$R/lib/modules/6.1.0-18-amd64/extra/kav4fs_oas.ko.xz"
echo ko >"$R/lib/modules/6.1.0-18-amd64/kernel/arch/x86/kvm/kvm.ko"
printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'kluser:x:1001:1001::/var/db/kav:/bin/false' \
	'klusteradm:x:1002:1002::/home/klusteradm:/bin/bash' >"$R/etc/passwd"
printf '%s\n' 'root:x:0:' 'klusers:x:1001:kluser' 'kesladmin:x:998:' 'keslint:x:997:' \
	'klusteradm:x:1002:' >"$R/etc/group"
echo bin >"$R/opt/kav/5.5/kav4unix/bin/keepup2date"
echo '* */4 * * * /opt/kav/5.5/kav4unix/bin/keepup2date' >"$R/var/spool/cron/crontabs/kluser"
printf '%s\n' 'MAILTO=root' '# 0 * * * * root /opt/kaspersky/kesl/bin/kesl-control --update' \
	'0 * * * * root /opt/kasperskyfan/bin/kesl-control /opt/kaspersky-notes/x' \
	>"$R/etc/cron.d/decoys"
touch "$R/usr/bin/apt-get" "$R/usr/sbin/update-rc.d"

kscan_json "$FX/host.json" --root "$R"
check "detected (exit 1), got $rc" [ "$rc" -eq 1 ]
schema_check "the report validates against the schema" "$FX/host.json"
find_ev() { echo "[e for f in r['findings'] if f['signature'] == '$1' for e in f['evidence'] if e['kind'] == '$2']"; }
finding() { echo "[f for f in r['findings'] if f['signature'] == '$1'][0]"; }
jcheck "a mounted root is not live: no running field" "$FX/host.json" \
	'r["scan"]["live"] is False and all("running" not in f for f in r["findings"])'
jcheck "the findings, and only them" "$FX/host.json" \
	'[(f["signature"], f["state"]) for f in r["findings"]] == [("kaspersky.kav4fs", "installed"), ("kaspersky.kesl", "installed"), ("kaspersky.klnagent", "installed"), ("kaspersky.legacy-kav5", "installed")]'

# services
jcheck "kesl.service: the package's unit, enabled by its .wants link" "$FX/host.json" \
	"[(e['name'], e['path'], e['manager'], e['enabled'], e.get('source'), e['state']) for e in $(find_ev kaspersky.kesl service)] == [('kesl.service', '/lib/systemd/system/kesl.service', 'systemd', True, '/etc/systemd/system/multi-user.target.wants/kesl.service', 'installed')]"
jcheck "kesl: enabled at boot" "$FX/host.json" "$(finding kaspersky.kesl)['enabled'] is True"
jcheck "klnagent64.service: there, not enabled" "$FX/host.json" \
	"[(e['name'], e['enabled']) for e in $(find_ev kaspersky.klnagent service)] == [('klnagent64.service', False)] and $(finding kaspersky.klnagent)['enabled'] is False"
jcheck "kav4fs-supervisor: the SysV script of kav4fs-supervisor.service, K links only" \
	"$FX/host.json" \
	"[(e['name'], e['path'], e['manager'], e['enabled'], e['pattern']) for e in $(find_ev kaspersky.kav4fs service)] == [('kav4fs-supervisor', '/etc/init.d/kav4fs-supervisor', 'sysv', False, 'kav4fs-supervisor.service')]"
jcheck "decoys keslint.service and /etc/init.d/keslint are not evidence" "$FX/host.json" \
	'all("keslint" not in json.dumps(f) for f in r["findings"])'

# kernel modules
jcheck "kav4fs_oas.ko.xz: installed, with its kernel release" "$FX/host.json" \
	"[(e['name'], e['path'], e['version'], e['state'], e['role']) for e in $(find_ev kaspersky.kav4fs kernel_module)] == [('kav4fs_oas', '/lib/modules/6.1.0-18-amd64/extra/kav4fs_oas.ko.xz', '6.1.0-18-amd64', 'installed', 'install')]"
jcheck "the module kvm is not evidence" "$FX/host.json" '"kvm" not in json.dumps(r["findings"])'
jcheck "modules source: one kernel, two files, nothing loaded (not live)" "$FX/host.json" \
	'r["sources"]["kernel_modules"]["counts"] == {"loaded": 0, "kernels": 1, "files": 2, "matched": 1} and r["sources"]["kernel_modules"]["status"] == "ok"'

# accounts
jcheck "kesladmin: a KESL group, remnant evidence" "$FX/host.json" \
	"[(e['name'], e['account'], e['gid'], e['state'], e['source'], e['line']) for e in $(find_ev kaspersky.kesl account)] == [('kesladmin', 'group', 998, 'remnant', '/etc/group', 3)]"
jcheck "kluser and klusers: kav4unix's user and group" "$FX/host.json" \
	"sorted((e['name'], e['account']) for e in $(find_ev kaspersky.legacy-kav5 account)) == [('kluser', 'user'), ('klusers', 'group')]"
jcheck "the user klusteradm is not evidence" "$FX/host.json" '"klusteradm" not in json.dumps(r["findings"])'

# cron
jcheck "kluser's keepup2date job: the line, its user, its command" "$FX/host.json" \
	"[(e['path'], e['line'], e['user'], e['command'], e['state'], e['pattern']) for e in $(find_ev kaspersky.legacy-kav5 cron)] == [('/var/spool/cron/crontabs/kluser', 1, 'kluser', '/opt/kav/5.5/kav4unix/bin/keepup2date', 'installed', '/opt/kav/5.[0-9]*')]"
jcheck "comments, variables and look-alike paths in cron are not evidence" "$FX/host.json" \
	'"/etc/cron.d/decoys" not in json.dumps(r["findings"]) and r["sources"]["cron"]["counts"] == {"files": 2, "jobs": 2, "malformed": 0, "matched": 1}'

# the removal plan
jcheck "kesl's plan: disable the unit, purge the package, delete groups and leftovers" \
	"$FX/host.json" \
	"[(s['action'], s.get('command')) for s in $(finding kaspersky.kesl)['remove']] == [('disable_services', 'systemctl disable --now kesl.service'), ('remove_packages', 'apt-get purge kesl'), ('delete_accounts', 'groupdel kesladmin'), ('delete_paths', 'rm -rf -- /lib/systemd/system/kesl.service /opt/kaspersky/kesl')]"
jcheck "kav4fs's plan: stop the script and drop its links with update-rc.d" "$FX/host.json" \
	"[s['command'] for s in $(finding kaspersky.kav4fs)['remove']][0] == 'service kav4fs-supervisor stop; update-rc.d -f kav4fs-supervisor remove'"
jcheck "kav4unix's plan: the cron line by hand, the user before the group" "$FX/host.json" \
	"[(s['action'], s.get('command'), s['targets']) for s in $(finding kaspersky.legacy-kav5)['remove']] == [('remove_cron_jobs', None, ['/var/spool/cron/crontabs/kluser:1']), ('delete_accounts', 'userdel kluser', ['kluser']), ('delete_accounts', 'groupdel klusers', ['klusers']), ('delete_paths', 'rm -rf -- /opt/kav/5.5', ['/opt/kav/5.5'])]"
jcheck "every step has a description and targets" "$FX/host.json" \
	'all(s["description"] and s["targets"] for f in r["findings"] for s in f["remove"])'
jcheck "the signature's hint is kept beside the plan" "$FX/host.json" \
	"$(finding kaspersky.kesl)['remove_hint'].startswith('Remove the packages')"

"$KSCAN" scan --format text --root "$R" >"$FX/host.txt" 2>&1
check "text: installed, enabled at boot" grep -qxF "    status:   enabled at boot" "$FX/host.txt"
check "text: the plan's first step for kesl" grep -qxF "         \$ systemctl disable --now kesl.service" "$FX/host.txt"
check "text: a step done by hand lists what to edit" grep -qxF "         - /var/spool/cron/crontabs/kluser:1" "$FX/host.txt"
check "text: a detected host's report" grep -q "^== DETECTED ==" "$FX/host.txt"
check "text: no line is wider than 100 columns" \
	awk 'length > 100 { print FILENAME ":" FNR ": " length " columns" > "/dev/stderr"; bad = 1 }
		END { exit bad }' "$FX/host.txt"
check "text: the pack list is wrapped under Signatures:" grep -q "^            builtin:kaspersky-" "$FX/host.txt"

# The vendor's uninstaller: in the plan when the signature names it and it is there.
PACK="$FX/uninstall.yaml"
cat >"$PACK" <<'YAML'
schema: 1
signatures:
  - id: test.agent
    vendor: Test
    product: Test agent
    paths:
      - {path: /opt/test/agent, role: install}
    kernel_modules: [test-oas, {name: test_fs, role: remnant}, test_gz]
    uninstall:
      - {path: /opt/test/agent/uninstall.sh, args: [--all, "keep logs"]}
      - {path: /opt/test/agent/not-there.sh}
YAML
U="$FX/uninstall"
mkdir -p "$U/opt/test/agent" "$U/lib/modules/5.10.0/updates"
echo '#!/bin/sh' >"$U/opt/test/agent/uninstall.sh"
echo ko >"$U/lib/modules/5.10.0/updates/test_oas.ko"
echo ko >"$U/lib/modules/5.10.0/updates/test-fs.ko.zst"
echo ko >"$U/lib/modules/5.10.0/updates/test_gz.ko.gz"
echo ko >"$U/lib/modules/5.10.0/updates/test_oas.ko.bak"
kscan_json "$FX/u.json" --no-default-signatures --signatures "$PACK" --root "$U"
jcheck "module files of every suffix, each with its role" "$FX/u.json" \
	"sorted((e['name'], e['path'].rsplit('/', 1)[1], e['state']) for e in $(find_ev test.agent kernel_module)) == [('test_fs', 'test-fs.ko.zst', 'remnant'), ('test_gz', 'test_gz.ko.gz', 'installed'), ('test_oas', 'test_oas.ko', 'installed')]"
jcheck "the uninstaller that is there, with its arguments quoted" "$FX/u.json" \
	"[s['command'] for s in $(finding test.agent)['remove'] if s['action'] == 'run_uninstaller'] == [\"/opt/test/agent/uninstall.sh --all 'keep logs'\"]"

# Decoys only: clean.
D=$(fx_root decoys)
mkdir -p "$D/lib/systemd/system" "$D/etc/systemd/system/multi-user.target.wants" \
	"$D/lib/modules/6.1.0/kernel" "$D/etc/cron.d"
echo '[Unit]' >"$D/lib/systemd/system/keslint.service"
ln -s /lib/systemd/system/keslint.service \
	"$D/etc/systemd/system/multi-user.target.wants/keslint.service"
echo ko >"$D/lib/modules/6.1.0/kernel/kvm.ko"
printf '%s\n' 'root:x:0:0::/root:/bin/sh' 'klusteradm:x:1002:1002::/home/k:/bin/sh' >"$D/etc/passwd"
printf '%s\n' 'root:x:0:' 'keslusers:x:1003:' >"$D/etc/group"
echo '@daily root /opt/kasperskyfan/kesl/bin/kesl-control' >"$D/etc/cron.d/fan"
kscan_json "$FX/decoys.json" --root "$D"
check "decoys: clean (exit 0), got $rc" [ "$rc" -eq 0 ]
jcheck "decoys: every probe ran, none failed" "$FX/decoys.json" \
	'r["verdict"] == "clean" and all(r["sources"][s]["status"] == "ok" for s in ("services", "kernel_modules", "accounts", "cron"))'

# A probe that cannot read what is there makes the scan incomplete, never clean.
B=$(fx_root broken)
mkdir -p "$B/etc/passwd"
kscan_json "$FX/broken.json" --root "$B"
check "unreadable passwd: incomplete (exit 2), got $rc" [ "$rc" -eq 2 ]
jcheck "unreadable passwd: the accounts source failed" "$FX/broken.json" \
	'r["sources"]["accounts"]["status"] == "failed" and "accounts" in r["verdict_reason"]'

fx_done
