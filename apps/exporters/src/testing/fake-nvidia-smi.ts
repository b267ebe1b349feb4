/**
 * A fake `nvidia-smi` for tests and the benchmark: a real executable put first on PATH that replays
 * a capture. Files beside it steer it between runs: `fixture` (path of the XML to print),
 * `mode` (`ok`, `fail`, `lost`, `garbage`, `hang`, `hang-child`), `delay` (seconds to sleep before answering), `pids` (one line per call), `children` (PIDs a `hang-child` wrapper started).
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
# a wrapper (container shim, sudo, vGPU helper) whose child hangs: the shell stays, so does the child
if [ "$mode" = hang-child ]; then sleep 600 & echo "$!" >> "$here/children"; wait; exit 0; fi
# nvidia-smi's own words and exit codes (nvidia-smi(1), RETURN VALUE: 9 driver not loaded, 15 GPU lost)
if [ "$mode" = fail ]; then echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running." ; exit 9; fi
if [ "$mode" = lost ]; then echo "Unable to determine the device handle for GPU0000:01:00.0: GPU is lost.  Reboot the system to recover this GPU" ; exit 15; fi
if [ "$mode" = garbage ]; then printf '<?xml version="1.0" ?>\n<nvidia_smi_log><gpu id="00000000:01:00.0"><product_name>NVIDIA GeForce RTX 3090</prod'; exit 0; fi
if [ "$delay" != 0 ]; then sleep "$delay"; fi
exec cat "$(cat "$here/fixture")"
`;

export type FakeMode = 'ok' | 'fail' | 'lost' | 'garbage' | 'hang' | 'hang-child';

export interface FakeNvidiaSmi {
  dir: string;
  /** Absolute path of the executable. */
  path: string;
  replay(fixturePath: string): void;
  setMode(mode: FakeMode): void;
  /** PIDs of the children `hang-child` wrappers started. */
  children(): number[];
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
  writeFileSync(join(dir, 'children'), '');
  const pidList = (name: string) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  return {
    dir,
    path,
    replay: (fixturePath) => writeFileSync(join(dir, 'fixture'), fixturePath),
    setMode: (mode) => writeFileSync(join(dir, 'mode'), mode),
    setDelaySeconds: (seconds) => writeFileSync(join(dir, 'delay'), String(seconds)),
    pids: () => pidList('pids'),
    children: () => pidList('children'),
    pathEnv: () => `${dir}:${process.env.PATH ?? ''}`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Whether the process still runs (a zombie, killed and waiting to be reaped, does not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; the command name before it may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
