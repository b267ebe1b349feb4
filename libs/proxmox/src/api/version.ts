/** Cluster-wide read-only calls: version (the reachability probe) and the next free VM id. */
import type { PveApi } from '../client/types';

export interface PveVersion {
  version: string;
  release: string;
  repoid: string;
}

export const getVersion = (api: PveApi) => api.get<PveVersion>('/version');

/** `GET /cluster/nextid`; with `vmid`, PVE answers it back when it is free and 400 otherwise. */
export async function nextVmid(api: PveApi): Promise<number> {
  return Number(await api.get<string | number>('/cluster/nextid'));
}
