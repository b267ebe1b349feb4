/**
 * What a cluster adds to a node's `/etc/pve`: `corosync.conf` (name, members, links) and the HA
 * manager's `ha/resources.cfg`, `ha/rules.cfg` (PVE 9.x) and `ha/groups.cfg` (8.4). pmxcfs
 * replicates `/etc/pve` to every member of the quorate partition; so does the simulator (`SimCluster`).
 */
import type { SimHost } from '../model/host';
import type { ReplicationJob } from './replication';

export interface CorosyncNode {
  nodeid: number;
  quorum_votes: number;
  /** link0's address (`ring0_addr` in corosync.conf). */
  ring0_addr: string;
  /** link1 … link7 when the cluster has them (`ringN_addr`, PVE::Corosync `MAX_LINK_INDEX` 7). */
  [ring: `ring${number}_addr`]: string | undefined;
}

/** `link0` … `link7` of a create or join (PVE::Corosync `extract_corosync_link_args`): link number → address. */
export function linkArgs(params: Record<string, unknown>): Map<number, string> {
  const out = new Map<number, string>();
  for (let n = 0; n <= 7; n++) {
    const raw = params[`link${n}`];
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (typeof value === 'string' && value) out.set(n, linkAddress(value));
  }
  return out;
}

/** The `ringN_addr` keys of a corosync node entry, by link number. */
export function ringAddresses(node: CorosyncNode): Map<number, string> {
  const out = new Map<number, string>();
  for (let n = 0; n <= 7; n++) {
    const a = node[`ring${n}_addr`];
    if (a) out.set(n, a);
  }
  return out;
}

export interface HaResource {
  sid: string;
  type: 'vm';
  state: 'started' | 'stopped' | 'disabled' | 'ignored';
  comment?: string;
  max_restart: number;
  max_relocate: number;
  /** 8.4: the HA group (9.x moved placement into rules). */
  group?: string;
  failback?: number;
  /** The manager's service state when it differs from the request (`error` after a failed recovery; Manager.pm). */
  status?: 'error';
}

export interface HaRule {
  rule: string;
  type: 'node-affinity' | 'resource-affinity';
  resources: string;
  /** `pve1:2,pve2` (node-affinity). */
  nodes?: string;
  strict?: number;
  affinity?: string;
  comment?: string;
  disable?: number;
}

export interface HaGroup {
  group: string;
  nodes: string;
  restricted?: number;
  nofailback?: number;
  comment?: string;
}

export interface ClusterFs {
  name: string;
  configVersion: number;
  nodes: Record<string, CorosyncNode>;
  ha: { resources: Record<string, HaResource>; rules: Record<string, HaRule>; groups: Record<string, HaGroup> };
  /** `/etc/pve/replication.cfg` (absent in states written before it was modelled). */
  replication?: Record<string, ReplicationJob>;
}

/** `pve1:2,pve2` → [{node: pve1, priority: 2}, {node: pve2, priority: 0}], highest priority first. */
export function parseHaNodes(list: string): Array<{ node: string; priority: number }> {
  return list
    .split(/[,;\s]+/)
    .filter(Boolean)
    .map((entry) => {
      const [node, priority] = entry.split(':');
      return { node, priority: priority === undefined ? 0 : Number(priority) };
    })
    .sort((a, b) => b.priority - a.priority);
}

/** `[address=]IP[,priority=N]` (PVE::Corosync's link format) → the address. */
export function linkAddress(value: string): string {
  const first = value.split(',').find((part) => !part.includes('=') || part.startsWith('address=')) ?? '';
  return first.replace(/^address=/, '');
}

/** The part of `/etc/pve` every member shares. */
export function copyClusterFs(from: SimHost, to: SimHost): void {
  to.state.cluster = structuredClone(from.state.cluster);
  to.state.firewall.cluster = structuredClone(from.state.firewall.cluster);
  // /etc/pve/firewall/<vmid>.fw is cluster-wide too: a guest keeps its firewall wherever it runs.
  to.state.firewall.vms = structuredClone(from.state.firewall.vms);
  to.state.pciMappings = structuredClone(from.state.pciMappings);
  // /etc/pve/storage.cfg: one definition for all nodes; `nodes=` restricts one to some of them
  // (pve-storage `PVE/Storage.pm` `storage_check_node`). The pools and volumes stay on their node.
  to.state.storage = structuredClone(from.state.storage);
}
