/**
 * PVE_TRACE: one JSON line per HTTP attempt, `{"method","path","params","status","ms","at","to"}`. Users
 * read it to debug; the project's checks read it to see exactly what was sent. Written
 * synchronously so lines keep request order and survive a crash right after.
 */
import { appendFileSync } from 'node:fs';

export interface PveTraceRecord {
  method: string;
  /** Relative to /api2/json, without the query string. */
  path: string;
  /** As sent (booleans already 1/0), secrets masked. */
  params: Record<string, string>;
  /** HTTP status; 0 when no HTTP answer came (network error, timeout, refused certificate). */
  status: number;
  /** Wall time of the attempt in milliseconds. */
  ms: number;
  /** When the attempt started (epoch ms): overlapping requests to several nodes show as overlapping [at, at+ms]. */
  at?: number;
  /** `host:port` the request went to (one trace file may hold several nodes' requests). */
  to?: string;
}

export class TraceFile {
  private failed = false;
  constructor(readonly file: string) {}

  write(record: PveTraceRecord): void {
    if (this.failed) return;
    // Key order is part of the format; build the object explicitly.
    const line = JSON.stringify({
      method: record.method,
      path: record.path,
      params: record.params,
      status: record.status,
      ms: record.ms,
      at: record.at,
      to: record.to,
    });
    try {
      appendFileSync(this.file, line + '\n');
    } catch (error) {
      // Tracing is diagnostics: a full disk must not fail provisioning. Say it once.
      this.failed = true;
      process.emitWarning(
        `PVE_TRACE=${this.file}: cannot append (${(error as Error).message}); tracing disabled for this client. ` +
          `Point PVE_TRACE at a writable file.`,
      );
    }
  }
}
