/**
 * A fake `nvidia-smi` for tests and the benchmark: a real executable put first on PATH that replays
 * a capture. Files beside it steer it between runs: `fixture` (path of the XML to print),
 * `mode` (`ok`, `fail`, `hang`), `delay` (seconds to sleep before answering), `pids` (one line per call).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = `#!/bin/sh
# fake nvidia-smi written by apps/exporters tests: replays a captured "nvidia-smi -q -x"
here="$(dirname "$0")"
if [ "$1 $2" != "-q -x" ]; then echo "fake nvidia-smi: only -q -x is supported, got: $*" >&2; exit 2; fi
echo "$$" >> "$here/pids"
mode="$(cat "$here/mode")"
delay="$(cat "$here/delay")"
if [ "$mode" = hang ]; then exec sleep 600; fi
if [ "$mode" = fail ]; then echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." ; exit 9; fi
if [ "$delay" != 0 ]; then sleep "$delay"; fi
exec cat "$(cat "$here/fixture")"
`;

export interface FakeNvidiaSmi {
  dir: string;
  /** Absolute path of the executable. */
  path: string;
  replay(fixturePath: string): void;
  setMode(mode: 'ok' | 'fail' | 'hang'): void;
  setDelaySeconds(seconds: number): void;
  /** PIDs of every call so far. */
  pids(): number[];
  /** PATH with the fake first. */
  pathEnv(): string;
  remove(): void;
}

export function createFakeNvidiaSmi(): FakeNvidiaSmi {
  const dir = mkdtempSync(join(tmpdir(), 'fake-nvidia-smi-'));
  const path = join(dir, 'nvidia-smi');
  writeFileSync(path, SCRIPT);
  chmodSync(path, 0o755);
  writeFileSync(join(dir, 'mode'), 'ok');
  writeFileSync(join(dir, 'delay'), '0');
  writeFileSync(join(dir, 'fixture'), '/dev/null');
  writeFileSync(join(dir, 'pids'), '');
  return {
    dir,
    path,
    replay: (fixturePath) => writeFileSync(join(dir, 'fixture'), fixturePath),
    setMode: (mode) => writeFileSync(join(dir, 'mode'), mode),
    setDelaySeconds: (seconds) => writeFileSync(join(dir, 'delay'), String(seconds)),
    pids: () =>
      readFileSync(join(dir, 'pids'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(Number),
    pathEnv: () => `${dir}:${process.env.PATH ?? ''}`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
