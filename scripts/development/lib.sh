#!/usr/bin/env bash
# Shared by the development scripts: the compose command for one variant of infra/compose.
# shellcheck disable=SC2034 # variables are used by the scripts that source this file

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMPOSE_DIR="${REPO_ROOT}/infra/compose"
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-genesis}"

compose_cmd() {
  if command -v docker-compose >/dev/null; then echo docker-compose
  elif docker compose version >/dev/null 2>&1; then echo "docker compose"
  else
    echo "no docker-compose or 'docker compose' found; run scripts/setup/install-dependencies.sh" >&2
    return 1
  fi
}

# compose <variant> <args...>
compose() {
  local variant="$1"; shift
  local cmd
  cmd="$(compose_cmd)"
  [ -f "${COMPOSE_DIR}/.env" ] || {
    echo "missing ${COMPOSE_DIR}/.env; create it: cp ${COMPOSE_DIR}/.env.example ${COMPOSE_DIR}/.env (then set the secrets)" >&2
    return 1
  }
  # shellcheck disable=SC2086 # "docker compose" is two words on purpose
  $cmd --project-directory "$COMPOSE_DIR" --env-file "${COMPOSE_DIR}/.env" \
    -f "${COMPOSE_DIR}/docker-compose.yml" -f "${COMPOSE_DIR}/docker-compose.${variant}.yml" "$@"
}
