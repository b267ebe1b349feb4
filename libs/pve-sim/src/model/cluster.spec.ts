import { startTestSimulator } from '../server/testing';

describe('cluster views', () => {
  it('lists node, VMs and storages in /cluster/resources, hands out free VM ids, and has no containers', async () => {
    const sim = await startTestSimulator();
    try {
      await sim.clients.root.task('POST', '/nodes/pve/qemu', { vmid: 100, name: 'brain', memory: 1024 });
      const all = await sim.clients.auditor.get('/cluster/resources');
      expect(all.map((r: { id: string }) => r.id)).toEqual(['node/pve', 'qemu/100', 'storage/pve/local', 'storage/pve/local-lvm']);
      const vms = await sim.clients.auditor.get('/cluster/resources', { type: 'vm' });
      expect(vms).toEqual([expect.objectContaining({ vmid: 100, name: 'brain', status: 'stopped', maxmem: 1024 * 1024 * 1024 })]);
      expect(await sim.clients.root.get('/cluster/nextid')).toBe('101');
      const taken = await sim.clients.root.raw('GET', '/cluster/nextid', { vmid: 100 });
      expect(taken.status).toBe(400);
      expect(await sim.clients.auditor.get('/nodes/pve/lxc')).toEqual([]);
      expect((await sim.clients.root.get('/cluster/status'))[0]).toMatchObject({ type: 'node', name: 'pve', ip: '192.168.1.10', online: 1 });
    } finally {
      await sim.stop();
    }
  });

  it('refuses to start a VM whose cloud-init snippet is missing', async () => {
    const sim = await startTestSimulator();
    try {
      await sim.clients.root.task('POST', '/nodes/pve/qemu', { vmid: 100, cicustom: 'user=local:snippets/brain.yaml' });
      const upid = await sim.clients.root.post('/nodes/pve/qemu/100/status/start');
      expect((await sim.clients.root.waitTask(upid)).exitstatus).toBe("volume 'local:snippets/brain.yaml' does not exist");
      sim.state.update((s) => {
        s.volumes.push({ storage: 'local', name: 'snippets/brain.yaml', content: 'snippets', format: 'raw', size: 120, ctime: 0 });
      });
      await sim.clients.root.task('POST', '/nodes/pve/qemu/100/status/start');
    } finally {
      await sim.stop();
    }
  });
});
