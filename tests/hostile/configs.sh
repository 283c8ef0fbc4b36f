#!/bin/bash
# Hostile configuration files: each must be refused with exit 65 and a FILE:LINE:COL
# message (or, for what is not a YAML problem, a message naming the file), without a crash,
# in bounded time and memory, without a report on stdout and without scanning.
. "$KSCAN_SRC/tests/lib/fixtures.sh"
cd "$FX"
R="$FX/root"
mkdir -p "$R"

# refused NAME WANT-REGEX [LOC]: runs with --config NAME.yaml and checks the refusal; LOC=0
# when the message cannot have a line and column (the file is not read at all).
refused() {
	local name=$1 want=$2 loc=${3:-1} rc=0 rss re
	/usr/bin/time -f '%M' -o "$name.rss" timeout 20 "$KSCAN" scan --config "$name.yaml" \
		--root "$R" --format json >"$name.out" 2>"$name.err" || rc=$?
	rss=$(tail -1 "$name.rss" | tr -dc 0-9)
	check "$name: exit 65 (got $rc)" [ "$rc" -eq 65 ]
	re="^kscan: $name\.yaml"
	[ "$loc" = 1 ] && re="$re:[0-9]+:[0-9]+:"
	check "$name: message matching /$re.*($want)/" grep -Eq "$re.*($want)" "$name.err"
	check "$name: no report on stdout" [ ! -s "$name.out" ]
	check "$name: peak memory ${rss} KiB under 64 MiB" [ "${rss:-999999}" -lt 65536 ]
	grep -q . "$name.err" || echo "#   (no message)"
	head -2 "$name.err" | cut -c1-200 | sed 's/^/#   /'
}

# billion laughs: nine levels of aliases, 10^9 strings if expanded
{
	echo 'a0: &a0 "lol"'
	for i in 1 2 3 4 5 6 7 8 9; do
		p=$((i - 1))
		echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
	done
	echo 'excludes: *a9'
} >laughs.yaml
refused laughs 'alias|anchor'

# nesting 100,000 deep
{ printf 'collector:\n  headers: '; head -c 100000 /dev/zero | tr '\0' '['; } >deep.yaml
refused deep 'nest|deep|mapping|sequence'

# one 900 KiB scalar (under the file cap, over the scalar cap)
{ printf 'root: /'; head -c 900000 /dev/zero | tr '\0' 'a'; echo; } >huge.yaml
refused huge 'long|too|large|byte'

# invalid UTF-8 in a value
printf 'collector:\n  url: https://c.example/\xff\xfe\n' >utf8.yaml
refused utf8 'UTF-8|utf-8|invalid'

# a file past the file cap (1 MiB)
{ printf 'quiet: true\n# '; head -c 2000000 /dev/zero | tr '\0' 'x'; echo; } >big.yaml
refused big 'larger than 1024 KiB' 0

# binary garbage
head -c 4096 /dev/urandom >garbage.yaml
printf '\x00' >>garbage.yaml
refused garbage '.' 0

# a NUL byte
printf 'quiet: true\x00\nroot: /\n' >nul.yaml
refused nul 'NUL|control|invalid|character'

# a key twice, an unknown key, a tab
printf 'quiet: true\nquiet: false\n' >dup.yaml
refused dup 'twice|duplicate|again'
printf 'collector:\n  urll: https://c.example/\n' >unknown.yaml
refused unknown 'unknown|not a key|urll'
printf 'collector:\n\turl: https://c.example/\n' >tab.yaml
refused tab 'tab|indent|scan|found'

# a thousand headers (more than any collector needs)
{ echo 'collector:'; echo '  headers:'; for i in $(seq 1 1000); do echo "    X-H$i: v"; done; } \
	>headers.yaml
refused headers 'header|more than|too many'

# not a regular file: a FIFO (never opened in a way that blocks), a directory
mkfifo fifo.yaml
refused fifo 'regular|FIFO|fifo' 0
mkdir dir.yaml
refused dir 'regular|directory' 0

# writable by others: anyone could change where reports go
printf 'quiet: true\n' >open.yaml
chmod 0666 open.yaml
refused open 'writable|mode' 0

fx_done
