#!/usr/bin/env bash
# Installs the NVIDIA Container Toolkit and registers the `nvidia` runtime with Docker, so the
# prod compose variant can give the exporters container the GPU. Debian 12 / Ubuntu 24.04.
# Idempotent: every step checks first. Refuses (exit 3) on a machine without an NVIDIA GPU.
set -euo pipefail

KEYRING=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg
LIST=/etc/apt/sources.list.d/nvidia-container-toolkit.list
REPO_URL=https://nvidia.github.io/libnvidia-container

log() { echo "setup-nvidia-toolkit: $*"; }
fail() { echo "setup-nvidia-toolkit: $1" >&2; exit "${2:-1}"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

has_nvidia_gpu() {
  if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then return 0; fi
  command -v lspci >/dev/null && lspci -nn | grep -qi 'nvidia'
}
has_nvidia_gpu || fail "no NVIDIA GPU found (nvidia-smi -L and lspci -nn | grep -i nvidia found none); this host cannot run the prod exporters with a GPU. Use the mock variant: make compose-up VARIANT=mock" 3

. /etc/os-release
case "${ID}:${VERSION_ID}" in
  debian:12 | ubuntu:24.04) ;;
  *) fail "unsupported system ${PRETTY_NAME:-$ID $VERSION_ID}; supported: Debian 12, Ubuntu 24.04" 2 ;;
esac
command -v nvidia-smi >/dev/null || log "warning: nvidia-smi not found; install the NVIDIA driver before running GPU containers"

if ! dpkg-query -W -f='${Status}' nvidia-container-toolkit 2>/dev/null | grep -q 'install ok installed'; then
  if [ ! -f "$KEYRING" ]; then
    log "adding NVIDIA's package signing key"
    curl -fsSL "${REPO_URL}/gpgkey" | as_root gpg --dearmor -o "$KEYRING"
  fi
  if [ ! -f "$LIST" ]; then
    log "adding the nvidia-container-toolkit apt repository"
    curl -fsSL "${REPO_URL}/stable/deb/nvidia-container-toolkit.list" \
      | sed "s#deb https://#deb [signed-by=${KEYRING}] https://#g" | as_root tee "$LIST" >/dev/null
  fi
  log "installing nvidia-container-toolkit"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nvidia-container-toolkit
else
  log "nvidia-container-toolkit already installed"
fi

if docker info -f '{{json .Runtimes}}' 2>/dev/null | grep -q '"nvidia"'; then
  log "docker already has the nvidia runtime"
else
  log "registering the nvidia runtime in /etc/docker/daemon.json"
  as_root nvidia-ctk runtime configure --runtime=docker
  if command -v systemctl >/dev/null && systemctl is-active --quiet docker; then
    as_root systemctl restart docker
  else
    log "restart dockerd yourself to load the runtime (no systemd-managed docker found)"
  fi
fi
log "done; check with: docker run --rm --runtime=nvidia --gpus all ${BASE_IMAGE:-debian:12} nvidia-smi -L"
