#!/usr/bin/env bash
# make-debian-root.sh SUITE DIR
# A minimal Debian root for the GPU host-step integration test, built once and reused: debootstrap
# minbase plus what the steps run for real (initramfs-tools, kmod, a cloud kernel so that
# `update-initramfs -u -k all` has an initramfs to rebuild; GRUB's update-grub on bookworm).
# DIR is complete when DIR/.genesis-root exists; a half-built root is removed and made again.
set -euo pipefail

suite=${1:?usage: make-debian-root.sh bookworm|trixie DIR}
dir=${2:?usage: make-debian-root.sh bookworm|trixie DIR}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

packages=initramfs-tools,kmod,linux-image-cloud-amd64,zstd
case "$suite" in
  bookworm) packages="$packages,grub2-common,grub-pc-bin" ;;
  trixie) ;;
  *) echo "make-debian-root.sh: unknown suite '$suite' (bookworm or trixie)" >&2; exit 2 ;;
esac
stamp="$suite $packages"

if [ -f "$dir/.genesis-root" ] && [ "$(cat "$dir/.genesis-root")" = "$stamp" ]; then
  echo "reusing $dir ($suite)"
  exit 0
fi

rm -rf "$dir.partial"
mkdir -p "$(dirname "$dir")"
started=$(date +%s)
debootstrap --variant=minbase --include="$packages" "$suite" "$dir.partial" "$mirror"
rm -rf "$dir.partial/var/cache/apt/archives/"*.deb
echo "$stamp" > "$dir.partial/.genesis-root"
rm -rf "$dir"
mv "$dir.partial" "$dir"
echo "built $dir ($suite) in $(( $(date +%s) - started )) s"
