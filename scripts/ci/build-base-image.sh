#!/usr/bin/env bash
# Builds the local base image genesis/node-base:bookworm without any registry: a minimal
# Debian 12 root filesystem from debootstrap plus this host's own `node` binary, imported
# with `docker import`. CI builds every service image FROM it (BASE_IMAGE build arg), so
# nothing is pulled from Docker Hub. Skips when the image already exists (--force rebuilds).
set -euo pipefail

IMAGE="${GENESIS_BASE_IMAGE:-genesis/node-base:bookworm}"
SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
FORCE=0

usage() {
  echo "usage: $0 [--force]   build ${IMAGE} from debootstrap ${SUITE} + the host's node"
}

for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "build-base-image: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

fail() {
  echo "build-base-image: $*" >&2
  exit 1
}

command -v docker >/dev/null || fail "docker CLI not found; run scripts/setup/install-dependencies.sh"
docker info >/dev/null 2>&1 || fail "the Docker daemon is not reachable; run scripts/ci/prepare-docker.sh"

if [ "$FORCE" -eq 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "build-base-image: ${IMAGE} already exists (use --force to rebuild)"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || fail "debootstrap needs root; run with sudo"
command -v debootstrap >/dev/null || fail "debootstrap not found; run scripts/setup/install-dependencies.sh"

NODE_BIN="$(command -v node || true)"
[ -n "$NODE_BIN" ] || fail "no node on PATH; install Node 20 (the image reuses the host's binary)"
NODE_BIN="$(readlink -f "$NODE_BIN")"
NODE_VERSION="$("$NODE_BIN" --version)"
case "$NODE_VERSION" in
  v20.*) ;;
  *) fail "host node is ${NODE_VERSION}; the services target Node 20 (install Node 20.x)" ;;
esac
# A static or musl binary would need different checks; the Debian/NodeSource build is
# glibc-dynamic, and every library it links must exist in a minbase bookworm.
if ldd "$NODE_BIN" | grep -q 'not found'; then
  fail "${NODE_BIN} links libraries missing on this host: $(ldd "$NODE_BIN" | grep 'not found' | tr -s ' ')"
fi

WORKDIR="$(mktemp -d /tmp/genesis-base.XXXXXX)"
cleanup() {
  # debootstrap may leave /proc or /sys mounted inside the target when interrupted.
  for m in proc sys dev/pts; do
    if mountpoint -q "${WORKDIR}/rootfs/${m}" 2>/dev/null; then umount -l "${WORKDIR}/rootfs/${m}" || true; fi
  done
  rm -rf "$WORKDIR"
}
trap cleanup EXIT
ROOTFS="${WORKDIR}/rootfs"

echo "build-base-image: debootstrap --variant=minbase ${SUITE} from ${MIRROR} (a minute or two)"
if ! debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"${WORKDIR}/debootstrap.log" 2>&1; then
  tail -n 30 "${WORKDIR}/debootstrap.log" >&2
  fail "debootstrap failed (log above); check that ${MIRROR} is reachable or set DEBIAN_MIRROR"
fi

install -m 0755 "$NODE_BIN" "${ROOTFS}/usr/local/bin/node"
# Proves the host binary runs against bookworm's glibc/libstdc++ before it becomes an image.
if ! chroot "$ROOTFS" /usr/local/bin/node -e 'process.stdout.write(process.version)' >/dev/null; then
  fail "the host node binary does not run inside bookworm (glibc too old?); use a Node 20 build for Debian 12"
fi

# Keep the image small: documentation, locales and package lists are not needed at runtime.
rm -rf "${ROOTFS}"/usr/share/doc/* "${ROOTFS}"/usr/share/man/* "${ROOTFS}"/usr/share/info/* \
  "${ROOTFS}"/var/lib/apt/lists/* "${ROOTFS}"/var/cache/apt/*.bin "${ROOTFS}"/var/cache/apt/archives/*.deb \
  "${ROOTFS}"/var/log/*.log "${ROOTFS}"/tmp/*
find "${ROOTFS}/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +

echo "build-base-image: importing ${IMAGE} (node ${NODE_VERSION})"
tar --numeric-owner -C "$ROOTFS" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
  --change "LABEL org.opencontainers.image.title=genesis-node-base org.opencontainers.image.base.name=debian:${SUITE}" \
  --change 'CMD ["node"]' \
  - "$IMAGE" >/dev/null

docker run --rm "$IMAGE" node -e 'console.log("build-base-image: " + process.version + " runs in the image")'
echo "build-base-image: ${IMAGE} ready ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
