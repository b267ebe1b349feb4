#!/usr/bin/env bash
# Starts the development stack (base + dev: sources mounted, node --watch, inspectors on
# 127.0.0.1:9229-9231). Usage: start-dev.sh [service...]
set -euo pipefail
# shellcheck source=scripts/development/lib.sh
source "$(dirname "$0")/lib.sh"

[ -d "${REPO_ROOT}/node_modules" ] || { echo "start-dev: run 'npm ci' first (the dev containers use the host's node_modules)" >&2; exit 1; }
# The images copy dist/apps/<name>; build the bundles so `--build` finds them.
(cd "$REPO_ROOT" && npx nx run-many -t build -p core banker exporters --outputStyle=static)
compose dev up -d --build "$@"
compose dev ps
echo "start-dev: core http://127.0.0.1:${CORE_HOST_PORT:-3001}  banker http://127.0.0.1:${BANKER_HOST_PORT:-3002}  prometheus http://127.0.0.1:${PROMETHEUS_HOST_PORT:-9090}  grafana http://127.0.0.1:${GRAFANA_HOST_PORT:-3000}"
