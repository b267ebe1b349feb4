#!/usr/bin/env bash
# The `prometheus:test` target: the config, the alert rules and their unit tests with promtool, and
# `promtool check metrics` on what the exporter really serves (mock mode, loopback, random port).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../../.." && pwd)"

if ! command -v promtool >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "prometheus:test: promtool not found; run scripts/setup/install-dependencies.sh (Debian package prometheus)" >&2
    exit 1
  fi
  echo "prometheus:test: SKIPPED, promtool not found (install the Debian package prometheus)"
  exit 0
fi

# The exporters-nodes targets (issue 19): the committed files are what their genesis.yaml renders.
cd "$root"
render=(node -r @swc-node/register infra/compose/prometheus/scripts/render-node-targets.ts --check)
"${render[@]}"
"${render[@]}" --file infra/cluster/genesis.yaml --out infra/compose/prometheus/targets/exporters-nodes.example.yml

cd "$here"
promtool check config prometheus.yml
# ... and the cluster example is a valid file_sd file for the exporters-nodes job.
sd="$(mktemp -d)"
cp prometheus.yml "$sd/" && mkdir "$sd/targets" && ln -s "$here/rules" "$sd/rules"
cp targets/exporters-nodes.example.yml "$sd/targets/exporters-nodes.yml"
promtool check config "$sd/prometheus.yml" >/dev/null || { echo "prometheus:test: targets/exporters-nodes.example.yml is not a valid file_sd file" >&2; rm -rf "$sd"; exit 1; }
rm -rf "$sd"
promtool check rules rules/*.yml
promtool test rules tests/*.test.yml

log="$(mktemp)"
cleanup() {
  if [ -n "${exporter_pid:-}" ]; then kill "$exporter_pid" 2>/dev/null || true; wait "$exporter_pid" 2>/dev/null || true; fi
  rm -f "$log"
}
trap cleanup EXIT

cd "$root"
EXPORTERS_MODE=mock EXPORTERS_HOST=127.0.0.1 EXPORTERS_PORT=0 EXPORTERS_PROXMOX_ENABLED=true \
  node -r @swc-node/register apps/exporters/src/main.ts >"$log" 2>&1 &
exporter_pid=$!

port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/.*"port":\([0-9][0-9]*\).*exporters listening.*/\1/p' "$log" | head -n1)"
  [ -n "$port" ] && break
  kill -0 "$exporter_pid" 2>/dev/null || { echo "prometheus:test: the exporter exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "prometheus:test: the exporter did not start within 10 s:" >&2; cat "$log" >&2; exit 1; }

for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
metrics="$(curl -fsS "http://127.0.0.1:$port/metrics")"
grep -q '^genesis_gpu_devices ' <<<"$metrics" || { echo "prometheus:test: no GPU metrics in the mock output" >&2; exit 1; }
echo "Checking the exporter's mock /metrics ($(grep -c '^genesis_' <<<"$metrics") genesis_* samples)"
promtool check metrics <<<"$metrics"
echo "  SUCCESS: promtool check metrics found no problems"
