#!/usr/bin/env bash
# Benchmark of `monstack render` on a large project: 1,000 scrape targets and 100 dashboards.
# Target (issue #2): ≤ 50 ms per render. Needs hyperfine (Debian package `hyperfine`).
# Usage: bench/render.sh            (prints hyperfine's table; exports bench/results/render.md)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine" >&2; exit 2; }
cargo build --release -j2 --quiet
bin="$PWD/target/release/monstack"
work="$(mktemp -d -t monstack-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
lines = ["project: bench", "grafana:", "  admin_password: { file: secrets/pw }",
         "exporters:", "  node: {}", "  blackbox:", "    probes:"]
lines += [f"      - {{ name: probe-{i}, url: \"http://svc-{i}:8080/health\" }}" for i in range(50)]
lines += ["http: { enabled: true }", "targets:"]
for i in range(1000):
    lines += [f"  - job: svc-{i}", f"    targets: [\"svc-{i}-a:8080\", \"svc-{i}-b:8080\"]",
              f"    labels: {{ team: team-{i % 17} }}"]
open(os.path.join(work, "monstack.yaml"), "w").write("\n".join(lines) + "\n")
os.makedirs(os.path.join(work, "dashboards"))
base = json.load(open("dashboards/overview.json"))
for i in range(100):
    base["uid"], base["title"] = f"bench-{i}", f"Bench {i}"
    json.dump(base, open(os.path.join(work, "dashboards", f"bench-{i}.json"), "w"), indent=2)
PY

mkdir -p bench/results
hyperfine -N --warmup 3 --min-runs 20 --export-markdown "$work/cold.md" \
  --prepare "rm -rf '$work/build'; sync" -n "render (cold: writes every file)" "$bin render -C '$work'"
"$bin" render -C "$work" >/dev/null
hyperfine -N --warmup 3 --min-runs 20 --export-markdown "$work/warm.md" \
  -n "render (warm: nothing changed)" "$bin render -C '$work'" \
  -n "render --check" "$bin render -C '$work' --check"
{ cat "$work/cold.md"; tail -n +3 "$work/warm.md"; } > bench/results/render.md
cat bench/results/render.md
