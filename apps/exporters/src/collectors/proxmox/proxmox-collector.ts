/**
 * The Proxmox collector: node, guest (VM and container) and storage metrics through any PveApi
 * (the real client with a PVEAuditor token, or mock mode's synthetic host). Read-only: GET only.
 *   GET /nodes                       the nodes and whether they are online
 *   GET /nodes/{node}/status         node CPU usage and count, memory, root filesystem, load, uptime
 *   GET /nodes/{node}/storage        per-storage usage
 *   GET /nodes/{node}/qemu|lxc       guests with their cpu/mem/disk/net counters
 *   GET /nodes/{node}/{type}/{vmid}/config   onboot (per guest, as prometheus-pve-exporter does)
 *   GET /version                     pve_version_info's release, repoid, version
 *   GET /cluster/resources?type=vm   HA state (hastate) and config lock
 *   GET /cluster/backup-info/not-backed-up   guests no backup job covers
 * Per-node calls rather than /cluster/resources for the numbers: the same fields, and each one is a
 * path the PVEAuditor role can read on a standalone host or a cluster. Every series also carries
 * prometheus-pve-exporter's `id` (`node/pve`, `qemu/100`, `lxc/101`, `storage/pve/local`), so its
 * dashboards and the compat-prometheus-pve-exporter recording rules line up.
 */
import type { PveApi } from '@genesis/proxmox';
import { type FamilySet, type Labels, type MetricType, SampleBatch } from '../../lib/snapshot-family';

export const PVE_FAMILIES: Array<[name: string, help: string, type?: MetricType]> = [
  ['genesis_pve_node_up', 'Whether the node is online (1).'],
  ['genesis_pve_node_cpu_usage_ratio', 'Node CPU usage (0..1).'],
  ['genesis_pve_node_cpus', 'Logical CPUs of the node.'],
  ['genesis_pve_node_memory_used_bytes', 'Node memory used.'],
  ['genesis_pve_node_memory_total_bytes', 'Node memory total.'],
  ['genesis_pve_node_rootfs_used_bytes', 'Node root filesystem used.'],
  ['genesis_pve_node_rootfs_total_bytes', 'Node root filesystem size.'],
  ['genesis_pve_node_load1', 'Node load average over 1 minute.'],
  ['genesis_pve_node_uptime_seconds', 'Node uptime.'],
  ['genesis_pve_guest_info', 'Static facts about each guest (value is always 1).'],
  ['genesis_pve_guest_up', 'Whether the guest is running (1).'],
  ['genesis_pve_guest_cpu_usage_ratio', 'Guest CPU usage as a fraction of its vCPUs (0..1).'],
  ['genesis_pve_guest_cpus', 'vCPUs of the guest.'],
  ['genesis_pve_guest_memory_used_bytes', 'Guest memory used.'],
  ['genesis_pve_guest_memory_max_bytes', 'Guest memory configured.'],
  ['genesis_pve_guest_disk_used_bytes', 'Guest disk used (containers; 0 for VMs without the guest agent).'],
  ['genesis_pve_guest_disk_max_bytes', 'Guest disk size.'],
  ['genesis_pve_guest_disk_read_bytes_total', 'Bytes read from the guest disks.', 'counter'],
  ['genesis_pve_guest_disk_written_bytes_total', 'Bytes written to the guest disks.', 'counter'],
  ['genesis_pve_guest_network_receive_bytes_total', 'Bytes received by the guest.', 'counter'],
  ['genesis_pve_guest_network_transmit_bytes_total', 'Bytes sent by the guest.', 'counter'],
  ['genesis_pve_guest_uptime_seconds', 'Guest uptime.'],
  ['genesis_pve_storage_info', 'Static facts about each storage (value is always 1).'],
  ['genesis_pve_storage_active', 'Whether the storage is active (1).'],
  ['genesis_pve_storage_used_bytes', 'Storage used.'],
  ['genesis_pve_storage_total_bytes', 'Storage size.'],
  ['genesis_pve_storage_available_bytes', 'Storage available.'],
  ['genesis_pve_version_info', 'Proxmox VE version (labels release, repoid, version; value 1).'],
  ['genesis_pve_guest_onboot', 'Whether the guest starts when the host boots (1).'],
  ['genesis_pve_guest_lock_state', 'The guest config lock, one series per lock state (1 = held).'],
  ['genesis_pve_guest_ha_state', 'HA state of the guest, one series per state (1 = current); HA-managed guests only.'],
  ['genesis_pve_guest_not_backed_up', 'Present (1) for a guest no backup job covers.'],
];

