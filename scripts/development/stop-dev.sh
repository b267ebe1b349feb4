#!/usr/bin/env bash
# Stops the development stack; data volumes stay (reset-data.sh deletes them).
set -euo pipefail
# shellcheck source=scripts/development/lib.sh
source "$(dirname "$0")/lib.sh"

compose dev down --remove-orphans
echo "stop-dev: stopped (volumes kept; scripts/development/reset-data.sh removes them)"
