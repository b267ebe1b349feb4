/**
 * Runs an external command (nvidia-smi) for a collector. Passed in as a parameter so tests can swap
 * it. Production starts the command as the leader of its own process group and, on timeout or
 * abort, SIGKILLs the whole group: nvidia-smi is often a wrapper script (a container shim, `sudo`,
 * `timeout`, a vGPU helper) whose own child would otherwise be orphaned and keep running.
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  durationMs: number;
}

export interface CommandRunner {
  run(file: string, args: string[], options: { timeoutMs: number; signal?: AbortSignal }): Promise<CommandResult>;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'exit' | 'spawn',
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Kills every process in the group led by `pid` (the command and anything it started). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

export const processGroupRunner: CommandRunner = {
  run(file, args, { timeoutMs, signal }) {
    const command = [file, ...args].join(' ');
    const started = performance.now();
    return new Promise<CommandResult>((resolve, reject) => {
      if (signal?.aborted) return reject(new CommandError(`${command} was cancelled`, 'timeout'));
      const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let bytes = 0;
      let ending: CommandError | undefined;
      const stop = (error: CommandError) => {
        ending ??= error;
        if (child.pid !== undefined) killGroup(child.pid);
      };
      const timer = setTimeout(() => stop(new CommandError(`${command} did not finish within ${timeoutMs} ms and was killed with its process group`, 'timeout')), timeoutMs);
      const onAbort = () => stop(new CommandError(`${command} was cancelled`, 'timeout'));
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_OUTPUT_BYTES) stop(new CommandError(`${command} printed more than ${MAX_OUTPUT_BYTES} bytes`, 'exit'));
        else stdout.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 16) stderr.push(chunk);
      });
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      child.once('error', (error: NodeJS.ErrnoException) => {
        finish();
        reject(new CommandError(`${command} could not be started: ${error.code ?? error.message} (set NVIDIA_SMI to the binary's path)`, 'spawn'));
      });
      child.once('close', (code, killedBy) => {
        finish();
        // The command is done; anything it left behind in its group goes with it.
        if (child.pid !== undefined) killGroup(child.pid);
        const durationMs = performance.now() - started;
        if (ending) return reject(ending);
        const out = Buffer.concat(stdout).toString('utf8');
        if (code !== 0) {
          const err = Buffer.concat(stderr).toString('utf8').trim().slice(0, 500);
          const status = code === null ? `was killed by ${killedBy}` : `exited with ${code}`;
          return reject(new CommandError(`${command} ${status}: ${err || out.trim().slice(0, 500)}`, 'exit'));
        }
        resolve({ stdout: out, durationMs });
      });
    });
  },
};
