/**
 * PveClient: the PveApi over HTTPS. Owns auth, TLS trust, per-request deadlines, retries,
 * per-VM write serialisation, task waiting and PVE_TRACE; knows nothing about what a VM is.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, DEFAULT_RETRY, isRetryable, type PveRetryOptions } from './backoff';
import { pveConfigFromEnv, validateConnectionConfig, PVE_DEFAULT_CONNECT_TIMEOUT_MS, PVE_DEFAULT_REQUEST_TIMEOUT_MS } from './config';
import { PveHttpError, PveNetworkError, PveTaskError, PveTaskTimeoutError, PveTlsError } from './errors';
import { exchange, type HttpAnswer } from './http';
import { encodeForm, normaliseParams, redactParams } from './params';
import { uploadBody, type UploadFields } from './multipart';
import { PveTlsAgent, readCaFile } from './tls';
import { TraceFile, type PveTraceRecord } from './trace';
import type { PveApi, PveConnectionConfig, PveParams, PveTaskStatus, WaitForTaskOptions } from './types';
import { parseUpid } from './upid';
import { guestLockKey, KeyedMutex } from './vm-lock';

export type PveMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What the logger hook sees; params are already redacted, headers are never included. */
export type PveClientEvent =
  | ({ kind: 'request'; attempt: number; error?: string } & PveTraceRecord)
  | { kind: 'retry'; method: PveMethod; path: string; attempt: number; delayMs: number; reason: string }
  | { kind: 'task-warnings'; upid: string; exitstatus: string; logTail: string[] };

export interface PveClientOptions {
  retry?: PveRetryOptions;
  /** Receives every attempt, retry and task warning (for progress output or structured logs). */
  logger?: (event: PveClientEvent) => void;
  /** Idle keep-alive connections for reads (default 4). */
  maxSockets?: number;
  /** A progress line when a connection is slow to come up ("waiting for host:8006 (TLS handshake) …"). */
  onWaiting?: (line: string) => void;
}

/** `{ data, total?, … }`: PVE's response envelope. */
interface PveEnvelope {
  data: unknown;
  total?: number;
  [extra: string]: unknown;
}

const TASK_LOG_TAIL_LINES = 20;
/** Node's codes for a request it refuses to build; repeating it cannot help. */
const UNSENDABLE = new Set([
  'ERR_UNESCAPED_CHARACTERS',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
]);
const TASK_POLL_MAX_INTERVAL_MS = 5000;
const DEFAULT_TASK_TIMEOUT_MS = 10 * 60_000;

export class PveClient implements PveApi {
  readonly node: string;
  private readonly config: PveConnectionConfig;
  private readonly authorization: string;
  /** Reads reuse connections; they are retried anyway if a kept-alive socket went stale. */
  private readonly readAgent: PveTlsAgent;
  /** Writes get a fresh connection, so a stale socket can never make a write ambiguous. */
  private readonly writeAgent: PveTlsAgent;
  private readonly timeoutMs: number;
  private readonly retry: Required<PveRetryOptions>;
  private readonly trace?: TraceFile;
  private readonly logger?: (event: PveClientEvent) => void;
  private readonly vmLocks = new KeyedMutex();

  constructor(config: PveConnectionConfig, options: PveClientOptions = {}) {
    this.config = validateConnectionConfig(config);
    this.node = this.config.node;
    this.authorization = `PVEAPIToken=${this.config.tokenId}=${this.config.tokenSecret}`;
    this.timeoutMs = this.config.requestTimeoutMs ?? PVE_DEFAULT_REQUEST_TIMEOUT_MS;
    // The request deadline still covers the whole exchange; this one fails a silent endpoint early.
    const connectTimeoutMs = this.config.connectTimeoutMs ?? PVE_DEFAULT_CONNECT_TIMEOUT_MS;
    // One line per slow start, not one per parallel socket.
    let waitingSaid = false;
    const onWaiting = options.onWaiting
      ? (line: string) => {
          if (waitingSaid) return;
          waitingSaid = true;
          options.onWaiting?.(line);
        }
      : undefined;
    const trust = {
      fingerprint: this.config.fingerprint,
      caPem: this.config.caFile ? readCaFile(this.config.caFile) : undefined,
    };
    this.readAgent = new PveTlsAgent(trust, {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 4,
      handshakeTimeoutMs: connectTimeoutMs,
      onWaiting,
    });
    this.writeAgent = new PveTlsAgent(trust, { keepAlive: false, handshakeTimeoutMs: connectTimeoutMs, onWaiting });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    if (this.config.traceFile) this.trace = new TraceFile(this.config.traceFile);
    this.logger = options.logger;
  }

