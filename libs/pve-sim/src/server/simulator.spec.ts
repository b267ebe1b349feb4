import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { describeWithSchema, SimClient, startTestSimulator } from './testing';

type Sim = Awaited<ReturnType<typeof startTestSimulator>>;

describe('pve-sim server', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startTestSimulator({ faultSeed: 42 });
  });
  afterAll(() => sim.stop());
  afterEach(() => {
    sim.setFaults([]);
    sim.setLatency(0);
  });

  it('serves HTTPS on 127.0.0.1 with a certificate whose sha256 fingerprint it reports', async () => {
    expect(sim.url).toBe(`https://127.0.0.1:${sim.port}`);
    expect(sim.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const presented = await new Promise<PeerCertificate>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: sim.port, path: '/api2/json/version', ca: sim.caPem, servername: 'localhost', agent: false }, (res) => {
        resolve((res.socket as import('node:tls').TLSSocket).getPeerCertificate());
        res.resume();
      });
      req.on('error', reject);
      req.end();
    });
    expect(presented.fingerprint256).toBe(sim.fingerprint);
    expect(presented.subjectaltname).toContain('IP Address:127.0.0.1');
  });

  it('answers /version with data wrapped like PVE', async () => {
    const res = await sim.clients.root.raw('GET', '/version');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { version: '9.1.3', release: '9.1', repoid: '5829c814947b3364' } });
  });

  it('refuses requests without a valid token with 401', async () => {
    const wrong = new SimClient(sim, { id: sim.tokens.root.id, secret: 'not-the-secret' });
    const res = await wrong.raw('GET', '/version');
    expect(res.status).toBe(401);
    expect(res.body.data).toBeNull();
    const unknown = new SimClient(sim, { id: 'nobody@pam!x', secret: sim.tokens.root.secret });
    expect((await unknown.raw('GET', '/nodes')).status).toBe(401);
  });

  it('lets the auditor token read but not write', async () => {
    expect((await sim.clients.auditor.get('/nodes')).map((n: { node: string }) => n.node)).toEqual(['pve']);
    const res = await sim.clients.auditor.raw('POST', '/storage', { storage: 'scratch', type: 'dir', path: '/srv/scratch' });
    expect(res.status).toBe(403);
    expect(res.statusMessage).toBe('Permission check failed (/storage, Datastore.Allocate)');
    expect(res.body.message).toBe('Permission check failed (/storage, Datastore.Allocate)');
    const create = await sim.clients.auditor.raw('POST', '/nodes/pve/qemu', { vmid: 120 });
    expect(create.status).toBe(403);
    expect((await sim.clients.root.get('/nodes/pve/qemu')).length).toBe(0);
  });

  it('answers 501 for paths it does not know', async () => {
    const res = await sim.clients.root.raw('GET', '/nodes/pve/no-such-thing');
    expect(res.status).toBe(501);
    expect(res.body.message).toMatch(/GET \/nodes\/pve\/no-such-thing/);
  });

  it('injects latency into every request', async () => {
    sim.setLatency(120);
    const started = Date.now();
    await sim.clients.root.get('/version');
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('injects HTTP 500s at the configured rate and stops after count', async () => {
    sim.setFaults([{ kind: 'http500', method: 'GET', path: '^/nodes', rate: 0.5 }]);
    const results = await Promise.all(Array.from({ length: 60 }, () => sim.clients.root.raw('GET', '/nodes')));
    const failures = results.filter((r) => r.status === 500).length;
    expect(failures).toBeGreaterThan(15);
    expect(failures).toBeLessThan(45);
    expect((await sim.clients.root.raw('GET', '/version')).status).toBe(200);

    sim.setFaults([{ kind: 'http500', path: '^/version$', count: 2 }]);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await sim.clients.root.raw('GET', '/version')).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
  });

  it("answers a lock timeout with PVE's exact message", async () => {
    sim.setFaults([{ kind: 'lockTimeout', method: 'POST', path: '/qemu/105/config', count: 1 }]);
    const res = await sim.clients.root.raw('POST', '/nodes/pve/qemu/105/config', { memory: 2048 });
    expect(res.status).toBe(500);
    expect(res.body.message).toBe("can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout");
    expect(res.statusMessage).toBe("can't lock file '/var/lock/qemu-server/lock-105.conf' - got timeout");
  });

  it('fails the task of a matching request, with a log that says why, and rolls its change back', async () => {
    sim.setFaults([{ kind: 'taskFail', method: 'POST', path: '/disks/zfs$' }]);
    const upid = await sim.clients.root.post('/nodes/pve/disks/zfs', { name: 'tank', raidlevel: 'single', devices: '/dev/sdd' });
    expect(upid).toMatch(/^UPID:pve:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:zfscreate:tank:root@pam!genesis:$/);
    const status = await sim.clients.root.waitTask(upid);
    expect(status.exitstatus).toMatch(/taskFail/);
    const log: Array<{ n: number; t: string }> = await sim.clients.root.get(`/nodes/pve/tasks/${encodeURIComponent(upid)}/log`);
    expect(log[log.length - 1].t).toBe(`TASK ERROR: ${status.exitstatus}`);
    expect(await sim.clients.root.get('/nodes/pve/disks/zfs')).toEqual([]);
  });

  it('reports tasks running first, then stopped, and lists them', async () => {
    sim.state.setOptions({ taskDurationMs: 200 });
    const upid = await sim.clients.root.put('/nodes/pve/network');
    const first = await sim.clients.root.get(`/nodes/pve/tasks/${encodeURIComponent(upid)}/status`);
    expect(first).toMatchObject({ status: 'running', type: 'srvreload', id: 'networking', user: 'root@pam!genesis', node: 'pve' });
    expect(first.exitstatus).toBeUndefined();
    const done = await sim.clients.root.waitTask(upid);
    expect(done).toMatchObject({ status: 'stopped', exitstatus: 'OK' });
    const tasks = await sim.clients.root.get('/nodes/pve/tasks', { typefilter: 'srvreload' });
    expect(tasks.map((t: { upid: string }) => t.upid)).toContain(upid);
    sim.state.setOptions({ taskDurationMs: 30 });
  });
});

