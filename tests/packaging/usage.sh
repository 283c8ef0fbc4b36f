#!/bin/bash
# Help, man page, completion and README agree (issue 18): every long option that a verb's
# --help lists is in kscan(1) and in the bash completion; --help names every command;
# send and packages state their own exit status, not the scan's table; and every option of
# the README's usage block is one the binary accepts for that command.
. "$KSCAN_SRC/tests/lib/fixtures.sh"

COMP="$KSCAN_SRC/packaging/completion/kscan.bash"
MAN="$KSCAN_BUILD/docs/man/kscan.1"
command -v mandoc >/dev/null || skip_all "mandoc not installed (packaging/setup-debian.sh)"
mandoc -T ascii "$MAN" | col -b >"$FX/kscan.txt"

# each verb's --help ("": kscan --help)
for verb in "" "scan" "send" "packages" "signatures"; do
	# shellcheck disable=SC2086
	"$KSCAN" $verb --help >"$FX/help" 2>&1 || not_ok "kscan $verb --help failed"
	grep -o -- '--[a-z][a-z-]*' "$FX/help" | sort -u >"$FX/opts"
	check "kscan $verb --help lists options" [ -s "$FX/opts" ]
	while read -r opt; do
		check "kscan $verb --help: kscan(1) documents $opt" \
			grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" "$FX/kscan.txt"
		check "kscan $verb --help: the completion offers $opt" \
			grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" "$COMP"
	done <"$FX/opts"
	case $verb in
	send | packages)
		check "kscan $verb --help: no scan exit-code table" \
			bash -c '! grep -q "not delivered: the report is in the spool" "$1"' _ "$FX/help"
		check "kscan $verb --help: its own exit status" grep -q '^Exit status 0' "$FX/help"
		;;
	*)
		check "kscan $verb --help: the exit-code table" grep -q '^  65  invalid' "$FX/help"
		;;
	esac
done
"$KSCAN" --help >"$FX/help"
for cmd in "send" "signatures lint" "signatures list" "signatures sign" "signatures verify" \
	"signatures hash" "packages"; do
	check "kscan --help names 'kscan $cmd'" grep -q "^  kscan $cmd" "$FX/help"
done

# The README's usage block: one command per line starting with "kscan", continued by
# indented lines. For each option, "--opt=x" (it takes a value) or "--opt" is given to that
# command, followed by --help so that nothing runs; the binary must not call it unknown.
python3 - "$KSCAN_SRC/README.md" >"$FX/usage" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
block = text.split("## Usage", 1)[1].split("```", 2)[1]
cmds = []
for line in block.splitlines():
    if line.startswith("kscan"):
        cmds.append(line)
    elif line.startswith(" ") and cmds:
        cmds[-1] += " " + line.strip()
for c in cmds:
    words = c.split()[1:]
    verb = []
    for w in words:
        if w == "[scan]":
            verb = ["scan"]
            break
        if not re.fullmatch(r"[a-z]+", w):
            break
        verb.append(w)
    for m in re.finditer(r"--([a-z][a-z-]*)( [A-Za-z][^ \]]*)?", c):
        arg = "--" + m.group(1) + ("=x" if m.group(2) else "")
        print(" ".join(verb) + "\t" + arg)
PY
check "README usage block has options" [ "$(wc -l <"$FX/usage")" -ge 30 ]
while IFS=$'\t' read -r verb arg; do
	rc=0
	# shellcheck disable=SC2086
	"$KSCAN" $verb "$arg" --help >/dev/null 2>"$FX/err" </dev/null || rc=$?
	check "README: kscan $verb $arg is accepted" \
		bash -c '! grep -qE "unknown option|does not apply|unknown command" "$1"' _ "$FX/err"
	sed 's/^/#   /' "$FX/err"
done <"$FX/usage"
fx_done
