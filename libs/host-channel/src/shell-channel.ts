/**
 * File operations as small POSIX sh programs run on the host, so that ssh and a local (possibly
 * sudo) session share one implementation. Every program takes its paths as positional arguments,
 * never spliced into the script text.
 */
import {
  BACKUP_SUFFIX,
  checkExit,
  HostCommandError,
  type CommandOutput,
  type HostChannel,
  type PathInfo,
  type RunOptions,
  type WriteOptions,
  type WriteResult,
} from './channel';

/** Runs argv on the host and answers whatever it exited with. */
export type HostExec = (argv: string[], options: { input?: string; timeoutMs: number }) => Promise<CommandOutput>;

const MISSING = 3;

const READ = `if [ -f "$1" ]; then exec cat -- "$1"; elif [ -e "$1" ]; then echo "$1: not a regular file" >&2; exit 2; else exit ${MISSING}; fi`;

const STAT = `if [ -e "$1" ] || [ -L "$1" ]; then exec stat -c '%F|%s|%a' -- "$1"; else exit ${MISSING}; fi`;

const LIST = `if [ -d "$1" ]; then exec ls -1A -- "$1"; else exit ${MISSING}; fi`;

// New content goes to a temporary file beside the target (same filesystem, so the rename is atomic),
// takes the old file's owner and mode, and replaces it; the old content is copied aside first.
const WRITE = [
  'set -e',
  'f=$1; mode=$2; bak=$1$3',
  'dir=$(dirname -- "$f")',
  'mkdir -p -- "$dir"',
  'tmp=$(mktemp "$dir/.genesis.XXXXXX")',
  `trap 'rm -f -- "$tmp"' EXIT`,
  'cat > "$tmp"',
  'if [ -e "$f" ]; then',
  '  chown --reference="$f" -- "$tmp" 2>/dev/null || true',
  '  chmod --reference="$f" -- "$tmp"',
  '  cp -p -- "$f" "$bak"',
  '  echo backup',
  'else',
  '  chmod "$mode" -- "$tmp"',
  'fi',
  'mv -f -- "$tmp" "$f"',
  'trap - EXIT',
].join('\n');

const TYPES: Record<string, PathInfo['type']> = {
  'regular file': 'file',
  'regular empty file': 'file',
  directory: 'directory',
  'symbolic link': 'symlink',
};

/**
 * At most this many commands at once: sshd allows 10 sessions per multiplexed connection by default
 * (sshd_config MaxSessions), and a host busy with update-initramfs should not also field dozens.
 */
export const MAX_CONCURRENT_COMMANDS = 4;

export class ShellHostChannel implements HostChannel {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly description: string,
    private readonly execute: HostExec,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  private async exec(argv: string[], options: { input?: string; timeoutMs: number }): Promise<CommandOutput> {
    if (this.running >= MAX_CONCURRENT_COMMANDS) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await this.execute(argv, options);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  async run(argv: string[], options: RunOptions = {}): Promise<CommandOutput> {
    const output = await this.exec(argv, { input: options.input, timeoutMs: options.timeoutMs ?? 120_000 });
    return checkExit(this.description, argv, output, options);
  }

  private async sh(script: string, args: string[], input?: string): Promise<CommandOutput> {
    return this.exec(['sh', '-c', script, 'sh', ...args], { input, timeoutMs: 120_000 });
  }

  async readFile(path: string): Promise<string | undefined> {
    const out = await this.sh(READ, [path]);
    if (out.exitCode === MISSING) return undefined;
    return checkExit(this.description, ['cat', path], out).stdout;
  }

  async writeFile(path: string, content: string, options: WriteOptions = {}): Promise<WriteResult> {
    const mode = (options.mode ?? 0o644).toString(8);
    const out = await this.sh(WRITE, [path, mode, BACKUP_SUFFIX], content);
    // The content is not repeated in the error: it may hold what the caller would not log.
    if (out.exitCode !== 0) throw new HostCommandError(this.description, ['write', path], out);
    return { path, backup: out.stdout.includes('backup') ? `${path}${BACKUP_SUFFIX}` : undefined };
  }

  async stat(path: string): Promise<PathInfo | undefined> {
    const out = await this.sh(STAT, [path]);
    if (out.exitCode === MISSING) return undefined;
    const [type, size, mode] = checkExit(this.description, ['stat', path], out).stdout.trim().split('|');
    return { type: TYPES[type] ?? 'other', size: Number(size), mode: parseInt(mode, 8) };
  }

  async listDir(path: string): Promise<string[] | undefined> {
    const out = await this.sh(LIST, [path]);
    if (out.exitCode === MISSING) return undefined;
    return checkExit(this.description, ['ls', path], out)
      .stdout.split('\n')
      .filter(Boolean)
      .sort();
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
