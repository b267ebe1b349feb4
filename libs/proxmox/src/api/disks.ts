/** `/nodes/{node}/disks`: physical disks and ZFS pools (pool creation is a task). */
import type { PveApi } from '../client/types';

export interface DiskInfo {
  devpath: string;
  size: number;
  used?: string;
  gpt?: number | boolean;
  model?: string;
  serial?: string;
}

export interface ZfsPoolInfo {
  name: string;
  size: number;
  alloc: number;
  free: number;
  health: string;
}

export interface CreateZfsPoolParams {
  name: string;
  devices: string[];
  raidlevel: 'single' | 'mirror' | 'raid10' | 'raidz' | 'raidz2' | 'raidz3';
  compression?: 'on' | 'off' | 'lz4' | 'zstd' | 'gzip' | 'lzjb' | 'zle';
  ashift?: number;
}

const base = (api: PveApi) => `/nodes/${encodeURIComponent(api.node)}/disks`;

export const listDisks = (api: PveApi) => api.get<DiskInfo[]>(`${base(api)}/list`);
export const listZfsPools = (api: PveApi) => api.get<ZfsPoolInfo[]>(`${base(api)}/zfs`);

/** `add_storage=0`: the storage entry is a resource of its own, so a resumed run can add it later. */
export const createZfsPool = (api: PveApi, p: CreateZfsPoolParams) =>
  api.post<string>(`${base(api)}/zfs`, {
    name: p.name,
    devices: p.devices.join(','),
    raidlevel: p.raidlevel,
    compression: p.compression,
    ashift: p.ashift,
    add_storage: false,
  });
