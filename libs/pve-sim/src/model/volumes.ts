/**
 * Volumes on storages: naming per storage type (`vm-100-disk-0` on zfspool/lvmthin,
 * `100/vm-100-disk-0.qcow2` on dir), allocation, linked clones from base volumes, and sizes.
 */
import { createHash } from 'node:crypto';
import { dieError } from './errors';
import type { SimHost } from './host';
import { GiB, type StorageConfig, type VolumeState } from './state';

export const IMAGE_STORAGE_TYPES = new Set(['dir', 'zfspool', 'lvmthin', 'lvm', 'nfs', 'cifs']);

export function findStorage(host: SimHost, storage: string): StorageConfig {
  const cfg = host.state.storage.find((s) => s.storage === storage);
  if (!cfg) throw dieError(`storage '${storage}' does not exist`);
  return cfg;
}

export function storageContent(cfg: StorageConfig): string[] {
  return String(cfg.content ?? '').split(',').filter(Boolean);
}

export function assertContent(cfg: StorageConfig, content: string): void {
  if (!storageContent(cfg).includes(content)) {
    throw dieError(`storage '${cfg.storage}' does not support content-type '${content}'`);
  }
}

export function volid(volume: VolumeState): string {
  return `${volume.storage}:${volume.name}`;
}

export function parseVolid(id: string): { storage: string; name: string } | undefined {
  const m = /^([a-zA-Z][\w.-]*):(.+)$/.exec(id);
  return m ? { storage: m[1], name: m[2] } : undefined;
}

export function findVolume(host: SimHost, id: string): VolumeState | undefined {
  const parsed = parseVolid(id);
  if (!parsed) return undefined;
  return host.state.volumes.find((v) => v.storage === parsed.storage && v.name === parsed.name);
}

/** The last path element of a volume name: `base-9000-disk-0/vm-101-disk-0` → `vm-101-disk-0`. */
function leafName(name: string): string {
  const parts = name.split('/');
  return parts[parts.length - 1].replace(/\.(qcow2|raw|vmdk)$/, '');
}

function nextDiskIndex(host: SimHost, storage: string, vmid: number): number {
  const used = new Set(
    host.state.volumes
      .filter((v) => v.storage === storage && v.vmid === vmid)
      .map((v) => /-disk-(\d+)$/.exec(leafName(v.name))?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number),
  );
  let n = 0;
  while (used.has(n)) n++;
  return n;
}

export function defaultFormat(cfg: StorageConfig): string {
  return cfg.type === 'dir' || cfg.type === 'nfs' || cfg.type === 'cifs' ? 'qcow2' : 'raw';
}

export function allocateImage(
  host: SimHost,
  storage: string,
  vmid: number,
  sizeBytes: number,
  options: { kind?: 'disk' | 'cloudinit' | 'state'; format?: string; name?: string } = {},
): VolumeState {
  const cfg = findStorage(host, storage);
  if (!IMAGE_STORAGE_TYPES.has(cfg.type)) throw dieError(`storage '${storage}' does not support images`);
  assertContent(cfg, 'images');
  const format = options.format ?? defaultFormat(cfg);
  if (format !== 'raw' && cfg.type !== 'dir' && cfg.type !== 'nfs' && cfg.type !== 'cifs') {
    throw dieError(`unsupported format '${format}'`);
  }
  const base =
    options.name ??
    (options.kind === 'cloudinit' ? `vm-${vmid}-cloudinit` : `vm-${vmid}-disk-${nextDiskIndex(host, storage, vmid)}`);
  const name = cfg.type === 'dir' || cfg.type === 'nfs' || cfg.type === 'cifs' ? `${vmid}/${base}.${format}` : base;
  if (host.state.volumes.some((v) => v.storage === storage && v.name === name)) {
    throw dieError(`volume '${storage}:${name}' already exists`);
  }
  assertFree(host, cfg, sizeBytes);
  const volume: VolumeState = {
    storage,
    name,
    content: 'images',
    format,
    size: sizeBytes,
    vmid,
    ctime: Math.floor(Date.now() / 1000),
  };
  host.state.volumes.push(volume);
  return volume;
}

