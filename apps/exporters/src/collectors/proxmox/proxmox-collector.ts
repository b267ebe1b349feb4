/**
 * The Proxmox collector: node, guest (VM and container) and storage metrics through any PveApi
 * (the real client with a PVEAuditor token, or mock mode's synthetic host). Read-only: GET only.
 *   GET /cluster/resources           guests and nodes with cpu/mem/disk/net counters
 *   GET /nodes/{node}/status         node CPU count, memory, root filesystem, load, uptime
 *   GET /nodes/{node}/storage        per-storage usage
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
];

interface ClusterResource {
  id: string;
  type: string;
  node?: string;
  vmid?: number;
  name?: string;
  status?: string;
  template?: number;
  cpu?: number;
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

export async function collectProxmox(api: PveApi): Promise<SampleBatch> {
  const batch = new SampleBatch();
  const resources = await api.get<ClusterResource[]>('/cluster/resources');
  const nodes = resources.filter((r) => r.type === 'node' && r.node);
  const nodeNames = nodes.length ? nodes.map((n) => n.node as string) : [api.node];
  for (const n of nodes) batch.add('genesis_pve_node_up', { node: n.node as string }, n.status === 'online');

  await Promise.all(
    nodeNames.map(async (node) => {
      const online = nodes.length === 0 || nodes.some((n) => n.node === node && n.status === 'online');
      if (!online) return;
      const [status, storages] = await Promise.all([
        api.get<NodeStatus>(`/nodes/${encodeURIComponent(node)}/status`),
        api.get<StorageStatus[]>(`/nodes/${encodeURIComponent(node)}/storage`),
      ]);
      const l: Labels = { node };
      if (nodes.length === 0) batch.add('genesis_pve_node_up', l, 1);
      batch.add('genesis_pve_node_cpu_usage_ratio', l, num(status.cpu));
      batch.add('genesis_pve_node_cpus', l, num(status.cpuinfo?.cpus));
      batch.add('genesis_pve_node_memory_used_bytes', l, num(status.memory?.used));
      batch.add('genesis_pve_node_memory_total_bytes', l, num(status.memory?.total));
      batch.add('genesis_pve_node_rootfs_used_bytes', l, num(status.rootfs?.used));
      batch.add('genesis_pve_node_rootfs_total_bytes', l, num(status.rootfs?.total));
      batch.add('genesis_pve_node_load1', l, num(status.loadavg?.[0]));
      batch.add('genesis_pve_node_uptime_seconds', l, num(status.uptime));
      for (const s of storages) {
        const sl: Labels = { node, storage: s.storage };
        batch.add('genesis_pve_storage_info', { ...sl, type: s.type ?? '', content: s.content ?? '', shared: String(s.shared ?? 0) }, 1);
        batch.add('genesis_pve_storage_active', sl, num(s.active) ?? (s.enabled === 0 ? 0 : undefined));
        batch.add('genesis_pve_storage_used_bytes', sl, num(s.used));
        batch.add('genesis_pve_storage_total_bytes', sl, num(s.total));
        batch.add('genesis_pve_storage_available_bytes', sl, num(s.avail));
      }
    }),
  );

  for (const g of resources.filter((r) => r.type === 'qemu' || r.type === 'lxc')) {
    if (g.vmid === undefined || !g.node) continue;
    const l: Labels = { node: g.node, vmid: String(g.vmid), type: g.type };
    const template = g.template === 1;
    batch.add('genesis_pve_guest_info', { ...l, name: g.name ?? '', template: template ? '1' : '0', tags: g.tags ?? '' }, 1);
    // A template never runs; reporting it as down would page someone for nothing.
    if (template) continue;
    batch.add('genesis_pve_guest_up', l, g.status === 'running');
    batch.add('genesis_pve_guest_cpu_usage_ratio', l, num(g.cpu));
    batch.add('genesis_pve_guest_cpus', l, num(g.maxcpu));
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
  return batch;
}

export function createProxmoxCollector(options: { api: PveApi; families: FamilySet }) {
  for (const [name, help, type] of PVE_FAMILIES) options.families.define(name, help, type);
  return async (_signal: AbortSignal): Promise<void> => {
    options.families.replaceAll(await collectProxmox(options.api));
  };
}
