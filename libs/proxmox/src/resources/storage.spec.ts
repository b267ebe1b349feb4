import { clusterStorageOf, diffStorage, type StorageCurrent } from './storage';
import { genesisState } from '../testing/desired-state';
import type { StorageSpec } from '../state/schema';

const state = genesisState();
const freshHost: StorageCurrent = {
  storages: [
    { storage: 'local', type: 'dir', path: '/var/lib/vz', content: 'iso,vztmpl,backup', digest: 'd1' },
    { storage: 'local-lvm', type: 'lvmthin', content: 'rootdir,images' },
  ],
  pools: [],
  disks: [{ devpath: '/dev/nvme0n1', size: 1, used: 'LVM' }, { devpath: '/dev/sdb', size: 2 }],
};

describe('storage diff', () => {
  it('creates the ZFS pool and its storage, and adds content types to local', () => {
    const changes = diffStorage(state.storage, freshHost, false);
    const tank = changes.find((c) => c.id === 'storage tank')!;
    expect(tank.action).toBe('create');
    expect(tank.fields.map((f) => f.field)).toEqual(['zfs pool', 'storage']);
    expect(String(tank.fields[0].to)).toContain('/dev/sdb');
    const local = changes.find((c) => c.id === 'storage local')!;
    expect(local).toMatchObject({ action: 'update', fields: [{ field: 'content', from: 'backup,iso,vztmpl', to: 'backup,import,iso,snippets,vztmpl' }] });
    expect(changes.some((c) => c.action === 'delete')).toBe(false);
  });

  it('resumes a pool that exists without its storage entry: only the storage is created', () => {
    const host = { ...freshHost, pools: [{ name: 'tank', size: 1, alloc: 0, free: 1, health: 'ONLINE' }] };
    const tank = diffStorage(state.storage, host, false).find((c) => c.id === 'storage tank')!;
    expect(tank.fields.map((f) => f.field)).toEqual(['storage']);
    expect(tank.current).toMatchObject({ createPool: false, createStorage: true });
  });

  it('is unchanged when pool, storage and content match (content order does not matter)', () => {
    const host: StorageCurrent = {
      ...freshHost,
      storages: [
        { storage: 'local', type: 'dir', content: 'vztmpl,snippets,iso,import,backup' },
        { storage: 'tank', type: 'zfspool', pool: 'tank', content: 'rootdir,images' },
      ],
      pools: [{ name: 'tank', size: 1, alloc: 0, free: 1, health: 'ONLINE' }],
    };
    expect(diffStorage(state.storage, host, false).map((c) => c.action)).toEqual(['unchanged', 'unchanged']);
  });

  it("never deletes the installer's local-lvm on --prune alone: it is listed and needs --prune=local-lvm", () => {
    expect(diffStorage(state.storage, freshHost, false).some((c) => c.id === 'storage local-lvm')).toBe(false);
    expect(diffStorage(state.storage, freshHost, true).find((c) => c.id === 'storage local-lvm')).toMatchObject({
      action: 'unchanged',
      notes: ['not declared and not made by Genesis: kept by --prune; --prune=local-lvm deletes it'],
    });
    expect(diffStorage(state.storage, freshHost, true, { prune: true, pruneNames: ['local-lvm'] }).find((c) => c.id === 'storage local-lvm')?.action).toBe('delete');
  });

  it('refuses a pool on a missing or used disk', () => {
    const host = { ...freshHost, disks: [{ devpath: '/dev/sdb', size: 2, used: 'LVM' }] };
    const tank = diffStorage(state.storage, host, false).find((c) => c.id === 'storage tank')!;
    expect(tank.problems).toEqual([expect.stringContaining('disk /dev/sdb is in use (LVM)')]);
    const none = diffStorage(state.storage, { ...freshHost, disks: [] }, false).find((c) => c.id === 'storage tank')!;
    expect(none.problems).toEqual([expect.stringContaining('disk /dev/sdb is not on the host')]);
  });

  // storage.cfg is one file for a cluster (pve-storage PVE/Storage.pm storage_check_node): a storage
  // some nodes declare is restricted to them with nodes=, one every node declares is not.
  describe('in a cluster', () => {
    const dirSpec = (id: string): StorageSpec => ({ id, type: 'dir', path: `/srv/${id}`, content: ['iso'] });
    const cluster = {
      node: 'pve2',
      nodes: [
        { name: 'pve1', storage: [dirSpec('shared'), dirSpec('gpu-only')] },
        { name: 'pve2', storage: [dirSpec('shared')] },
      ],
    } as unknown as Parameters<typeof clusterStorageOf>[0];
    const view = clusterStorageOf(cluster)!;

    it('restricts a storage to the nodes that declare it, and leaves one every node declares unrestricted', () => {
      expect([view.nodesOf('gpu-only'), view.nodesOf('shared'), view.prunes]).toEqual([['pve1'], undefined, false]);
      const [c] = diffStorage([dirSpec('gpu-only')], { ...freshHost, storages: [] }, false, { prune: false }, view);
      expect(c.fields).toEqual([{ field: 'storage', to: 'dir path=/srv/gpu-only content=iso nodes=pve1' }]);
      expect(c.current).toMatchObject({ createStorage: true, nodes: ['pve1'] });
    });

    it("widens or lifts a restriction another node's entry has, and keeps what other nodes declare under --prune", () => {
      const host: StorageCurrent = { ...freshHost, storages: [{ storage: 'shared', type: 'dir', path: '/srv/shared', content: 'iso', nodes: 'pve1' }, { storage: 'gpu-only', type: 'dir', content: 'iso', nodes: 'pve1' }] };
      const changes = diffStorage([dirSpec('shared')], host, true, { prune: true }, { ...view, prunes: true });
      expect(changes).toEqual([expect.objectContaining({ id: 'storage shared', action: 'update', fields: [{ field: 'nodes', from: 'pve1', to: '(all)' }], current: expect.objectContaining({ nodes: null }) })]);
    });
  });
});