/** prometheus-pve-exporter's state lists (collector/cluster.py LockStateMetric, HighAvailabilityStateMetric). */
export const LOCK_STATES = ['backup', 'clone', 'create', 'migrate', 'rollback', 'snapshot', 'snapshot-delete', 'suspended', 'suspending'];
export const HA_STATES = ['stopped', 'request_stop', 'request_start', 'request_start_balance', 'started', 'fence', 'recovery', 'migrate', 'relocate', 'freeze', 'error'];

interface ClusterResource {
  id?: string;
  type?: string;
  vmid?: number;
  hastate?: string;
  lock?: string;
}

/** Extra facts per guest, read from cluster-wide endpoints (absent where the API lacks them). */
interface ClusterFacts {
  byId: Map<string, ClusterResource>;
  notBackedUp: Set<string>;
}

interface NodeListEntry {
  node: string;
  status?: string;
}

interface GuestListEntry {
  vmid: number | string;
  name?: string;
  status?: string;
  template?: number | string;
  cpu?: number;
  cpus?: number;
  maxcpu?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
  netin?: number;
  netout?: number;
  diskread?: number;
  diskwrite?: number;
  uptime?: number;
  tags?: string;
  lock?: string;
}

interface NodeStatus {
  cpu?: number;
  cpuinfo?: { cpus?: number };
  memory?: { used?: number; total?: number };
  rootfs?: { used?: number; total?: number };
  loadavg?: Array<string | number>;
  uptime?: number;
}

interface StorageStatus {
  storage: string;
  type?: string;
  content?: string;
  shared?: number;
  active?: number;
  enabled?: number;
  used?: number;
  total?: number;
  avail?: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

function isNotImplemented(error: unknown): boolean {
  return (error as { status?: number }).status === 501;
}

/** A read the host may not offer (an older PVE, the simulator): 501 or 404 means "no data". */
async function optional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 501 || status === 404) return undefined;
    throw error;
  }
}

async function guests(api: PveApi, node: string, type: 'qemu' | 'lxc'): Promise<GuestListEntry[]> {
  try {
    return await api.get<GuestListEntry[]>(`/nodes/${encodeURIComponent(node)}/${type}`);
  } catch (error) {
    // Real PVE always lists containers; an API server without them (501, e.g. the simulator) has none.
    if (type === 'lxc' && isNotImplemented(error)) return [];
    throw error;
  }
}

function addGuest(batch: SampleBatch, node: string, type: 'qemu' | 'lxc', g: GuestListEntry, facts: ClusterFacts, onboot: number | undefined): void {
  const id = `${type}/${g.vmid}`;
  const l: Labels = { id, node, vmid: String(g.vmid), type };
  const template = num(g.template) === 1;
  batch.add('genesis_pve_guest_info', { ...l, name: g.name ?? '', template: template ? '1' : '0', tags: g.tags ?? '' }, 1);
  const cluster = facts.byId.get(id);
  const lock = g.lock ?? cluster?.lock;
  for (const state of LOCK_STATES) batch.add('genesis_pve_guest_lock_state', { ...l, state }, lock === state);
  if (cluster?.hastate) for (const state of HA_STATES) batch.add('genesis_pve_guest_ha_state', { ...l, state }, cluster.hastate === state);
  if (facts.notBackedUp.has(id)) batch.add('genesis_pve_guest_not_backed_up', l, 1);
  // A template never runs; reporting it as down would page someone for nothing.
  if (template) return;
  batch.add('genesis_pve_guest_onboot', l, onboot ?? 0);
  batch.add('genesis_pve_guest_up', l, g.status === 'running');
  batch.add('genesis_pve_guest_cpu_usage_ratio', l, num(g.cpu));
  batch.add('genesis_pve_guest_cpus', l, num(g.cpus) ?? num(g.maxcpu));
  batch.add('genesis_pve_guest_memory_used_bytes', l, num(g.mem));
  batch.add('genesis_pve_guest_memory_max_bytes', l, num(g.maxmem));
  batch.add('genesis_pve_guest_disk_used_bytes', l, num(g.disk));
  batch.add('genesis_pve_guest_disk_max_bytes', l, num(g.maxdisk));
  batch.add('genesis_pve_guest_disk_read_bytes_total', l, num(g.diskread));
  batch.add('genesis_pve_guest_disk_written_bytes_total', l, num(g.diskwrite));
  batch.add('genesis_pve_guest_network_receive_bytes_total', l, num(g.netin));
  batch.add('genesis_pve_guest_network_transmit_bytes_total', l, num(g.netout));
  batch.add('genesis_pve_guest_uptime_seconds', l, num(g.uptime));
}

