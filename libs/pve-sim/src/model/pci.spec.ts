import { eventually, startTestSimulator } from '../server/testing';

type Sim = Awaited<ReturnType<typeof startTestSimulator>>;
const GPU_MAP = [
  'node=pve,path=0000:01:00.0,id=10de:2204,iommugroup=14,subsystem-id=1043:87b3',
  'node=pve,path=0000:01:00.1,id=10de:1aef,iommugroup=14,subsystem-id=1043:87b3',
];

describe('PCI devices, mappings and passthrough permissions', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startTestSimulator();
    await sim.clients.root.task('POST', '/nodes/pve/qemu', { vmid: 100, name: 'brain', memory: 2048, agent: 1, net0: 'virtio,bridge=vmbr0' });
    await sim.clients.root.task('POST', '/nodes/pve/qemu', { vmid: 103, name: 'other', memory: 2048 });
  });
  afterAll(() => sim.stop());

  it('lists the RTX 3090 and its audio function in IOMMU group 14, hiding bridges by default', async () => {
    const devices = await sim.clients.root.get('/nodes/pve/hardware/pci');
    const gpu = devices.find((d: { id: string }) => d.id === '0000:01:00.0');
    expect(gpu).toMatchObject({
      vendor: '0x10de', device: '0x2204', iommugroup: 14, class: '0x030000', device_name: 'GA102 [GeForce RTX 3090]',
      vendor_name: 'NVIDIA Corporation', subsystem_vendor: '0x1043',
    });
    expect(devices.find((d: { id: string }) => d.id === '0000:01:00.1')).toMatchObject({ device: '0x1aef', iommugroup: 14 });
    expect(devices.find((d: { id: string }) => d.id === '0000:00:00.0')).toBeUndefined();
    const all = await sim.clients.root.get('/nodes/pve/hardware/pci', { 'pci-class-blacklist': '' });
    expect(all.length).toBeGreaterThan(devices.length);
  });

  it('creates, reads, updates and deletes a PCI mapping', async () => {
    await sim.clients.root.post('/cluster/mapping/pci', { id: 'rtx3090', description: 'GPU', map: GPU_MAP });
    const dup = await sim.clients.root.raw('POST', '/cluster/mapping/pci', { id: 'rtx3090', map: GPU_MAP });
    expect(dup.body.message).toBe("pci ID 'rtx3090' already defined");
    const mapping = await sim.clients.root.get('/cluster/mapping/pci/rtx3090');
    expect(mapping).toMatchObject({ id: 'rtx3090', description: 'GPU', map: GPU_MAP });
    await sim.clients.root.put('/cluster/mapping/pci/rtx3090', { description: 'RTX 3090', digest: mapping.digest });
    const listed = await sim.clients.root.get('/cluster/mapping/pci', { 'check-node': 'pve' });
    expect(listed).toEqual([expect.objectContaining({ id: 'rtx3090', description: 'RTX 3090', checks: [] })]);
    await sim.clients.root.post('/cluster/mapping/pci', { id: 'ghost', map: ['node=pve,path=0000:07:00.0,id=10de:2204'] });
    await sim.clients.root.post('/cluster/mapping/pci', { id: 'partial', map: ['node=pve,path=0000:01:00.0,id=10de:2204,iommugroup=14'] });
    await sim.clients.root.post('/cluster/mapping/pci', { id: 'elsewhere', map: ['node=pve2,path=0000:01:00.0,id=10de:2204'] });
    const checked = await sim.clients.root.get('/cluster/mapping/pci', { 'check-node': 'pve' });
    const checksOf = (id: string) => checked.find((m: { id: string }) => m.id === id).checks;
    expect(checksOf('ghost')).toEqual([{ severity: 'error', message: "Invalid configuration: pci device '0000:07:00.0' not found" }]);
    expect(checksOf('partial')).toEqual([
      { severity: 'error', message: "Invalid configuration: missing expected property 'subsystem-id' for device '0000:01:00.0'" },
    ]);
    expect(checksOf('elsewhere')).toEqual([{ severity: 'warning', message: 'No mapping for node pve.' }]);
    await sim.clients.root.delete('/cluster/mapping/pci/partial');
    await sim.clients.root.delete('/cluster/mapping/pci/elsewhere');
    await sim.clients.root.delete('/cluster/mapping/pci/ghost');
    expect((await sim.clients.root.get('/cluster/mapping/pci')).map((m: { id: string }) => m.id)).toEqual(['rtx3090']);
  });

  it('refuses raw hostpci from any API token, as PVE only lets root@pam itself set it', async () => {
    for (const client of [sim.clients.root, sim.clients.provisioner]) {
      const res = await client.raw('POST', '/nodes/pve/qemu/100/config', { hostpci0: '0000:01:00,pcie=1' });
      expect(res.status).toBe(500);
      expect(res.body.message).toBe("only root can set 'hostpci0' config for non-mapped devices");
    }
    const auditor = await sim.clients.auditor.raw('POST', '/nodes/pve/qemu/100/config', { hostpci0: 'mapping=rtx3090' });
    expect(auditor.status).toBe(403);
    expect((await sim.clients.root.get('/nodes/pve/qemu/100/config')).hostpci0).toBeUndefined();
  });

  it('passes the GPU through a mapping, and the guest sees it', async () => {
    await sim.clients.provisioner.task('POST', '/nodes/pve/qemu/100/config', { hostpci0: 'mapping=rtx3090,pcie=1,x-vga=1' });
    await sim.clients.provisioner.task('POST', '/nodes/pve/qemu/100/status/start');
    await eventually('the guest agent of VM 100', async () => ((await sim.clients.root.raw('POST', '/nodes/pve/qemu/100/agent/ping')).status === 200 ? true : undefined));
    const { pid } = await sim.clients.root.post('/nodes/pve/qemu/100/agent/exec', { command: ['nvidia-smi', '-L'] });
    const status = await eventually('nvidia-smi in VM 100 to exit', async () => {
      const s = await sim.clients.root.get('/nodes/pve/qemu/100/agent/exec-status', { pid });
      return s.exited ? s : undefined;
    });
    expect(status['out-data']).toMatch(/^GPU 0: NVIDIA GeForce RTX 3090 \(UUID: GPU-[0-9a-f-]+\)\n$/);
  });

  it('refuses to start a second VM on a GPU already in use, and a VM whose mapping is gone', async () => {
    await sim.clients.provisioner.task('POST', '/nodes/pve/qemu/103/config', { hostpci0: 'mapping=rtx3090' });
    const upid = await sim.clients.root.post('/nodes/pve/qemu/103/status/start');
    expect((await sim.clients.root.waitTask(upid)).exitstatus).toBe("PCI device '0000:01:00.0' already in use by VMID '100'");
    await sim.clients.root.put('/nodes/pve/qemu/103/config', { hostpci0: 'mapping=nothere' });
    const upid2 = await sim.clients.root.post('/nodes/pve/qemu/103/status/start');
    expect((await sim.clients.root.waitTask(upid2)).exitstatus).toBe("PCI device mapping not found for 'nothere'");
    await sim.clients.root.post('/cluster/mapping/pci', { id: 'nosub', map: ['node=pve,path=0000:01:00.0,id=10de:2204,iommugroup=14'] });
    await sim.clients.root.put('/nodes/pve/qemu/103/config', { hostpci0: 'mapping=nosub' });
    const upid3 = await sim.clients.root.post('/nodes/pve/qemu/103/status/start');
    expect((await sim.clients.root.waitTask(upid3)).exitstatus).toBe(
      "PCI device mapping invalid (hardware probably changed): missing expected property 'subsystem-id' for device '0000:01:00.0'",
    );
    const log = await sim.clients.root.get(`/nodes/pve/tasks/${encodeURIComponent(upid2)}/log`);
    expect(log[log.length - 1].t).toBe("TASK ERROR: PCI device mapping not found for 'nothere'");
    expect((await sim.clients.root.get('/nodes/pve/qemu/103/status/current')).status).toBe('stopped');
  });
});
