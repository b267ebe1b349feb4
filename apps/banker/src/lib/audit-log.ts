// Owns the audit log of trading-state changes on disk: JSON lines, each written and fsynced on its
// own, in segments. `audit.jsonl` is the current segment; once it would pass `maxBytes` it is
// renamed to `audit.NNNNNN.jsonl` (numbered upwards, never deleted: the history is kept) and a new
// one begins. At start only the newest non-empty segment is read, so the start time does not grow
// with the history.
import { mkdir, open, readdir, readFile, rename, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const entrySchema = z.object({
  time: z.string(),
  actor: z.string(),
  from: z.enum(['running', 'halted']),
  to: z.enum(['running', 'halted']),
  reason: z.string(),
});
export type AuditEntry = z.infer<typeof entrySchema>;

export const AUDIT_FILE_NAME = 'audit.jsonl';
const SEGMENT_NAME = /^audit\.(\d+)\.jsonl$/;
export const segmentName = (n: number) => `audit.${String(n).padStart(6, '0')}.jsonl`;
/** Default segment size; BANKER_AUDIT_MAX_BYTES sets it. */
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;

export class AuditLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditLogError';
  }
}

export interface LastEntry {
  entry: AuditEntry | undefined;
  /** The segment it came from. */
  file: string | undefined;
  /** Bytes read to find it: one segment, whatever the length of the history. */
  bytesRead: number;
}

export class AuditLog {
  readonly file: string;
  /** Bytes in the current segment; read lazily, kept up to date by append. */
  private size: number | undefined;

  constructor(
    readonly dir: string,
    readonly maxBytes: number = DEFAULT_SEGMENT_BYTES,
  ) {
    this.file = join(dir, AUDIT_FILE_NAME);
  }

  /** The last entry of the newest segment that has one; a damaged line stops the start. */
  async loadLast(): Promise<LastEntry> {
    let bytesRead = 0;
    for (const file of [this.file, ...(await this.segments()).reverse().map((s) => s.path)]) {
      const text = await this.read(file);
      if (text === undefined) continue;
      bytesRead += Buffer.byteLength(text);
      const entries = this.parse(file, text);
      if (entries.length > 0) return { entry: entries.at(-1), file, bytesRead };
    }
    return { entry: undefined, file: undefined, bytesRead };
  }

  /** Rotated segments, oldest first. */
  async segments(): Promise<Array<{ n: number; path: string }>> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new AuditLogError(`cannot list ${this.dir}: ${(err as Error).message}; fix: make BANKER_DATA_DIR readable by the service user`);
    }
    return names
      .map((name) => SEGMENT_NAME.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ n: Number(m[1]), path: join(this.dir, m[0]) }))
      .sort((a, b) => a.n - b.n);
  }

  /** Appends one entry durably, rotating first when it would pass maxBytes. */
  async append(entry: AuditEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const line = JSON.stringify(entry) + '\n';
    const bytes = Buffer.byteLength(line);
    this.size ??= await sizeOf(this.file);
    if (this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate();
    const before = this.size;
    const handle = await open(this.file, 'a', 0o640);
    try {
      await handle.write(line);
      await handle.datasync();
    } catch (err) {
      // A half-written line would stop the next start: take it back if the file lets us.
      await truncate(this.file, before).catch(() => (this.size = undefined));
      throw err;
    } finally {
      await handle.close();
    }
    if (before === 0) await syncDir(this.dir); // a new file's name must survive a crash too
    if (this.size !== undefined) this.size = before + bytes;
  }

  /** Whether an entry could be written now, without writing one. */
  async probe(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const handle = await open(this.file, 'a', 0o640);
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  private async rotate(): Promise<void> {
    const last = (await this.segments()).at(-1);
    await rename(this.file, join(this.dir, segmentName((last?.n ?? 0) + 1)));
    await syncDir(this.dir);
    this.size = 0;
  }

  private async read(file: string): Promise<string | undefined> {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new AuditLogError(`cannot read ${file}: ${(err as Error).message}; fix: make BANKER_DATA_DIR readable by the service user`);
    }
  }

  private parse(file: string, text: string): AuditEntry[] {
    if (text.length > 0 && !text.endsWith('\n')) {
      const line = text.split('\n').length;
      throw new AuditLogError(
        `${file}:${line}: the last entry is incomplete (a write was cut off); fix: inspect it, then repair or delete line ${line}`,
      );
    }
    return text
      .split('\n')
      .slice(0, -1)
      .map((line, i) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          parsed = undefined;
        }
        const entry = entrySchema.safeParse(parsed);
        if (!entry.success) {
          throw new AuditLogError(`${file}:${i + 1}: not an audit entry {time, actor, from, to, reason}; fix: repair or delete line ${i + 1}`);
        }
        return entry.data;
      });
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
