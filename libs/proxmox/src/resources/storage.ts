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
  updateStorageInCluster,
  type StorageConfig,
} from '../api/storage';
import type { PveApi } from '../client/types';
import type { DesiredSpec, StorageSpec } from '../state/schema';
import { truthy, unchanged, type Change, type Check, type DiffOptions, type FieldChange, type Resource } from './types';

export interface StorageCurrent {
  storages: StorageConfig[];
  pools: ZfsPoolInfo[];
  disks: DiskInfo[];
}

interface StorageDelta {
  createPool: boolean;
  createStorage: boolean;
  content?: string[];
  /** Cluster only: the restriction to set (`null`: lift it; absent: leave it). */
  nodes?: string[] | null;
}

/**
 * storage.cfg in a cluster is one file for every node (pmxcfs): a storage some nodes declare is
 * restricted to them with `nodes=` (pve-storage `PVE/Storage.pm` `storage_check_node`), one every
 * node declares is one entry without it. Each node's step creates its own ZFS pool (its disks) and
 * makes sure the one entry is as declared; nodes running side by side write the same entry, so a
 * write that finds another node got there first re-reads instead of failing.
 */
export interface ClusterStorage {
  /** The nodes a storage is restricted to; undefined when every node declares it. */
  nodesOf(id: string): string[] | undefined;
  /** Storage ids some node of the file declares (what --prune never deletes). */
  declared: ReadonlySet<string>;
  /** Whether this node's plan carries --prune deletions of storage.cfg entries: never; the cluster-wide step does (`clusterStoragePrune`). */
  prunes: boolean;
}

/** The cluster view of storage.cfg for a node's projection; undefined for a single-node file. */
export function clusterStorageOf(state: Pick<DesiredSpec, 'nodes' | 'node'>): ClusterStorage | undefined {
  const nodes = state.nodes;
  if (!nodes?.length) return undefined;
  const holders = new Map<string, string[]>();
  for (const n of nodes) for (const st of n.storage) holders.set(st.id, [...(holders.get(st.id) ?? []), n.name]);
  return {
    nodesOf: (id) => {
      const on = holders.get(id) ?? [];
      return on.length === nodes.length ? undefined : [...on].sort();
    },
    declared: new Set(holders.keys()),
    prunes: false,
  };
}

const contentSet = (c: string | undefined) => (c ?? '').split(',').filter(Boolean).sort();
const nodeList = (n: string | undefined) => (n ?? '').split(/[,;\s]+/).filter(Boolean).sort().join(',');

