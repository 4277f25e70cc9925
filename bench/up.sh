#!/usr/bin/env bash
# Benchmark of `monstack up --wait` against `docker-compose up -d` with the equivalent compose
# file, the same local images (scripts/build-images) and the same 1 s scrape interval, both
# timed until Prometheus reports every target up. Also times a warm `monstack up` (nothing
# changed). Targets (issue #4): cold ≤ 0.7× compose; warm ≤ 0.2 s.
# Needs: hyperfine, docker-compose, curl, jq (Debian packages), a Docker daemon.
# Usage: bench/up.sh          (writes bench/results/up.md)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine docker-compose curl jq; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install $tool" >&2; exit 2; }
done
cargo build --release -j2 --quiet
scripts/build-images >/dev/null
bin="$PWD/target/release/monstack"
work="$(mktemp -d -t monstack-bench-up-XXXXXX)"
name="msbench$$"
# Eight distinct free ports (four per stack), all held until each is known.
read -r P1 P2 P3 P4 Q1 Q2 Q3 Q4 < <(python3 -c 'import socket
ss=[socket.socket() for _ in range(8)]
[s.bind(("127.0.0.1",0)) for s in ss]
print(*[s.getsockname()[1] for s in ss])')
mapfile -t tags < <(scripts/build-images --print)
cleanup() {
  "$bin" down -C "$work/monstack" --volumes >/dev/null 2>&1 || true
  (cd "$work/compose" && docker-compose -p "${name}c" down -v >/dev/null 2>&1) || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/monstack" "$work/compose"
cat > "$work/monstack/monstack.yaml" <<YAML
project: $name
prometheus: { image: ${tags[0]}, port: $P1, scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
alertmanager: { image: ${tags[1]}, port: $P2 }
grafana: { enabled: false }
exporters:
  node: { image: "${tags[2]}", port: $P3 }
  blackbox:
    image: ${tags[3]}
    port: $P4
    probes: [ { name: self, url: "http://prometheus:9090/-/healthy" } ]
YAML
"$bin" render -C "$work/monstack" >/dev/null
build="$work/monstack/build"
# The compose project gets its own copy of the same rendered files and other host ports.
cp -r "$build" "$work/compose/build"
cat > "$work/compose/docker-compose.yml" <<YAML
version: "3.7"
services:
  prometheus:
    image: ${tags[0]}
    user: "65534:65534"
    entrypoint: ["/bin/prometheus"]
    command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.enable-lifecycle", "--storage.tsdb.retention.time=15d"]
    volumes: ["./build/prometheus:/etc/prometheus:ro", "prometheus:/prometheus"]
    ports: ["127.0.0.1:$Q1:9090"]
    restart: unless-stopped
  alertmanager:
    image: ${tags[1]}
    user: "65534:65534"
    entrypoint: ["/bin/alertmanager"]
    command: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager", "--cluster.listen-address="]
    volumes: ["./build/alertmanager:/etc/alertmanager:ro", "alertmanager:/alertmanager"]
    ports: ["127.0.0.1:$Q2:9093"]
    restart: unless-stopped
  node:
    image: ${tags[2]}
    user: "65534:65534"
    entrypoint: ["/bin/node_exporter"]
    command: ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"]
    volumes: ["/proc:/host/proc:ro", "/sys:/host/sys:ro", "/:/host/root:ro"]
    ports: ["127.0.0.1:$Q3:9100"]
    restart: unless-stopped
  blackbox:
    image: ${tags[3]}
    user: "65534:65534"
    entrypoint: ["/bin/blackbox_exporter"]
    command: ["--config.file=/etc/blackbox_exporter/blackbox.yml"]
    volumes: ["./build/blackbox:/etc/blackbox_exporter:ro"]
    ports: ["127.0.0.1:$Q4:9115"]
    restart: unless-stopped
volumes:
  prometheus:
  alertmanager:
YAML
cat > "$work/compose-up.sh" <<SH
#!/usr/bin/env bash
set -e
cd "$work/compose"
docker-compose -p ${name}c up -d >/dev/null 2>&1
until curl -sf "http://127.0.0.1:$Q1/api/v1/targets" | jq -e '[.data.activeTargets[].health] | length == 5 and all(. == "up")' >/dev/null; do sleep 0.1; done
SH
chmod +x "$work/compose-up.sh"

mkdir -p bench/results
hyperfine -N --runs 5 --export-markdown "$work/cold.md" \
  --prepare "$bin down -C $work/monstack --volumes" -n "monstack up --wait (cold)" "$bin up -C $work/monstack --wait" \
  --prepare "bash -c 'cd $work/compose && docker-compose -p ${name}c down -v'" -n "docker-compose up -d + poll (cold)" "$work/compose-up.sh"
"$bin" up -C "$work/monstack" --wait >/dev/null
hyperfine -N --warmup 2 --runs 20 --export-markdown "$work/warm.md" -n "monstack up (warm, nothing changed)" "$bin up -C $work/monstack"
{ cat "$work/cold.md"; tail -n +3 "$work/warm.md"; } > bench/results/up.md
cat bench/results/up.md
