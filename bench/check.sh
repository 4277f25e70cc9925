#!/usr/bin/env bash
# Benchmark of `monstack check` against `promtool check rules` (issue #3):
#   - one rule file of ≥ 20,000 rules: ≥ 10× faster than promtool, ≤ 1/10 of its peak memory;
#   - one small rule file: ≤ 3 ms.
# The big file replicates the rule files `render` produces for the `full` fixture, groups renamed.
# Needs hyperfine and GNU time (Debian packages `hyperfine`, `time`) and promtool (`prometheus`).
# Usage: bench/check.sh        (prints the tables; writes bench/results/check.md)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine promtool /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install hyperfine prometheus time" >&2; exit 2; }
done
cargo build --release -j2 --quiet
bin="$PWD/target/release/monstack"
work="$(mktemp -d -t monstack-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT

python3 - "$work" tests/fixtures/render/full/out/prometheus/rules <<'PY'
import os, re, sys
work, rules = sys.argv[1], sys.argv[2]
bodies = []
for name in sorted(os.listdir(rules)):
    text = open(os.path.join(rules, name)).read()
    bodies.append(text.split("groups:\n", 1)[1])
per_copy = sum(len(re.findall(r"^      - (alert|record):", b, re.M)) for b in bodies)
copies = -(-20000 // per_copy)
out = ["groups:"]
for i in range(copies):
    for b in bodies:
        out.append(re.sub(r"^  - name: (\S+)", lambda m: f"  - name: {m.group(1)}-{i}", b, flags=re.M).rstrip("\n"))
open(os.path.join(work, "big.yml"), "w").write("\n".join(out) + "\n")
print(f"big.yml: {copies * per_copy} rules in {copies * len(bodies)} groups")
PY
small=tests/fixtures/render/full/out/prometheus/rules/node.yml
"$bin" check --kind rules "$work/big.yml" >/dev/null
promtool check rules "$work/big.yml" >/dev/null

mkdir -p bench/results
hyperfine --warmup 1 --runs 5 --export-markdown "$work/big.md" \
  -n "monstack check (big)" "$bin check --kind rules $work/big.yml" \
  -n "promtool check rules (big)" "promtool check rules $work/big.yml"
hyperfine --warmup 5 -N --export-markdown "$work/small.md" \
  -n "monstack check (small)" "$bin check --kind rules $small" \
  -n "promtool check rules (small)" "promtool check rules $small"
rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
ours=$(rss "$bin" check --kind rules "$work/big.yml")
theirs=$(rss promtool check rules "$work/big.yml")
{
  echo "# monstack check vs promtool check rules"
  echo
  echo "$(grep -c '^      - ' "$work/big.yml") rules in one file; $(nproc) cores; $(date -u +%Y-%m-%d)."
  echo
  cat "$work/big.md"
  echo
  cat "$work/small.md"
  echo
  echo "| Peak memory (big file) | KiB |"
  echo "|:---|---:|"
  echo "| monstack check | $ours |"
  echo "| promtool check rules | $theirs |"
} | tee bench/results/check.md
