/**
 * Typed calls of the cluster API (paths and parameters in both official schemas, 8.4.2 and 9.1.3):
 * pve-cluster's `/cluster/config` (create, join, join info), `/cluster/status`, `/cluster/resources`,
 * pve-ha-manager's `/cluster/ha/…` and qemu-server's `migrate`.
 */
import type { PveApi } from '../client/types';

export interface ClusterStatusEntry {
  type: 'cluster' | 'node';
  id: string;
  name: string;
  nodes?: number;
  quorate?: number;
  version?: number;
  nodeid?: number;
  online?: number;
  local?: number;
  ip?: string;
}

export interface JoinInfo {
  nodelist: Array<{ name: string; nodeid: string; pve_addr: string; pve_fp: string; ring0_addr?: string; quorum_votes?: string; [ring: `ring${number}_addr`]: string | undefined }>;
  preferred_node: string;
  totem: Record<string, unknown>;
  config_digest: string;
}

export interface ClusterResource {
  id: string;
  type: string;
  node: string;
  status?: string;
  vmid?: number;
  name?: string;
  hastate?: string;
}

export interface HaResourceEntry {
  sid: string;
  state?: string;
  group?: string;
  comment?: string;
  node?: string;
}

export interface HaRuleEntry {
  rule: string;
  type: string;
  resources: string;
  nodes?: string;
  strict?: number;
  comment?: string;
}

export interface HaGroupEntry {
  group: string;
  nodes: string;
  restricted?: number;
  comment?: string;
}

export const getClusterStatus = (api: PveApi) => api.get<ClusterStatusEntry[]>('/cluster/status');
export const getJoinInfo = (api: PveApi) => api.get<JoinInfo>('/cluster/config/join');
export const createCluster = (api: PveApi, clustername: string, links: string[]) =>
  api.post<string>('/cluster/config', { clustername, ...Object.fromEntries(links.map((a, i) => [`link${i}`, a])) });
export const joinCluster = (api: PveApi, p: { hostname: string; fingerprint: string; password: string; links: string[] }) =>
  api.post<string>('/cluster/config/join', {
    hostname: p.hostname,
    fingerprint: p.fingerprint,
    password: p.password,
    ...Object.fromEntries(p.links.map((a, i) => [`link${i}`, a])),
  });
export const listClusterResources = (api: PveApi, type?: 'vm' | 'node' | 'storage') =>
  api.get<ClusterResource[]>('/cluster/resources', type ? { type } : undefined);
export const listHaResources = (api: PveApi) => api.get<HaResourceEntry[]>('/cluster/ha/resources');
export const createHaResource = (api: PveApi, p: { sid: string; state: string; group?: string; comment?: string }) => api.post('/cluster/ha/resources', p);
export const updateHaResource = (api: PveApi, sid: string, p: { state?: string; group?: string; comment?: string }) => api.put(`/cluster/ha/resources/${encodeURIComponent(sid)}`, p);
export const listHaRules = (api: PveApi) => api.get<HaRuleEntry[]>('/cluster/ha/rules');
export const createHaRule = (api: PveApi, p: { rule: string; type: string; resources: string; nodes: string; strict: boolean; comment?: string }) => api.post('/cluster/ha/rules', p);
export const updateHaRule = (api: PveApi, rule: string, p: { type: string; resources: string; nodes: string; strict: boolean }) => api.put(`/cluster/ha/rules/${encodeURIComponent(rule)}`, p);
export const listHaGroups = (api: PveApi) => api.get<HaGroupEntry[]>('/cluster/ha/groups');
export const createHaGroup = (api: PveApi, p: { group: string; nodes: string; restricted: boolean; comment?: string }) => api.post('/cluster/ha/groups', p);
export const updateHaGroup = (api: PveApi, group: string, p: { nodes: string; restricted: boolean }) => api.put(`/cluster/ha/groups/${encodeURIComponent(group)}`, p);
export const migrateVm = (api: PveApi, vmid: number, target: string, online: boolean) =>
  api.post<string>(`/nodes/${api.node}/qemu/${vmid}/migrate`, { target, online, 'with-local-disks': true });

/** A job of `/etc/pve/replication.cfg` (pve-guest-common `PVE/ReplicationConfig.pm`, type `local`). */
export interface ReplicationJobEntry {
  id: string;
  type: string;
  guest: number;
  jobnum: number;
  target: string;
  schedule?: string;
  rate?: number;
  comment?: string;
  disable?: number;
  source?: string;
  remove_job?: string;
}

/** A job's state on the guest's node (pve-manager `PVE/API2/Replication.pm` `$extract_job_status`). */
export interface ReplicationStatusEntry extends ReplicationJobEntry {
  last_sync?: number;
  last_try?: number;
  fail_count?: number;
  error?: string;
  next_sync?: number;
  duration?: number;
}

export const listReplicationJobs = (api: PveApi) => api.get<ReplicationJobEntry[]>('/cluster/replication');
export const createReplicationJob = (api: PveApi, p: { id: string; target: string; schedule: string; rate?: number; comment?: string }) =>
  api.post('/cluster/replication', { type: 'local', ...p });
export const updateReplicationJob = (api: PveApi, id: string, p: { schedule?: string; rate?: number; delete?: string }) => api.put(`/cluster/replication/${id}`, p);
/** Marks the job for removal; its next run on the guest's node removes the target's copies and the job (`remove_job=full`). */
export const deleteReplicationJob = (api: PveApi, id: string) => api.delete(`/cluster/replication/${id}`);
export const replicationStatus = (api: PveApi, node: string, guest?: number) =>
  api.get<ReplicationStatusEntry[]>(`/nodes/${node}/replication`, guest === undefined ? undefined : { guest });
export const replicationJobStatus = (api: PveApi, node: string, id: string) => api.get<ReplicationStatusEntry>(`/nodes/${node}/replication/${id}/status`);
export const scheduleReplicationNow = (api: PveApi, node: string, id: string) => api.post(`/nodes/${node}/replication/${id}/schedule_now`);
