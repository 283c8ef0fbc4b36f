#!/bin/bash
# The example playbook parses: ansible-playbook --syntax-check. (deb.sh runs it against
# this machine with --connection=local when KSCAN_PKG_INSTALL=1.)
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v ansible-playbook >/dev/null || skip_all "ansible-core not installed"
ANSIBLE_NOCOLOR=1 ansible-playbook --syntax-check -i localhost, \
	"$KSCAN_SRC/packaging/ansible/kscan.yml" >"$FX/out" 2>&1
check "ansible-playbook --syntax-check: exit 0" [ $? -eq 0 ]
sed 's/^/#   /' "$FX/out"
check "no warnings" bash -c "! grep -q WARNING '$FX/out'"
fx_done