  /** The client the PVE_* environment describes (see pveConfigFromEnv). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, options: PveClientOptions = {}): PveClient {
    return new PveClient(pveConfigFromEnv(env), options);
  }

  get<T = unknown>(path: string, params?: PveParams): Promise<T> {
    return this.request<T>('GET', path, params);
  }

  post<T = unknown>(path: string, params?: PveParams): Promise<T> {
    return this.request<T>('POST', path, params);
  }

  put<T = unknown>(path: string, params?: PveParams): Promise<T> {
    return this.request<T>('PUT', path, params);
  }

  delete<T = unknown>(path: string, params?: PveParams): Promise<T> {
    return this.request<T>('DELETE', path, params);
  }

  /**
   * A file upload (multipart/form-data, see multipart.ts): one attempt, never retried (the body may
   * be large and PVE starts a task per upload); traced like any request, without the file's bytes.
   */
  async upload(path: string, fields: UploadFields, filename: string, data: Buffer): Promise<string> {
    const { contentType, body } = uploadBody(fields, filename, data);
    const started = performance.now();
    let status = 0;
    let failure: string | undefined;
    const sent: Record<string, string> = { ...(fields as unknown as Record<string, string>), filename, bytes: String(data.length) };
    try {
      let answer: HttpAnswer;
      try {
        answer = await exchange({
          agent: this.writeAgent,
          host: this.config.host,
          port: this.config.port,
          method: 'POST',
          path: `/api2/json${path}`,
          headers: {
            Authorization: this.authorization,
            Accept: 'application/json',
            'User-Agent': 'genesis-pve-client',
            'Content-Type': contentType,
            'Content-Length': String(body.length),
          },
          body,
          // An upload takes as long as the bytes take: the request limit plus 1 s per MiB.
          timeoutMs: this.timeoutMs + Math.ceil(body.length / 2 ** 20) * 1000,
        });
      } catch (error) {
        throw this.networkError('POST', path, error);
      }
      status = answer.status;
      return parseAnswer('POST', path, answer).data as string;
    } catch (error) {
      failure = (error as Error).message;
      throw error;
    } finally {
      const record: PveTraceRecord = { method: 'POST', path, params: redactParams(sent, [this.config.tokenSecret]), status, ms: Math.round(performance.now() - started) };
      this.trace?.write(record);
      this.emit({ kind: 'request', attempt: 1, ...record, ...(failure ? { error: failure } : {}) });
    }
  }

  /** Any method; resolves with the unwrapped `data`. */
  async request<T = unknown>(method: PveMethod, path: string, params?: PveParams): Promise<T> {
    return (await this.requestEnvelope(method, path, params)).data as T;
  }

  async waitForTask(upid: string, options: WaitForTaskOptions = {}): Promise<PveTaskStatus> {
    const { node } = parseUpid(upid);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
    let interval = options.pollIntervalMs ?? 500;
    const maxInterval = Math.max(interval, TASK_POLL_MAX_INTERVAL_MS);
    const started = Date.now();
    for (;;) {
      const status = await this.get<PveTaskStatus>(`/nodes/${node}/tasks/${upidSegment(upid)}/status`);
      const elapsed = Date.now() - started;
      options.onProgress?.(status, elapsed);
      if (status.status === 'stopped') {
        const exitstatus = status.exitstatus ?? '';
        if (exitstatus === 'OK') return status;
        if (/^WARNINGS: \d+$/.test(exitstatus)) {
          const logTail = await this.taskLogTail(upid).catch(() => []);
          this.emit({ kind: 'task-warnings', upid, exitstatus, logTail });
          options.onWarnings?.(status, logTail);
          return status;
        }
        const logTail = await this.taskLogTail(upid).catch((error: Error) => [
          `(task log unavailable: ${error.message})`,
        ]);
        throw new PveTaskError(upid, exitstatus || '(stopped without exitstatus)', logTail);
      }
      if (elapsed >= timeoutMs) throw new PveTaskTimeoutError(upid, timeoutMs);
      await sleep(Math.min(interval, timeoutMs - elapsed));
      interval = Math.min(maxInterval, Math.round(interval * 1.5));
    }
  }

  /** The last `lines` lines of a task's log, oldest first. */
  async taskLogTail(upid: string, lines = TASK_LOG_TAIL_LINES): Promise<string[]> {
    const { node } = parseUpid(upid);
    const path = `/nodes/${node}/tasks/${upidSegment(upid)}/log`;
    const first = await this.requestEnvelope('GET', path, { start: 0, limit: 500 });
    let entries = asLogLines(first.data);
    // PVE reports the log's full length in `total`; long logs need a second read for their end.
    if (typeof first.total === 'number' && first.total > entries.length && entries.length > 0) {
      entries = asLogLines(await this.get(path, { start: Math.max(0, first.total - lines), limit: lines }));
    }
    return entries.slice(-lines).map((line) => line.t);
  }

  /** Closes kept-alive connections; call before exiting or stopping a test server. */
  close(): void {
    this.readAgent.destroy();
    this.writeAgent.destroy();
  }

  private async requestEnvelope(method: PveMethod, path: string, params?: PveParams): Promise<PveEnvelope> {
    if (!path.startsWith('/') || path.includes('?')) {
      throw new TypeError(
        `PVE path must start with '/' and carry no query string (pass params instead): ${path}`,
      );
    }
    const sent = normaliseParams(params);
    const run = (): Promise<PveEnvelope> => this.withRetries(method, path, sent);
    const lockKey = guestLockKey(method, path, sent);
    return lockKey ? this.vmLocks.run(lockKey, run) : run();
  }

