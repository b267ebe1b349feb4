// Owns the trading-halted switch: the current state, restored from the audit log at start, and
// its two transitions, each leaning to the safe side. A halt takes effect at once, in memory,
// whatever the disk does; its audit entry follows (retried until written, see audit-writer.ts).
// A resume takes effect only once its entry is on disk, never while the audit is failing, and
// never over a halt that arrived while it was being written.
import type { AuditEntry, AuditLog, LastEntry } from './audit-log';
import { AuditDegradedError, AuditWriter, type AuditHealth, type AuditWriterEvents, type RetryPolicy } from './audit-writer';
import type { TradingState } from './config';

export interface SwitchState {
  trading: TradingState;
  since: string | null;
  actor: string | null;
  reason: string | null;
  audit: AuditHealth;
}

export interface ChangeResult extends SwitchState {
  changed: boolean;
}

export interface HaltResult extends ChangeResult {
  /** Resolves once the halt's entry is on disk (immediately when nothing changed). */
  written: Promise<void>;
}

/** Why a resume did not happen; `status` is the HTTP answer. */
export class ResumeRefusedError extends Error {
  constructor(
    readonly status: 409 | 503,
    message: string,
  ) {
    super(`resume refused: ${message}; trading stays halted`);
    this.name = 'ResumeRefusedError';
  }
}

export interface SwitchOptions {
  initialState: TradingState;
  onChange?: (entry: AuditEntry) => void;
  audit: AuditWriterEvents;
  retry?: RetryPolicy;
}

export class TradingSwitch {
  /** In effect now. */
  private state: Omit<SwitchState, 'audit'>;
  /** `to` of the last entry handed to the writer: what the log will say once it caught up. */
  private logged: TradingState;
  private halts = 0;
  private resuming: Promise<ChangeResult> | undefined;

  private constructor(
    private readonly writer: AuditWriter,
    initial: Omit<SwitchState, 'audit'>,
    logged: TradingState,
    private readonly onChange: (entry: AuditEntry) => void,
  ) {
    this.state = initial;
    this.logged = logged;
  }

  static async open(log: AuditLog, options: SwitchOptions): Promise<{ tradingSwitch: TradingSwitch; loaded: LastEntry }> {
    const loaded = await log.loadLast();
    const last = loaded.entry;
    const writer = new AuditWriter(log, last?.to, options.audit, options.retry);
    const initial = last
      ? { trading: last.to, since: last.time, actor: last.actor, reason: last.reason }
      : { trading: options.initialState, since: null, actor: null, reason: null };
    const tradingSwitch = new TradingSwitch(writer, initial, last?.to ?? options.initialState, options.onChange ?? (() => undefined));
    if (!(await writer.verify()) && initial.trading === 'running') {
      // Changes could not be recorded, so resuming would be refused: the safe state is halted.
      tradingSwitch.halt('banker', 'the audit log cannot be written at start');
    }
    return { tradingSwitch, loaded };
  }

  current(): SwitchState {
    return { ...this.state, audit: this.writer.health() };
  }

  halt(actor: string, reason: string): HaltResult {
    if (this.state.trading === 'halted' && this.logged === 'halted') return { ...this.current(), changed: false, written: Promise.resolve() };
    const entry: AuditEntry = { time: new Date().toISOString(), actor, from: this.logged, to: 'halted', reason };
    this.halts += 1; // a resume being written now will not take effect
    this.logged = 'halted';
    this.state = { trading: 'halted', since: entry.time, actor, reason };
    const written = this.writer.record(entry);
    this.onChange(entry);
    return { ...this.current(), changed: true, written };
  }

  /** Resolves once trading runs again; rejects with ResumeRefusedError. */
  resume(actor: string, reason: string): Promise<ChangeResult> {
    if (this.state.trading === 'running') return Promise.resolve({ ...this.current(), changed: false });
    if (this.resuming) return this.resuming;
    const health = this.writer.health();
    if (health.status !== 'ok') return Promise.reject(new ResumeRefusedError(503, new AuditDegradedError(health).message));
    const halts = this.halts;
    const entry: AuditEntry = { time: new Date().toISOString(), actor, from: this.logged, to: 'running', reason };
    this.logged = 'running';
    this.resuming = (async () => {
      try {
        await this.writer.recordOnce(entry); // durable first: an unlogged resume never happens
      } catch (err) {
        if (this.halts === halts) this.logged = 'halted';
        throw new ResumeRefusedError(503, `writing its audit entry failed (${(err as Error).message})`);
      }
      if (this.halts !== halts) throw new ResumeRefusedError(409, 'a halt arrived while this resume was being recorded');
      this.state = { trading: 'running', since: entry.time, actor, reason };
      this.onChange(entry);
      return { ...this.current(), changed: true };
    })().finally(() => (this.resuming = undefined));
    return this.resuming;
  }

  /** The process is stopping: no more retries. Returns the entries that never reached the disk. */
  close(): AuditEntry[] {
    return this.writer.close();
  }
}
