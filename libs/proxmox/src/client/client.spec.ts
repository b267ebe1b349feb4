/**
 * The transport against a real HTTPS server on loopback: wire format, TLS trust, failure
 * handling. PVE behaviour (tasks, faults, locks) is covered against the simulator in
 * client.sim.spec.ts; this file covers what only a hand-driven server can produce
 * (hanging answers, foreign certificates, exact bytes on the wire).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PveClient, type PveClientEvent, type PveClientOptions } from './client';
import { PveHttpError, PveNetworkError, PveTaskError, PveTaskTimeoutError, PveTlsError } from './errors';
import { generateCertificate, sendJson, startTestServer, type TestServer } from './testing/https-test-server';
import type { PveConnectionConfig } from './types';
import { rejection } from '../testing/rejection';

const SECRET = '0b6f1c3e-8f5d-4a2b-9c7e-1d2e3f4a5b6c';
const FAST: PveClientOptions = { retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 } };
const UPID = 'UPID:pve:0000ABCD:00012345:65F1A2B3:qmstart:100:root@pam!genesis:';

let server: TestServer;
const clients: PveClient[] = [];
const dir = mkdtempSync(join(tmpdir(), 'pve-client-'));

function client(extra: Partial<PveConnectionConfig> = {}, options: PveClientOptions = FAST): PveClient {
  const c = new PveClient(
    {
      host: '127.0.0.1',
      port: server.port,
      node: 'pve',
      tokenId: 'root@pam!genesis',
      tokenSecret: SECRET,
      fingerprint: server.fingerprint,
      requestTimeoutMs: 2000,
      ...extra,
    },
    options,
  );
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = await startTestServer((_req, res) => sendJson(res, 200, { data: null }));
});
beforeEach(() => {
  server.requests.length = 0;
  server.handler = (_req, res) => sendJson(res, 200, { data: null });
});
afterEach(() => {
  clients.splice(0).forEach((c) => c.close());
});
afterAll(() => server.close());

describe('wire format', () => {
  it('authenticates with the API token and unwraps {data}', async () => {
    server.handler = (_req, res) => sendJson(res, 200, { data: { version: '8.4.2', release: '8.4' } });
    await expect(client().get('/version')).resolves.toEqual({ version: '8.4.2', release: '8.4' });
    const [seen] = server.requests;
    expect(seen.url).toBe('/api2/json/version');
    expect(seen.headers['authorization']).toBe(`PVEAPIToken=root@pam!genesis=${SECRET}`);
    expect(seen.headers['accept']).toBe('application/json');
  });

  it('puts GET and DELETE params in the query string, booleans 1/0, undefined dropped', async () => {
    const c = client();
    await c.get('/nodes/pve/storage/local/content', { content: 'iso', enabled: true, vmid: undefined });
    await c.delete('/nodes/pve/qemu/100', { purge: true, 'destroy-unreferenced-disks': false });
    expect(server.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['GET', '/api2/json/nodes/pve/storage/local/content?content=iso&enabled=1', ''],
      ['DELETE', '/api2/json/nodes/pve/qemu/100?purge=1&destroy-unreferenced-disks=0', ''],
    ]);
  });

  it('sends POST and PUT bodies form-encoded', async () => {
    const c = client();
    await c.post('/nodes/pve/qemu', {
      vmid: 100,
      name: 'llm',
      onboot: true,
      net0: 'virtio,bridge=vmbr0',
      description: undefined,
    });
    await c.put('/nodes/pve/qemu/100/resize', { disk: 'scsi0', size: '+10G' });
    await c.post('/nodes/pve/qemu/100/status/start');
    expect(server.requests.map((r) => [r.method, r.url, r.headers['content-type'], r.body])).toEqual([
      [
        'POST',
        '/api2/json/nodes/pve/qemu',
        'application/x-www-form-urlencoded',
        'vmid=100&name=llm&onboot=1&net0=virtio%2Cbridge%3Dvmbr0',
      ],
      [
        'PUT',
        '/api2/json/nodes/pve/qemu/100/resize',
        'application/x-www-form-urlencoded',
        'disk=scsi0&size=%2B10G',
      ],
      ['POST', '/api2/json/nodes/pve/qemu/100/status/start', 'application/x-www-form-urlencoded', ''],
    ]);
  });

  it('refuses a path with a query string (params belong in params)', async () => {
    await expect(client().get('/nodes?x=1')).rejects.toThrow(/no query string/);
    expect(server.requests).toHaveLength(0);
  });

  it('fails at once, without retries, on a path Node cannot send', async () => {
    const events: PveClientEvent[] = [];
    await expect(
      client({}, { ...FAST, logger: (e) => events.push(e) }).get('/nodes/pve/a b'),
    ).rejects.toThrow(/unescaped characters/);
    expect(events.filter((e) => e.kind === 'retry')).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});

describe('errors from PVE', () => {
  it('carries status, message and per-parameter errors', async () => {
    server.handler = (_req, res) =>
      sendJson(
        res,
        400,
        { data: null, errors: { net0: 'invalid format - unknown key "brige"\n' } },
        'Parameter verification failed.',
      );
    const error = await rejection(
      PveHttpError,
      client().post('/nodes/pve/qemu', { vmid: 100, net0: 'virtio,brige=vmbr0' }),
    );
    expect(error).toMatchObject({
      status: 400,
      pveMessage: 'Parameter verification failed.',
      errors: { net0: 'invalid format - unknown key "brige"' },
    });
    expect(error.message).toMatch(/HTTP 400 Parameter verification failed\.\n {2}net0: invalid format/);
  });

  it('prefers the body message, and never shows the token secret', async () => {
    server.handler = (_req, res) =>
      sendJson(res, 401, { data: null, message: 'invalid token value!\n' }, 'invalid token value!');
    const error = await rejection(PveHttpError, client().get('/version'));
    expect(error).toMatchObject({ status: 401, pveMessage: 'invalid token value!' });
    expect(`${error.message} ${error.stack}`).not.toContain(SECRET);
  });

  it('reports a non-JSON answer instead of returning garbage', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>proxy login</html>');
    };
    await expect(client().get('/version')).rejects.toThrow(/not PVE's JSON envelope: <html>proxy login/);
  });
});

describe('TLS trust', () => {
  it('refuses a certificate that does not match the pin before sending anything, naming the presented fingerprint', async () => {
    const other = await generateCertificate();
    const error = await rejection(
      PveTlsError,
      client({ fingerprint: other.fingerprint.toLowerCase().replace(/:/g, '') }).get('/version'),
    );
    expect(error.presentedFingerprint).toBe(server.fingerprint);
    expect(error.message).toContain(`set PVE_FINGERPRINT=${server.fingerprint}`);
    expect(server.requests).toHaveLength(0);
  });

  it('verifies the chain and host name against PVE_CA_FILE', async () => {
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, server.certPem);
    await expect(client({ fingerprint: undefined, caFile }).get('/version')).resolves.toBeNull();

    const foreign = join(dir, 'foreign.pem');
    writeFileSync(foreign, (await generateCertificate()).cert);
    const error = await rejection(
      PveTlsError,
      client({ fingerprint: undefined, caFile: foreign }).get('/version'),
    );
    expect(error.message).toMatch(/not trusted by the CA in PVE_CA_FILE/);
    expect(error.message).toContain(server.fingerprint);
  });

  it('uses the system CA store when neither is set, so a self-signed host is refused with the fix', async () => {
    const error = await rejection(PveTlsError, client({ fingerprint: undefined }).get('/version'));
    expect(error.message).toMatch(/system CA store \(DEPTH_ZERO_SELF_SIGNED_CERT: a self-signed certificate/);
    expect(error.message).toContain(`PVE_FINGERPRINT=${server.fingerprint}`);
    expect(server.requests).toHaveLength(0);
  });

  it('names PVE_CA_FILE when the file is missing or not PEM', () => {
    expect(() => client({ fingerprint: undefined, caFile: join(dir, 'nope.pem') })).toThrow(
      /PVE_CA_FILE=.*nope\.pem: cannot read it \(ENOENT\)/,
    );
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a cert');
    expect(() => client({ fingerprint: undefined, caFile: junk })).toThrow(/no PEM certificate/);
  });
});

describe('resilience', () => {
  it('retries a read after 5xx and converges', async () => {
    let n = 0;
    server.handler = (_req, res) =>
      ++n < 3
        ? sendJson(res, 500, { data: null }, 'Internal Server Error')
        : sendJson(res, 200, { data: 'ok' });
    const events: PveClientEvent[] = [];
    await expect(
      client({}, { ...FAST, logger: (e) => events.push(e) }).get('/cluster/resources'),
    ).resolves.toBe('ok');
    expect(server.requests).toHaveLength(3);
    expect(events.filter((e) => e.kind === 'retry').map((e) => e.kind === 'retry' && e.attempt)).toEqual([
      1, 2,
    ]);
  });

  it('gives up after the configured attempts with the last error', async () => {
    server.handler = (_req, res) => sendJson(res, 503, { data: null }, 'Service Unavailable');
    await expect(client().get('/version')).rejects.toMatchObject({ status: 503 });
    expect(server.requests).toHaveLength(4);
  });

  it('does not repeat a write that failed for another reason than a lock timeout', async () => {
    server.handler = (_req, res) => sendJson(res, 500, { data: null }, 'Internal Server Error');
    await expect(client().post('/nodes/pve/qemu/100/clone', { newid: 101 })).rejects.toMatchObject({
      status: 500,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('repeats a write refused with a lock timeout', async () => {
    let n = 0;
    server.handler = (_req, res) =>
      ++n === 1
        ? sendJson(
            res,
            500,
            { data: null },
            "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout",
          )
        : sendJson(res, 200, { data: UPID });
    await expect(client().post('/nodes/pve/qemu/100/config', { cores: 4 })).resolves.toBe(UPID);
    expect(server.requests.map((r) => r.body)).toEqual(['cores=4', 'cores=4']);
  });

  it('times out a hanging request, retries reads, never hangs past the deadline', async () => {
    server.handler = () => undefined; // never answers
    const started = Date.now();
    const error = await rejection(
      PveNetworkError,
      client({ requestTimeoutMs: 150 }, { retry: { attempts: 2, baseDelayMs: 1 } }).get('/version'),
    );
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
    expect(server.requests).toHaveLength(2);
    // Two 150 ms attempts: far under this bound even on a loaded machine; a hang would never end.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('names host and port when nothing listens', async () => {
    const c = client({ port: 1 }, { retry: { attempts: 1 } });
    await expect(c.get('/version')).rejects.toThrow(/ECONNREFUSED.*check PVE_HOST and PVE_PORT/);
  });

  it('serialises writes to one VM and lets other VMs proceed', async () => {
    // VM 100's first write is held until VM 101's write reaches the server: were 101 queued
    // behind 100, it never would, and the bounded wait below would record that.
    let vm101Arrived!: () => void;
    const arrived101 = new Promise<void>((r) => (vm101Arrived = r));
    const log: string[] = [];
    let inFlight100 = 0;
    let overlapped100 = false;
    server.handler = async (req, res) => {
      const vm = /qemu\/(\d+)/.exec(req.url)?.[1] ?? '?';
      log.push(`${vm}+`);
      if (vm === '101') vm101Arrived();
      if (vm === '100') {
        overlapped100 ||= inFlight100 > 0;
        inFlight100++;
        if (log.filter((e) => e === '100+').length === 1) await Promise.race([arrived101, sleep(20_000)]);
        else await sleep(5);
        inFlight100--;
      }
      log.push(`${vm}-`);
      sendJson(res, 200, { data: null });
    };
    const c = client();
    await Promise.all([
      c.post('/nodes/pve/qemu/100/config', { cores: 1 }),
      c.put('/nodes/pve/qemu/100/config', { cores: 2 }),
      c.post('/nodes/pve/qemu/100/config', { cores: 3 }),
      c.post('/nodes/pve/qemu/101/config', { cores: 1 }),
    ]);
    expect(overlapped100).toBe(false);
    // Call order is kept: the server saw cores=1, 2, 3 for VM 100.
    expect(server.requests.filter((r) => r.url.includes('/100/')).map((r) => r.body)).toEqual([
      'cores=1',
      'cores=2',
      'cores=3',
    ]);
    // VM 101 did not wait for VM 100's queue: it arrived while VM 100's first write was held.
    expect(log.indexOf('101+')).toBeLessThan(log.indexOf('100-'));
  });
});

describe('waitForTask', () => {
  function taskServer(statuses: Record<string, unknown>[], log: string[] = []): void {
    let polls = 0;
    server.handler = (req, res) => {
      if (req.url.includes('/status')) {
        const status = statuses[Math.min(polls++, statuses.length - 1)];
        return sendJson(res, 200, {
          data: {
            upid: UPID,
            node: 'pve',
            type: 'qmstart',
            user: 'root@pam!genesis',
            pid: 1,
            starttime: 1,
            ...status,
          },
        });
      }
      const q = new URL(req.url, 'https://x').searchParams;
      const start = Number(q.get('start') ?? 0);
      const limit = Number(q.get('limit') ?? 50);
      const lines = log.slice(start, start + limit).map((t, i) => ({ n: start + i + 1, t }));
      return sendJson(res, 200, { data: lines, total: log.length });
    };
  }

  it('polls with a growing interval until OK', async () => {
    taskServer([
      { status: 'running' },
      { status: 'running' },
      { status: 'running' },
      { status: 'stopped', exitstatus: 'OK' },
    ]);
    const elapsed: number[] = [];
    const status = await client().waitForTask(UPID, {
      pollIntervalMs: 40,
      onProgress: (_s, ms) => elapsed.push(ms),
    });
    expect(status.exitstatus).toBe('OK');
    expect(server.requests.map((r) => r.url)).toEqual(
      Array(4).fill(`/api2/json/nodes/pve/tasks/${UPID}/status`),
    );
    // Sleeps of 40, 60, 90 ms: a lower bound holds on a loaded CI machine where gap sizes do not.
    expect(elapsed[3] - elapsed[0]).toBeGreaterThanOrEqual(40 + 60 + 90 - 3);
  });

  it('fails with the tail of a long log, read from its end', async () => {
    const log = [
      ...Array.from({ length: 600 }, (_, i) => `progress ${i}`),
      'kvm: -device vfio-pci: failed to open /dev/vfio/12',
      'TASK ERROR: start failed: QEMU exited with code 1',
    ];
    taskServer([{ status: 'stopped', exitstatus: 'start failed: QEMU exited with code 1' }], log);
    const error = await rejection(PveTaskError, client().waitForTask(UPID, { pollIntervalMs: 5 }));
    expect(error.exitstatus).toBe('start failed: QEMU exited with code 1');
    expect(error.logTail).toHaveLength(20);
    expect(error.logTail.slice(-2)).toEqual(log.slice(-2));
    expect(error.message).toMatch(/TASK ERROR: start failed/);
  });

  it('treats WARNINGS: n as success and reports the log', async () => {
    taskServer(
      [{ status: 'stopped', exitstatus: 'WARNINGS: 1' }],
      ['WARN: storage is 90% full', 'TASK WARNINGS: 1'],
    );
    const warned: string[][] = [];
    const status = await client().waitForTask(UPID, { onWarnings: (_s, tail) => warned.push(tail) });
    expect(status.exitstatus).toBe('WARNINGS: 1');
    expect(warned).toEqual([['WARN: storage is 90% full', 'TASK WARNINGS: 1']]);
  });

  it('gives up after timeoutMs with a task timeout that says the task may still finish', async () => {
    taskServer([{ status: 'running' }]);
    const error = await rejection(
      PveTaskTimeoutError,
      client().waitForTask(UPID, { pollIntervalMs: 10, timeoutMs: 100 }),
    );
    expect(error.message).toMatch(/still running.*may still finish/);
  });

  it('refuses a non-UPID before any request', async () => {
    await expect(client().waitForTask('100')).rejects.toThrow(/not a PVE task id/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('PVE_TRACE', () => {
  it('appends one line per attempt with exactly method, path, params, status, ms and no secret', async () => {
    const traceFile = join(dir, 'trace.jsonl');
    let n = 0;
    server.handler = (_req, res) =>
      ++n === 1
        ? sendJson(res, 500, { data: null }, 'Internal Server Error')
        : sendJson(res, 200, { data: null });
    const c = client({ traceFile });
    await c.get('/nodes/pve/qemu', { full: true });
    await c.post('/nodes/pve/qemu/100/config', {
      cipassword: 'hunter2',
      sshkeys: 'ssh-ed25519 AAAA',
      description: `token ${SECRET}`,
      name: 'llm',
    });
    const text = readFileSync(traceFile, 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => Object.keys(l))).toEqual(
      Array(3).fill(['method', 'path', 'params', 'status', 'ms', 'at', 'to']),
    );
    expect(lines.map(({ method, path, params, status }) => ({ method, path, params, status }))).toEqual([
      { method: 'GET', path: '/nodes/pve/qemu', params: { full: '1' }, status: 500 },
      { method: 'GET', path: '/nodes/pve/qemu', params: { full: '1' }, status: 200 },
      {
        method: 'POST',
        path: '/nodes/pve/qemu/100/config',
        params: { cipassword: '***', sshkeys: '***', description: '***', name: 'llm' },
        status: 200,
      },
    ]);
    expect(lines.every((l) => Number.isInteger(l.ms) && l.ms >= 0)).toBe(true);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/PVEAPIToken|authorization/i);
  });

  it('records status 0 when no HTTP answer came', async () => {
    const traceFile = join(dir, 'trace-0.jsonl');
    const other = await generateCertificate();
    await client({ traceFile, fingerprint: other.fingerprint })
      .get('/version')
      .catch(() => undefined);
    expect(JSON.parse(readFileSync(traceFile, 'utf8'))).toMatchObject({
      method: 'GET',
      path: '/version',
      params: {},
      status: 0,
    });
  });
});
