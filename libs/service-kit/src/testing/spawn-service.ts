// Runs a service's real entry point as a child process (TypeScript through @swc-node/register,
// from the repository root) and collects its output, so a spec can assert exit codes, printed
// errors and logs the way an operator would see them.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';

const repoRoot = resolve(__dirname, '../../../..');

export interface SpawnedService {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves with the exit code (null when killed by a signal it did not handle). */
  exited: Promise<number | null>;
  out: () => string;
  err: () => string;
}

/** `env` is the whole environment besides PATH, so a host variable never leaks into a test. */
export function spawnService(entry: string, env: NodeJS.ProcessEnv): SpawnedService {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

/** Resolves once stdout contains `text`; rejects with stderr if the process exits first. */
export function waitForOutput(service: SpawnedService, text: string, name: string): Promise<void> {
  return new Promise<void>((ready, fail) => {
    service.exited.then((code) => fail(new Error(`${name} exited early (${code}): ${service.err()}`)));
    const check = () => (service.out().includes(text) ? ready() : setTimeout(check, 50));
    check();
  });
}
