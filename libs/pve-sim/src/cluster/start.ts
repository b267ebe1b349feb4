/**
 * `startSimCluster`: N simulated Proxmox VE nodes, each its own HTTPS server on 127.0.0.1 (one
 * port each) with its own certificate, joined by one SimCluster network: shared API tokens (one
 * `/etc/pve/priv/token.cfg` once they are a cluster), a root password per node (what a join
 * authenticates with), and the handles tests use to power a node off or cut its corosync link.
 */
import { randomUUID } from 'node:crypto';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../server/simulator';
import { DEFAULT_PCI, type PciDevice } from '../model/state';
import { SimCluster } from './sim-cluster';

export interface SimClusterOptions extends Omit<SimulatorOptions, 'node' | 'port' | 'stateFile' | 'cluster' | 'management' | 'pciDevices'> {
  /** Node names (default pve1, pve2, pve3) or a count (pve1 … pveN). */
  nodes?: string[] | number;
  /** root@pam's password on every node (default: random); a join sends it, nothing else should. */
  rootPassword?: string;
  /** Node i listens on basePort + i (default 0: each a free port). */
  basePort?: number;
  /** PCI devices of each node (default: the first node has the RTX 3090, the others only the chipset). */
  pciDevices?: (node: string, index: number) => PciDevice[];
}

export interface RunningSimCluster {
  cluster: SimCluster;
  nodes: RunningSimulator[];
  rootPassword: string;
  node(name: string): RunningSimulator;
  /** Powers a node off: its API stops answering, the others see it offline, HA recovers its services. */
  powerOff(name: string): void;
  powerOn(name: string): void;
  /** Cuts a node's corosync link (its API keeps answering, it sees only itself). */
  cutLink(name: string): void;
  restoreLink(name: string): void;
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

const NVIDIA = '0x10de';

export async function startSimCluster(options: SimClusterOptions = {}): Promise<RunningSimCluster> {
  const names = typeof options.nodes === 'number' ? Array.from({ length: options.nodes }, (_, i) => `pve${i + 1}`) : (options.nodes ?? ['pve1', 'pve2', 'pve3']);
  if (names.length > 200) throw new Error(`startSimCluster: ${names.length} nodes is more than the 200 addresses it hands out`);
  const rootPassword = options.rootPassword ?? randomUUID();
  const tokenSecrets = options.tokenSecrets ?? { root: randomUUID(), provisioner: randomUUID(), auditor: randomUUID() };
  const cluster = new SimCluster();
  const attach = cluster.attach(rootPassword);
  const { nodes: _nodes, pciDevices, basePort, ...simOptions } = options;
  const nodes: RunningSimulator[] = [];
  try {
    for (const [i, node] of names.entries()) {
      const sim = await startSimulator({
        ...simOptions,
        node,
        port: basePort ? basePort + i : 0,
        tokenSecrets,
        management: { cidr: `192.168.1.${11 + i}/24` },
        pciDevices: pciDevices?.(node, i) ?? (i === 0 ? DEFAULT_PCI : DEFAULT_PCI.filter((d) => d.vendor !== NVIDIA)),
        cluster: attach,
      });
      cluster.setFingerprint(node, sim.fingerprint);
      nodes.push(sim);
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw error;
  }
  const byName = (name: string) => {
    const sim = nodes.find((n) => n.node === name);
    if (!sim) throw new Error(`no simulated node '${name}' (nodes: ${names.join(', ')})`);
    return sim;
  };
  return {
    cluster,
    nodes,
    rootPassword,
    node: byName,
    powerOff: (name) => cluster.setPowered(byName(name).node, false),
    powerOn: (name) => cluster.setPowered(byName(name).node, true),
    cutLink: (name) => cluster.setLink(byName(name).node, false),
    restoreLink: (name) => cluster.setLink(byName(name).node, true),
    setLatency: (ms) => nodes.forEach((n) => n.setLatency(ms)),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
