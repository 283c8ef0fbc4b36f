#!/bin/bash
# The project's mechanical style rules (DEVELOPERS.md, docs/ARCHITECTURE.md), checked on
# every C source: banned calls, typedef'd structs, line length, indentation by tabs.
. "$KSCAN_SRC/tests/lib/fixtures.sh"
cd "$KSCAN_SRC"
mapfile -t SRC < <(git ls-files '*.c' '*.h' 2>/dev/null || find scanner report tests -name '*.[ch]')

hits=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atoll|gets|strncpy)[[:space:]]*\(' \
	"${SRC[@]}" | grep -v '^\S*:[0-9]*:\s*\*' || true)
check "no banned calls${hits:+: $hits}" [ -z "$hits" ]

hits=$(grep -nE '\b(strtol|strtoul|strtoll|strtoull)[[:space:]]*\(' "${SRC[@]}" || true)
check "no raw strtol family (use xstd_strtou64)${hits:+: $hits}" [ -z "$hits" ]

hits=$(grep -nE 'typedef[[:space:]]+struct' "${SRC[@]}" || true)
check "no typedef'd structs${hits:+: $hits}" [ -z "$hits" ]

hits=$(awk '{ gsub(/\t/, "        "); if (length($0) > 100) print FILENAME ":" FNR }' "${SRC[@]}")
check "lines at most 100 columns${hits:+: $hits}" [ -z "$hits" ]

hits=$(grep -nE '^ +[^ *]' "${SRC[@]}" || true)
check "indentation by tabs${hits:+: $(echo "$hits" | head -5)}" [ -z "$hits" ]

fx_done
