#!/usr/bin/env python3
"""Builds the real-world case of bench/check.sh: the groups of every rule file of
tests/upstream/realworld-rules/ (120 public files, 150 groups, 1,188 rules), replicated COPIES times into one
file of ~24,000 rules. Each group keeps its text as written (quoting, block scalars, comments,
`interval:` before `name:`); only its name gets a `-<copy>-<n>` suffix, since group names must be unique
in a file.

Usage: bench/realworld_rules.py OUT.yml [COPIES]   (prints what it wrote)
"""
import os
import re
import sys

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "upstream", "realworld-rules")


def files():
    out = []
    for root, _, names in os.walk(CORPUS):
        out += [os.path.join(root, n) for n in names if n.endswith((".yml", ".yaml"))]
    return sorted(out)


def main():
    out_path = sys.argv[1]
    copies = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    bodies = []
    for path in files():
        text = open(path, encoding="utf-8").read()
        head, sep, body = text.partition("groups:\n")
        if not sep or head.strip("-\n "):
            sys.exit(f"{path}: expected `groups:` at the top")
        # Every corpus file lists its groups at column 0 (`- name:` or `- interval:`).
        if not re.match(r"\A(\s*\n)*- ", body):
            sys.exit(f"{path}: expected the groups at column 0")
        bodies.append(body.rstrip("\n"))
    rules = sum(len(re.findall(r"^\s*(- )?(alert|record): ", b, re.M)) for b in bodies)
    groups = sum(len(re.findall(r"^- ", b, re.M)) for b in bodies)
    name = re.compile(r"^(- |  )name: *(\S.*?) *$", re.M)
    parts = ["groups:"]
    for i in range(copies):
        # Names repeat across the corpus (37 files call their group `EmbeddedExporter`): the
        # suffix numbers every group of the output.
        seen = 0
        for b in bodies:
            def rename(m):
                nonlocal seen
                seen += 1
                return f"{m.group(1)}name: {m.group(2)}-{i}-{seen}"
            parts.append(name.sub(rename, b))
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")
    print(f"{os.path.basename(out_path)}: {copies * rules} rules in {copies * groups} groups "
          f"from {len(bodies)} files")


if __name__ == "__main__":
    main()
