/**
 * Runs an external command (nvidia-smi) for a collector. Passed in as a parameter so tests can swap
 * it; production uses execa, which kills the child when the timeout passes or the signal aborts.
 */
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

export const execaRunner: CommandRunner = {
  async run(file, args, { timeoutMs, signal }) {
    // execa 9 is ESM-only; Node 20.19+ loads it with require(), which esbuild leaves for Node to do.
    const { execa } = await import('execa');
    const started = performance.now();
    const result = await execa(file, args, {
      timeout: timeoutMs,
      cancelSignal: signal,
      killSignal: 'SIGKILL',
      forceKillAfterDelay: false,
      reject: false,
      stripFinalNewline: false,
      maxBuffer: 64 * 1024 * 1024,
      env: { LC_ALL: 'C' },
    });
    const durationMs = performance.now() - started;
    const command = [file, ...args].join(' ');
    if (result.timedOut) throw new CommandError(`${command} did not finish within ${timeoutMs} ms and was killed`, 'timeout');
    if (result.isCanceled) throw new CommandError(`${command} was cancelled`, 'timeout');
    if (result.failed && result.exitCode === undefined) {
      throw new CommandError(`${command} could not be started: ${result.shortMessage} (set NVIDIA_SMI to the binary's path)`, 'spawn');
    }
    if (result.exitCode !== 0) {
      const stderr = String(result.stderr ?? '').trim().slice(0, 500);
      const stdout = String(result.stdout ?? '').trim().slice(0, 500);
      throw new CommandError(`${command} exited with ${result.exitCode}: ${stderr || stdout}`, 'exit');
    }
    return { stdout: String(result.stdout), durationMs };
  },
};
