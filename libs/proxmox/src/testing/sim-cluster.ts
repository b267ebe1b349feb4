/**
 * Test helper: a simulated cluster of N PVE nodes over HTTPS (`startSimCluster`), a cluster
 * genesis.yaml naming their endpoints, and one connection per node (real client, pinned
 * certificates, one PVE_TRACE file) with fast task polls.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostChannel } from '@genesis/host-channel';
import { DEFAULT_PCI, prepareHostRoot, SimulatedHostChannel, simulatedHostCommands, startSimCluster, type PciDevice, type PveVersion, type RunningSimCluster } from '@genesis/pve-sim';
import { connectionsFrom, type ClusterConnections } from '../cluster/connections';
import { READ_CONNECTIONS } from '../cli/connect';
import { loadDesiredState, type DesiredState } from '../state/load';
import { schemaFileFor } from './simulated-host';

export interface SimulatedCluster {
  sims: RunningSimCluster;
  dir: string;
  file: string;
  trace: string;
  /** What GENESIS_CLUSTER_PASSWORD holds: root@pam's password of the simulated nodes. */
  env: NodeJS.ProcessEnv;
  load(): DesiredState;
  /** The directory that is node's host (with hostChannels). */
  hostRoot(node: string): string;
  connect(): ClusterConnections;
  close(): Promise<void>;
}

export interface ClusterYamlOptions {
  /** How many nodes (the first ones) declare the RTX 3090 as mapping rtx3090; default 1. */
  gpuNodes?: number;
  /** Corosync links: 1 (the LAN) or 2 (the LAN and a dedicated 10.10.10.0/24 ring); default 1. */
  links?: 1 | 2;
}

/**
 * The Hive on three nodes: pve1 has the GPU, Brain (VM 100) and a fast local ZFS pool of its own
 * (storage.cfg `nodes=pve1`), pve2 runs Banker (HA), pve3 is the small third vote; `tank` and
 * `local` are on every node (one storage.cfg entry each, no restriction).
 */
export function clusterYaml(nodes: Array<{ name: string; port: number; address: string }>, options: ClusterYamlOptions = {}): string {
  const gpuNodes = nodes.slice(0, options.gpuNodes ?? 1).map((n) => n.name);
  const ring1 = (n: (typeof nodes)[number]) => `10.10.10.${n.address.split('.')[3]}`;
  const node = (n: (typeof nodes)[number]) => `  - name: ${n.name}
    endpoint: { host: 127.0.0.1, port: ${n.port} }
    links: [${n.address}${options.links === 2 ? `, ${ring1(n)}` : ''}]
    storage:
      - { id: tank, type: zfspool, pool: tank, devices: [/dev/sdb], content: [images, rootdir] }
      - { id: local, type: dir, path: /var/lib/vz, content: [iso, vztmpl, backup, import, snippets] }
${n.name === nodes[0].name ? '      - { id: fast, type: zfspool, pool: fast, devices: [/dev/sdc], content: [images] }\n' : ''}    bridges:
      - { name: vmbr0, ports: [enp3s0], cidr: ${n.address}/24, gateway: 192.168.1.1 }
      - { name: vmbr1, comment: Intranet, cidr: 10.0.1.1/24 }
${gpuNodes.includes(n.name) ? '    gpus:\n      - { mapping: rtx3090, description: RTX 3090 and its audio, ids: [10de:2204, 10de:1aef] }\n' : ''}`;
  const second = nodes[1]?.name ?? nodes[0].name;
  const ha = nodes.slice(1, 3).map((n) => n.name);
  // Banker's disks are on tank, each node's own pool: HA can start it on the next node only from a replica.
  const copies = ha.filter((n) => n !== second);
  return `version: 1
cluster:
  name: hive
  links: [{ network: 192.168.1.0/24 }${options.links === 2 ? ', { network: 10.10.10.0/24 }' : ''}]
nodes:
${nodes.map(node).join('')}
firewall:
  enable: true
  rules:
    - { type: in, action: ACCEPT, proto: tcp, dport: 8006, source: '@vmbr0', comment: PVE API from the LAN }
  groups:
    - name: intranet
      rules:
        - { type: in, action: ACCEPT, source: '@vmbr1', comment: intranet peers }
templates:
  - { id: 9000, name: tpl-${nodes[0].name}, node: ${nodes[0].name}, ostype: l26, bridge: vmbr1, disk: { storage: tank, size: 8 }, cloudinit: { storage: tank } }
${second !== nodes[0].name ? `  - { id: 9001, name: tpl-${second}, node: ${second}, ostype: l26, bridge: vmbr1, disk: { storage: tank, size: 8 }, cloudinit: { storage: tank } }\n` : ''}vms:
  - { id: 100, name: brain, node: ${nodes[0].name}, template: 9000, bridge: vmbr1, address: 10.0.1.100/24, cores: 4, memory: 8192, gpu: rtx3090, firewall: { group: intranet } }
  - { id: 110, name: banker, node: ${second}, template: ${second !== nodes[0].name ? 9001 : 9000}, bridge: vmbr1, address: 10.0.1.110/24, cores: 2, memory: 2048, firewall: { group: intranet }${ha.length ? `, ha: { nodes: [${ha.join(', ')}] }` : ''}${copies.length ? `, replicate: { to: [${copies.join(', ')}] }` : ''} }
`;
}

