#!/usr/bin/env bash
# compose:lint: ShellCheck over every shell script the stack and its tooling run: scripts/** and
# infra/compose/**. Found by name, not listed by hand, so a new script is checked from its first
# commit; the target's inputs name the same folders, so a change there re-runs it and makes it
# affected.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
command -v shellcheck >/dev/null || { echo "compose:lint: shellcheck not found; run scripts/setup/install-dependencies.sh" >&2; exit 1; }
mapfile -t scripts < <(find scripts infra/compose -type f -name '*.sh' -not -path '*/node_modules/*' | sort)
[ "${#scripts[@]}" -gt 0 ] || { echo "compose:lint: no shell scripts found under scripts/ or infra/compose/" >&2; exit 1; }
shellcheck -x "${scripts[@]}"
echo "compose:lint: shellcheck clean: ${#scripts[@]} scripts"
