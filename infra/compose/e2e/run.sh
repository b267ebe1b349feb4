#!/usr/bin/env bash
# compose:e2e: proves the images and the mock stack with the real Docker engine.
#  1. builds core, banker, exporters on the local base image (no registry),
#  2. starts each image alone and waits until Docker reports it healthy,
#  3. brings up base+mock with docker-compose (Prometheus from Debian's binary, see
#     prometheus/Dockerfile.local; Grafana left out: its image needs a registry),
#  4. waits until Prometheus' /api/v1/targets shows every target up and prints them,
#  5. waits until every container of the stack reports healthy (health.sh: "Up (unhealthy)" fails,
#     naming the container and its healthcheck's answers),
#  6. tears everything down, on failure too.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
COMPOSE_DIR="${ROOT}/infra/compose"
cd "$ROOT" # node -e resolves `yaml` from the workspace
export BASE_IMAGE="${BASE_IMAGE:-genesis/node-base:bookworm}"
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-genesis-e2e}"
export PROMETHEUS_IMAGE="genesis/prometheus:local"
export PROMETHEUS_HOST_PORT="${PROMETHEUS_HOST_PORT:-19090}"
export CORE_HOST_PORT="${CORE_HOST_PORT:-13001}" BANKER_HOST_PORT="${BANKER_HOST_PORT:-13002}"
export EXPORTERS_HOST_PORT="${EXPORTERS_HOST_PORT:-19101}" GRAFANA_HOST_PORT="${GRAFANA_HOST_PORT:-13000}"
BANKER_CONTROL_TOKEN="e2e-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export BANKER_CONTROL_TOKEN
export GRAFANA_ADMIN_PASSWORD="unused-in-e2e"
HEALTH_TIMEOUT_S="${HEALTH_TIMEOUT_S:-90}"
TARGETS_TIMEOUT_S="${TARGETS_TIMEOUT_S:-120}"
SERVICES=(core banker exporters)
# shellcheck source=infra/compose/e2e/health.sh
source "${ROOT}/infra/compose/e2e/health.sh"

log() { echo "compose:e2e: $*"; }
fail() { echo "compose:e2e: FAILED: $*" >&2; exit 1; }

if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    fail "no Docker daemon; scripts/ci/prepare-docker.sh must run before the tests under CI"
  fi
  log "skipped: no Docker daemon reachable (run scripts/ci/prepare-docker.sh to start one)"
  exit 0
fi
command -v docker-compose >/dev/null || fail "docker-compose not found; run scripts/setup/install-dependencies.sh"

compose() {
  docker-compose -f "${COMPOSE_DIR}/docker-compose.yml" -f "${COMPOSE_DIR}/docker-compose.mock.yml" "$@"
}
STARTED=()
CONTEXT_DIR=""
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    log "collecting logs before teardown"
    compose logs --no-color --tail=40 2>/dev/null || true
  fi
  for c in "${STARTED[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  [ -n "$CONTEXT_DIR" ] && rm -rf "$CONTEXT_DIR"
  log "torn down"
  exit "$rc"
}
trap cleanup EXIT

bash "${ROOT}/scripts/ci/build-base-image.sh"

log "building bundles and images on ${BASE_IMAGE}"
(cd "$ROOT" && npx nx run-many -t build -p "${SERVICES[@]}" --outputStyle=static >/dev/null)
for s in "${SERVICES[@]}"; do
  docker build -q -f "${ROOT}/apps/${s}/Dockerfile" --build-arg "BASE_IMAGE=${BASE_IMAGE}" -t "genesis/${s}:latest" "$ROOT" >/dev/null 2>&1 \
    || fail "docker build of ${s} failed (rerun: docker build -f apps/${s}/Dockerfile --build-arg BASE_IMAGE=${BASE_IMAGE} .)"
  log "image genesis/${s}:latest $(docker image inspect -f '{{.Size}}' "genesis/${s}:latest" | awk '{printf "%.0f MB", $1/1e6}')"
done

