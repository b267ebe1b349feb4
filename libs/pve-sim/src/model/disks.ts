/** `/nodes/{node}/disks`: the physical disks and ZFS pools built from them. */
import { bool, str, type Route } from './context';
import { dieError, paramError } from './errors';
import type { SimHost } from './host';
import type { DiskInfo, ZfsPoolState } from './state';

const MIN_DISKS: Record<string, number> = {
  single: 1, mirror: 2, raid10: 4, raidz: 3, raidz2: 4, raidz3: 5, draid: 3, draid2: 4, draid3: 5,
};

function usableSize(raidlevel: string, sizes: number[]): number {
  const min = Math.min(...sizes);
  const n = sizes.length;
  switch (raidlevel) {
    case 'single':
      return sizes.reduce((a, b) => a + b, 0);
    case 'mirror':
      return min;
    case 'raid10':
      return Math.floor(n / 2) * min;
    case 'raidz':
    case 'draid':
      return (n - 1) * min;
    case 'raidz2':
    case 'draid2':
      return (n - 2) * min;
    default:
      return Math.max(1, n - 3) * min;
  }
}

function findDisk(host: SimHost, devpath: string): DiskInfo | undefined {
  return host.state.disks.find((d) => d.devpath === devpath || d.devpath === `/dev/${devpath}`);
}

function poolUsage(host: SimHost, pool: ZfsPoolState): number {
  const storages = host.state.storage.filter((s) => s.type === 'zfspool' && String(s.pool).split('/')[0] === pool.name);
  return host.state.volumes
    .filter((v) => storages.some((s) => s.storage === v.storage))
    .reduce((sum, v) => sum + v.size, 0);
}

function vdevTree(pool: ZfsPoolState): Array<Record<string, unknown>> {
  const leaf = (dev: string) => ({ name: dev.replace('/dev/', ''), state: 'ONLINE', read: 0, write: 0, cksum: 0, msg: '' });
  if (pool.raidlevel === 'single') return pool.devices.map(leaf);
  if (pool.raidlevel === 'raid10') {
    const mirrors = [];
    for (let i = 0; i < pool.devices.length; i += 2) {
      mirrors.push({ name: `mirror-${i / 2}`, state: 'ONLINE', read: 0, write: 0, cksum: 0, msg: '', children: pool.devices.slice(i, i + 2).map(leaf) });
    }
    return mirrors;
  }
  const vdevName = pool.raidlevel === 'raidz' ? 'raidz1' : pool.raidlevel;
  return [{ name: `${vdevName}-0`, state: 'ONLINE', read: 0, write: 0, cksum: 0, msg: '', children: pool.devices.map(leaf) }];
}

