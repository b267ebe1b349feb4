/**
 * The cluster's plan and provision: the cluster-wide part once (membership, then the firewall,
 * which lives in the cluster's `cluster.fw`, and the PCI mappings with one entry per node that has
 * the device), then every node side by side (its projection, then
 * the HA entries of its VMs). `nx run-many -t provision` runs the same split: the `infra` project's
 * provision is the cluster-wide part, each `node-<name>` project's provision depends on it.
 * Without quorum nothing cluster-wide is attempted: the run stops with NoQuorumError.
 */
import type { ProgressFn } from '../api/tasks';
import { apply } from '../engine/apply';
import { formatPlan, pendingChanges, plan, planProblems, type Plan } from '../engine/plan';
import type { DesiredState } from '../state/load';
import { getClusterStatus } from './api';
import type { ClusterConnections } from './connections';
import { applyMembership, formatMembership, membershipWrites, planMembership, type MembershipPlan } from './membership';
import { deleteStorage, listStorage, type StorageConfig } from '../api/storage';
import { clusterStoragePrune } from '../resources/storage';
import { applyNode, formatNodePlan, nodeProblems, nodeState, nodeWrites, planNode, type ClusterRunOptions, type NodePlan } from './node-run';
import { readPlacement } from './placement';
import { applyClusterPciMapping, declaredMappings, diffClusterPciMappings, readClusterPci } from './pci-mappings';
import { isNoQuorum, NoQuorumError, quorumOf } from './quorum';

export interface ClusterWidePlan {
  membership: MembershipPlan;
  /** The PCI mappings and the firewall (cluster.fw) as the first node reads them; absent while it is unreachable. */
  config?: Plan;
}

export interface ClusterPlan extends ClusterWidePlan {
  nodes: Array<NodePlan | { node: string; error: string }>;
}

const first = (state: DesiredState) => state.nodes![0].name;

export async function planClusterWide(conns: ClusterConnections, state: DesiredState, env: NodeJS.ProcessEnv, options: ClusterRunOptions = {}): Promise<ClusterWidePlan> {
  const membership = await planMembership(conns, state, env);
  const config = membership.unreachable.some((u) => u.node === membership.first) ? undefined : await planClusterConfig(conns, state, membership.first, options);
  return { membership, config };
}

/**
 * What is declared once for the cluster and lives in /etc/pve: the PCI mappings (each node's entry
 * read from that node), the firewall, and with --prune the storage.cfg entries and PCI mappings no
 * node declares (one file each for all nodes: pruned here, once, never by a node's step; PVE keeps
 * no mark on either, so each only when named, `--prune=NAME`, else listed as kept).
 */
export async function planClusterConfig(conns: ClusterConnections, state: DesiredState, viewer: string, options: ClusterRunOptions = {}): Promise<Plan> {
  const declared = declaredMappings(state);
  const prune = { prune: !!options.prune, pruneNames: options.pruneNames };
  const api = conns.get(viewer).api;
  const [firewall, pci, storages] = await Promise.all([
    plan(api, nodeState(state, viewer, new Map()), { kinds: ['firewall'], ...prune }),
    declared.length || options.prune ? readClusterPci(conns, viewer, declared) : undefined,
    options.prune ? listStorage(api) : ([] as StorageConfig[]),
  ]);
  const mappings = pci ? diffClusterPciMappings(declared, pci, prune) : [];
  return { ...firewall, kinds: ['pci-mapping', 'firewall', 'storage'], changes: [...mappings, ...firewall.changes, ...clusterStoragePrune(state, storages, prune)] };
}

/** Placement needs the cluster; before it exists every VM is on its declared node. */
async function placementFor(conns: ClusterConnections, state: DesiredState, node: string): Promise<Map<number, string>>;
async function placementFor(conns: ClusterConnections, state: DesiredState, node: string, orUndefined: true): Promise<Map<number, string> | undefined>;
async function placementFor(conns: ClusterConnections, state: DesiredState, node: string, orUndefined = false): Promise<Map<number, string> | undefined> {
  try {
    return await readPlacement(conns.get(node).api, state);
  } catch {
    return orUndefined ? undefined : new Map();
  }
}

export async function planNodes(conns: ClusterConnections, state: DesiredState, only?: string[], options: ClusterRunOptions = {}): Promise<ClusterPlan['nodes']> {
  const names = only ?? state.nodes!.map((n) => n.name);
  // Where the VMs run is the cluster's view, read once (from each node only if that one fails).
  const shared = placementFor(conns, state, names[0], true);
  // Every node's reads go out at once: the plans of N nodes take about as long as one.
  return Promise.all(
    names.map(async (node) => {
      try {
        return await planNode(conns.get(node), state, (await shared) ?? (await placementFor(conns, state, node)), options);
      } catch (error) {
        return { node, error: (error as Error).message };
      }
    }),
  );
}

export async function planCluster(conns: ClusterConnections, state: DesiredState, env: NodeJS.ProcessEnv, options: ClusterRunOptions = {}): Promise<ClusterPlan> {
  const [wide, nodes] = await Promise.all([planClusterWide(conns, state, env, options), planNodes(conns, state, undefined, options)]);
  return { ...wide, nodes };
}

export function formatClusterWide(p: ClusterWidePlan): string {
  return [...formatMembership(p.membership), ...(p.config ? [formatPlan(p.config, 'cluster-wide')] : [])].join('\n');
}

export function formatNodes(nodes: ClusterPlan['nodes']): string {
  return nodes.map((n) => ('error' in n ? `Node ${n.node}: unreachable (${n.error})` : formatNodePlan(n))).join('\n');
}

