/**
 * The heartbeat: every interval one round of probes; after N missed rounds in a row the relay
 * power-cycles the server — never within the start-up grace period, never while maintenance is
 * on, and at most once per minimum interval (remembered across restarts in the state file).
 * `round()` is one step with an injected clock, so the rules are tested without waiting.
 */
import type { Logger } from 'pino';
import type { RelayOutcome, WatchdogMetrics } from '../lib/metrics';
import type { Probe } from './probes';
import type { RelayStateFile } from './relay-state';

export interface HeartbeatOptions {
  intervalMs: number;
  missesBeforeRelay: number;
  missWhen: 'all-fail' | 'any-fail';
  startupGraceMs: number;
  relayMinIntervalMs: number;
}

export interface HeartbeatDeps {
  probes: Probe[];
  /** True while the maintenance switch or flag holds the relay back. */
  maintenance: () => Promise<boolean>;
  /** Plays the power-cycle sequence on the relay line. */
  powerCycle: () => Promise<void>;
  state: RelayStateFile;
  metrics: WatchdogMetrics;
  log: Logger;
  now?: () => number;
}

export type RoundResult = { result: 'ok' } | { result: 'miss'; misses: number; relay?: RelayOutcome };

export class Heartbeat {
  private misses = 0;
  private readonly startedAt: number;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private current?: Promise<RoundResult>;
  private stopped = false;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly deps: HeartbeatDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
  }

  start(): void {
    const loop = async () => {
      this.current = this.round();
      await this.current.catch((err: Error) => this.deps.log.error({ err }, 'heartbeat round failed'));
      if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
  }

  async round(): Promise<RoundResult> {
    const { metrics, log } = this.deps;
    const results = await Promise.all(this.deps.probes.map(async (p) => ({ target: p.target, ...(await p.check()) })));
    for (const r of results) metrics.targetUp.set({ target: r.target }, r.up ? 1 : 0);
    const down = results.filter((r) => !r.up);
    const miss = this.options.missWhen === 'all-fail' ? down.length === results.length : down.length > 0;
    metrics.heartbeatTimestamp.set(this.now() / 1000);
    metrics.heartbeatSuccess.set(miss ? 0 : 1);
    if (!miss) {
      if (this.misses > 0) log.info({ after: this.misses }, 'heartbeat: the server answers again');
      this.misses = 0;
      metrics.consecutiveMisses.set(0);
      return { result: 'ok' };
    }
    this.misses++;
    metrics.missesTotal.inc();
    metrics.consecutiveMisses.set(this.misses);
    const failures = Object.fromEntries(down.map((d) => [d.target, d.detail]));
    log.warn({ misses: this.misses, of: this.options.missesBeforeRelay, failures }, 'heartbeat missed');
    if (this.misses < this.options.missesBeforeRelay) return { result: 'miss', misses: this.misses };
    const relay = await this.decide();
    metrics.relayActions.inc({ outcome: relay });
    return { result: 'miss', misses: this.misses, relay };
  }

  private async decide(): Promise<RelayOutcome> {
    const { log } = this.deps;
    const now = this.now();
    const sinceStart = now - this.startedAt;
    if (sinceStart < this.options.startupGraceMs) {
      log.warn({ remainingMs: this.options.startupGraceMs - sinceStart }, 'relay held back: start-up grace period');
      return 'suppressed_grace';
    }
    // The cheap checks first: reading the maintenance switch starts gpioget.
    const last = this.deps.state.read().lastFiredAt;
    if (last !== undefined && now - last < this.options.relayMinIntervalMs) {
      log.warn({ lastFiredAt: new Date(last).toISOString(), minIntervalMs: this.options.relayMinIntervalMs }, 'relay held back: it fired less than the minimum interval ago');
      return 'suppressed_interval';
    }
    let maintenance: boolean;
    try {
      maintenance = await this.deps.maintenance();
    } catch (err) {
      // A maintenance switch that cannot be read might be on: holding back is the safe side.
      log.error({ err: (err as Error).message }, 'relay held back: the maintenance switch cannot be read');
      maintenance = true;
    }
    this.deps.metrics.maintenance.set(maintenance ? 1 : 0);
    if (maintenance) {
      log.warn('relay held back: maintenance is on');
      return 'suppressed_maintenance';
    }
    // Recorded before the pulse: a crash mid-pulse must not lead to a second one on restart.
    this.deps.state.write({ lastFiredAt: now });
    this.misses = 0;
    this.deps.metrics.consecutiveMisses.set(0);
    log.error({ misses: this.options.missesBeforeRelay }, 'relay: power-cycling the server');
    try {
      await this.deps.powerCycle();
      log.error('relay: power-cycle sequence played');
      return 'fired';
    } catch (err) {
      log.error({ err: (err as Error).message }, 'relay: the power-cycle sequence failed');
      return 'failed';
    }
  }
}
