// Owns the trading-halted switch: the current state, restored from the audit log at start,
// and the only two transitions (halt, resume), each made durable before it takes effect.
import type { AuditEntry, AuditLog } from './audit-log';
import type { TradingState } from './config';

export interface SwitchState {
  trading: TradingState;
  since: string | null;
  actor: string | null;
  reason: string | null;
}

export interface ChangeResult extends SwitchState {
  changed: boolean;
}

export class TradingSwitch {
  private state: SwitchState;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly log: AuditLog,
    initial: SwitchState,
    private readonly onChange: (entry: AuditEntry) => void,
  ) {
    this.state = initial;
  }

  static async open(log: AuditLog, initialState: TradingState, onChange: (entry: AuditEntry) => void = () => undefined): Promise<TradingSwitch> {
    const entries = await log.load();
    const last = entries.at(-1);
    return new TradingSwitch(
      log,
      last
        ? { trading: last.to, since: last.time, actor: last.actor, reason: last.reason }
        : { trading: initialState, since: null, actor: null, reason: null },
      onChange,
    );
  }

  current(): SwitchState {
    return { ...this.state };
  }

  halt(actor: string, reason: string): Promise<ChangeResult> {
    return this.change('halted', actor, reason);
  }

  resume(actor: string, reason: string): Promise<ChangeResult> {
    return this.change('running', actor, reason);
  }

  private change(to: TradingState, actor: string, reason: string): Promise<ChangeResult> {
    const next = this.queue.then(async (): Promise<ChangeResult> => {
      if (this.state.trading === to) return { ...this.current(), changed: false };
      const entry: AuditEntry = { time: new Date().toISOString(), actor, from: this.state.trading, to, reason };
      await this.log.append(entry); // durable first: an unlogged change never happens
      this.state = { trading: to, since: entry.time, actor, reason };
      this.onChange(entry);
      return { ...this.current(), changed: true };
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
