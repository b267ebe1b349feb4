import { startTestSimulator } from '../server/testing';

type Sim = Awaited<ReturnType<typeof startTestSimulator>>;

describe('disks, ZFS and storage', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.stop());

  it('lists the disks, the system disk as used', async () => {
    const disks = await sim.clients.root.get('/nodes/pve/disks/list');
    expect(disks.map((d: { devpath: string }) => d.devpath)).toEqual(['/dev/nvme0n1', '/dev/sdb', '/dev/sdc', '/dev/sdd']);
    expect(disks[0]).toMatchObject({ used: 'LVM', type: 'nvme' });
    expect(disks[1]).toMatchObject({ size: 1000204886016, model: 'Samsung_SSD_870_EVO_1TB', serial: 'S626NF0R100001X', health: 'PASSED' });
    expect(disks[1].used).toBeUndefined();
    const unused = await sim.clients.root.get('/nodes/pve/disks/list', { type: 'unused' });
    expect(unused).toHaveLength(3);
  });

  it('refuses a mirror of one disk and a disk that is in use', async () => {
    const one = await sim.clients.root.raw('POST', '/nodes/pve/disks/zfs', { name: 'tank', raidlevel: 'mirror', devices: '/dev/sdb' });
    expect(one.body.message).toBe('mirror needs at least 2 disks');
    const used = await sim.clients.root.raw('POST', '/nodes/pve/disks/zfs', { name: 'tank', raidlevel: 'mirror', devices: '/dev/nvme0n1,/dev/sdb' });
    expect(used.body.message).toBe("device '/dev/nvme0n1' is already in use");
  });

  it('creates a mirrored pool with add_storage as a zfscreate task', async () => {
    const upid = await sim.clients.root.task('POST', '/nodes/pve/disks/zfs', {
      name: 'tank', raidlevel: 'mirror', devices: '/dev/sdb,/dev/sdc', ashift: 12, compression: 'lz4', add_storage: 1,
    });
    expect(upid).toContain(':zfscreate:tank:');
    const pools = await sim.clients.root.get('/nodes/pve/disks/zfs');
    expect(pools).toEqual([expect.objectContaining({ name: 'tank', health: 'ONLINE', alloc: 0 })]);
    expect(pools[0].size).toBeGreaterThan(900e9);
    expect(pools[0].size).toBeLessThan(1000204886016);
    const detail = await sim.clients.root.get('/nodes/pve/disks/zfs/tank');
    expect(detail.children[0].children[0]).toMatchObject({ name: 'mirror-0', state: 'ONLINE' });
    expect(detail.children[0].children[0].children.map((c: { name: string }) => c.name)).toEqual(['sdb', 'sdc']);
    expect(await sim.clients.root.get('/storage/tank')).toMatchObject({ type: 'zfspool', pool: 'tank', content: 'images,rootdir' });
    const disks = await sim.clients.root.get('/nodes/pve/disks/list', { type: 'unused' });
    expect(disks.map((d: { devpath: string }) => d.devpath)).toEqual(['/dev/sdd']);
    const again = await sim.clients.root.raw('POST', '/nodes/pve/disks/zfs', { name: 'tank', raidlevel: 'single', devices: '/dev/sdd' });
    expect(again.body.message).toBe("pool 'tank' already exists on node 'pve'");
  });

  it('registers a zfspool storage only on an existing pool, and updates and deletes storage', async () => {
    const missing = await sim.clients.root.raw('POST', '/storage', { storage: 'fast', type: 'zfspool', pool: 'nope' });
    expect(missing.body.message).toBe("zfs error: cannot open 'nope': dataset does not exist");
    await sim.clients.root.post('/storage', { storage: 'tank-vm', type: 'zfspool', pool: 'tank', content: 'rootdir,images', sparse: 1 });
    const dup = await sim.clients.root.raw('POST', '/storage', { storage: 'tank-vm', type: 'zfspool', pool: 'tank' });
    expect(dup.body.message).toBe("storage ID 'tank-vm' already defined");
    const { digest } = await sim.clients.root.get('/storage/tank-vm');
    await sim.clients.root.put('/storage/tank-vm', { content: 'images', digest });
    expect((await sim.clients.root.get('/storage/tank-vm')).content).toBe('images');
    const fixed = await sim.clients.root.raw('PUT', '/storage/tank-vm', { pool: 'other' });
    expect(fixed.status).toBe(400);
    await sim.clients.root.delete('/storage/tank-vm');
    expect((await sim.clients.root.get('/storage')).map((s: { storage: string }) => s.storage)).toEqual(['local', 'local-lvm', 'tank']);
  });

  it('reports node storage status with space used by allocated volumes', async () => {
    const before = await sim.clients.root.get('/nodes/pve/storage/tank/status');
    expect(before).toMatchObject({ storage: 'tank', type: 'zfspool', active: 1, enabled: 1, used: 0 });
    const volid = await sim.clients.root.post('/nodes/pve/storage/tank/content', { vmid: 150, filename: 'vm-150-disk-0', size: '4G' });
    expect(volid).toBe('tank:vm-150-disk-0');
    const after = await sim.clients.root.get('/nodes/pve/storage/tank/status');
    expect(after.used).toBe(4 * 1024 ** 3);
    expect(after.avail).toBe(after.total - after.used);
    const images = await sim.clients.root.get('/nodes/pve/storage', { content: 'images' });
    expect(images.map((s: { storage: string }) => s.storage)).toEqual(['local-lvm', 'tank']);
  });

  it('downloads an ISO and a cloud image into content as download tasks', async () => {
    const upid = await sim.clients.root.task('POST', '/nodes/pve/storage/local/download-url', {
      content: 'iso', filename: 'ubuntu-24.04.1-live-server-amd64.iso',
      url: 'https://releases.ubuntu.com/24.04/ubuntu-24.04.1-live-server-amd64.iso',
      checksum: 'e240e4b801f7bb68c20d1356b60968ad0c33a41d00d828e74ceb3364a0317be9', 'checksum-algorithm': 'sha256',
    });
    expect(upid).toContain(':download:');
    await sim.clients.root.task('POST', '/nodes/pve/storage/local/download-url', {
      content: 'import', filename: 'noble-server-cloudimg-amd64.qcow2', url: 'https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img',
    });
    const content = await sim.clients.root.get('/nodes/pve/storage/local/content');
    expect(content.map((c: { volid: string }) => c.volid).sort()).toEqual([
      'local:import/noble-server-cloudimg-amd64.qcow2', 'local:iso/ubuntu-24.04.1-live-server-amd64.iso',
    ]);
    const wrongStore = await sim.clients.root.raw('POST', '/nodes/pve/storage/local-lvm/download-url', {
      content: 'iso', filename: 'x.iso', url: 'https://example.invalid/x.iso',
    });
    // pve-storage download_url: a storage without a path is refused before its content is looked at.
    expect(wrongStore.body.message).toBe("can't upload to storage type 'lvmthin', not a file based storage!");

    await sim.clients.root.task('POST', '/nodes/pve/qemu', {
      vmid: 151, name: 'imported', scsi0: 'tank:0,import-from=local:import/noble-server-cloudimg-amd64.qcow2',
    });
    expect((await sim.clients.root.get('/nodes/pve/qemu/151/config')).scsi0).toMatch(/^tank:vm-151-disk-0,size=\d+M$/);
  });
});
