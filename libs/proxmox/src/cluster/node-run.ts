/**
 * One node of the cluster, as the single-node engine sees it: the node's projection of the file
 * (its storage, bridges, templates and the VMs placed on it), every kind but the cluster-wide
 * firewall and PCI mappings (applied once, by the cluster step), then the replication jobs of its
 * VMs (each from this node, where the VM runs), then their HA entries.
 * The host-file steps (gpu-host, host-network) go through the node's own host channel.
 */
import type { ProgressFn } from '../api/tasks';
import { getVersion } from '../api/version';
import { apply } from '../engine/apply';
import { resolveManagementAddress } from '../engine/network';
import { formatPlan, pendingChanges, plan, planProblems, type Plan } from '../engine/plan';
import { ReadMemo } from '../engine/read-memo';
import type { HostContext, ResourceKind } from '../resources/types';
import { projectNode } from '../state/cluster';
import type { DesiredState } from '../state/load';
import { planHa, type HaChange } from './ha';
import { applyOneAtATime, fileWrites, formatFileChange } from './one-at-a-time';
import { planReplication, type ReplicationChange } from './replication';
import type { NodeConnection } from './connections';

/**
 * The PCI mappings are cluster-wide (one entry per node), made by the cluster step like the firewall.
 * The host-file steps run through the node's own channel: gpu-host only where the node declares
 * GPUs (its projection has them), host-network (NAT, forwarding) on every node with a channel.
 */
export const NODE_KINDS: readonly ResourceKind[] = [
  'storage',
  'gpu-host',
  'bridge',
  'host-network',
  'template',
  'vm',
];

/** What the CLI's flags ask of a cluster run: the host steps' consent (per node), and --prune. */
export interface ClusterRunOptions {
  /** `--reboot`: a node whose gpu-host step needs a reboot reboots (through its own channel), waits, and is verified. */
  reboot?: boolean;
  /** `--confirm-console`: a node's GPU may be its only console. */
  confirmConsole?: boolean;
  /** `--prune`: each node prunes its own kinds; storage.cfg, PCI mappings and the firewall are pruned once, cluster-wide. */
  prune?: boolean;
  pruneNames?: string[];
  /** `--allow-management-change`: a node's bridges step may change the bridge its API is reached through (guarded, rolled back as on one node). */
  allowManagementChange?: boolean;
  /** How long a node's API may take to answer after its network reload before the bridges are rolled back (default 60 s). */
  confirmTimeoutMs?: number;
  /** How long provision waits for a new replication job's first sync (`--replication-sync-timeout`; default 10 minutes). */
  replicationSyncTimeoutMs?: number;
}

const hostContext = (
  conn: NodeConnection,
  options: ClusterRunOptions,
  progress?: ProgressFn,
): HostContext | undefined =>
  conn.host
    ? { host: conn.host, progress, reboot: !!options.reboot, confirmConsole: !!options.confirmConsole }
    : undefined;

export interface NodePlan {
  node: string;
  plan: Plan;
  ha: HaChange[];
  replication: ReplicationChange[];
  state: DesiredState;
}

export function nodeState(
  state: DesiredState,
  node: string,
  placement: ReadonlyMap<number, string>,
): DesiredState {
  return { ...projectNode(state, node, placement).spec, source: state.source };
}

export async function planNode(
  conn: NodeConnection,
  state: DesiredState,
  placement: ReadonlyMap<number, string>,
  options: ClusterRunOptions = {},
): Promise<NodePlan> {
  const projected = nodeState(state, conn.node, placement);
  const reads = new ReadMemo(conn.api);
  // The HA reads go out with the plan's first round (the release, read once, picks rules or groups).
  const [p, ha, replication] = await Promise.all([
    plan(conn.api, projected, {
      kinds: NODE_KINDS,
      reads,
      host: hostContext(conn, options),
      prune: !!options.prune,
      pruneNames: options.pruneNames,
    }),
    getVersion(reads).then((version) => planHa(reads, projected, projected.vms, version.release)),
    planReplication(reads, projected, projected.vms, conn.node),
  ]);
  return { node: conn.node, plan: p, ha, replication, state: projected };
}

export function formatNodePlan(np: NodePlan): string {
  const lines = [formatPlan(np.plan, np.state.source.file)];
  for (const c of [...np.replication, ...np.ha]) lines.push(formatFileChange(c));
  return lines.join('\n');
}

export const nodeWrites = (np: NodePlan) =>
  pendingChanges(np.plan).length + fileWrites(np.replication) + fileWrites(np.ha);
export const nodeProblems = (np: NodePlan) => planProblems(np.plan).map((p) => `${np.node}: ${p}`);

export async function applyNode(
  conn: NodeConnection,
  state: DesiredState,
  placement: ReadonlyMap<number, string>,
  progress: ProgressFn = () => undefined,
  options: ClusterRunOptions = {},
): Promise<number> {
  const projected = nodeState(state, conn.node, placement);
  const say: ProgressFn = (line) => progress(`[${conn.node}] ${line}`);
  const result = await apply(conn.api, projected, {
    kinds: NODE_KINDS,
    progress: say,
    host: hostContext(conn, options, say),
    prune: !!options.prune,
    pruneNames: options.pruneNames,
    // The single-node guard: the bridge carrying this node's API address is changed only when allowed, then confirmed or rolled back.
    allowManagementChange: !!options.allowManagementChange,
    managementAddress: await resolveManagementAddress(conn.address),
    confirmTimeoutMs: options.confirmTimeoutMs,
  });
  // After the VMs: a job needs its guest (PVE/API2/ReplicationConfig.pm create: `Guest '110' does not exist.`).
  const replication = await planReplication(conn.api, projected, projected.vms, conn.node, {
    firstSyncTimeoutMs: options.replicationSyncTimeoutMs,
  });
  for (const c of replication.filter((x) => x.apply)) say(`${c.id}: ${c.action} (${c.detail})`);
  const replicated = await applyOneAtATime(conn.api, replication);
  const version = await getVersion(conn.api);
  const ha = await planHa(conn.api, projected, projected.vms, version.release);
  for (const c of ha.filter((x) => x.action !== 'unchanged')) say(`${c.id}: ${c.action} (${c.detail})`);
  return result.applied.length + replicated + (await applyOneAtATime(conn.api, ha)); // groups and rules before the resources that name them (plan order)
}