  private async withRetries(
    method: PveMethod,
    path: string,
    sent: Record<string, string>,
  ): Promise<PveEnvelope> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(method, path, sent, attempt);
      } catch (error) {
        if (attempt >= this.retry.attempts || !isRetryable(method, error)) throw error;
        const delayMs = backoffDelay(attempt, this.retry);
        this.emit({ kind: 'retry', method, path, attempt, delayMs, reason: (error as Error).message });
        await sleep(delayMs);
      }
    }
  }

  private async attempt(
    method: PveMethod,
    path: string,
    sent: Record<string, string>,
    attempt: number,
  ): Promise<PveEnvelope> {
    const started = performance.now();
    let status = 0;
    let failure: string | undefined;
    try {
      const form = encodeForm(sent);
      const hasBody = method === 'POST' || method === 'PUT';
      const headers: Record<string, string> = {
        Authorization: this.authorization,
        Accept: 'application/json',
        'User-Agent': 'genesis-pve-client',
      };
      if (hasBody) {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        headers['Content-Length'] = String(Buffer.byteLength(form));
      }
      let answer: HttpAnswer;
      try {
        answer = await exchange({
          agent: method === 'GET' ? this.readAgent : this.writeAgent,
          host: this.config.host,
          port: this.config.port,
          method,
          path: `/api2/json${path}${!hasBody && form ? `?${form}` : ''}`,
          headers,
          body: hasBody ? form : undefined,
          timeoutMs: this.timeoutMs,
        });
      } catch (error) {
        throw this.networkError(method, path, error);
      }
      status = answer.status;
      return parseAnswer(method, path, answer);
    } catch (error) {
      failure = (error as Error).message;
      throw error;
    } finally {
      const record: PveTraceRecord = {
        method,
        path,
        params: redactParams(sent, [this.config.tokenSecret]),
        status,
        ms: Math.round(performance.now() - started),
      };
      this.trace?.write({ ...record, at: Math.round(performance.timeOrigin + started), to: `${this.config.host}:${this.config.port}` });
      this.emit({ kind: 'request', attempt, ...record, ...(failure ? { error: failure } : {}) });
    }
  }

  /** A throwing logger must not turn a successful request into a failure. */
  private emit(event: PveClientEvent): void {
    try {
      this.logger?.(event);
    } catch {
      // Diagnostics only.
    }
  }

  private networkError(method: string, path: string, error: unknown): Error {
    // A refused certificate, or a request Node would not even send (bad characters): not transient.
    const e = error as NodeJS.ErrnoException;
    if (error instanceof PveTlsError || UNSENDABLE.has(e.code ?? '')) return e;
    const code = e.code ?? 'EUNKNOWN';
    const where = `${this.config.host}:${this.config.port}`;
    const hint =
      code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH'
        ? ` (is PVE reachable at ${where}? check PVE_HOST and PVE_PORT)`
        : code === 'ETIMEDOUT'
          ? ` (${where} did not answer in time)`
          : '';
    return new PveNetworkError(method, path, code, `${e.message}${hint}`, { cause: error });
  }
}

/** UPIDs keep ':' '@' '!' readable in the path (all legal there); anything else is escaped. */
function upidSegment(upid: string): string {
  return encodeURIComponent(upid).replace(/%3A/gi, ':').replace(/%40/gi, '@').replace(/%21/gi, '!');
}

function parseAnswer(method: string, path: string, answer: HttpAnswer): PveEnvelope {
  let body: unknown;
  try {
    body = answer.body === '' ? {} : JSON.parse(answer.body);
  } catch {
    body = undefined;
  }
  const ok = answer.status >= 200 && answer.status < 300;
  const envelope =
    body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as PveEnvelope) : undefined;
  if (ok) {
    if (!envelope) {
      throw new PveHttpError(
        method,
        path,
        answer.status,
        `answer is not PVE's JSON envelope: ${snippet(answer.body)}`,
      );
    }
    return envelope;
  }
  const message =
    (typeof envelope?.['message'] === 'string' && (envelope['message'] as string).trim()) ||
    answer.statusMessage.trim() ||
    (envelope ? '' : snippet(answer.body));
  const errors: Record<string, string> = {};
  const raw = envelope?.['errors'];
  if (raw && typeof raw === 'object') {
    for (const [name, text] of Object.entries(raw as Record<string, unknown>))
      errors[name] = String(text).trim();
  }
  throw new PveHttpError(method, path, answer.status, message, errors);
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function asLogLines(data: unknown): { n: number; t: string }[] {
  if (!Array.isArray(data)) return [];
  return data
    .filter(
      (line): line is { n: number; t: string } => line !== null && typeof line === 'object' && 't' in line,
    )
    .map((line) => ({ n: Number(line.n), t: String(line.t) }));
}
