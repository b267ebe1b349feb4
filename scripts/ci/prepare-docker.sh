#!/usr/bin/env bash
# Makes a Docker engine available for the tests: starts dockerd in the background when
# `docker info` fails (this CI runs as root inside a VM/container without systemd), waits
# until it answers (bounded), then builds the local base image the service images build on.
set -euo pipefail

LOG_FILE="${DOCKERD_LOG:-/tmp/genesis-dockerd.log}"
WAIT_S="${DOCKERD_WAIT_S:-60}"

log() { echo "prepare-docker: $*"; }
fail() { echo "prepare-docker: $*" >&2; exit 1; }

command -v docker >/dev/null || fail "docker CLI not found; run scripts/setup/install-dependencies.sh"

if docker info >/dev/null 2>&1; then
  log "Docker daemon already running ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"
else
  command -v dockerd >/dev/null || fail "dockerd not found; run scripts/setup/install-dependencies.sh (package docker.io)"
  [ "$(id -u)" -eq 0 ] || fail "dockerd is not running and starting it needs root; run: sudo $0"
  # overlay2 works on this ext4 root; fall back to vfs where overlay mounts are refused
  # (nested containers). iptables stays on so published ports and NAT work.
  driver="${DOCKER_STORAGE_DRIVER:-}"
  if [ -z "$driver" ]; then
    if grep -qw overlay /proc/filesystems; then driver=overlay2; else driver=vfs; fi
  fi
  log "starting dockerd (storage driver ${driver}, log ${LOG_FILE})"
  nohup dockerd --storage-driver="$driver" >"$LOG_FILE" 2>&1 &
  deadline=$((SECONDS + WAIT_S))
  until docker info >/dev/null 2>&1; do
    if ! kill -0 $! 2>/dev/null; then
      tail -n 20 "$LOG_FILE" >&2
      fail "dockerd exited during start (log above; set DOCKER_STORAGE_DRIVER=vfs if overlay2 is refused)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 20 "$LOG_FILE" >&2; fail "dockerd not ready after ${WAIT_S}s"; }
    sleep 1
  done
  log "dockerd ready ($(docker info -f '{{.Driver}}'), pid $!)"
fi

bash "$(dirname "$0")/build-base-image.sh"
