/**
 * Runs a collector in the background on an interval, never on the scrape path: a scrape reads the
 * last good sample, and these metrics say how old it is and whether the last run worked. Runs never
 * overlap; a run that outlives its timeout is aborted (the collector kills its child process).
 * A sample older than `maxAgeMs` is withdrawn (`expire`): a GPU that is lost or an nvidia-smi that
 * hangs must not leave its last temperature served for ever; success and age stay.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';

export interface CollectorRun {
  (signal: AbortSignal): Promise<void>;
}

export interface SamplerOptions {
  name: string;
  intervalMs: number;
  timeoutMs: number;
  run: CollectorRun;
  /** Age after which the last good sample is withdrawn. */
  maxAgeMs: number;
  /** Withdraws the collector's values (its families become empty). */
  expire: () => void;
  /** Called after every run and every expiry: what a scrape would read has changed. */
  onChange?: () => void;
  health: CollectorHealth;
  logger: Logger;
}

/** The exporter's own metrics about every collector, labelled by collector name. */
export class CollectorHealth {
  private readonly lastSuccess = new Map<string, number>();
  readonly success: Gauge<'collector'>;
  readonly lastSuccessTimestamp: Gauge<'collector'>;
  readonly duration: Gauge<'collector'>;
  readonly runs: Counter<'collector' | 'result'>;
  readonly maxSampleAge: Gauge<'collector'>;

  constructor(registry: Registry, private readonly now: () => number = Date.now) {
    const registers = [registry];
    this.success = new Gauge({
      name: 'genesis_exporter_collector_success',
      help: 'Whether the last run of the collector succeeded (1) or failed (0).',
      labelNames: ['collector'],
      registers,
    });
    this.lastSuccessTimestamp = new Gauge({
      name: 'genesis_exporter_collector_last_success_timestamp_seconds',
      help: 'Unix time of the last successful run of the collector.',
      labelNames: ['collector'],
      registers,
    });
    this.duration = new Gauge({
      name: 'genesis_exporter_collector_duration_seconds',
      help: 'How long the last run of the collector took.',
      labelNames: ['collector'],
      registers,
    });
    this.runs = new Counter({
      name: 'genesis_exporter_collector_runs_total',
      help: 'Runs of the collector by result (success, error, timeout).',
      labelNames: ['collector', 'result'],
      registers,
    });
    this.maxSampleAge = new Gauge({
      name: 'genesis_exporter_collector_max_sample_age_seconds',
      help: 'Age at which the last good sample is withdrawn (its values disappear; success and age stay).',
      labelNames: ['collector'],
      registers,
    });
  }

  /**
   * `genesis_exporter_collector_sample_age_seconds`, written per scrape (the rest of the page is
   * rendered once per sample, so the age is the one series that cannot come from it).
   */
  sampleAgeText(): string {
    let text =
      '# HELP genesis_exporter_collector_sample_age_seconds Age of the sample being served: seconds since the last successful run (absent before the first).\n' +
      '# TYPE genesis_exporter_collector_sample_age_seconds gauge\n';
    const now = this.now();
    for (const [collector, at] of this.lastSuccess) text += `genesis_exporter_collector_sample_age_seconds{collector="${collector}"} ${Math.max(0, (now - at) / 1000)}\n`;
    return text;
  }

  register(collector: string, maxAgeMs: number): void {
    this.maxSampleAge.set({ collector }, maxAgeMs / 1000);
    this.success.set({ collector }, 0);
    for (const result of ['success', 'error', 'timeout']) this.runs.inc({ collector, result }, 0);
  }

  recordSuccess(collector: string, durationMs: number): void {
    const at = this.now();
    this.lastSuccess.set(collector, at);
    this.success.set({ collector }, 1);
    this.lastSuccessTimestamp.set({ collector }, at / 1000);
    this.duration.set({ collector }, durationMs / 1000);
    this.runs.inc({ collector, result: 'success' });
  }

  recordFailure(collector: string, durationMs: number, timedOut: boolean): void {
    this.success.set({ collector }, 0);
    this.duration.set({ collector }, durationMs / 1000);
    this.runs.inc({ collector, result: timedOut ? 'timeout' : 'error' });
  }
}

export class Sampler {
  private timer: NodeJS.Timeout | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private expired = false;
  private running: Promise<void> | undefined;
  private stopped = true;
  private completedRuns = 0;
  private readonly controller = new AbortController();

  constructor(private readonly options: SamplerOptions) {
    options.health.register(options.name, options.maxAgeMs);
  }

  get name(): string {
    return this.options.name;
  }

  /** True once the first run has finished, whatever its result. */
  get ready(): boolean {
    return this.completedRuns > 0;
  }

  /** True while the last good sample is older than the maximum age and withdrawn. */
  get isExpired(): boolean {
    return this.expired;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.expiry) clearTimeout(this.expiry);
    this.controller.abort();
    await this.running;
  }

  /** One run now (tests; also the body of every tick). Concurrent callers share the run in flight. */
  runOnce(): Promise<void> {
    if (!this.running) {
      this.running = this.execute().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async tick(): Promise<void> {
    await this.runOnce();
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
  }

  private async execute(): Promise<void> {
    const { name, timeoutMs, run, health, logger } = this.options;
    const started = performance.now();
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([timeout, this.controller.signal]);
    try {
      await Promise.race([
        run(signal),
        new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => reject(new SamplerTimeoutError(name, timeoutMs)), { once: true });
        }),
      ]);
      health.recordSuccess(name, performance.now() - started);
      this.armExpiry();
    } catch (error) {
      const timedOut = error instanceof SamplerTimeoutError || timeout.aborted || (error as { reason?: string }).reason === 'timeout';
      health.recordFailure(name, performance.now() - started, timedOut);
      if (!this.controller.signal.aborted) {
        logger.warn({ collector: name, err: (error as Error).message }, 'collector run failed; serving the last good sample');
      }
    } finally {
      this.completedRuns += 1;
      this.options.onChange?.();
    }
  }

  /** Counts the sample's age from now: a timer, so expiry is on time even while a run hangs. */
  private armExpiry(): void {
    this.expired = false;
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = setTimeout(() => this.expireNow(), this.options.maxAgeMs);
    this.expiry.unref();
  }

  private expireNow(): void {
    this.expired = true;
    this.options.expire();
    this.options.logger.warn({ collector: this.options.name, maxAgeSeconds: this.options.maxAgeMs / 1000 }, 'last good sample is too old; its values are withdrawn until a run succeeds');
    this.options.onChange?.();
  }
}

export class SamplerTimeoutError extends Error {
  constructor(collector: string, timeoutMs: number) {
    super(`collector ${collector} did not finish within ${timeoutMs} ms`);
    this.name = 'SamplerTimeoutError';
  }
}
