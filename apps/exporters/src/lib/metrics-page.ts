/**
 * The /metrics page, rendered once per sample rather than once per scrape: every time a collector
 * finishes a run (or its sample expires) the registry is formatted into one buffer, and a scrape
 * sends that buffer plus the few sample-age lines that change with the clock. Prometheus' own
 * exporters do the same work per scrape; here the values only change when a sample does, so
 * formatting them again for each scrape would be work for nothing (issue 16: scrapes at memory speed).
 */
import type { Registry } from 'prom-client';

export class MetricsPage {
  private body: Buffer = Buffer.alloc(0);
  private rendering: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly registry: Registry,
    /** Lines written per scrape (the sample ages). */
    private readonly perScrape: () => string,
  ) {}

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The page a scrape gets now, as the rendered buffer and the per-scrape tail (no copy of the first). */
  parts(): [Buffer, Buffer] {
    return [this.body, Buffer.from(this.perScrape())];
  }

  /** The page as one buffer (tests). */
  current(): Buffer {
    return Buffer.concat(this.parts());
  }

  /** Formats the registry again; calls while one render runs are folded into one more render. */
  refresh(): Promise<void> {
    if (this.rendering) {
      this.dirty = true;
      return this.rendering;
    }
    this.rendering = (async () => {
      do {
        this.dirty = false;
        this.body = Buffer.from(await this.registry.metrics());
      } while (this.dirty);
    })().finally(() => {
      this.rendering = undefined;
    });
    return this.rendering;
  }
}