describeWithSchema('pve-sim server with the official schema', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.stop());

  it('answers invalid parameters with 400 and per-parameter errors, without touching state', async () => {
    const res = await sim.clients.root.raw('POST', '/nodes/pve/qemu', { vmid: 'abc', net0: 'virtio,bridgee=vmbr0', bogus: 1 });
    expect(res.status).toBe(400);
    expect(res.statusMessage).toBe('Parameter verification failed.');
    expect(Object.keys(res.body.errors ?? {}).sort()).toEqual(['bogus', 'net0', 'vmid']);
    expect(await sim.clients.root.get('/nodes/pve/qemu')).toEqual([]);
  });

  it('answers 400 for a bad enum value', async () => {
    const res = await sim.clients.root.raw('POST', '/nodes/pve/disks/zfs', { name: 'tank', raidlevel: 'raid7', devices: '/dev/sdb' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.raidlevel).toMatch(/enumeration/);
  });

  it('answers 501 for a schema path the model does not simulate', async () => {
    const res = await sim.clients.root.raw('GET', '/cluster/ha/status/current');
    expect(res.status).toBe(501);
    expect(res.body.message).toMatch(/not simulated/);
  });
});

describe('pve-sim state file', () => {
  it('keeps the host across restarts, tokens included, and writes atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pve-sim-'));
    const stateFile = join(dir, 'state.json');
    try {
      const first = await startTestSimulator({ stateFile });
      await first.clients.root.post('/storage', { storage: 'scratch', type: 'dir', path: '/srv/scratch', content: 'iso' });
      await first.stop();
      expect(JSON.parse(readFileSync(stateFile, 'utf8')).storage.map((s: { storage: string }) => s.storage)).toContain('scratch');

      const second = await startTestSimulator({ stateFile });
      expect(second.tokens.root.secret).toBe(first.tokens.root.secret);
      const storages = await second.clients.root.get('/storage');
      expect(storages.map((s: { storage: string }) => s.storage)).toEqual(['local', 'local-lvm', 'scratch']);
      await second.stop();

      await expect(startTestSimulator({ stateFile, node: 'other' })).rejects.toThrow(/--node pve/);
      // A state file is one release's host: another release does not silently take it over.
      await expect(startTestSimulator({ stateFile, pveVersion: '8.4' })).rejects.toThrow(
        `${stateFile}: this host runs Proxmox VE 9.1 but the simulator was started as 8.4; start it as 9.1 (--pve-version 9.1) or delete the file for a fresh 8.4 host`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
