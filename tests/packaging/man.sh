#!/bin/bash
# The man pages: lint-clean under mandoc and groff, and kscan(1) names every option that
# `kscan --help` and its subcommands' help list (so the page cannot fall behind).
. "$KSCAN_SRC/tests/lib/fixtures.sh"

MAN="$KSCAN_BUILD/docs/man"
command -v mandoc >/dev/null || skip_all "mandoc not installed (packaging/setup-debian.sh)"
for p in kscan.1 kscan.yaml.5 kscan-signatures.5; do
	check "$p exists" [ -s "$MAN/$p" ]
	mandoc -T lint -W style "$MAN/$p" >"$FX/lint" 2>&1
	check "$p: mandoc -T lint -W style is silent (lines within 80 bytes too)" [ ! -s "$FX/lint" ]
	sed 's/^/#   /' "$FX/lint"
	LC_ALL=C.UTF-8 groff -ww -z -t -man "$MAN/$p" >"$FX/groff" 2>&1
	check "$p: groff -ww -z is silent" [ ! -s "$FX/groff" ]
	sed 's/^/#   /' "$FX/groff"
	check "$p: no unsubstituted @VAR@" bash -c "! grep -q '@[A-Z]*@' '$MAN/$p'"
done

# every long option of every help text appears in kscan(1) (rendered, so \- is plain -)
MANPAGER=cat mandoc -T utf8 "$MAN/kscan.1" | col -b >"$FX/kscan.txt" 2>/dev/null ||
	mandoc -T ascii "$MAN/kscan.1" | col -b >"$FX/kscan.txt"
{
	"$KSCAN" --help
	"$KSCAN" signatures --help
	"$KSCAN" packages --help
} | grep -o -- '--[a-z][a-z-]*' | sort -u >"$FX/opts"
check "help texts list options" [ "$(wc -l <"$FX/opts")" -ge 25 ]
while read -r opt; do
	check "kscan(1) documents $opt" grep -q -- "$opt" "$FX/kscan.txt"
done <"$FX/opts"
for cmd in lint list sign verify hash packages; do
	check "kscan(1) documents the $cmd command" grep -q "$cmd" "$FX/kscan.txt"
done
fx_done
