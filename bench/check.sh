#!/usr/bin/env bash
# Benchmark of `monstack check` against `promtool check rules`, in the same run on the same machine.
# Goals: ≥ 10× faster than promtool and ≤ 1/10 of its peak memory on each big file; ≤ 3 ms per
# small file.
#   - rendered (issue #3): one file of ≥ 20,000 rules replicating the rule files `render` writes
#     for the `full` fixture (short, uniform, simple templates), groups renamed;
#   - real-world (issue #14): one file of 23,760 rules, the 150 groups of the 120 public rule files
#     in tests/upstream/realworld-rules/ (see its README for sources and licences) replicated 20 times with
#     unique group names, each group's text kept (bench/realworld_rules.py);
#   - per file: each of those 120 files checked in a process of its own; the median over the files
#     of each file's mean time;
#   - small: the rendered node.yml.
# Needs hyperfine and GNU time (Debian packages `hyperfine`, `time`) and promtool (`prometheus`).
# Usage: bench/check.sh        (prints the tables; writes bench/results/check.md)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine promtool /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install hyperfine prometheus time python3" >&2; exit 2; }
done
[ -d tests/upstream/realworld-rules ] || { echo "tests/upstream/realworld-rules is missing" >&2; exit 2; }
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
python3 bench/realworld_rules.py "$work/real.yml" 20
small=tests/fixtures/render/full/out/prometheus/rules/node.yml
# Both tools accept every input: a benchmark of an error path would measure nothing useful.
for f in "$work/big.yml" "$work/real.yml"; do
  "$bin" check --kind rules "$f" >/dev/null
  promtool check rules "$f" >/dev/null 2>&1  # it warns of the duplicates the ×20 copies make; exit 0
done
corpus=$(find tests/upstream/realworld-rules -name '*.y*ml' | sort | paste -sd, -)

mkdir -p bench/results
hyperfine --warmup 1 --runs 5 --export-markdown "$work/big.md" \
  -n "monstack check (rendered, big)" "$bin check --kind rules $work/big.yml" \
  -n "promtool check rules (rendered, big)" "promtool check rules $work/big.yml"
hyperfine --warmup 1 --runs 5 --export-markdown "$work/real.md" \
  -n "monstack check (real-world, big)" "$bin check --kind rules $work/real.yml" \
  -n "promtool check rules (real-world, big)" "promtool check rules $work/real.yml"
hyperfine --warmup 5 -N --export-markdown "$work/small.md" \
  -n "monstack check (small)" "$bin check --kind rules $small" \
  -n "promtool check rules (small)" "promtool check rules $small"
hyperfine --warmup 2 --runs 10 -N --style none --export-json "$work/files-ours.json" \
  -L file "$corpus" "$bin check --kind rules {file}" >/dev/null
hyperfine --warmup 1 --runs 5 -N --style none --export-json "$work/files-promtool.json" \
  -L file "$corpus" "promtool check rules {file}" >/dev/null
median() {
  python3 -c 'import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
t = sorted(x["mean"] * 1000 for x in r)
print(f"{statistics.median(t):.1f} | {t[0]:.1f} | {t[-1]:.1f} | {len(t)}")' "$1"
}
rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
ours_big=$(rss "$bin" check --kind rules "$work/big.yml")
ours_real=$(rss "$bin" check --kind rules "$work/real.yml")
theirs_big=$(rss promtool check rules "$work/big.yml")
theirs_real=$(rss promtool check rules "$work/real.yml")
ratio() { python3 -c "import sys; print(f'{int(sys.argv[1]) / int(sys.argv[2]):.3f}')" "$1" "$2"; }
{
  echo "# monstack check vs promtool check rules"
  echo
  echo "$(nproc) cores; $(date -u +%Y-%m-%d); $(promtool --version 2>&1 | head -1)."
  echo "Rendered: $(grep -cE '^      - (alert|record):' "$work/big.yml") rules in one file."
  echo "Real-world: $(grep -cE '^\s*(- )?(alert|record): ' "$work/real.yml") rules in one file (tests/upstream/realworld-rules ×20)."
  echo
  cat "$work/big.md"
  echo
  cat "$work/real.md"
  echo
  cat "$work/small.md"
  echo
  echo "| Each of the 120 real-world files, one process each | median [ms] | fastest [ms] | slowest [ms] | files |"
  echo "|:---|---:|---:|---:|---:|"
  echo "| monstack check | $(median "$work/files-ours.json") |"
  echo "| promtool check rules | $(median "$work/files-promtool.json") |"
  echo
  echo "| Peak memory (RSS) | rendered, big [KiB] | real-world, big [KiB] |"
  echo "|:---|---:|---:|"
  echo "| monstack check | $ours_big | $ours_real |"
  echo "| promtool check rules | $theirs_big | $theirs_real |"
  echo "| monstack / promtool (goal ≤ 0.1) | $(ratio "$ours_big" "$theirs_big") | $(ratio "$ours_real" "$theirs_real") |"
} | tee bench/results/check.md
