/**
 * PveClient against the PVE simulator over real HTTPS: TLS trust, PVE's error and task shapes,
 * injected faults (500s, lock timeouts, failing tasks, latency), trace and per-VM serialisation.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultSchemaPath, startSimulator, type RunningSimulator } from '@genesis/pve-sim';
import { PveClient, type PveClientEvent, type PveClientOptions } from './client';
import { PveHttpError, PveTaskError, PveTlsError } from './errors';
import type { PveConnectionConfig } from './types';
import { rejection } from '../testing/rejection';

const schemaPath = defaultSchemaPath();
const haveSchema = existsSync(schemaPath);
if (!haveSchema && process.env['CI'] !== 'true') {
  console.warn(
    `client.sim.spec: skipped, the PVE API schema is absent at ${schemaPath} (required under CI=true)`,
  );
}
const describeSim = haveSchema || process.env['CI'] === 'true' ? describe : describe.skip;

/** Small delays, many attempts: convergence under a 30% fault rate is then a certainty in practice. */
const FAST: PveClientOptions = { retry: { attempts: 12, baseDelayMs: 2, maxDelayMs: 20 } };

describeSim('PveClient against the simulator', () => {
  let sim: RunningSimulator;
  const clients: PveClient[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'pve-client-sim-'));

  function client(extra: Partial<PveConnectionConfig> = {}, options: PveClientOptions = FAST): PveClient {
    const c = new PveClient(
      {
        host: sim.host,
        port: sim.port,
        node: sim.node,
        tokenId: sim.tokens.root.id,
        tokenSecret: sim.tokens.root.secret,
        fingerprint: sim.fingerprint,
        requestTimeoutMs: 5000,
        ...extra,
      },
      options,
    );
    clients.push(c);
    return c;
  }

  /** Creates a small VM and waits for its qmcreate task. */
  async function createVm(pve: PveClient, vmid: number): Promise<void> {
    const upid = await pve.post<string>(`/nodes/${pve.node}/qemu`, {
      vmid,
      name: `client-test-${vmid}`,
      memory: 512,
      cores: 1,
      net0: 'virtio,bridge=vmbr0',
    });
    await pve.waitForTask(upid, { pollIntervalMs: 20 });
  }

  function traceLines(file: string): Record<string, unknown>[] {
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  }

  beforeAll(async () => {
    // A fixed seed makes the rate-based faults hit the same requests on every run.
    sim = await startSimulator({ port: 0, faultSeed: 7 });
  });
  afterEach(() => {
    clients.splice(0).forEach((c) => c.close());
    sim.setFaults([]);
    sim.setLatency(0);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  describe('TLS', () => {
    it('talks to the simulator with its pinned fingerprint, in any spelling', async () => {
      const lower = sim.fingerprint.replace(/:/g, '').toLowerCase();
      await expect(client({ fingerprint: lower }).get('/version')).resolves.toMatchObject({
        version: expect.stringMatching(/^9\.1\./),
      });
    });

    it('refuses a server whose certificate does not match the pin, printing what it presented', async () => {
      const wrong = sim.fingerprint.replace(/^../, (b) => (b === 'AA' ? 'BB' : 'AA'));
      const error = await rejection(PveTlsError, client({ fingerprint: wrong }).get('/version'));
      expect(error.presentedFingerprint).toBe(sim.fingerprint);
      expect(error.message).toContain(`PVE_FINGERPRINT=${sim.fingerprint}`);
    });

    it('verifies against a CA file (the simulator publishes its CA)', async () => {
      const caFile = join(dir, 'sim-ca.pem');
      writeFileSync(caFile, sim.caPem);
      await expect(client({ fingerprint: undefined, caFile }).get('/version')).resolves.toBeTruthy();
    });
  });

  describe('PVE answers', () => {
    it('surfaces the per-parameter errors of a request PVE would refuse', async () => {
      const error = await rejection(
        PveHttpError,
        client().post(`/nodes/${sim.node}/qemu`, { vmid: 9190, cores: 1, 'no-such-option': 'x' }),
      );
      expect(error.status).toBe(400);
      expect(Object.keys(error.errors)).toContain('no-such-option');
      expect(error.message).toMatch(/no-such-option:/);
    });

    it('refuses a wrong secret (401) and a write by the read-only token (403) once, with the fix, never the secret', async () => {
      const events: PveClientEvent[] = [];
      const wrong = `${sim.tokens.root.secret.slice(0, -4)}0000`;
      const unauthenticated = await rejection(PveHttpError, client({ tokenSecret: wrong }).get('/version'));
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.message).toMatch(/check PVE_TOKEN_ID and PVE_TOKEN_SECRET/);
      expect(unauthenticated.message).not.toContain(wrong);

      const auditor = client(
        { tokenId: sim.tokens.auditor.id, tokenSecret: sim.tokens.auditor.secret },
        { ...FAST, logger: (e) => events.push(e) },
      );
      await expect(auditor.get(`/nodes/${sim.node}/qemu`)).resolves.toEqual(expect.any(Array));
      const forbidden = await rejection(
        PveHttpError,
        auditor.post(`/nodes/${sim.node}/qemu`, { vmid: 9191, memory: 512 }),
      );
      expect(forbidden.status).toBe(403);
      expect(forbidden.message).toMatch(/Permission check failed.*\n.*lacks a privilege/);
      expect(events.filter((e) => e.kind === 'request' && e.method === 'POST')).toHaveLength(1);
    });

    it('surfaces a failing task with the tail of its log', async () => {
      const pve = client();
      await createVm(pve, 9110);
      sim.setFaults([{ kind: 'taskFail', method: 'POST', path: '/qemu/9110/status/start$' }]);
      const upid = await pve.post<string>(`/nodes/${pve.node}/qemu/9110/status/start`);
      const error = await rejection(PveTaskError, pve.waitForTask(upid, { pollIntervalMs: 20 }));
      expect(error.upid).toBe(upid);
      expect(error.exitstatus).not.toBe('OK');
      expect(error.logTail.length).toBeGreaterThan(0);
      expect(error.logTail[error.logTail.length - 1]).toBe(`TASK ERROR: ${error.exitstatus}`);
      expect(error.message).toContain('TASK ERROR:');
    });
  });

  describe('faults', () => {
    it('converges on reads while 30% of them answer 500, with latency', async () => {
      sim.setLatency(5);
      sim.setFaults([{ kind: 'http500', method: 'GET', rate: 0.3 }]);
      const events: PveClientEvent[] = [];
      const pve = client({}, { ...FAST, logger: (e) => events.push(e) });
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          i % 2 ? pve.get('/version') : pve.get(`/nodes/${pve.node}/qemu`),
        ),
      );
      expect(answers).toHaveLength(24);
      expect(answers.filter((a) => a === undefined || a === null)).toEqual([]);
      expect(events.filter((e) => e.kind === 'retry').length).toBeGreaterThan(0);
      const requests = events.filter((e) => e.kind === 'request');
      expect(requests.filter((e) => e.kind === 'request' && e.status === 200)).toHaveLength(24);
    });

    it('retries a read exactly past the injected 500s, visible in the trace', async () => {
      const traceFile = join(dir, 'retry.trace.jsonl');
      sim.setFaults([{ kind: 'http500', method: 'GET', path: '^/version$', count: 2 }]);
      await client({ traceFile }).get('/version');
      expect(traceLines(traceFile).map((l) => [l['method'], l['path'], l['status']])).toEqual([
        ['GET', '/version', 500],
        ['GET', '/version', 500],
        ['GET', '/version', 200],
      ]);
    });

    it('retries a write refused with a lock timeout, and does not repeat a write that failed otherwise', async () => {
      const traceFile = join(dir, 'lock.trace.jsonl');
      const pve = client({ traceFile });
      await createVm(pve, 9120);
      sim.setFaults([{ kind: 'lockTimeout', method: 'PUT', path: '/qemu/9120/config$', count: 2 }]);
      await pve.put(`/nodes/${pve.node}/qemu/9120/config`, { description: 'after lock timeouts' });
      const config = await pve.get<Record<string, unknown>>(`/nodes/${pve.node}/qemu/9120/config`);
      expect(config['description']).toBe('after lock timeouts');

      sim.setFaults([{ kind: 'http500', method: 'PUT', path: '/qemu/9120/config$', count: 1 }]);
      const error = await rejection(
        PveHttpError,
        pve.put(`/nodes/${pve.node}/qemu/9120/config`, { description: 'not repeated' }),
      );
      expect(error.status).toBe(500);
      expect(error.isLockTimeout).toBe(false);

      const puts = traceLines(traceFile).filter((l) => l['method'] === 'PUT');
      expect(puts.map((l) => l['status'])).toEqual([500, 500, 200, 500]);
    });
  });

  describe('PVE_TRACE', () => {
    it('writes one line per request with exactly the agreed keys and never a secret', async () => {
      const traceFile = join(dir, 'env.trace.jsonl');
      const pve = PveClient.fromEnv(
        {
          PVE_HOST: sim.host,
          PVE_PORT: String(sim.port),
          PVE_NODE: sim.node,
          PVE_TOKEN_ID: sim.tokens.root.id,
          PVE_TOKEN_SECRET: sim.tokens.root.secret,
          PVE_FINGERPRINT: sim.fingerprint,
          PVE_TRACE: traceFile,
        },
        FAST,
      );
      clients.push(pve);
      await pve.get('/version');
      const upid = await pve.post<string>(`/nodes/${pve.node}/qemu`, {
        vmid: 9130,
        name: 'traced',
        memory: 512,
        cipassword: 'hunter2-cloud-init',
        ciuser: 'genesis',
      });
      await pve.waitForTask(upid, { pollIntervalMs: 20 });
      const text = readFileSync(traceFile, 'utf8');
      const lines = traceLines(traceFile);
      expect(lines.length).toBeGreaterThanOrEqual(3);
      for (const line of lines) {
        expect(Object.keys(line)).toEqual(['method', 'path', 'params', 'status', 'ms', 'at', 'to']);
        expect(String(line['path'])).toMatch(/^\/(?!api2)/);
      }
      expect(lines[0]).toMatchObject({ method: 'GET', path: '/version', params: {}, status: 200 });
      expect(lines[1]).toMatchObject({
        method: 'POST',
        path: `/nodes/${sim.node}/qemu`,
        params: { vmid: '9130', name: 'traced', memory: '512', cipassword: '***', ciuser: 'genesis' },
        status: 200,
      });
      expect(
        lines.slice(2).every((l) => String(l['path']).startsWith(`/nodes/${sim.node}/tasks/UPID:`)),
      ).toBe(true);
      expect(text).not.toContain(sim.tokens.root.secret);
      expect(text).not.toContain('hunter2');
    });
  });

  describe('per-VM serialisation', () => {
    it('never overlaps config writes to one VM, keeps their order, and lets another VM proceed', async () => {
      const setup = client();
      await createVm(setup, 9140);
      await createVm(setup, 9141);
      sim.setLatency(30);
      const spans: { vmid: string; start: number; end: number }[] = [];
      const pve = client(
        {},
        {
          ...FAST,
          logger: (e) => {
            if (e.kind !== 'request' || e.method === 'GET') return;
            const end = performance.now();
            spans.push({ vmid: /qemu\/(\d+)/.exec(e.path)?.[1] ?? '?', start: end - e.ms, end });
          },
        },
      );
      const writes = [1, 2, 3, 4].map((n) =>
        pve.put(`/nodes/${pve.node}/qemu/9140/config`, { description: `write ${n}` }),
      );
      writes.push(pve.put(`/nodes/${pve.node}/qemu/9141/config`, { description: 'other vm' }));
      await Promise.all(writes);

      const one = spans.filter((s) => s.vmid === '9140').sort((a, b) => a.start - b.start);
      expect(one).toHaveLength(4);
      // `ms` is rounded to whole milliseconds, hence the 1 ms slack.
      for (let i = 1; i < one.length; i++) expect(one[i].start).toBeGreaterThanOrEqual(one[i - 1].end - 1);
      const other = spans.filter((s) => s.vmid === '9141');
      expect(other).toHaveLength(1);
      expect(other[0].start).toBeLessThan(one[1].start);

      const config = await pve.get<Record<string, unknown>>(`/nodes/${pve.node}/qemu/9140/config`);
      expect(config['description']).toBe('write 4');
    });
  });
});
