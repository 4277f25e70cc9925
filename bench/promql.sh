#!/usr/bin/env bash
# Benchmark of the PromQL engine against `promtool test rules` (issue #10):
#   - the recording and alerting rules of tests/upstream/realworld-rules (the public corpus, copied
#     into the repository; or $RULES), over a synthetic
#     series for every selector they use, evaluated every 15 s for 1 h: ≥ 10× faster than promtool;
#   - memory linear in the samples stored (the same run with every series loaded 1, 2, 4, 8 times).
# `examples/promql_bench.rs gen` writes the inputs: the rules that evaluate without error (so that
# neither tool stops early), the series in promtool's notation, and a promtool unit-test file over
# the same series whose alert test at 1 h makes promtool evaluate every group every 15 s.
# Needs hyperfine and GNU time (Debian packages `hyperfine`, `time`) and promtool (`prometheus`).
# Usage: bench/promql.sh        (prints the tables; writes bench/results/promql.md)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine promtool /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install hyperfine prometheus time" >&2; exit 2; }
done
rules="${RULES:-tests/upstream/realworld-rules}"
[ -d "$rules" ] || { echo "rule corpus missing at $rules (set RULES)" >&2; exit 2; }
cargo build --release -j2 --quiet --example promql_bench
bin="$PWD/target/release/examples/promql_bench"
work="$(mktemp -d -t monstack-promql-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT

"$bin" gen "$rules" "$work" | tee "$work/gen.txt"
"$bin" run "$work" | tee "$work/run.txt"
(cd "$work" && promtool test rules promtool-test.yml)

mkdir -p bench/results
(cd "$work" && hyperfine --warmup 1 --runs 3 --export-markdown "$work/time.md" \
  -n "monstack engine" "$bin run $work" \
  -n "promtool test rules 2.42" "promtool test rules promtool-test.yml")
rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
ours=$(rss "$bin" run "$work")
theirs=$(cd "$work" && rss promtool test rules promtool-test.yml)
{
  echo "# PromQL engine vs promtool test rules"
  echo
  echo "$(cat "$work/gen.txt"); $(nproc) cores; $(date -u +%Y-%m-%d)."
  echo
  echo "monstack: $(cat "$work/run.txt")"
  echo
  cat "$work/time.md"
  echo
  echo "| Peak memory | KiB |"
  echo "|:---|---:|"
  echo "| monstack engine | $ours |"
  echo "| promtool test rules | $theirs |"
  echo
  echo "| Copies of each series | Samples stored | Peak memory (KiB) |"
  echo "|---:|---:|---:|"
  for copies in 1 2 4 8; do
    out=$("$bin" run "$work" "$copies")
    samples=$(echo "$out" | sed -E 's/.* ([0-9]+) samples stored.*/\1/')
    echo "| $copies | $samples | $(rss "$bin" run "$work" "$copies") |"
  done
} | tee bench/results/promql.md
