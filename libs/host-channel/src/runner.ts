/**
 * Starts a process on this machine: the one place execa is called, passed in so tests swap it.
 * Answers every exit code; only a process that could not start or ran past its time throws.
 */
export interface ProcessResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ProcessOptions {
  input?: string;
  timeoutMs: number;
  env?: Record<string, string>;
}

export type ProcessRunner = (file: string, args: string[], options: ProcessOptions) => Promise<ProcessResult>;

export class ProcessStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProcessStartError';
  }
}

export const execaRunner: ProcessRunner = async (file, args, { input, timeoutMs, env }) => {
  // execa 9 is ESM-only; Node 20.19+ loads it with require(), which esbuild leaves for Node to do.
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    input: input ?? '',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    forceKillAfterDelay: false,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
    env: { LC_ALL: 'C', ...env },
  });
  if (result.timedOut) throw new ProcessStartError(`${file} did not finish within ${timeoutMs} ms and was killed`);
  if (result.failed && result.exitCode === undefined) throw new ProcessStartError(`${file} could not be started: ${result.shortMessage}`);
  return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? 1 };
};
