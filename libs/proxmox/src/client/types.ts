/**
 * The contract between the Proxmox transport (client/), the typed API helpers (api/), the
 * resources and engine, and the exporters. The transport knows HTTP, auth, TLS, tasks, retries
 * and tracing; it knows nothing about Proxmox semantics beyond that.
 */
import type { UploadFields } from './multipart';

/**
 * Query or form parameters. Booleans are sent as 1/0, undefined values are dropped, a list is sent
 * as the key repeated (PVE's `array` parameters, e.g. agent/exec `command`).
 */
export type PveParams = Record<string, string | number | boolean | readonly string[] | undefined>;

/** `GET /nodes/{node}/tasks/{upid}/status` as PVE returns it. */
export interface PveTaskStatus {
  upid: string;
  node: string;
  status: 'running' | 'stopped';
  /** Present once stopped: `OK`, `WARNINGS: n`, or the error text. */
  exitstatus?: string;
  type: string;
  id?: string;
  user: string;
  starttime: number;
  pid: number;
}

export interface WaitForTaskOptions {
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  /** First poll interval; grows to a bounded maximum. */
  pollIntervalMs?: number;
  /** Called after every poll, for progress output on long steps. */
  onProgress?: (status: PveTaskStatus, elapsedMs: number) => void;
  /** Called when the task ended `WARNINGS: n` (still a success), with the task log tail. */
  onWarnings?: (status: PveTaskStatus, logTail: string[]) => void;
}

/** What every caller of the Proxmox API depends on; tests may pass any implementation. */
export interface PveApi {
  /** The node all node-scoped helpers address (PVE_NODE). */
  readonly node: string;
  get<T = unknown>(path: string, params?: PveParams): Promise<T>;
  post<T = unknown>(path: string, params?: PveParams): Promise<T>;
  put<T = unknown>(path: string, params?: PveParams): Promise<T>;
  delete<T = unknown>(path: string, params?: PveParams): Promise<T>;
  /** Polls the task until it stops; rejects with PveTaskError (with the log tail) unless `OK`. */
  waitForTask(upid: string, options?: WaitForTaskOptions): Promise<PveTaskStatus>;
  /**
   * `POST …/storage/{storage}/upload` as multipart/form-data (a file body the form encoding cannot
   * carry); answers the `imgcopy` task's UPID. Optional: wrappers that only read need not have it.
   */
  upload?(path: string, fields: UploadFields, filename: string, data: Buffer): Promise<string>;
}

/** Connection settings, normally read from the environment (see `.env.example`). */
export interface PveConnectionConfig {
  host: string;
  /** Default 8006. */
  port: number;
  node: string;
  /** `USER@REALM!TOKENID` */
  tokenId: string;
  tokenSecret: string;
  /** SHA-256 fingerprint of the server certificate, `AA:BB:…` (colons and case optional). */
  fingerprint?: string;
  /** PEM file of the CA that signed the server certificate. */
  caFile?: string;
  /** Per-request timeout (default 30 s). */
  requestTimeoutMs?: number;
  /** TCP connect + TLS handshake, hard limit (default 10 s; PVE_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Append every request as one JSON line to this file (PVE_TRACE). */
  traceFile?: string;
}
