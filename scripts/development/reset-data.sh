#!/usr/bin/env bash
# Deletes the stack's data volumes (banker audit log, Prometheus TSDB, Grafana state) after
# stopping it. Asks first; --yes skips the question; without a terminal it needs --yes.
set -euo pipefail
# shellcheck source=scripts/development/lib.sh
source "$(dirname "$0")/lib.sh"

YES=0
VARIANT=dev
for arg in "$@"; do
  case "$arg" in
    --yes | -y) YES=1 ;;
    --variant=*) VARIANT="${arg#--variant=}" ;;
    -h | --help) echo "usage: $0 [--yes] [--variant=dev|mock|prod]"; exit 0 ;;
    *) echo "reset-data: unknown argument '$arg' (usage: $0 [--yes] [--variant=dev|mock|prod])" >&2; exit 2 ;;
  esac
done

volumes=(banker-data prometheus-data grafana-data)
if [ "$YES" -ne 1 ]; then
  if [ ! -t 0 ]; then
    echo "reset-data: refusing to delete volumes without a terminal to confirm; pass --yes" >&2
    exit 1
  fi
  read -r -p "Delete the ${COMPOSE_PROJECT_NAME} volumes (${volumes[*]}), including the banker audit log? [y/N] " answer
  case "$answer" in
    y | Y | yes | YES) ;;
    *) echo "reset-data: nothing deleted"; exit 1 ;;
  esac
fi
compose "$VARIANT" down -v --remove-orphans
echo "reset-data: volumes of ${COMPOSE_PROJECT_NAME} deleted"
