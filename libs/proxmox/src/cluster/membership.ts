/**
 * Cluster membership: create the cluster on the first node, join the others through the API
 * (pve-cluster `ClusterConfig.pm` `join`), one at a time, with the first node's certificate
 * fingerprint pinned and root@pam's password only from GENESIS_CLUSTER_PASSWORD (never printed:
 * the client masks `password` in traces and logs). Refused before anything is sent: a node in
 * another cluster, a node with guests (Setup.pm `assert_joinable` would refuse it), a join
 * without the password, a first node whose join info names another certificate than the pinned one.
 */
import { awaitTask, type ProgressFn } from '../api/tasks';
import { listVms } from '../api/qemu';
import { linkAddresses } from '../state/cluster';
import type { DesiredSpec } from '../state/schema';
import { createCluster, getClusterStatus, getJoinInfo, joinCluster } from './api';
import type { ClusterConnections } from './connections';
import { quorumOf } from './quorum';

export type MembershipStep =
  | { action: 'create'; node: string; links: string[] }
  | { action: 'join'; node: string; links: string[] }
  | { action: 'member'; node: string };

export interface MembershipPlan {
  cluster: string;
  /** The node the cluster is created on (or that already holds it). */
  first: string;
  steps: MembershipStep[];
  problems: string[];
  /** Nodes that did not answer (their steps are left out). */
  unreachable: Array<{ node: string; error: string }>;
}

export const normaliseFp = (fp: string) => fp.replace(/[^0-9a-f]/gi, '').toUpperCase();

export async function planMembership(conns: ClusterConnections, spec: DesiredSpec, env: NodeJS.ProcessEnv): Promise<MembershipPlan> {
  const name = spec.cluster!.name;
  const nodes = spec.nodes!;
  const reads = await Promise.all(
    nodes.map(async (n) => {
      const api = conns.get(n.name).api;
      try {
        const [status, vms] = await Promise.all([getClusterStatus(api), listVms(api)]);
        return { node: n, status: quorumOf(status), guests: vms.map((v) => v.vmid) };
      } catch (error) {
        return { node: n, error: (error as Error).message };
      }
    }),
  );
  const problems: string[] = [];
  const unreachable = reads.filter((r) => 'error' in r).map((r) => ({ node: r.node.name, error: (r as { error: string }).error }));
  const first = reads.find((r) => !('error' in r) && r.status.name === name)?.node.name ?? nodes[0].name;
  const steps: MembershipStep[] = [];
  for (const r of reads) {
    if ('error' in r) continue;
    const links = linkAddresses(r.node);
    if (r.status.name === name) steps.push({ action: 'member', node: r.node.name });
    else if (r.status.name) problems.push(`node ${r.node.name} is in another cluster "${r.status.name}", not "${name}"; Genesis does not move a node between clusters: remove it from "${r.status.name}" (pvecm delnode ${r.node.name} there, then reinstall ${r.node.name}) or rename cluster.name`);
    else if (r.node.name === first) steps.push({ action: 'create', node: r.node.name, links });
    else if (r.guests.length) problems.push(`node ${r.node.name} has guests (VM ${r.guests.join(', ')}) and is not in the cluster; PVE refuses to join a node with guests ("this host already contains virtual guests", pve-cluster Setup.pm assert_joinable): back them up and remove them, or take the node out of nodes:`);
    else steps.push({ action: 'join', node: r.node.name, links });
  }
  if (steps.some((s) => s.action === 'join') && !env.GENESIS_CLUSTER_PASSWORD) {
    problems.push(`joining ${steps.filter((s) => s.action === 'join').map((s) => s.node).join(', ')} needs root@pam's password of ${first}; set GENESIS_CLUSTER_PASSWORD (it is sent once per join and never printed)`);
  }
  return { cluster: name, first, steps, problems, unreachable };
}

export function formatMembership(p: MembershipPlan): string[] {
  const lines = [`Cluster ${p.cluster} (created on ${p.first}):`];
  for (const s of p.steps) {
    if (s.action === 'member') lines.push(`  = ${s.node}: member`);
    else if (s.action === 'create') lines.push(`  + ${s.node}: create cluster ${p.cluster} (link0 ${s.links[0] ?? 'its address'})`);
    else lines.push(`  + ${s.node}: join through ${p.first} (link0 ${s.links[0] ?? 'its address'}, fingerprint pinned)`);
  }
  for (const u of p.unreachable) lines.push(`  ? ${u.node}: unreachable (${u.error})`);
  for (const pr of p.problems) lines.push(`      PROBLEM: ${pr}`);
  return lines;
}

export const membershipWrites = (p: MembershipPlan) => p.steps.filter((s) => s.action !== 'member').length;

/** Creates, then joins one node at a time (corosync takes one new member at a time). */
export async function applyMembership(conns: ClusterConnections, p: MembershipPlan, env: NodeJS.ProcessEnv, progress: ProgressFn = () => undefined): Promise<void> {
  if (p.problems.length) throw new Error(`the cluster cannot be formed; nothing was changed:\n${p.problems.map((x) => `  ${x}`).join('\n')}`);
  const firstConn = conns.get(p.first);
  const create = p.steps.find((s) => s.action === 'create');
  if (create) {
    progress(`cluster: creating ${p.cluster} on ${create.node}`);
    await awaitTask(firstConn.api, await createCluster(firstConn.api, p.cluster, create.links), `create cluster ${p.cluster}`, progress);
  }
  const joins = p.steps.filter((s): s is Extract<MembershipStep, { action: 'join' }> => s.action === 'join');
  if (!joins.length) return;
  const info = await getJoinInfo(firstConn.api);
  const entry = info.nodelist.find((n) => n.name === p.first);
  if (!entry) throw new Error(`${p.first}'s join info does not list ${p.first}; is it the node the cluster was created on?`);
  // The join connects to the first node and trusts only this fingerprint: the one this run pinned.
  if (firstConn.fingerprint && normaliseFp(entry.pve_fp) !== normaliseFp(firstConn.fingerprint)) {
    throw new Error(
      `${p.first}'s join info names certificate ${entry.pve_fp}, but the connection to ${p.first} pins ${firstConn.fingerprint}; nothing was joined. ` +
        `Check which host answers at ${firstConn.endpoint} and its certificate (\`pvenode cert info\`).`,
    );
  }
  const fingerprint = firstConn.fingerprint ?? entry.pve_fp;
  const password = env.GENESIS_CLUSTER_PASSWORD as string;
  for (const join of joins) {
    progress(`cluster: ${join.node} joins ${p.cluster} through ${p.first} (${entry.pve_addr})`);
    const api = conns.get(join.node).api;
    await awaitTask(api, await joinCluster(api, { hostname: entry.pve_addr, fingerprint, password, links: join.links }), `join ${join.node}`, progress);
  }
}
