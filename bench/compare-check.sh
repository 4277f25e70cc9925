#!/usr/bin/env bash
# Verdicts kept: runs two `monstack` binaries over every public real-world rule file
# (tests/upstream/realworld-rules/), the real-world benchmark file built from them, every upstream
# rule and config test file, and compares their `check --format json` output and exit status,
# byte for byte. For optimisation work: build the old binary first, keep a copy, then compare.
# Usage: bench/compare-check.sh OLD_BINARY NEW_BINARY        (exit 1 on any difference)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2
work="$(mktemp -d -t monstack-compare-XXXXXX)"
trap 'rm -rf "$work"' EXIT
python3 bench/realworld_rules.py "$work/real.yml" 20 >/dev/null
files=$(find tests/upstream/realworld-rules tests/upstream/prometheus-rules -name '*.y*ml' | sort)
differ=0 n=0
one() {
  local kind=$1 f=$2 a b
  a=$("$old" check $kind --format json "$f" 2>&1; echo "exit $?")
  b=$("$new" check $kind --format json "$f" 2>&1; echo "exit $?")
  n=$((n + 1))
  if [ "$a" != "$b" ]; then
    differ=$((differ + 1))
    echo "DIFFERS: $f"
    diff <(echo "$a") <(echo "$b") | head -n 10
  fi
}
for f in $files "$work/real.yml"; do one "--kind rules" "$f"; done
for f in tests/upstream/prometheus-config/*.yml tests/upstream/alertmanager-config/*.yml; do one "" "$f"; done
echo "$n files compared, $differ differ"
[ "$differ" = 0 ]
