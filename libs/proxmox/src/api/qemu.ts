/**
 * `/nodes/{node}/qemu`: VM and template lifecycle. Every call that PVE runs as a worker answers a UPID
 * that the caller awaits (`awaitTask`); config updates carry the `digest` they were planned against.
 */
import type { PveApi, PveParams } from '../client/types';

export interface VmListEntry {
  vmid: number;
  name?: string;
  status: string;
  template?: number | boolean;
}

/** The VM config as PVE returns it: scalar options and property strings keyed by option name. */
export type VmConfig = Record<string, string | number | undefined> & { digest?: string };

export interface VmStatus {
  vmid: number;
  status: 'running' | 'stopped' | string;
  qmpstatus?: string;
  template?: number | boolean;
  uptime?: number;
}

export interface VmSnapshot {
  name: string;
  snaptime?: number;
  description?: string;
}

const qemu = (api: PveApi) => `/nodes/${encodeURIComponent(api.node)}/qemu`;
const vm = (api: PveApi, vmid: number) => `${qemu(api)}/${vmid}`;

export const listVms = (api: PveApi) => api.get<VmListEntry[]>(qemu(api));
export const getVmConfig = (api: PveApi, vmid: number) => api.get<VmConfig>(`${vm(api, vmid)}/config`);
export const getVmStatus = (api: PveApi, vmid: number) => api.get<VmStatus>(`${vm(api, vmid)}/status/current`);

/** Creates a VM from a full config (a task; disk imports happen inside it). */
export const createVm = (api: PveApi, vmid: number, config: PveParams) =>
  api.post<string>(qemu(api), { vmid, ...config });

/** `POST …/config`: asynchronous variant (answers a UPID when it had to allocate or import disks). */
export const updateVmConfig = (api: PveApi, vmid: number, config: PveParams, remove: string[] = [], digest?: string) =>
  api.post<string | null>(`${vm(api, vmid)}/config`, {
    ...config,
    delete: remove.length ? remove.join(',') : undefined,
    digest,
  });

export const convertToTemplate = (api: PveApi, vmid: number) => api.post<string>(`${vm(api, vmid)}/template`);

export const cloneVm = (api: PveApi, vmid: number, newid: number, p: { name?: string; full?: boolean; storage?: string }) =>
  api.post<string>(`${vm(api, vmid)}/clone`, {
    newid,
    name: p.name,
    full: p.full,
    // PVE accepts a target storage only for full clones
    storage: p.full ? p.storage : undefined,
  });

export const startVm = (api: PveApi, vmid: number) => api.post<string>(`${vm(api, vmid)}/status/start`);
export const stopVm = (api: PveApi, vmid: number) => api.post<string>(`${vm(api, vmid)}/status/stop`);

export const destroyVm = (api: PveApi, vmid: number) =>
  api.delete<string>(vm(api, vmid), { purge: true, 'destroy-unreferenced-disks': true });

export const listSnapshots = (api: PveApi, vmid: number) => api.get<VmSnapshot[]>(`${vm(api, vmid)}/snapshot`);
export const createSnapshot = (api: PveApi, vmid: number, snapname: string, description?: string) =>
  api.post<string>(`${vm(api, vmid)}/snapshot`, { snapname, description });
export const deleteSnapshot = (api: PveApi, vmid: number, snapname: string) =>
  api.delete<string>(`${vm(api, vmid)}/snapshot/${encodeURIComponent(snapname)}`);
