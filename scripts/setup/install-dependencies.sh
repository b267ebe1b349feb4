#!/usr/bin/env bash
# Installs the system packages Genesis' tests and tools need on Debian 12 / Ubuntu 24.04:
# Docker engine and compose, Prometheus (promtool), debootstrap for a local base image,
# ShellCheck, pre-commit, cloud-init (schema checks), and for the host-side tests: ifupdown2, nftables and
# iptables (network rehearsal in namespaces), OpenSSH (the host channel over loopback), xorriso (small
# answer ISOs). Idempotent; run as root or with sudo.
set -euo pipefail

packages=(
  ca-certificates curl git jq python3
  docker.io docker-compose
  prometheus
  debootstrap
  shellcheck
  pre-commit
  cloud-init
  iproute2 ifupdown2 nftables iptables iputils-ping
  openssh-server openssh-client
  xorriso
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-dependencies: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-dependencies: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
# Services must not start from package scripts inside containers or CI runners.
as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
