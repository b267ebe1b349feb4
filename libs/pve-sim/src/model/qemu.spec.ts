import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, startTestSimulator } from '../server/testing';

type Sim = Awaited<ReturnType<typeof startTestSimulator>>;
const QEMU = '/nodes/pve/qemu';

async function waitForAgent(sim: Sim, vmid: number): Promise<void> {
  await eventually(`the guest agent of VM ${vmid}`, async () => {
    const res = await sim.clients.root.raw('POST', `${QEMU}/${vmid}/agent/ping`);
    if (res.status === 200) return true;
    expect(res.body.message).toBe('QEMU guest agent is not running');
    return undefined;
  });
}

describe('qemu lifecycle', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.stop());

  it('creates a VM as a qmcreate task, allocating disks and a cloud-init drive', async () => {
    const upid = await sim.clients.root.task('POST', QEMU, {
      vmid: 9000, name: 'Template-Ubuntu-AI', memory: 4096, cores: 2, agent: '1', scsihw: 'virtio-scsi-pci',
      scsi0: 'local-lvm:8,discard=on', ide2: 'local-lvm:cloudinit', net0: 'virtio,bridge=vmbr0', ostype: 'l26',
    });
    expect(upid).toMatch(/^UPID:pve:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmcreate:9000:root@pam!genesis:$/);
    const config = await sim.clients.root.get(`${QEMU}/9000/config`);
    expect(config).toMatchObject({
      name: 'Template-Ubuntu-AI', memory: '4096', scsi0: 'local-lvm:vm-9000-disk-0,discard=on,size=8G',
      ide2: 'local-lvm:vm-9000-cloudinit,media=cdrom', boot: 'order=scsi0;net0', meta: expect.stringMatching(/^creation-qemu=[\d.]+,ctime=\d+$/),
    });
    expect(config.net0).toMatch(/^virtio=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},bridge=vmbr0$/);
    expect(config.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(config.smbios1).toMatch(/^uuid=/);
    const content = await sim.clients.root.get('/nodes/pve/storage/local-lvm/content', { vmid: 9000 });
    expect(content.map((c: { volid: string }) => c.volid).sort()).toEqual(['local-lvm:vm-9000-cloudinit', 'local-lvm:vm-9000-disk-0']);
    const again = await sim.clients.root.raw('POST', QEMU, { vmid: 9000 });
    expect(again.status).toBe(500);
    expect(again.body.message).toBe("unable to create VM 9000 - VM 9000 already exists on node 'pve'");
  });

  it('honours digest on config updates (sync PUT and async POST) and applies delete', async () => {
    const { digest } = await sim.clients.root.get(`${QEMU}/9000/config`);
    await sim.clients.root.put(`${QEMU}/9000/config`, { description: 'base image', digest });
    const stale = await sim.clients.root.raw('POST', `${QEMU}/9000/config`, { memory: 8192, digest });
    expect(stale.status).toBe(500);
    expect(stale.body.message).toBe('checksum missmatch (file change by other user?)');
    const fresh = (await sim.clients.root.get(`${QEMU}/9000/config`)).digest;
    expect(fresh).not.toBe(digest);
    const upid = await sim.clients.root.task('POST', `${QEMU}/9000/config`, { memory: 8192, delete: 'description', digest: fresh });
    expect(upid).toContain(':qmconfig:9000:');
    const config = await sim.clients.root.get(`${QEMU}/9000/config`);
    expect(config.memory).toBe('8192');
    expect(config.description).toBeUndefined();
  });

  it('refuses a linked clone from a VM that is not a template', async () => {
    const res = await sim.clients.root.raw('POST', `${QEMU}/9000/clone`, { newid: 101, full: 0 });
    expect(res.status).toBe(500);
    expect(res.body.message).toBe("Linked clone feature is not supported for drive 'scsi0'");
  });

  it('converts to a template (base volumes) and refuses to start it', async () => {
    await sim.clients.root.task('POST', `${QEMU}/9000/template`);
    const config = await sim.clients.root.get(`${QEMU}/9000/config`);
    expect(config.template).toBe('1');
    expect(config.scsi0).toBe('local-lvm:base-9000-disk-0,discard=on,size=8G');
    const start = await sim.clients.root.raw('POST', `${QEMU}/9000/status/start`);
    expect(start.body.message).toBe("you can't start a vm if it's a template");
    const list = await sim.clients.root.get(QEMU);
    expect(list.find((v: { vmid: number }) => v.vmid === 9000)).toMatchObject({ template: 1, status: 'stopped' });
  });

  it('clones linked and full, starts the clone and talks to its agent', async () => {
    await sim.clients.root.task('POST', `${QEMU}/9000/clone`, { newid: 101, name: 'brain' });
    const linked = await sim.clients.root.get(`${QEMU}/101/config`);
    expect(linked.scsi0).toBe('local-lvm:base-9000-disk-0/vm-101-disk-0,discard=on,size=8G');
    expect(linked.ide2).toBe('local-lvm:vm-101-cloudinit,media=cdrom');
    expect(linked.template).toBeUndefined();
    expect(linked.name).toBe('brain');

    await sim.clients.root.task('POST', `${QEMU}/9000/clone`, { newid: 102, name: 'trader', full: 1, storage: 'local-lvm' });
    expect((await sim.clients.root.get(`${QEMU}/102/config`)).scsi0).toBe('local-lvm:vm-102-disk-0,discard=on,size=8G');

    const agentDown = await sim.clients.root.raw('POST', `${QEMU}/101/agent/ping`);
    expect(agentDown.body.message).toBe('VM 101 is not running');
    const upid = await sim.clients.root.task('POST', `${QEMU}/101/status/start`);
    expect(upid).toContain(':qmstart:101:');
    expect(await sim.clients.root.get(`${QEMU}/101/status/current`)).toMatchObject({ status: 'running', qmpstatus: 'running', agent: 1 });
    await waitForAgent(sim, 101);

    const { pid } = await sim.clients.root.post(`${QEMU}/101/agent/exec`, { command: ['sh', '-c', 'hostname && echo ok'] });
    let status = await sim.clients.root.get(`${QEMU}/101/agent/exec-status`, { pid });
    while (!status.exited) {
      await sleep(20);
      status = await sim.clients.root.get(`${QEMU}/101/agent/exec-status`, { pid });
    }
    expect(status).toMatchObject({ exited: 1, exitcode: 0, 'out-data': 'brain\nok\n' });
    const missing = await sim.clients.root.raw('POST', `${QEMU}/101/agent/exec`, { command: 'no-such-binary' });
    expect(missing.status).toBe(500);
    expect(missing.body.message).toMatch(/Failed to execute child process/);

    const twice = await sim.clients.root.post(`${QEMU}/101/status/start`);
    expect((await sim.clients.root.waitTask(twice)).exitstatus).toBe('VM 101 already running');
  });

  it('suspends (qmpause) and resumes a running VM, and will not shut a paused one down without forceStop', async () => {
    await sim.clients.root.task('POST', `${QEMU}/101/status/suspend`);
    expect(await sim.clients.root.get(`${QEMU}/101/status/current`)).toMatchObject({ status: 'running', qmpstatus: 'paused' });
    const tasks = await sim.clients.root.get('/nodes/pve/tasks');
    expect(tasks[0]).toMatchObject({ type: 'qmpause', id: '101' });
    expect((await sim.clients.root.raw('POST', `${QEMU}/101/status/shutdown`)).body.message).toBe('VM is paused - cannot shutdown');
    await sim.clients.root.task('POST', `${QEMU}/101/status/resume`);
    expect(await sim.clients.root.get(`${QEMU}/101/status/current`)).toMatchObject({ status: 'running', qmpstatus: 'running' });
    await sim.clients.root.task('POST', `${QEMU}/101/status/suspend`);
    await sim.clients.root.task('POST', `${QEMU}/101/status/shutdown`, { forceStop: 1 });
    expect(await sim.clients.root.get(`${QEMU}/101/status/current`)).toMatchObject({ status: 'stopped', qmpstatus: 'stopped' });
    expect((await sim.clients.root.raw('POST', `${QEMU}/101/status/suspend`)).body.message).toBe('VM 101 not running');
    await sim.clients.root.task('POST', `${QEMU}/101/status/start`);
  });

  it('keeps non-hotpluggable changes to a running VM pending until the next start', async () => {
    await sim.clients.root.put(`${QEMU}/101/config`, { memory: 16384, name: 'brain-1' });
    expect(await sim.clients.root.get(`${QEMU}/101/config`, { current: 1 })).toMatchObject({ memory: '8192', name: 'brain-1' });
    expect((await sim.clients.root.get(`${QEMU}/101/config`)).memory).toBe('16384');
    const pending = await sim.clients.root.get(`${QEMU}/101/pending`);
    expect(pending.find((p: { key: string }) => p.key === 'memory')).toEqual({ key: 'memory', value: '8192', pending: '16384' });
    await sim.clients.root.task('POST', `${QEMU}/101/status/stop`);
    await sim.clients.root.task('POST', `${QEMU}/101/status/start`);
    expect((await sim.clients.root.get(`${QEMU}/101/config`, { current: 1 })).memory).toBe('16384');
  });

  it('answers like agent_available: not configured, then not running, then not answering', async () => {
    await sim.clients.root.task('POST', QEMU, { vmid: 130, name: 'no-agent', memory: 512 });
    await sim.clients.root.task('POST', `${QEMU}/130/status/start`);
    const res = await sim.clients.root.raw('POST', `${QEMU}/130/agent/ping`);
    expect(res.body.message).toBe('No QEMU guest agent configured');
    // agent: 0 means QEMU has no agent channel: it never answers.
    await sim.clients.root.put(`${QEMU}/130/config`, { agent: '0' });
    await sim.clients.root.task('POST', `${QEMU}/130/status/stop`);
    await sim.clients.root.task('POST', `${QEMU}/130/status/start`);
    // A negative check: wait past the simulator's agent start-up (50 ms here); waiting longer on a
    // loaded machine only makes it stricter.
    await sleep(80);
    const disabled = await sim.clients.root.raw('POST', `${QEMU}/130/agent/ping`);
    expect(disabled.body.message).toBe('QEMU guest agent is not running');
  });

  it('refuses to destroy a running VM or a template with linked clones, and destroys the rest', async () => {
    const running = await sim.clients.root.raw('DELETE', `${QEMU}/101`);
    expect(running.body.message).toBe('VM 101 is running - destroy failed');
    const upid = await sim.clients.root.delete(`${QEMU}/9000`);
    const status = await sim.clients.root.waitTask(upid);
    expect(status.exitstatus).toBe("base volume 'local-lvm:base-9000-disk-0' is still in use by linked cloned");
    expect((await sim.clients.root.get(QEMU)).map((v: { vmid: number }) => v.vmid)).toContain(9000);

    await sim.clients.root.task('POST', `${QEMU}/101/status/stop`);
    await sim.clients.root.task('DELETE', `${QEMU}/101`);
    await sim.clients.root.task('DELETE', `${QEMU}/9000`);
    const vols = await sim.clients.root.get('/nodes/pve/storage/local-lvm/content');
    expect(vols.map((v: { volid: string }) => v.volid).filter((v: string) => /-(9000|101)-/.test(v))).toEqual([]);
  });

  it('snapshots a VM on snapshot-capable storage and removes the snapshot', async () => {
    await sim.clients.root.task('POST', `${QEMU}/102/snapshot`, { snapname: 'verify', description: 'genesis verify' });
    const snaps = await sim.clients.root.get(`${QEMU}/102/snapshot`);
    expect(snaps.map((s: { name: string }) => s.name)).toEqual(['verify', 'current']);
    expect(snaps[1]).toMatchObject({ parent: 'verify', description: 'You are here!' });
    const dup = await sim.clients.root.raw('POST', `${QEMU}/102/snapshot`, { snapname: 'verify' });
    expect(dup.body.message).toBe("snapshot name 'verify' already used");
    await sim.clients.root.task('DELETE', `${QEMU}/102/snapshot/verify`);
    expect((await sim.clients.root.get(`${QEMU}/102/snapshot`)).map((s: { name: string }) => s.name)).toEqual(['current']);
  });

  it('holds the config lock while a clone runs, as PVE does', async () => {
    sim.state.setOptions({ taskDurationMs: 300 });
    try {
      const upid = await sim.clients.root.post(`${QEMU}/102/clone`, { newid: 140, name: 'copy' });
      expect((await sim.clients.root.get(`${QEMU}/140/config`)).lock).toBe('clone');
      const busy = await sim.clients.root.raw('PUT', `${QEMU}/140/config`, { memory: 1024 });
      expect(busy.status).toBe(500);
      expect(busy.body.message).toBe('VM is locked (clone)');
      const skip = await sim.clients.provisioner.raw('PUT', `${QEMU}/140/config`, { memory: 1024, skiplock: 1 });
      expect(skip.status).toBe(400);
      await sim.clients.root.waitTask(upid);
      expect((await sim.clients.root.get(`${QEMU}/140/config`)).lock).toBeUndefined();
      await sim.clients.root.put(`${QEMU}/140/config`, { memory: 1024 });
    } finally {
      sim.state.setOptions({ taskDurationMs: 30 });
    }
  });

  it('resizes a disk as a task and refuses to shrink', async () => {
    await sim.clients.root.task('PUT', `${QEMU}/102/resize`, { disk: 'scsi0', size: '+2G' });
    expect((await sim.clients.root.get(`${QEMU}/102/config`)).scsi0).toBe('local-lvm:vm-102-disk-0,discard=on,size=10G');
    const shrink = await sim.clients.root.raw('PUT', `${QEMU}/102/resize`, { disk: 'scsi0', size: '4G' });
    expect(shrink.body.message).toBe('shrinking disks is not supported');
  });
});
