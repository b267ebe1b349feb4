/**
 * `verify` for a cluster: quorum, every node online and a member, each node's address on every
 * link of `cluster.links` as declared, the cluster-wide configuration (PCI mappings, firewall),
 * every node matching its projection (a plan with nothing to change), the HA VMs running under HA (and where: a node failure shows as the HA manager having moved one), and
 * each GPU VM on its GPU's node, and every replication job a VM declares (synced, not failing).
 */
import { verifyReplication } from './replication';
import type { Check } from '../resources/types';
import { declaredNode, linkAddresses } from '../state/cluster';
import type { DesiredState } from '../state/load';
import { getClusterStatus, getJoinInfo, listClusterResources } from './api';
import type { ClusterConnections } from './connections';
import { pendingChanges } from '../engine/plan';
import { planClusterConfig, planNodes } from './provision';
import { nodeWrites } from './node-run';
import { quorumOf } from './quorum';

export async function verifyCluster(conns: ClusterConnections, state: DesiredState, only?: string[]): Promise<Check[]> {
  const name = state.cluster!.name;
  const names = state.nodes!.map((n) => n.name);
  const checks: Check[] = [];
  // The cluster as the first node that answers sees it.
  let viewer: string | undefined;
  let status: Awaited<ReturnType<typeof getClusterStatus>> | undefined;
  const unreachable: Record<string, string> = {};
  for (const node of names) {
    try {
      status = await getClusterStatus(conns.get(node).api);
      viewer = node;
      break;
    } catch (error) {
      unreachable[node] = (error as Error).message;
    }
  }
  if (!status || !viewer) return [{ name: `cluster ${name} reachable`, ok: false, detail: `no node answers: ${Object.entries(unreachable).map(([n, e]) => `${n}: ${e}`).join('; ')}` }];
  const q = quorumOf(status);
  checks.push({ name: `cluster ${name} exists`, ok: q.name === name, detail: q.name ? `${viewer} is in cluster ${q.name}` : `${viewer} is in no cluster; run provision` });
  checks.push({ name: `cluster ${name} has quorum`, ok: q.quorate && !!q.name, detail: `online: ${q.online.join(', ') || 'none'}${q.offline.length ? `; offline: ${q.offline.join(', ')}` : ''} (seen from ${viewer})` });
  const members = new Set(status.filter((s) => s.type === 'node').map((s) => s.name));
  for (const node of names) {
    const online = q.online.includes(node);
    checks.push({ name: `node ${node} online`, ok: members.has(node) && online, detail: !members.has(node) ? `not a member of ${name}` : online ? 'member, online' : `member, OFFLINE (seen from ${viewer})` });
  }
  if (q.name === name) {
    const info = await getJoinInfo(conns.get(viewer).api);
    // Every link of cluster.links, for every node: corosync.conf's ringN_addr (ClusterConfig.pm `join_info` nodelist).
    for (const node of state.nodes!) {
      const addresses = linkAddresses(node);
      const entry = info.nodelist.find((n) => n.name === node.name);
      state.cluster!.links.forEach((link, l) => {
        const want = addresses[l];
        const have = entry?.[`ring${l}_addr`];
        checks.push({
          name: `node ${node.name} link${l} ${want ?? `(no address in ${link.network})`}`,
          ok: !!want && have === want,
          detail: !entry ? 'not in corosync.conf' : have ? `corosync ring${l}_addr ${have}${want ? '' : `; declare it under nodes[].links`}` : `no ring${l}_addr in corosync.conf`,
        });
      });
    }
  }
  const online = names.filter((n) => q.online.includes(n) || (!q.name && n === viewer));
  const plans = await planNodes(conns, state, (only ?? names).filter((n) => online.includes(n)));
  // What is declared once (PCI mappings with each node's entry, the firewall), read through the viewer.
  const config = await planClusterConfig(conns, state, viewer).catch((error: Error) => error);
  const pending = config instanceof Error ? [] : pendingChanges(config);
  checks.push({
    name: 'cluster-wide configuration (PCI mappings, firewall) matches genesis.yaml',
    ok: !(config instanceof Error) && !pending.length,
    detail: config instanceof Error ? config.message : pending.length ? `${pending.map((c) => `${c.id}: ${c.action}`).join('; ')}; run provision` : 'nothing to change',
  });
  for (const p of plans) {
    checks.push('error' in p ? { name: `node ${p.node} matches genesis.yaml`, ok: false, detail: p.error } : { name: `node ${p.node} matches genesis.yaml`, ok: nodeWrites(p) === 0, detail: nodeWrites(p) === 0 ? 'nothing to change' : `${nodeWrites(p)} change(s) pending; run provision` });
  }
  const vms = await listClusterResources(conns.get(viewer).api, 'vm');
  for (const vm of state.vms) {
    const found = vms.find((r) => r.vmid === vm.id);
    const declared = declaredNode(state, vm);
    if (vm.ha) {
      const moved = found && found.node !== declared ? ` (declared on ${declared}: the HA manager moved it)` : '';
      checks.push({
        name: `VM ${vm.id} (${vm.name}) running under HA`,
        ok: !!found && found.hastate === vm.ha.state && (vm.ha.state !== 'started' || found.status === 'running'),
        detail: found ? `on ${found.node}, ${found.status}, HA ${found.hastate ?? 'not managed'}${moved}` : 'not in the cluster',
      });
    } else if (vm.gpu) {
      checks.push({
        name: `VM ${vm.id} (${vm.name}) pinned to ${declared}, the node of GPU ${vm.gpu}`,
        ok: !!found && found.node === declared && !found.hastate,
        detail: found ? `on ${found.node}${found.hastate ? `, HA ${found.hastate} (a passed-through GPU cannot move)` : ', not HA-managed'}` : 'not in the cluster',
      });
    }
  }
  // Storage replication: each copy HA needs exists and its last sync did not fail.
  const where = new Map(vms.filter((r) => r.vmid !== undefined).map((r) => [r.vmid as number, { node: r.node, online: q.online.includes(r.node) }]));
  checks.push(...(await verifyReplication(conns.get(viewer).api, state, where).catch((error: Error) => [{ name: 'storage replication jobs readable', ok: false, detail: error.message }])));
  return checks;
}
