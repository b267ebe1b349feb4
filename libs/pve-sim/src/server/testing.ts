/* eslint-disable @typescript-eslint/no-explicit-any -- test responses are loosely typed JSON, asserted field by field */
/**
 * A minimal HTTPS client for the simulator's own tests: pins the simulator's certificate with
 * `ca:`, speaks form-encoded PVE, and polls tasks. (The real client lives in @genesis/proxmox.)
 */
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { PVE_VERSIONS } from '../model/release';
import { defaultSchemaPath } from '../schema';
import type { SimulatorTokens } from './auth';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator';

export interface RawResponse {
  status: number;
  statusMessage: string;
  body: { data?: unknown; errors?: Record<string, string>; message?: string; [k: string]: unknown };
}

export type Params = Record<string, string | number | boolean | string[] | undefined>;

function encode(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      search.append(key, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    }
  }
  return search.toString();
}

export class PveError extends Error {
  constructor(readonly response: RawResponse) {
    super(`${response.status} ${response.statusMessage}`);
  }
}

export class SimClient {
  constructor(
    private readonly sim: Pick<RunningSimulator, 'host' | 'port' | 'caPem' | 'node'>,
    private readonly token: { id: string; secret: string },
  ) {}

  raw(method: string, path: string, params: Params = {}): Promise<RawResponse> {
    const form = encode(params);
    const withQuery = method === 'GET' || method === 'DELETE';
    const fullPath = `/api2/json${path}${withQuery && form ? `?${form}` : ''}`;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.sim.host,
          port: this.sim.port,
          method,
          path: fullPath,
          ca: this.sim.caPem,
          servername: 'localhost',
          agent: false,
          headers: {
            authorization: `PVEAPIToken=${this.token.id}=${this.token.secret}`,
            ...(withQuery ? {} : { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', body: text ? JSON.parse(text) : {} });
          });
        },
      );
      req.on('error', reject);
      if (!withQuery) req.write(form);
      req.end();
    });
  }

  private async call<T>(method: string, path: string, params?: Params): Promise<T> {
    const res = await this.raw(method, path, params);
    if (res.status !== 200) throw new PveError(res);
    return res.body.data as T;
  }

  get<T = any>(path: string, params?: Params): Promise<T> {
    return this.call<T>('GET', path, params);
  }
  post<T = any>(path: string, params?: Params): Promise<T> {
    return this.call<T>('POST', path, params);
  }
  put<T = any>(path: string, params?: Params): Promise<T> {
    return this.call<T>('PUT', path, params);
  }
  delete<T = any>(path: string, params?: Params): Promise<T> {
    return this.call<T>('DELETE', path, params);
  }

  /** Polls the task to its end; returns its final status. */
  async waitTask(upid: string, timeoutMs = 30_000): Promise<{ status: string; exitstatus: string; [k: string]: unknown }> {
    // The node that runs the task is named in its UPID (a cluster member may be asked for another's).
    const path = `/nodes/${upid.split(':')[1] || this.sim.node}/tasks/${encodeURIComponent(upid)}/status`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.get(path);
      if (status.status === 'stopped') return status;
      if (Date.now() > deadline) throw new Error(`task ${upid} still running after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /** Runs a task-returning call and requires it to end OK. */
  async task(method: 'POST' | 'PUT' | 'DELETE', path: string, params?: Params): Promise<string> {
    const upid = await this.call<string>(method, path, params);
    const status = await this.waitTask(upid);
    if (status.exitstatus !== 'OK') throw new Error(`task ${upid} failed: ${status.exitstatus}`);
    return upid;
  }
}

/** Both official schemas (9.1.3 and 8.4.2) are present. */
export const schemaAvailable = PVE_VERSIONS.every((v) => existsSync(defaultSchemaPath(process.env, v)));

/**
 * Polls `probe` until it returns something other than undefined, for state the simulator reaches
 * on its own clock (agent start-up, rollback timers). The deadline is generous so that a loaded
 * machine only makes the test slower, never red; a broken simulator still fails with `what`.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms: ${what}`);
    await sleep(20);
  }
}

/** `describe` for tests that need the official schema: skipped (with a message) outside CI when absent. */
export function describeWithSchema(name: string, body: () => void): void {
  if (schemaAvailable || process.env.CI === 'true') {
    describe(name, body);
    return;
  }
  console.warn(`pve-sim tests: ${defaultSchemaPath()} is absent, '${name}' is skipped (it runs under CI=true)`);
  describe.skip(name, body);
}

/** A simulator for one test file, quiet and fast. */
export async function startTestSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator & { clients: Record<keyof SimulatorTokens, SimClient> }> {
  // Each release validates against its own schema when it is here (describeWithSchema needs it).
  const schema = defaultSchemaPath(process.env, options.pveVersion ?? '9.1');
  const sim = await startSimulator({
    taskDurationMs: 30,
    agentStartupMs: 50,
    warn: () => undefined,
    ...(existsSync(schema) ? { schemaPath: schema } : {}),
    ...options,
  });
  const clients = {
    root: new SimClient(sim, sim.tokens.root),
    provisioner: new SimClient(sim, sim.tokens.provisioner),
    auditor: new SimClient(sim, sim.tokens.auditor),
  };
  return Object.assign(sim, { clients });
}
