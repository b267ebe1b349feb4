// Owns getting entries into the audit log when the disk does not cooperate: entries are written
// one after another in order; a halt's entry is retried with a bounded backoff until it is
// written (the halt itself already took effect), while a resume's entry gets one attempt (the
// resume waits for it). While any entry is pending or the last attempt failed, the audit is
// "degraded", the writer keeps probing, and banker refuses to resume.
import type { AuditEntry, AuditLog } from './audit-log';
import type { TradingState } from './config';

export interface RetryPolicy {
  /** Wait after the first failure; doubled after each further one... */
  initialMs: number;
  /** ...up to this. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 200, maxMs: 30_000 };

export interface AuditHealth {
  status: 'ok' | 'degraded';
  /** Entries of changes already in effect that are not on disk yet. */
  pendingEntries: number;
  lastError: string | null;
  failingSince: string | null;
}

export interface AuditWriterEvents {
  /** Every failed attempt, with when the next one comes. */
  onFailure(error: Error, attempt: number, retryInMs: number, pendingEntries: number): void;
  /** The first success after failures. */
  onRecovered(failedAttempts: number): void;
}

interface Pending {
  entry: AuditEntry;
  retry: boolean;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class AuditDegradedError extends Error {
  constructor(readonly health: AuditHealth) {
    super(`the audit log cannot be written (${health.lastError ?? 'entries pending'}, since ${health.failingSince ?? 'now'})`);
    this.name = 'AuditDegradedError';
  }
}

export class AuditWriter {
  private readonly queue: Pending[] = [];
  private running = false;
  private closed = false;
  private attempts = 0;
  private lastError: string | null = null;
  private failingSince: string | null = null;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: AuditLog,
    /** `to` of the last entry on disk: a written entry's `from` is always what the log said before it. */
    private lastWritten: TradingState | undefined,
    private readonly events: AuditWriterEvents,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  health(): AuditHealth {
    const degraded = this.lastError !== null || this.queue.some((p) => p.retry);
    return {
      status: degraded ? 'degraded' : 'ok',
      pendingEntries: this.queue.filter((p) => p.retry).length,
      lastError: this.lastError,
      failingSince: this.failingSince,
    };
  }

  /** Written eventually, whatever it takes; resolves once it is on disk. */
  record(entry: AuditEntry): Promise<void> {
    return this.enqueue(entry, true);
  }

  /** One attempt, and only while the audit is healthy; rejects with the reason otherwise. */
  recordOnce(entry: AuditEntry): Promise<void> {
    const health = this.health();
    if (health.status !== 'ok' || this.queue.length > 0) return Promise.reject(new AuditDegradedError(health));
    return this.enqueue(entry, false);
  }

  /** Checks that the log can be written now (at start); on failure the writer reports and probes. */
  async verify(): Promise<boolean> {
    try {
      await this.log.probe();
      return true;
    } catch (err) {
      const retryInMs = this.failed(err as Error);
      void this.sleep(retryInMs).then(() => this.pump());
      return false;
    }
  }

  /** Stops retrying (the process is stopping); returns the entries that never reached the disk. */
  close(): AuditEntry[] {
    this.closed = true;
    clearTimeout(this.timer);
    this.wake?.();
    return this.queue.filter((p) => p.retry).map((p) => p.entry);
  }

  private enqueue(entry: AuditEntry, retry: boolean): Promise<void> {
    const written = new Promise<void>((resolve, reject) => this.queue.push({ entry, retry, resolve, reject }));
    void this.pump();
    return written;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && (this.queue.length > 0 || this.lastError !== null)) {
        const head = this.queue[0];
        try {
          if (head) {
            const entry = this.lastWritten ? { ...head.entry, from: this.lastWritten } : head.entry;
            await this.log.append(entry);
            this.lastWritten = entry.to;
            this.queue.shift();
            head.resolve();
          } else {
            await this.log.probe();
          }
          if (this.lastError !== null) {
            this.events.onRecovered(this.attempts);
            this.lastError = null;
            this.failingSince = null;
            this.attempts = 0;
          }
        } catch (err) {
          const retryInMs = this.failed(err as Error);
          if (head && !head.retry) {
            this.queue.shift();
            head.reject(err as Error);
          }
          await this.sleep(retryInMs);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private failed(error: Error): number {
    this.attempts += 1;
    this.lastError = error.message;
    this.failingSince ??= new Date().toISOString();
    const retryInMs = Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** (this.attempts - 1));
    this.events.onFailure(error, this.attempts, retryInMs, this.queue.filter((p) => p.retry).length);
    return retryInMs;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