export function clusterPlanWrites(p: Partial<ClusterPlan>): number {
  return (
    (p.membership ? membershipWrites(p.membership) : 0) +
    (p.config ? pendingChanges(p.config).length : 0) +
    (p.nodes ?? []).reduce((sum, n) => sum + ('error' in n ? 0 : nodeWrites(n)), 0)
  );
}

export function clusterPlanProblems(p: Partial<ClusterPlan>): string[] {
  return [
    ...(p.membership?.problems ?? []),
    ...(p.config ? planProblems(p.config) : []),
    ...(p.nodes ?? []).flatMap((n) => ('error' in n ? [] : nodeProblems(n))),
  ];
}

/** Refuses cluster-wide writes up front when the cluster (as `node` sees it) has no quorum. */
export async function assertQuorum(conns: ClusterConnections, node: string): Promise<void> {
  const q = quorumOf(await getClusterStatus(conns.get(node).api));
  if (!q.quorate) throw new NoQuorumError(node, `online ${q.online.join(', ') || 'none'}, offline ${q.offline.join(', ')}`);
}

/** Membership, then the firewall, the PCI mappings and (--prune) the storage.cfg entries and PCI mappings no node declares: what every node's provision depends on. */
export async function provisionClusterWide(conns: ClusterConnections, state: DesiredState, env: NodeJS.ProcessEnv, progress: ProgressFn, options: ClusterRunOptions = {}): Promise<number> {
  const membership = await planMembership(conns, state, env);
  for (const line of formatMembership(membership)) progress(line);
  if (membership.unreachable.length) {
    throw new Error(`cannot form the cluster: ${membership.unreachable.map((u) => `${u.node} unreachable (${u.error})`).join('; ')}; nothing was changed`);
  }
  return guardQuorum(membership.first, async () => {
    await applyMembership(conns, membership, env, progress);
    await assertQuorum(conns, membership.first);
    const fw = await apply(conns.get(membership.first).api, nodeState(state, membership.first, new Map()), { kinds: ['firewall'], progress, prune: !!options.prune, pruneNames: options.pruneNames });
    const pci = await applyClusterPci(conns, state, membership.first, progress, options);
    return membershipWrites(membership) + fw.applied.length + pci + (await pruneClusterStorage(conns, state, membership.first, progress, options));
  });
}

export async function provisionNode(conns: ClusterConnections, state: DesiredState, node: string, progress: ProgressFn, options: ClusterRunOptions = {}): Promise<number> {
  return guardQuorum(node, async () => {
    await assertQuorum(conns, node);
    return applyNode(conns.get(node), state, await placementFor(conns, state, node), progress, options);
  });
}

/** Everything: the cluster-wide part, then every node side by side. Returns the number of changes. */
export async function provisionCluster(conns: ClusterConnections, state: DesiredState, env: NodeJS.ProcessEnv, progress: ProgressFn, options: ClusterRunOptions = {}): Promise<number> {
  const wide = await provisionClusterWide(conns, state, env, progress, options);
  const results = await Promise.allSettled(state.nodes!.map((n) => provisionNode(conns, state, n.name, progress, options)));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ node: state.nodes![i].name, error: r.reason as Error }] : []));
  const quorum = failed.find((f) => f.error instanceof NoQuorumError);
  if (quorum) throw quorum.error;
  if (failed.length) throw new Error(failed.map((f) => `node ${f.node}: ${f.error.message}`).join('\n'));
  return wide + results.reduce((sum, r) => sum + (r.status === 'fulfilled' ? r.value : 0), 0);
}

/**
 * The PCI mappings, one write per mapping that differs, and (--prune) one DELETE per mapping no node
 * declares that --prune=NAME names; refuses when a node's entry cannot be made.
 */
async function applyClusterPci(conns: ClusterConnections, state: DesiredState, viewer: string, progress: ProgressFn, options: ClusterRunOptions): Promise<number> {
  const declared = declaredMappings(state);
  if (!declared.length && !options.prune) return 0;
  const prune = { prune: !!options.prune, pruneNames: options.pruneNames };
  const pending = diffClusterPciMappings(declared, await readClusterPci(conns, viewer, declared), prune).filter((c) => c.action !== 'unchanged');
  const problems = pending.flatMap((c) => (c.problems ?? []).map((p) => `${c.id}: ${p}`));
  if (problems.length) throw new Error(`cannot write the PCI mappings:\n  ${problems.join('\n  ')}`);
  for (const change of pending) {
    progress(change.action === 'delete' ? `- ${change.id}: delete (mapping/pci.cfg, for every node)` : `${change.action} ${change.id}: ${change.fields.map((f) => f.field).join(', ')}`);
    await applyClusterPciMapping(conns.get(viewer).api, change);
  }
  return pending.length;
}

/** --prune: the storage.cfg entries no node declares and --prune=NAME names, deleted once for the cluster. */
async function pruneClusterStorage(conns: ClusterConnections, state: DesiredState, viewer: string, progress: ProgressFn, options: ClusterRunOptions): Promise<number> {
  if (!options.prune) return 0;
  const api = conns.get(viewer).api;
  const deletions = clusterStoragePrune(state, await listStorage(api), { prune: true, pruneNames: options.pruneNames }).filter((c) => c.action === 'delete');
  for (const change of deletions) {
    progress(`- ${change.id}: delete (storage.cfg, for every node)`);
    await deleteStorage(api, (change.current as StorageConfig).storage);
  }
  return deletions.length;
}

/** A write PVE refused for lack of quorum becomes NoQuorumError (one clear message, no stack of retries). */
async function guardQuorum<T>(node: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NoQuorumError) throw error;
    if (isNoQuorum(error)) throw new NoQuorumError(node, `a write was refused with "cluster not ready - no quorum?"`);
    throw error;
  }
}

export { first as firstNode };
