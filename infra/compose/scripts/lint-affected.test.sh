#!/usr/bin/env bash
# compose:test: a broken shell script under scripts/ must not slip through a cached or skipped lint.
#  1. Nx counts a change to scripts/** as affecting compose's lint target (its inputs name scripts/),
#  2. compose:lint's checker fails on a script broken on purpose, naming the file,
#  3. and passes on the same tree unbroken.
# The broken copy lives in a temporary tree; the checkout is never touched.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
log() { echo "compose:test: $*"; }
fail() { echo "compose:test: FAILED: $*" >&2; exit 1; }

affected="$(npx nx show projects --affected -t lint --files=scripts/ci/prepare-docker.sh)"
grep -qx compose <<<"$affected" || fail "a change to scripts/ci/prepare-docker.sh does not select compose:lint (affected: ${affected//$'\n'/ })"
log "a change under scripts/ selects compose:lint"

tree="$(mktemp -d /tmp/genesis-lint-affected.XXXXXX)"
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/infra"
cp -r scripts "$tree/"
cp -r infra/compose "$tree/infra/"
bash "$tree/infra/compose/scripts/shellcheck-all.sh" >/dev/null || fail "the unbroken copy does not pass shellcheck"

# An unquoted expansion of a variable holding a path: ShellCheck's SC2086.
# shellcheck disable=SC2016 # the expansion is meant literally: it is the broken line
printf '\nbroken_dir="a b"\nls $broken_dir\n' >>"$tree/scripts/ci/prepare-docker.sh"
if out="$(bash "$tree/infra/compose/scripts/shellcheck-all.sh" 2>&1)"; then
  fail "shellcheck-all.sh passed a script broken on purpose"
fi
grep -q 'scripts/ci/prepare-docker.sh' <<<"$out" || fail "the failure does not name the broken file: ${out}"
grep -q 'SC2086' <<<"$out" || fail "the failure does not name the ShellCheck rule: ${out}"
log "PASSED: a broken script under scripts/ is selected by nx affected and fails compose:lint"