export const diskRoutes: Route[] = [
  {
    method: 'GET',
    path: '/nodes/{node}/disks',
    handler: () => ['directory', 'initgpt', 'list', 'lvm', 'lvmthin', 'smart', 'wipedisk', 'zfs'].map((name) => ({ name })),
  },
  {
    method: 'GET',
    path: '/nodes/{node}/disks/list',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const type = str(ctx, 'type');
      return ctx.host.state.disks
        .filter((d) => type !== 'unused' || !d.used)
        .map((d) => ({
          devpath: d.devpath,
          size: d.size,
          model: d.model,
          serial: d.serial,
          vendor: d.vendor,
          type: d.type,
          wwn: d.wwn,
          by_id_link: `/dev/disk/by-id/${d.type === 'nvme' ? 'nvme' : 'ata'}-${d.model}_${d.serial}`,
          health: 'PASSED',
          wearout: d.type === 'hdd' ? 'N/A' : 99,
          rpm: d.type === 'hdd' ? 5400 : 0,
          gpt: d.used ? 1 : 0,
          mounted: 0,
          osdid: -1,
          'osdid-list': null,
          ...(d.used ? { used: d.used } : {}),
        }));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/disks/zfs',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      return ctx.host.state.zfsPools.map((p) => {
        const alloc = poolUsage(ctx.host, p);
        return { name: p.name, size: p.size, alloc, free: p.size - alloc, frag: 0, dedup: 1, health: 'ONLINE' };
      });
    },
  },
  {
    method: 'POST',
    path: '/nodes/{node}/disks/zfs',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const host = ctx.host;
      const name = str(ctx, 'name') ?? '';
      const raidlevel = str(ctx, 'raidlevel') ?? '';
      const devices = (str(ctx, 'devices') ?? '').split(/[,;\s]+/).filter(Boolean);
      const addStorage = bool(ctx, 'add_storage') ?? false;
      if (host.state.zfsPools.some((p) => p.name === name)) {
        throw dieError(`pool '${name}' already exists on node '${host.node}'`);
      }
      const disks = devices.map((dev) => {
        const disk = findDisk(host, dev);
        if (!disk) throw paramError({ devices: `no such block device '${dev}'` });
        if (disk.used) throw dieError(`device '${disk.devpath}' is already in use`);
        return disk;
      });
      if (new Set(disks).size !== disks.length) throw paramError({ devices: 'duplicate device in list' });
      const min = MIN_DISKS[raidlevel] ?? 1;
      if (disks.length < min) throw dieError(`${raidlevel} needs at least ${min} disks`);
      if (raidlevel === 'raid10' && disks.length % 2 !== 0) throw dieError('raid10 needs an even number of disks');
      if (raidlevel === 'single' && disks.length > 1) throw dieError('single raidlevel can only be used with one disk');
      if (addStorage && host.state.storage.some((s) => s.storage === name)) {
        throw dieError(`storage ID '${name}' already defined`);
      }
      const ashift = Number(str(ctx, 'ashift') ?? 12);
      const compression = str(ctx, 'compression') ?? 'on';
      return host.startTask(ctx, 'zfscreate', name, (log) => {
        const vdev = raidlevel === 'single' ? '' : `${raidlevel === 'raid10' ? 'mirror' : raidlevel} `;
        log(`# /sbin/zpool create -o ashift=${ashift} ${name} ${vdev}${disks.map((d) => d.devpath).join(' ')}`);
        log(`# /sbin/zfs set compression=${compression} ${name}`);
        for (const d of disks) d.used = 'ZFS';
        host.state.zfsPools.push({
          name,
          raidlevel,
          devices: disks.map((d) => d.devpath),
          size: Math.floor(usableSize(raidlevel, disks.map((d) => d.size)) * 0.96),
          ashift,
          compression,
          snapshots: [],
        });
        if (addStorage) {
          host.state.storage.push({ storage: name, type: 'zfspool', pool: name, content: 'images,rootdir', nodes: host.node });
        }
      }, { durationMs: host.behaviour.taskDurationMs * 2 });
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/disks/zfs/{name}',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const pool = ctx.host.state.zfsPools.find((p) => p.name === ctx.pathParams.name);
      if (!pool) throw dieError(`zpool error: cannot open '${ctx.pathParams.name}': no such pool`);
      return {
        name: pool.name,
        state: 'ONLINE',
        scan: 'none requested',
        errors: 'No known data errors',
        children: [{ name: pool.name, state: 'ONLINE', read: 0, write: 0, cksum: 0, msg: '', children: vdevTree(pool) }],
      };
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/disks/zfs/{name}',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const host = ctx.host;
      const pool = host.state.zfsPools.find((p) => p.name === ctx.pathParams.name);
      if (!pool) throw dieError(`zpool error: cannot open '${ctx.pathParams.name}': no such pool`);
      const cleanupConfig = bool(ctx, 'cleanup-config') ?? false;
      const cleanupDisks = bool(ctx, 'cleanup-disks') ?? false;
      return host.startTask(ctx, 'zfsremove', pool.name, (log) => {
        log(`# /sbin/zpool destroy ${pool.name}`);
        const storages = host.state.storage.filter((s) => s.type === 'zfspool' && String(s.pool).split('/')[0] === pool.name);
        host.state.volumes = host.state.volumes.filter((v) => !storages.some((s) => s.storage === v.storage));
        if (cleanupConfig) host.state.storage = host.state.storage.filter((s) => !storages.includes(s));
        for (const dev of pool.devices) {
          const disk = findDisk(host, dev);
          if (disk) disk.used = cleanupDisks ? undefined : 'ZFS';
        }
        host.state.zfsPools.splice(host.state.zfsPools.indexOf(pool), 1);
      });
    },
  },
];