export function diffStorage(specs: StorageSpec[], current: StorageCurrent, prune: boolean, options: DiffOptions = { prune }, cluster?: ClusterStorage): Change[] {
  const changes: Change[] = [];
  for (const spec of specs) {
    const id = `storage ${spec.id}`;
    const existing = current.storages.find((s) => s.storage === spec.id);
    const wanted = [...spec.content].sort();
    const problems: string[] = [];
    const fields: FieldChange[] = [];
    if (existing && existing.type !== spec.type) {
      problems.push(`storage ${spec.id} exists as type ${existing.type}, declared ${spec.type}; rename one of them`);
    }
    const pool = spec.type === 'zfspool' ? current.pools.find((p) => p.name === spec.pool) : undefined;
    if (spec.type === 'zfspool' && !pool) {
      fields.push({ field: 'zfs pool', to: `${spec.pool} (${spec.raidlevel}, ${spec.compression}, ashift ${spec.ashift}) on ${spec.devices.join(' ')}` });
      for (const dev of spec.devices) {
        const disk = current.disks.find((d) => d.devpath === dev);
        if (!disk) problems.push(`disk ${dev} is not on the host (${current.disks.map((d) => d.devpath).join(', ') || 'no disks listed'}); fix storage devices`);
        else if (disk.used) problems.push(`disk ${dev} is in use (${disk.used}); a new pool needs an empty disk`);
      }
    }
    const restrict = cluster?.nodesOf(spec.id);
    const restriction = restrict ? ` nodes=${restrict.join(',')}` : '';
    if (!existing) {
      fields.push({ field: 'storage', to: spec.type === 'zfspool' ? `zfspool pool=${spec.pool} content=${wanted.join(',')}${restriction}` : `dir path=${spec.path} content=${wanted.join(',')}${restriction}` });
    } else {
      if (contentSet(existing.content).join() !== wanted.join()) fields.push({ field: 'content', from: contentSet(existing.content).join(','), to: wanted.join(',') });
      if (cluster && nodeList(existing.nodes) !== (restrict ?? []).join(',')) fields.push({ field: 'nodes', from: nodeList(existing.nodes) || '(all)', to: restrict?.join(',') ?? '(all)' });
    }
    if (spec.type === 'zfspool' && existing?.pool && existing.pool !== spec.pool)
      problems.push(`storage ${spec.id} points at pool ${existing.pool}, declared ${spec.pool}; rename the storage or the pool`);
    const delta: StorageDelta = {
      createPool: spec.type === 'zfspool' && !pool,
      createStorage: !existing,
      content: existing && fields.some((f) => f.field === 'content' || f.field === 'nodes') ? wanted : undefined,
      nodes: cluster && fields.some((f) => f.field === 'nodes' || f.field === 'storage') ? (restrict ?? null) : undefined,
    };
    const notes = cluster && (!existing || delta.content) ? [`storage.cfg is the cluster's: one entry for ${restrict ? `nodes ${restrict.join(', ')}` : 'every node'}, written by whichever node gets there first`] : undefined;
    if (!fields.length && !problems.length) changes.push(unchanged('storage', id));
    else changes.push({ kind: 'storage', id, action: existing ? 'update' : 'create', fields, desired: spec, current: delta, problems, notes });
  }
  if (prune && (!cluster || cluster.prunes)) {
    for (const s of current.storages) {
      if (!specs.some((d) => d.id === s.storage) && !cluster?.declared.has(s.storage))
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

/**
 * `--prune` of storage.cfg in a cluster: the file is one for all nodes, so its entries that no node
 * declares are pruned once, by the cluster-wide step (never by a node's). PVE keeps no mark on an
 * entry, so each is deleted only when named (`--prune=local-lvm`), else listed as kept.
 */
export function clusterStoragePrune(state: Pick<DesiredSpec, 'nodes' | 'node'>, storages: StorageConfig[], options: DiffOptions): Change[] {
  const declared = new Set((state.nodes ?? []).flatMap((n) => n.storage.map((st) => st.id)));
  if (!options.prune) return [];
  return storages
    .filter((s) => !declared.has(s.storage))
    .map((s) =>
      pruneOrKeep(
        { kind: 'storage', id: `storage ${s.storage}`, action: 'delete', fields: [{ field: 'storage', from: `${s.type} content=${s.content ?? ''}${s.nodes ? ` nodes=${s.nodes}` : ''}` }], current: s },
        s.storage,
        false,
        options,
      ),
    );
}

/** The entry is what the node's change wants (another node of the cluster may have written it). */
const entryMatches = (entry: StorageConfig, spec: StorageSpec, nodes: string[] | null | undefined) =>
  contentSet(entry.content).join() === [...spec.content].sort().join() && (nodes === undefined || nodeList(entry.nodes) === (nodes ?? []).join(','));

const raced = (error: unknown, pattern: RegExp) => pattern.test((error as Error).message ?? '');

/** A cluster's storage.cfg entry: created, or brought to the declared content and nodes; a write another node made first is re-read, not repeated. */
async function writeClusterEntry(api: PveApi, spec: StorageSpec, delta: StorageDelta): Promise<void> {
  if (delta.createStorage) {
    try {
      const nodes = delta.nodes ?? undefined;
      if (spec.type === 'zfspool') await createZfsStorage(api, spec.id, spec.pool, spec.content, nodes);
      else await createDirStorage(api, spec.id, spec.path, spec.content, nodes);
      return;
    } catch (error) {
      if (!raced(error, /already defined/)) throw error;
    }
  }
  for (let attempt = 1; ; attempt++) {
    const entry = await getStorage(api, spec.id);
    if (entryMatches(entry, spec, delta.nodes)) return;
    const lift = delta.nodes === null && !entry.nodes ? undefined : delta.nodes;
    try {
      return void (await updateStorageInCluster(api, spec.id, [...spec.content].sort(), lift, entry.digest));
    } catch (error) {
      if (attempt >= 5 || !raced(error, /detected modified configuration/)) throw error;
    }
  }
}

export const storageResource: Resource<StorageCurrent> = {
  kind: 'storage',
  async read(api) {
    const [storages, pools, disks] = await Promise.all([listStorage(api), listZfsPools(api), listDisks(api)]);
    return { storages, pools, disks };
  },
  diff: (state, current, options) => diffStorage(state.storage, current, options.prune, options, clusterStorageOf(state)),
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
    if (clusterStorageOf(ctx.state)) {
      if (delta.createStorage || delta.content) await writeClusterEntry(api, spec, delta);
    } else if (delta.createStorage) {
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
