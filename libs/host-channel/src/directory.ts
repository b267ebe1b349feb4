/**
 * A host that is a directory laid out like one (`<root>/etc`, `<root>/sys/kernel/iommu_groups`, …),
 * with its commands answered by a function: the embedded simulator's host. Files get the same
 * atomic-write-with-backup treatment as on a real host.
 */
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { BACKUP_SUFFIX, checkExit, type CommandOutput, type HostChannel, type PathInfo, type RunOptions, type WriteOptions, type WriteResult } from './channel';

/** Answers a command the way the host would; `root` is the host's `/`. */
export type DirectoryHostCommands = (argv: string[], context: { root: string; input?: string }) => Promise<CommandOutput> | CommandOutput;

export class DirectoryHostChannel implements HostChannel {
  constructor(
    readonly root: string,
    private readonly commands: DirectoryHostCommands,
    readonly description = `simulated host (${root})`,
  ) {}

  /** The host path `p` inside the root; paths are absolute on the host and never leave the root. */
  resolve(p: string): string {
    if (!p.startsWith('/')) throw new Error(`${p}: host paths are absolute (start with /)`);
    return join(this.root, normalize(p));
  }

  async run(argv: string[], options: RunOptions = {}): Promise<CommandOutput> {
    const out = await this.commands(argv, { root: this.root, input: options.input });
    return checkExit(this.description, argv, out, options);
  }

  async readFile(path: string): Promise<string | undefined> {
    const p = this.resolve(path);
    return existsSync(p) && statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined;
  }

  async writeFile(path: string, content: string, options: WriteOptions = {}): Promise<WriteResult> {
    const p = this.resolve(path);
    mkdirSync(dirname(p), { recursive: true });
    const tmp = `${dirname(p)}/.genesis.${process.pid}.${Date.now()}`;
    const existed = existsSync(p);
    writeFileSync(tmp, content, { mode: existed ? statSync(p).mode & 0o7777 : (options.mode ?? 0o644) });
    if (existed) copyFileSync(p, `${p}${BACKUP_SUFFIX}`);
    renameSync(tmp, p);
    return { path, backup: existed ? `${path}${BACKUP_SUFFIX}` : undefined };
  }

  async stat(path: string): Promise<PathInfo | undefined> {
    const p = this.resolve(path);
    if (!existsSync(p) && !lstatSync(p, { throwIfNoEntry: false })) return undefined;
    const s = lstatSync(p);
    const type = s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other';
    return { type, size: s.size, mode: s.mode & 0o7777 };
  }

  async listDir(path: string): Promise<string[] | undefined> {
    const p = this.resolve(path);
    return existsSync(p) && statSync(p).isDirectory() ? readdirSync(p).sort() : undefined;
  }

  async close(): Promise<void> {
    return undefined;
  }
}
