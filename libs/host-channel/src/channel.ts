/**
 * The one way Genesis reaches a Proxmox host outside its API: run a command, read a file, write a
 * file (atomically, keeping a backup), look at a path or a directory. Implementations: over the
 * system `ssh` (ssh.ts), on this machine (local.ts), or a directory laid out like a host (the
 * simulator's host, directory.ts). The callers never know which one they hold.
 */

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  /** Written to the command's standard input. */
  input?: string;
  /** Default 120 s. */
  timeoutMs?: number;
  /** Exit codes that are answers, not failures (default only 0). */
  okExitCodes?: number[];
}

export interface PathInfo {
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

export interface WriteOptions {
  /** Permission bits of a new file (default 0o644); an existing file keeps its own. */
  mode?: number;
}

export interface WriteResult {
  path: string;
  /** Where the previous content was kept; undefined for a new file. */
  backup?: string;
}

export interface HostChannel {
  /** For messages: `ssh root@192.168.1.10`, `this machine`, `simulated host (.genesis/sim/host)`. */
  readonly description: string;
  /** Runs argv on the host (no shell); a non-zero exit outside okExitCodes throws HostCommandError. */
  run(argv: string[], options?: RunOptions): Promise<CommandOutput>;
  /** The file's text, or undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  /**
   * Replaces the file atomically (a temporary file in the same directory, renamed over it); an
   * existing file's content is kept first in `<path>.genesis.bak`.
   */
  writeFile(path: string, content: string, options?: WriteOptions): Promise<WriteResult>;
  stat(path: string): Promise<PathInfo | undefined>;
  /** Entry names, sorted; undefined when the directory does not exist. */
  listDir(path: string): Promise<string[] | undefined>;
  close(): Promise<void>;
}

/** The suffix of the copy a write keeps of the file it replaced. */
export const BACKUP_SUFFIX = '.genesis.bak';

export class HostCommandError extends Error {
  constructor(
    readonly where: string,
    readonly argv: string[],
    readonly output: CommandOutput,
  ) {
    const detail = (output.stderr.trim() || output.stdout.trim()).split('\n').slice(-5).join('\n');
    super(`${argv.join(' ')} on ${where} exited with ${output.exitCode}${detail ? `: ${detail}` : ''}`);
    this.name = 'HostCommandError';
  }
}

/** The channel could not reach the host at all (ssh refused, timed out, sudo asked for a password). */
export class HostUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostUnreachableError';
  }
}

export function checkExit(where: string, argv: string[], output: CommandOutput, options: RunOptions = {}): CommandOutput {
  const ok = options.okExitCodes ?? [0];
  if (!ok.includes(output.exitCode)) throw new HostCommandError(where, argv, output);
  return output;
}