# Each image alone: only what the image itself needs to become healthy.
wait_healthy() {
  local c="$1" deadline=$((SECONDS + HEALTH_TIMEOUT_S)) status
  while :; do
    status="$(docker inspect -f '{{.State.Health.Status}}' "$c" 2>/dev/null || echo missing)"
    [ "$status" = healthy ] && return 0
    [ "$(docker inspect -f '{{.State.Running}}' "$c" 2>/dev/null)" = true ] || { docker logs "$c" 2>&1 | tail -20; fail "${c} stopped (status ${status})"; }
    [ "$SECONDS" -lt "$deadline" ] || { docker logs "$c" 2>&1 | tail -20; fail "${c} not healthy after ${HEALTH_TIMEOUT_S}s (status ${status})"; }
    sleep 1
  done
}
declare -A SOLO_ENV=(
  [core]="LLM_BASE_URL=http://127.0.0.1:9/v1"
  [banker]="BANKER_CONTROL_TOKEN=${BANKER_CONTROL_TOKEN}"
  [exporters]="EXPORTERS_MODE=mock"
)
for s in "${SERVICES[@]}"; do
  c="${COMPOSE_PROJECT_NAME}-solo-${s}"
  docker rm -f "$c" >/dev/null 2>&1 || true
  docker run -d --name "$c" --health-interval=1s -e "${SOLO_ENV[$s]}" "genesis/${s}:latest" >/dev/null
  STARTED+=("$c")
  wait_healthy "$c"
  log "${s} alone: healthy"
  docker rm -f "$c" >/dev/null
done

CONTEXT_DIR="$(mktemp -d /tmp/genesis-prometheus.XXXXXX)"
PROMETHEUS_BIN="$(command -v prometheus || true)"
[ -n "$PROMETHEUS_BIN" ] || fail "prometheus binary not found; run scripts/setup/install-dependencies.sh"
cp "$PROMETHEUS_BIN" "${CONTEXT_DIR}/prometheus"
docker build -q -f "${COMPOSE_DIR}/prometheus/Dockerfile.local" --build-arg "BASE_IMAGE=${BASE_IMAGE}" -t "$PROMETHEUS_IMAGE" "$CONTEXT_DIR" >/dev/null 2>&1 \
  || fail "building ${PROMETHEUS_IMAGE} from ${PROMETHEUS_BIN} failed"
log "image ${PROMETHEUS_IMAGE} from $("$PROMETHEUS_BIN" --version 2>&1 | head -1)"

log "grafana left out of this run: grafana/grafana must be pulled from a registry, none is reachable here; its provisioning is validated instead"
node -e '
  const fs = require("fs"), path = require("path"), YAML = require("yaml");
  const dir = process.argv[1];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
  for (const f of walk(dir)) {
    const text = fs.readFileSync(f, "utf8");
    if (f.endsWith(".json")) JSON.parse(text); else if (/\.ya?ml$/.test(f)) YAML.parse(text); else continue;
    console.log("compose:e2e: grafana config parses: " + path.relative(dir, f));
  }' "${COMPOSE_DIR}/grafana"

log "docker-compose up (base+mock): ${SERVICES[*]} prometheus"
compose up -d --no-build core banker exporters prometheus

deadline=$((SECONDS + TARGETS_TIMEOUT_S))
while :; do
  targets="$(node -e '
    fetch(process.argv[1]).then((r) => r.json()).then((j) => {
      const t = j.data.activeTargets.map((a) => ({ job: a.labels.job, url: a.scrapeUrl, health: a.health, error: a.lastError }));
      console.log(JSON.stringify(t));
    }, () => console.log("[]"));' "http://127.0.0.1:${PROMETHEUS_HOST_PORT}/api/v1/targets")"
  if node -e 'const t = JSON.parse(process.argv[1]); process.exit(t.length >= 4 && t.every((x) => x.health === "up") ? 0 : 1)' "$targets"; then
    break
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "$targets" >&2
    fail "not every Prometheus target was up within ${TARGETS_TIMEOUT_S}s"
  fi
  sleep 2
done
log "Prometheus targets (http://127.0.0.1:${PROMETHEUS_HOST_PORT}/api/v1/targets):"
# shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
node -e 'for (const t of JSON.parse(process.argv[1])) console.log(`  ${t.job.padEnd(11)} ${t.health.padEnd(5)} ${t.url}`)' "$targets"
wait_stack_healthy "$HEALTH_TIMEOUT_S" -f "${COMPOSE_DIR}/docker-compose.yml" -f "${COMPOSE_DIR}/docker-compose.mock.yml" \
  || { compose ps; fail "the mock stack is up but not healthy (above: each container that is not, with its healthcheck's answers)"; }
compose ps
log "PASSED: images healthy alone, every target up and every container healthy in the mock stack"
