#!/bin/bash
# --color (issue 18): auto colours the text report's banner only on a terminal, with
# NO_COLOR unset or empty and TERM not "dumb"; always and never force it; a bad value is a
# usage error. The terminal is a real pty (script(1)).
. "$KSCAN_SRC/tests/lib/fixtures.sh"

command -v script >/dev/null || skip_all "script(1) not installed (util-linux)"
R=$(fx_root clean)
esc=$(printf '\033[')

# on_tty OUT ENV...: runs kscan --root R ARGS on a pty with the environment given
on_tty() {
	local out=$1
	shift
	env -u NO_COLOR TERM=xterm "$@" script -qec \
		"'$KSCAN' --root '$R' --quiet $KSCAN_ARGS" /dev/null >"$out" 2>&1
}
colored() { grep -qF "$esc" "$1"; }
plain() { ! grep -qF "$esc" "$1"; }

KSCAN_ARGS="" on_tty "$FX/auto"
check "auto on a terminal: text report" grep -q '== CLEAN ==' "$FX/auto"
check "auto on a terminal: coloured banner" colored "$FX/auto"
KSCAN_ARGS="" on_tty "$FX/nocolor" NO_COLOR=1
check "auto, NO_COLOR=1: no colour" plain "$FX/nocolor"
KSCAN_ARGS="" on_tty "$FX/nocolor-empty" NO_COLOR=
check "auto, NO_COLOR empty: colour" colored "$FX/nocolor-empty"
KSCAN_ARGS="" on_tty "$FX/dumb" TERM=dumb
check "auto, TERM=dumb: no colour" plain "$FX/dumb"
KSCAN_ARGS="--color=never" on_tty "$FX/never"
check "--color=never on a terminal: no colour" plain "$FX/never"
KSCAN_ARGS="--color=auto" on_tty "$FX/auto2"
check "--color=auto on a terminal: colour" colored "$FX/auto2"

"$KSCAN" --root "$R" --quiet --format text >"$FX/pipe"
check "auto into a pipe: no colour" plain "$FX/pipe"
NO_COLOR=1 "$KSCAN" --root "$R" --quiet --format text --color always >"$FX/always"
check "--color always into a pipe (NO_COLOR set): colour" colored "$FX/always"
"$KSCAN" --root "$R" --quiet --format text --color=always --output "$FX/always.txt"
check "--color=always into --output: colour" colored "$FX/always.txt"
"$KSCAN" --root "$R" --quiet --format json --color=always >"$FX/json"
check "--color=always leaves JSON alone" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
	"$FX/json"
"$KSCAN" --root "$R" --color=sometimes >/dev/null 2>"$FX/bad.err"
check "--color=sometimes: exit 64" [ $? -eq 64 ]
check "--color=sometimes: names the choices" grep -q 'auto, always or never' "$FX/bad.err"
"$KSCAN" send --color=always >/dev/null 2>&1
check "--color does not apply to send: exit 64" [ $? -eq 64 ]
fx_done