/** pve2's RTX 3090 sits in another slot (02:00, IOMMU group 15) than pve1's (01:00, group 14): each node's entry is its own. */
export const GPU_AT_SLOT_2: PciDevice[] = DEFAULT_PCI.map((d) => (d.id.startsWith('0000:01:00.') ? { ...d, id: d.id.replace('0000:01:00', '0000:02:00'), iommugroup: 15 } : d));
const WITHOUT_GPU = DEFAULT_PCI.filter((d) => d.vendor !== '0x10de');

export interface SimulatedClusterOptions extends ClusterYamlOptions {
  nodes?: number;
  pveVersion?: PveVersion;
  latencyMs?: number;
  /** Give every node its own simulated host (`<dir>/host/<node>`: its files and commands) as its host channel. */
  hostChannels?: boolean;
}

export async function simulatedCluster(options: SimulatedClusterOptions = {}): Promise<SimulatedCluster> {
  const pveVersion = options.pveVersion ?? '9.1';
  const gpuNodes = options.gpuNodes ?? 1;
  const sims = await startSimCluster({
    nodes: options.nodes ?? 3,
    pveVersion,
    pciDevices: (_node, i) => (i === 0 ? DEFAULT_PCI : i < gpuNodes ? GPU_AT_SLOT_2 : WITHOUT_GPU),
    // Validated against the release's official schema when it is here (tests skip without it; the bench runs either way).
    ...(existsSync(schemaFileFor(pveVersion)) ? { schemaPath: schemaFileFor(pveVersion) } : {}),
    taskDurationMs: 10,
    agentStartupMs: 10,
    latencyMs: options.latencyMs,
    warn: () => undefined,
  });
  const dir = mkdtempSync(join(tmpdir(), 'genesis-cluster-'));
  const file = join(dir, 'genesis.yaml');
  const trace = join(dir, 'trace.jsonl');
  writeFileSync(file, clusterYaml(sims.nodes.map((s, i) => ({ name: s.node, port: s.port, address: `192.168.1.${11 + i}` })), options));
  const token = sims.nodes[0].tokens.provisioner;
  const env: NodeJS.ProcessEnv = {
    GENESIS_CLUSTER_PASSWORD: sims.rootPassword,
    PVE_TOKEN_ID: token.id,
    PVE_TOKEN_SECRET: token.secret,
    ...Object.fromEntries(sims.nodes.map((s) => [`PVE_FINGERPRINT_${s.node.toUpperCase()}`, s.fingerprint])),
  };
  const open: ClusterConnections[] = [];
  return {
    sims,
    dir,
    file,
    trace,
    env,
    load: () => loadDesiredState(file, {}, dir),
    hostRoot: (node) => join(dir, 'host', node),
    connect: () => {
      // Each node's host is its own directory, with that node's PCI devices and network model.
      const hosts = new Map<string, HostChannel>();
      if (options.hostChannels)
        for (const s of sims.nodes) {
          const root = join(dir, 'host', s.node);
          prepareHostRoot(root, s.state.read().pci);
          hosts.set(s.node, new SimulatedHostChannel(root, s.state, simulatedHostCommands(() => s.state.read().pci), `simulated host ${s.node}`));
        }
      const conns = connectionsFrom(
        sims.nodes.map((s) => ({ host: s.host, port: s.port, node: s.node, tokenId: token.id, tokenSecret: token.secret, fingerprint: s.fingerprint, requestTimeoutMs: 5000, traceFile: trace })),
        { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, maxSockets: READ_CONNECTIONS },
        15,
        hosts,
      );
      open.push(conns);
      return conns;
    },
    close: async () => {
      open.forEach((c) => c.close());
      await sims.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TraceLine {
  method: string;
  path: string;
  params: Record<string, string>;
  status: number;
  ms: number;
  at: number;
  to: string;
}
