#!/usr/bin/env python3
"""The Markdown side of the docs test (tests/integration/docs.sh).

  mddocs.py links FILE...        every relative link and #anchor that does not resolve
  mddocs.py examples FILE        the example commands: "CODES<TAB>COMMAND" per line
  mddocs.py block FILE NAME      the generated block NAME, as it stands
  mddocs.py replace FILE NAME    replaces block NAME with standard input

Examples are the lines of ```sh blocks that start with "kscan" and end with a comment
"# exit N" or "# exit N, M or K" (the exit codes the README claims), and inline code spans
`kscan ...` that give an option or an argument (those claim success: 0 for the other verbs;
0, 1 or 2 for a scan, whose verdict depends on the host). A ```sh line starting with kscan
and claiming nothing is an error: every example says what it returns.
Generated blocks sit between a comment line "generated: NAME (...)" and one "end: NAME",
in whatever comment syntax the file has (Markdown, roff, shell).
"""
import os
import re
import sys

LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```")
EXIT = re.compile(r"#\s*exit\s+([0-9][0-9, or]*)\s*(?::.*)?$")
SPAN = re.compile(r"`(kscan [^`]+)`")
VERBS = {"scan", "send", "packages", "signatures"}
SUBVERBS = {"lint", "list", "sign", "verify", "hash"}


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(path):
    out = set()
    fenced = False
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if FENCE.match(line):
                fenced = not fenced
            elif not fenced and line.startswith("#"):
                out.add(slug(line.lstrip("#")))
    return out


def prose_lines(path):
    """(line number, text) of the lines outside fenced blocks."""
    fenced = False
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if FENCE.match(line):
                fenced = not fenced
                continue
            if not fenced:
                yield n, line


def links(files):
    bad = 0
    for path in files:
        base = os.path.dirname(path)
        for n, line in prose_lines(path):
            for target in LINK.findall(line):
                if re.match(r"^[a-z]+:", target):
                    continue
                file, _, frag = target.partition("#")
                dest = os.path.normpath(os.path.join(base, file)) if file else path
                why = None
                if not os.path.exists(dest):
                    why = "no such file"
                elif frag and dest.endswith(".md") and frag not in anchors(dest):
                    why = "no heading with anchor #" + frag
                if why:
                    print(f"{path}:{n}: link {target}: {why}")
                    bad += 1
    return 1 if bad else 0


def claimed(codes):
    return ",".join(re.findall(r"[0-9]+", codes))


def is_example(span):
    """A span that runs something, not one naming a verb (`kscan send`)."""
    words = span.split()[1:]
    return any(w not in VERBS and w not in SUBVERBS for w in words)


def examples(path):
    fenced = None
    err = 0
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            m = FENCE.match(line)
            if m:
                fenced = None if fenced is not None else line[3:].strip()
                continue
            if fenced == "sh" and line.startswith("kscan"):
                e = EXIT.search(line)
                if not e:
                    print(f"{path}:{n}: example claims no exit code (# exit N)",
                          file=sys.stderr)
                    err = 1
                    continue
                cmd = line[: e.start()].rstrip()
                print(f"{claimed(e.group(1))}\t{cmd}")
            elif fenced is None:
                for span in SPAN.findall(line):
                    if not is_example(span):
                        continue
                    scan = span.split()[1] not in VERBS - {"scan"}
                    print(("0,1,2" if scan else "0") + "\t" + span)
    return err


def block_bounds(lines, name):
    start = end = None
    for i, line in enumerate(lines):
        if f"generated: {name} " in line and start is None:
            start = i
        elif f"end: {name}" in line and end is None:
            end = i
    if start is None or end is None or end < start:
        sys.exit(f"mddocs.py: no generated block '{name}'")
    return start, end


def block(path, name, new=None):
    with open(path, encoding="utf-8") as fh:
        lines = fh.readlines()
    start, end = block_bounds(lines, name)
    if new is None:
        sys.stdout.write("".join(lines[start + 1 : end]))
        return 0
    lines[start + 1 : end] = [new]
    with open(path + ".new", "w", encoding="utf-8") as fh:
        fh.write("".join(lines))
    os.replace(path + ".new", path)
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "links":
        return links(argv[1:])
    if len(argv) == 2 and argv[0] == "examples":
        return examples(argv[1])
    if len(argv) == 3 and argv[0] == "block":
        return block(argv[1], argv[2])
    if len(argv) == 3 and argv[0] == "replace":
        return block(argv[1], argv[2], sys.stdin.read())
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
