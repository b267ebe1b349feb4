/**
 * Runs libgpiod's tools. Passed into GpioTool so tests can swap it; production uses execa.
 * `run` is for short commands (version, detect, get, set); `stream` keeps gpiomon running and hands
 * over its stdout line by line.
 */
import { createInterface } from 'node:readline';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface StreamingCommand {
  /** Resolves with the exit code (or the signal name) once the process ended. */
  exited: Promise<{ exitCode?: number; signal?: string; stderr: string }>;
  stop(): Promise<void>;
}

export interface CommandRunner {
  run(file: string, args: string[], options: { timeoutMs: number }): Promise<CommandResult>;
  stream(file: string, args: string[], onLine: (line: string) => void): StreamingCommand;
}

export class CommandNotFoundError extends Error {
  constructor(readonly file: string) {
    super(`${file} was not found on PATH`);
    this.name = 'CommandNotFoundError';
  }
}

export class CommandTimeoutError extends Error {
  constructor(command: string, timeoutMs: number) {
    super(`${command} did not finish within ${timeoutMs} ms and was killed`);
    this.name = 'CommandTimeoutError';
  }
}

// execa 9 is ESM-only; Node 20.19+ loads it with require(), which esbuild leaves for Node to do.
const loadExeca = () => import('execa');
const isNotFound = (err: unknown) => (err as { code?: string } | undefined)?.code === 'ENOENT';

/** The production runner; `env` adds to the process' environment (tests: a PATH with fake tools). */
export function createExecaRunner(extraEnv: NodeJS.ProcessEnv = {}): CommandRunner {
  const env = { ...extraEnv, LC_ALL: 'C' };
  return {
    async run(file, args, { timeoutMs }) {
      const { execa } = await loadExeca();
      const result = await execa(file, args, {
        timeout: timeoutMs,
        reject: false,
        stripFinalNewline: false,
        env,
      });
      if (result.failed && result.exitCode === undefined) {
        if (result.timedOut) throw new CommandTimeoutError([file, ...args].join(' '), timeoutMs);
        if (isNotFound(result.cause)) throw new CommandNotFoundError(file);
        throw new Error(`${file} could not be started: ${result.shortMessage}`);
      }
      return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? 1 };
    },

    stream(file, args, onLine) {
      let stopping = false;
      const started = loadExeca().then(({ execa }) => {
        const child = execa(file, args, {
          reject: false,
          buffer: { stdout: false, stderr: true },
          env,
          stdin: 'ignore',
        });
        createInterface({ input: child.stdout }).on('line', onLine);
        // Wrapped: a bare thenable would be awaited (to the process' end) by the promise chain.
        return { child };
      });
      const exited = started.then(async ({ child }) => {
        const result = await child;
        if (result.failed && result.exitCode === undefined && !result.signal && isNotFound(result.cause))
          throw new CommandNotFoundError(file);
        return {
          exitCode: result.exitCode,
          signal: stopping ? undefined : result.signal,
          stderr: String(result.stderr ?? ''),
        };
      });
      return {
        exited,
        async stop() {
          stopping = true;
          const { child } = await started;
          child.kill('SIGTERM');
          await exited.catch(() => undefined);
        },
      };
    },
  };
}

export const execaRunner = createExecaRunner();
