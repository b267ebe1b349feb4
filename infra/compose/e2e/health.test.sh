#!/usr/bin/env bash
# compose:e2e's health gate, proven on the real Docker engine before it is trusted with the stack:
#  1. a project whose every container is healthy passes,
#  2. a project with one container unhealthy on purpose fails, naming it and its healthcheck's answer.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
# shellcheck source=infra/compose/e2e/health.sh
source "${ROOT}/infra/compose/e2e/health.sh"
export BASE_IMAGE="${BASE_IMAGE:-genesis/node-base:bookworm}"
export COMPOSE_PROJECT_NAME="genesis-health-gate"
FILE="${ROOT}/infra/compose/e2e/fixtures/health-gate.yml"
log() { echo "compose:e2e health gate: $*"; }
fail() { echo "compose:e2e health gate: FAILED: $*" >&2; exit 1; }

if ! docker info >/dev/null 2>&1; then
  [ "${CI:-}" = "true" ] && fail "no Docker daemon; scripts/ci/prepare-docker.sh must run before the tests under CI"
  log "skipped: no Docker daemon reachable"
  exit 0
fi
cleanup() { docker-compose -f "$FILE" --profile broken down -v --remove-orphans >/dev/null 2>&1 || docker-compose -f "$FILE" down -v >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

docker-compose -f "$FILE" up -d steady >/dev/null 2>&1 || fail "could not start the steady container on ${BASE_IMAGE}"
wait_stack_healthy 60 -f "$FILE" || fail "a healthy project did not pass the gate"
log "a healthy project passes"

docker-compose -f "$FILE" --profile broken up -d broken >/dev/null 2>&1 || fail "could not start the broken container"
if out="$(wait_stack_healthy 20 -f "$FILE" 2>&1)"; then
  fail "a project with an unhealthy container passed the gate"
fi
grep -q "genesis-health-gate_broken_1: unhealthy" <<<"$out" || fail "the failure does not name the unhealthy container: ${out}"
grep -q "healthz answered 503" <<<"$out" || fail "the failure does not show the healthcheck's answer: ${out}"
grep -q "steady" <<<"$out" && fail "the failure names a healthy container: ${out}"
log "PASSED: an unhealthy container fails the gate, named with its healthcheck's answer"
