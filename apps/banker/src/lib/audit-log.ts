// Owns the audit log of trading-state changes: an append-only JSON-lines file, each entry
// written and fsynced before the change is acknowledged, read back at start to restore state.
import { mkdir, open, readFile } from 'node:fs/promises';
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

export class AuditLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditLogError';
  }
}

export class AuditLog {
  readonly file: string;
  /** Appends run one after another so concurrent changes never interleave bytes. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = join(dataDir, AUDIT_FILE_NAME);
  }

  /** Every entry so far; a damaged line stops the start rather than guessing the state. */
  async load(): Promise<AuditEntry[]> {
    await mkdir(join(this.file, '..'), { recursive: true });
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new AuditLogError(`cannot read ${this.file}: ${(err as Error).message}; fix: make BANKER_DATA_DIR readable by the service user`);
    }
    if (text.length > 0 && !text.endsWith('\n')) {
      const line = text.split('\n').length;
      throw new AuditLogError(
        `${this.file}:${line}: the last entry is incomplete (a write was cut off); fix: inspect it, then repair or delete line ${line}`,
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
          throw new AuditLogError(
            `${this.file}:${i + 1}: not an audit entry {time, actor, from, to, reason}; fix: repair or delete line ${i + 1}`,
          );
        }
        return entry.data;
      });
  }

  append(entry: AuditEntry): Promise<void> {
    const write = this.tail.then(async () => {
      const handle = await open(this.file, 'a', 0o640);
      try {
        await handle.write(JSON.stringify(entry) + '\n');
        await handle.datasync();
      } finally {
        await handle.close();
      }
    });
    this.tail = write.catch(() => undefined);
    return write;
  }
}
