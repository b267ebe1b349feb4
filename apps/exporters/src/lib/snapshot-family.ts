/**
 * A metric family whose samples are replaced as a whole when a collector finishes a run. prom-client's
 * Gauge/Counter/Histogram are built to be incremented by instrumented code; here we mirror values read
 * from elsewhere (nvidia-smi, a vLLM /metrics page, the Proxmox API), including counters and
 * histograms, and a scrape must never see half of one run and half of the next.
 */
import type { Registry } from 'prom-client';

export type MetricType = 'gauge' | 'counter' | 'histogram';
export type Labels = Record<string, string>;

export interface FamilySample {
  labels: Labels;
  value: number;
  /** `_bucket`, `_sum`, `_count` for histograms. */
  suffix?: string;
}

export class SnapshotFamily {
  readonly aggregator = 'sum' as const;
  private samples: FamilySample[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`metric name "${name}" is not a valid Prometheus name`);
  }

  set(samples: FamilySample[]): void {
    this.samples = samples;
  }

  current(): readonly FamilySample[] {
    return this.samples;
  }

  reset(): void {
    this.samples = [];
  }

  /** The shape prom-client's Registry formats. */
  async get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.samples.map((s) => ({ labels: s.labels, value: s.value, metricName: this.name + (s.suffix ?? '') })),
    };
  }
}

/** One collector's families, keyed by name, swapped in at once after each run of that collector. */
export class FamilySet {
  private readonly families = new Map<string, SnapshotFamily>();

  constructor(private readonly registry: Registry) {}

  define(name: string, help: string, type: MetricType = 'gauge'): SnapshotFamily {
    const family = new SnapshotFamily(name, help, type);
    this.families.set(name, family);
    this.registry.registerMetric(family as never);
    return family;
  }

  /** Replaces every family's samples; families missing from `batch` become empty. */
  replaceAll(batch: SampleBatch): void {
    for (const [name, family] of this.families) family.set(batch.take(name));
    const unknown = batch.names().filter((n) => !this.families.has(n));
    if (unknown.length) throw new Error(`metrics ${unknown.join(', ')} were produced but never defined (add them to the collector's definitions)`);
  }

  /** Withdraws every family's samples (the sample is too old to serve). */
  clear(): void {
    for (const family of this.families.values()) family.reset();
  }

  get(name: string): SnapshotFamily | undefined {
    return this.families.get(name);
  }
}

/** Collects samples during one run; values that are undefined are skipped (absent, never 0). */
export class SampleBatch {
  private readonly byName = new Map<string, FamilySample[]>();

  add(name: string, labels: Labels, value: number | boolean | undefined, suffix?: string): void {
    if (value === undefined || (typeof value === 'number' && Number.isNaN(value))) return;
    const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    const list = this.byName.get(name) ?? [];
    list.push({ labels, value: numeric, suffix });
    this.byName.set(name, list);
  }

  take(name: string): FamilySample[] {
    return this.byName.get(name) ?? [];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
