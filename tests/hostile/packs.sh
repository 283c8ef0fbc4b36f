#!/bin/bash
# Hostile signature packs: each must be refused with exit 65 and a FILE:LINE:COL message,
# without a crash, in bounded time and memory, and without a report on stdout.
. "$KSCAN_SRC/tests/lib/fixtures.sh"
cd "$FX"
R="$FX/root"
mkdir -p "$R"

# refused NAME WANT-REGEX: scans with pack NAME.yaml and checks the refusal.
refused() {
	local name=$1 want=$2 rc=0 rss
	/usr/bin/time -f '%M' -o "$name.rss" timeout 20 "$KSCAN" scan --no-default-signatures \
		--signatures "$name.yaml" --root "$R" >"$name.out" 2>"$name.err" || rc=$?
	rss=$(tail -1 "$name.rss" | tr -dc 0-9)
	check "$name: exit 65 (got $rc)" [ "$rc" -eq 65 ]
	check "$name: FILE:LINE:COL message matching /$want/" \
		grep -Eq "^kscan: $name\.yaml:[0-9]+:[0-9]+: .*$want" "$name.err"
	check "$name: no report on stdout" [ ! -s "$name.out" ]
	check "$name: peak memory ${rss} KiB under 64 MiB" [ "${rss:-999999}" -lt 65536 ]
}

# billion laughs: nine levels of aliases, 10^9 strings if expanded
{
	echo 'a0: &a0 "lol"'
	for i in 1 2 3 4 5 6 7 8 9; do
		p=$((i - 1))
		echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
	done
	echo 'schema: 1'
	echo 'signatures: *a9'
} >laughs.yaml
refused laughs 'alias|anchor'

# nesting 100,000 deep
{ printf 'schema: 1\nsignatures: '; head -c 100000 /dev/zero | tr '\0' '['; } >deep.yaml
refused deep 'nest|deep'

# one 3 MiB scalar
{ printf 'schema: 1\nsignatures:\n  - id: '; head -c 3000000 /dev/zero | tr '\0' 'a'; echo; } >huge.yaml
refused huge 'long|too|large|byte'

# invalid UTF-8 in a value
printf 'schema: 1\nsignatures:\n  - id: x.y\n    vendor: \xff\xfe\n    product: p\n    packages: [{name: kesl}]\n' >utf8.yaml
refused utf8 'UTF-8|utf-8|invalid'

# a pack past the file cap (4 MiB)
{ printf 'schema: 1\n# '; head -c 5000000 /dev/zero | tr '\0' 'x'; echo; } >big.yaml
refused big 'larger than'

# 20,000 signatures (cap 8,192) in one pack
python3 - >many.yaml <<'PY'
print("schema: 1\nsignatures:")
for i in range(20000):
    print("  - {id: t.s%d, vendor: V, product: P, packages: [{name: pkg%d}]}" % (i, i))
PY
refused many 'signatures|more than|too many'

# a NUL byte and control characters
printf 'schema: 1\nsignatures:\n  - id: x.y\x00\n' >nul.yaml
refused nul 'NUL|control|invalid|character'

fx_done