function assertFree(host: SimHost, cfg: StorageConfig, bytes: number): void {
  const { avail } = storageUsage(host, cfg);
  if (bytes > avail) {
    throw dieError(`storage '${cfg.storage}': not enough free space (need ${bytes}, available ${avail})`);
  }
}

/** A linked clone of a base volume, named as PVE names them on each storage type. */
export function linkedClone(host: SimHost, base: VolumeState, vmid: number): VolumeState {
  const cfg = findStorage(host, base.storage);
  const index = nextDiskIndex(host, base.storage, vmid);
  const leaf = cfg.type === 'dir' ? `${vmid}/vm-${vmid}-disk-${index}.${base.format}` : `vm-${vmid}-disk-${index}`;
  const volume: VolumeState = {
    storage: base.storage,
    name: `${base.name}/${leaf}`,
    content: 'images',
    format: base.format,
    size: base.size,
    vmid,
    ctime: Math.floor(Date.now() / 1000),
    ...(base.blank ? { blank: true } : {}),
  };
  host.state.volumes.push(volume);
  return volume;
}

/** Template conversion: `vm-9000-disk-0` becomes `base-9000-disk-0`. */
export function renameToBase(host: SimHost, volume: VolumeState): void {
  if (/(^|\/)base-\d+-/.test(volume.name)) return;
  if (host.state.volumes.some((v) => v.name.startsWith(`${volume.name}/`))) {
    throw dieError(`volume '${volid(volume)}' has linked clones`);
  }
  volume.name = volume.name.replace(/vm-(\d+)-disk-(\d+)/, 'base-$1-disk-$2');
}

export function freeVolume(host: SimHost, volume: VolumeState): void {
  const children = host.state.volumes.filter((v) => v.storage === volume.storage && v.name.startsWith(`${volume.name}/`));
  if (children.length > 0) {
    throw dieError(`base volume '${volid(volume)}' is still in use by linked cloned`);
  }
  host.state.volumes.splice(host.state.volumes.indexOf(volume), 1);
}

/** Whether `snapshot` works on this volume (zfs, lvmthin, qcow2). */
export function supportsSnapshot(host: SimHost, volume: VolumeState): boolean {
  const cfg = findStorage(host, volume.storage);
  return cfg.type === 'zfspool' || cfg.type === 'lvmthin' || volume.format === 'qcow2';
}

const DIR_TOTAL = 94 * GiB;
const LVMTHIN_TOTAL = 348 * GiB;

export function storageUsage(host: SimHost, cfg: StorageConfig): { total: number; used: number; avail: number } {
  let total = DIR_TOTAL;
  if (cfg.type === 'lvmthin') total = LVMTHIN_TOTAL;
  if (cfg.type === 'zfspool') {
    const poolName = String(cfg.pool).split('/')[0];
    total = host.state.zfsPools.find((p) => p.name === poolName)?.size ?? 0;
  }
  const used = host.state.volumes
    .filter((v) => {
      if (v.storage === cfg.storage) return true;
      // Storages sharing a pool or directory share its space.
      const other = host.state.storage.find((s) => s.storage === v.storage);
      return other !== undefined && other !== cfg && other.type === cfg.type &&
        (other.pool ?? other.path ?? other.vgname) === (cfg.pool ?? cfg.path ?? cfg.vgname);
    })
    // A linked clone shares its base's blocks until written to.
    .reduce((sum, v) => sum + (isLinkedClone(v) ? 0 : v.size), 0);
  return { total, used, avail: Math.max(0, total - used) };
}

export function isLinkedClone(volume: VolumeState): boolean {
  return /^(\d+\/)?base-\d+-disk-\d+[^/]*\/.+/.test(volume.name);
}

/** Deterministic pseudo-size for downloaded files: the same URL always "downloads" the same bytes. */
export function downloadedSize(url: string): number {
  const h = createHash('sha1').update(url).digest();
  return 300 * 1024 * 1024 + (h.readUInt32BE(0) % (3 * 1024)) * 1024 * 1024;
}
