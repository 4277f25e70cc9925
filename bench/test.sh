#!/usr/bin/env bash
# Benchmark of `monstack test` against `promtool test rules` (issue #11, item 8): the public rule
# corpus copied into tests/upstream/realworld-rules (or $RULES) as one rule file per group and two unit-test files
# per group (evaluated every 15 s until 30 m and until 1 h, over series for every selector), all
# files given to one run of each tool, same machine, same run. Target: ≥ 10× faster.
# `examples/promql_bench.rs gen` picks the rules and writes the series; `examples/test_bench.rs
# split` writes the test files. Needs hyperfine (Debian package `hyperfine`) and promtool.
# Usage: bench/test.sh        (prints the table; writes bench/results/test.md)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine promtool; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install hyperfine prometheus" >&2; exit 2; }
done
rules="${RULES:-tests/upstream/realworld-rules}"
[ -d "$rules" ] || { echo "rule corpus missing at $rules (set RULES)" >&2; exit 2; }
cargo build --release -j2 --quiet --bin monstack --example promql_bench --example test_bench
bin="$PWD/target/release"
work="$(mktemp -d -t monstack-test-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT

"$bin/examples/promql_bench" gen "$rules" "$work" | tee "$work/gen.txt"
"$bin/examples/test_bench" split "$work" | tee "$work/split.txt"
cd "$work/tests"
files=$(ls t*.yml | wc -l)
# Both must pass every file, or the comparison would time different work.
"$bin/monstack" test t*.yml > "$work/monstack.txt" || { tail -20 "$work/monstack.txt"; exit 1; }
promtool test rules t*.yml > "$work/promtool.txt" 2>&1 || { tail -20 "$work/promtool.txt"; exit 1; }
hyperfine --warmup 1 --runs 3 --export-markdown "$work/time.md" \
  -n "monstack test" "$bin/monstack test t*.yml" \
  -n "promtool test rules 2.42" "promtool test rules t*.yml"
cd - >/dev/null
mkdir -p bench/results
{
  echo "# monstack test vs promtool test rules"
  echo
  echo "$files test files over $(cat "$work/gen.txt"); $(nproc) cores; $(date -u +%Y-%m-%d)."
  echo
  cat "$work/time.md"
} | tee bench/results/test.md
