#!/usr/bin/env python3
"""Writes a C file that embeds the given YAML packs as byte arrays (signatures/builtin.h).

Runs at build time so the kscan binary needs no installed data files.
"""
import os
import sys


def c_bytes(data):
    out = []
    for i in range(0, len(data), 16):
        out.append("\t" + ", ".join("0x%02x" % b for b in data[i:i + 16]) + ",")
    return "\n".join(out)


def main():
    output, inputs = sys.argv[1], sorted(sys.argv[2:], key=os.path.basename)
    parts = ['#include "signatures/builtin.h"', ""]
    rows = []
    for n, path in enumerate(inputs):
        with open(path, "rb") as f:
            data = f.read()
        parts.append("static const char pack%d[] = {\n%s\n\t0x00\n};" % (n, c_bytes(data)))
        rows.append('\t{"%s", pack%d, %d},' % (os.path.basename(path), n, len(data)))
    parts.append("")
    parts.append("const struct sig_builtin sig_builtin_packs[] = {")
    parts.extend(rows)
    parts.append("\t{NULL, NULL, 0},")
    parts.append("};")
    parts.append("const size_t sig_builtin_npacks = %d;" % len(inputs))
    with open(output, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