async function onbootOf(api: PveApi, node: string, type: 'qemu' | 'lxc', g: GuestListEntry): Promise<number | undefined> {
  if (num(g.template) === 1) return undefined;
  const config = await optional(() => api.get<{ onboot?: number | string }>(`/nodes/${encodeURIComponent(node)}/${type}/${g.vmid}/config`));
  return config ? (num(config.onboot) ?? 0) : undefined;
}

export async function collectProxmox(api: PveApi): Promise<SampleBatch> {
  const batch = new SampleBatch();
  const [nodes, version, resources, notBackedUp] = await Promise.all([
    api.get<NodeListEntry[]>('/nodes'),
    optional(() => api.get<{ release?: string; repoid?: string; version?: string }>('/version')),
    optional(() => api.get<ClusterResource[]>('/cluster/resources', { type: 'vm' })),
    optional(() => api.get<Array<{ type?: string; vmid?: number }>>('/cluster/backup-info/not-backed-up')),
  ]);
  const facts: ClusterFacts = {
    byId: new Map((resources ?? []).filter((r) => r.id).map((r) => [r.id as string, r])),
    notBackedUp: new Set((notBackedUp ?? []).map((e) => `${e.type}/${e.vmid}`)),
  };
  if (version) batch.add('genesis_pve_version_info', { release: version.release ?? '', repoid: version.repoid ?? '', version: version.version ?? '' }, 1);
  for (const n of nodes) batch.add('genesis_pve_node_up', { id: `node/${n.node}`, node: n.node }, n.status === 'online');
  await Promise.all(
    nodes
      .filter((n) => n.status === 'online')
      .map(async ({ node }) => {
        const path = `/nodes/${encodeURIComponent(node)}`;
        const [status, storages, vms, containers] = await Promise.all([
          api.get<NodeStatus>(`${path}/status`),
          api.get<StorageStatus[]>(`${path}/storage`),
          guests(api, node, 'qemu'),
          guests(api, node, 'lxc'),
        ]);
        const l: Labels = { id: `node/${node}`, node };
        batch.add('genesis_pve_node_cpu_usage_ratio', l, num(status.cpu));
        batch.add('genesis_pve_node_cpus', l, num(status.cpuinfo?.cpus));
        batch.add('genesis_pve_node_memory_used_bytes', l, num(status.memory?.used));
        batch.add('genesis_pve_node_memory_total_bytes', l, num(status.memory?.total));
        batch.add('genesis_pve_node_rootfs_used_bytes', l, num(status.rootfs?.used));
        batch.add('genesis_pve_node_rootfs_total_bytes', l, num(status.rootfs?.total));
        batch.add('genesis_pve_node_load1', l, num(status.loadavg?.[0]));
        batch.add('genesis_pve_node_uptime_seconds', l, num(status.uptime));
        for (const s of storages) {
          const sl: Labels = { id: `storage/${node}/${s.storage}`, node, storage: s.storage };
          batch.add('genesis_pve_storage_info', { ...sl, type: s.type ?? '', content: s.content ?? '', shared: String(s.shared ?? 0) }, 1);
          batch.add('genesis_pve_storage_active', sl, num(s.active) ?? (num(s.enabled) === 0 ? 0 : undefined));
          batch.add('genesis_pve_storage_used_bytes', sl, num(s.used));
          batch.add('genesis_pve_storage_total_bytes', sl, num(s.total));
          batch.add('genesis_pve_storage_available_bytes', sl, num(s.avail));
        }
        const all = [...vms.map((g) => ['qemu', g] as const), ...containers.map((g) => ['lxc', g] as const)].sort((a, b) => Number(a[1].vmid) - Number(b[1].vmid));
        const onboot = await Promise.all(all.map(([type, g]) => onbootOf(api, node, type, g)));
        all.forEach(([type, g], i) => addGuest(batch, node, type, g, facts, onboot[i]));
      }),
  );
  return batch;
}

export function createProxmoxCollector(options: { api: PveApi; families: FamilySet }) {
  for (const [name, help, type] of PVE_FAMILIES) options.families.define(name, help, type);
  return async (_signal: AbortSignal): Promise<void> => {
    options.families.replaceAll(await collectProxmox(options.api));
  };
}
