#!/bin/bash
# The project's mechanical style rules (DEVELOPERS.md, docs/ARCHITECTURE.md), checked on
# every C source: banned calls, typedef'd structs, line length, indentation by tabs; and the
# layout rules (docs/ARCHITECTURE.md): module prefixes, what report/ and base/ may include,
# no cycle between the stage folders.
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

# The layout rules, one python pass over the production sources; each finding is one line
# tagged with its rule: prefix:, report:, base:, cycle: (a cycle is followed by one line per
# arrow naming an include that makes it).
layout=$(python3 - "${SRC[@]}" <<'PY'
import os, re, sys

# The stage folders, whose include graph must have no cycle. scanner/main.c is not in a
# stage: it is the entry point above all of them (it dispatches to scanner/cli).
STAGES = ["base", "signatures", "report", "report/fmt", "report/deliver", "scanner/cli",
          "scanner/sources", "scanner/probes", "scanner/deep", "scanner/match", "scanner"]
ENTRY = "scanner/main.c"
# Functions a header may declare without its module's prefix (module = the file's stem).
PREFIX_EXCEPTIONS = {"main"}

src = [f for f in sys.argv[1:] if f.split("/")[0] in
       ("base", "report", "signatures", "scanner")]


def code_of(text):
    """The text without comments and string contents, lines kept."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)


def declared(path):
    """Names of the functions declared at file scope in a header."""
    depth, stmt = 0, ""
    for line in code_of(open(path).read()).split("\n"):
        s = line.strip()
        if depth == 0 and (s.startswith("#") or not s):
            stmt = ""
            continue
        depth += line.count("{") - line.count("}")
        if depth > 0 or "}" in line:
            stmt = ""
            continue
        stmt += " " + s
        if s.endswith(";"):
            m = re.match(r"^(?:extern\s+)?[\w\s*]+?\b(\w+)\s*\(", stmt.strip())
            if m and not stmt.strip().startswith("typedef"):
                yield m.group(1)
            stmt = ""


for f in (f for f in src if f.endswith(".h")):
    stem = os.path.basename(f)[:-2]
    for name in declared(f):
        if not name.startswith(stem + "_") and name not in PREFIX_EXCEPTIONS:
            print("prefix: %s: %s() lacks the module prefix %s_" % (f, name, stem))

edges = {}
for f in src:
    folder = "(entry)" if f == ENTRY else os.path.dirname(f)
    for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', open(f).read(), re.M):
        if inc == "config.h":
            continue
        top = inc.split("/")[0]
        if folder.split("/")[0] == "report" and top not in ("base", "report"):
            print("report: %s includes %s (only base/, report/ and config.h)" % (f, inc))
        if folder == "base" and top != "base":
            print("base: %s includes %s (only base/ and config.h)" % (f, inc))
        to = os.path.dirname(inc)
        if folder in STAGES and to in STAGES and to != folder:
            edges.setdefault(folder, {}).setdefault(to, (f, inc))

state, path = {}, []


def visit(n):
    state[n] = "open"
    path.append(n)
    for m in sorted(edges.get(n, {})):
        if state.get(m) == "open":
            cyc = path[path.index(m):] + [m]
            print("cycle: " + " -> ".join(cyc))
            for a, b in zip(cyc, cyc[1:]):
                print('    %s -> %s: %s includes "%s"' % ((a, b) + edges[a][b]))
        elif m not in state:
            visit(m)
    path.pop()
    state[n] = "done"


for n in STAGES:
    if n not in state:
        visit(n)
PY
)
hits=$(grep '^prefix: ' <<<"$layout" || true)
check "exported functions carry their module's prefix${hits:+:
$hits}" [ -z "$hits" ]
hits=$(grep '^report: ' <<<"$layout" || true)
check "report/ includes nothing from scanner/ or signatures/${hits:+:
$hits}" [ -z "$hits" ]
hits=$(grep '^base: ' <<<"$layout" || true)
check "base/ includes nothing outside base/${hits:+:
$hits}" [ -z "$hits" ]
hits=$(grep -A64 '^cycle: ' <<<"$layout" | grep -E '^(cycle: |    )' || true)
check "no cycle between the stage folders${hits:+:
$hits}" [ -z "$hits" ]

# The map stays true: every module (a .c of the program, by its stem) is named in the tour
# of scanner/main.c and in docs/ARCHITECTURE.md.
missing=""
for c in $(cd "$KSCAN_SRC" && ls base/*.c signatures/*.c scanner/*.c scanner/*/*.c \
	report/*.c report/*/*.c); do
	m=$(basename "$c" .c)
	[ "$m" = main ] && continue
	grep -q "\b$m\.\[ch\]\|\b$m\.\[ch\]" "$KSCAN_SRC/scanner/main.c" ||
		missing="$missing
  $c: not in the tour of scanner/main.c"
	grep -q "\`$m\`" "$KSCAN_SRC/docs/ARCHITECTURE.md" ||
		missing="$missing
  $c: not in docs/ARCHITECTURE.md"
done
check "every module is named in scanner/main.c's tour and docs/ARCHITECTURE.md${missing:+:$missing}" \
	[ -z "$missing" ]

fx_done
