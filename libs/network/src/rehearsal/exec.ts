/** Running the real tools (ip, ifup, nft, ping) for the rehearsal; every failure names the command. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(argv: string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { timeout: timeoutMs, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (error && !stderr ? error.message : '') });
    });
  });
}

export class CommandError extends Error {
  constructor(argv: string[], result: CommandResult) {
    super(`\`${argv.join(' ')}\` exited ${result.code}: ${(result.stderr || result.stdout).trim().slice(0, 2000)}`);
    this.name = 'CommandError';
  }
}

export async function must(argv: string[], timeoutMs?: number): Promise<string> {
  const r = await run(argv, timeoutMs);
  if (r.code !== 0) throw new CommandError(argv, r);
  return r.stdout;
}

/** `ip netns exec NS argv…`. */
export const inNs = (ns: string, argv: string[]) => ['ip', 'netns', 'exec', ns, ...argv];

/** Whether a program is on PATH. */
export async function have(program: string): Promise<boolean> {
  return (await run(['sh', '-c', `command -v ${program}`])).code === 0;
}

/**
 * A long-running process (a listener) that prints a line once ready; resolves with it running.
 * The caller kills it; it is also killed if it does not get ready in time.
 */
export function startReady(argv: string[], readyLine: RegExp, timeoutMs = 60_000): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`\`${argv.join(' ')}\` did not print ${readyLine} within ${timeoutMs} ms: ${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (readyLine.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`\`${argv.join(' ')}\` exited ${code} before it was ready: ${out}`));
    });
  });
}
