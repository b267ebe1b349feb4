/**
 * Storage: ZFS pools on named disks (created through `disks/zfs`) registered as PVE storage, and
 * directory storages whose content types Genesis needs (cloud-image imports, snippets).
 */
import { pruneOrKeep } from './managed';
import { awaitTask } from '../api/tasks';
import { createZfsPool, listDisks, listZfsPools, type DiskInfo, type ZfsPoolInfo } from '../api/disks';
import {
  createDirStorage,
  createZfsStorage,
  deleteStorage,
  getStorage,
  listStorage,
  storageStatus,
  updateStorageContent,
  type StorageConfig,
} from '../api/storage';
import type { StorageSpec } from '../state/schema';
import { truthy, unchanged, type Change, type Check, type DiffOptions, type Resource } from './types';

export interface StorageCurrent {
  storages: StorageConfig[];
  pools: ZfsPoolInfo[];
  disks: DiskInfo[];
}

interface StorageDelta {
  createPool: boolean;
  createStorage: boolean;
  content?: string[];
}

const contentSet = (c: string | undefined) => (c ?? '').split(',').filter(Boolean).sort();

export function diffStorage(specs: StorageSpec[], current: StorageCurrent, prune: boolean, options: DiffOptions = { prune }): Change[] {
  const changes: Change[] = [];
  for (const spec of specs) {
    const id = `storage ${spec.id}`;
    const existing = current.storages.find((s) => s.storage === spec.id);
    const wanted = [...spec.content].sort();
    const problems: string[] = [];
    if (existing && existing.type !== spec.type) {
      problems.push(`storage ${spec.id} exists as type ${existing.type}, declared ${spec.type}; rename one of them`);
    }
    if (spec.type === 'zfspool') {
      const pool = current.pools.find((p) => p.name === spec.pool);
      const fields = [];
      if (!pool) {
        fields.push({ field: 'zfs pool', to: `${spec.pool} (${spec.raidlevel}, ${spec.compression}, ashift ${spec.ashift}) on ${spec.devices.join(' ')}` });
        for (const dev of spec.devices) {
          const disk = current.disks.find((d) => d.devpath === dev);
          if (!disk) problems.push(`disk ${dev} is not on the host (${current.disks.map((d) => d.devpath).join(', ') || 'no disks listed'}); fix storage devices`);
          else if (disk.used) problems.push(`disk ${dev} is in use (${disk.used}); a new pool needs an empty disk`);
        }
      }
      if (!existing) fields.push({ field: 'storage', to: `zfspool pool=${spec.pool} content=${wanted.join(',')}` });
      else if (contentSet(existing.content).join() !== wanted.join())
        fields.push({ field: 'content', from: contentSet(existing.content).join(','), to: wanted.join(',') });
      if (existing && existing.pool && existing.pool !== spec.pool)
        problems.push(`storage ${spec.id} points at pool ${existing.pool}, declared ${spec.pool}; rename the storage or the pool`);
      const delta: StorageDelta = { createPool: !pool, createStorage: !existing, content: existing ? wanted : undefined };
      if (!fields.length && !problems.length) changes.push(unchanged('storage', id));
      else changes.push({ kind: 'storage', id, action: existing ? 'update' : 'create', fields, desired: spec, current: delta, problems });
    } else {
      if (!existing) {
        changes.push({ kind: 'storage', id, action: 'create', fields: [{ field: 'storage', to: `dir path=${spec.path} content=${wanted.join(',')}` }], desired: spec, current: { createPool: false, createStorage: true }, problems });
      } else if (contentSet(existing.content).join() !== wanted.join() || problems.length) {
        changes.push({
          kind: 'storage',
          id,
          action: 'update',
          fields: [{ field: 'content', from: contentSet(existing.content).join(','), to: wanted.join(',') }],
          desired: spec,
          current: { createPool: false, createStorage: false, content: wanted } satisfies StorageDelta,
          problems,
        });
      } else changes.push(unchanged('storage', id));
    }
  }
  if (prune) {
    for (const s of current.storages) {
      if (!specs.some((d) => d.id === s.storage))
        changes.push(
          pruneOrKeep(
            { kind: 'storage', id: `storage ${s.storage}`, action: 'delete', fields: [{ field: 'storage', from: `${s.type} content=${s.content ?? ''}` }], current: s },
            s.storage,
            false,
            options,
          ),
        );
    }
  }
  return changes;
}

export const storageResource: Resource<StorageCurrent> = {
  kind: 'storage',
  async read(api) {
    const [storages, pools, disks] = await Promise.all([listStorage(api), listZfsPools(api), listDisks(api)]);
    return { storages, pools, disks };
  },
  diff: (state, current, options) => diffStorage(state.storage, current, options.prune, options),
  async apply(api, change, ctx) {
    if (change.action === 'delete') {
      await deleteStorage(api, (change.current as StorageConfig).storage);
      return;
    }
    const spec = change.desired as StorageSpec;
    const delta = change.current as StorageDelta;
    if (spec.type === 'zfspool' && delta.createPool) {
      ctx.progress(`  creating ZFS pool ${spec.pool} on ${spec.devices.join(' ')}`);
      const upid = await createZfsPool(api, { name: spec.pool, devices: spec.devices, raidlevel: spec.raidlevel, compression: spec.compression, ashift: spec.ashift });
      await awaitTask(api, upid, `zpool create ${spec.pool}`, ctx.progress);
    }
    if (delta.createStorage) {
      if (spec.type === 'zfspool') await createZfsStorage(api, spec.id, spec.pool, spec.content);
      else await createDirStorage(api, spec.id, spec.path, spec.content);
    } else if (delta.content) {
      // storage.cfg has one digest for all entries: take it now, after this run's earlier edits.
      const { digest } = await getStorage(api, spec.id);
      await updateStorageContent(api, spec.id, delta.content, digest);
    }
  },
  async verify(api, state) {
    const checks: Check[] = [];
    const pools = state.storage.some((s) => s.type === 'zfspool') ? await listZfsPools(api) : [];
    await Promise.all(
      state.storage.map(async (spec) => {
        const status = await storageStatus(api, spec.id).catch((e: Error) => e);
        if (status instanceof Error) {
          checks.push({ name: `storage ${spec.id} active`, ok: false, detail: status.message });
          return;
        }
        const active = truthy(status.active);
        if (spec.type === 'zfspool') {
          const pool = pools.find((p) => p.name === spec.pool);
          const ok = active && status.type === 'zfspool' && pool?.health === 'ONLINE';
          checks.push({
            name: `ZFS storage ${spec.id} active`,
            ok,
            detail: `type ${status.type}, ${active ? 'active' : 'inactive'}, pool ${spec.pool} ${pool ? pool.health : 'missing'}`,
          });
        } else {
          checks.push({ name: `storage ${spec.id} active`, ok: active, detail: `type ${status.type}, content ${status.content}` });
        }
      }),
    );
    return checks;
  },
};
