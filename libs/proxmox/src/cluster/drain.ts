/**
 * `drain NODE` before maintenance: live-migrate every guest that can move, one at a time, to an
 * online node (an HA VM to its next preferred node), and say which cannot and why: a VM with a
 * passed-through device (qemu-server `QemuMigrate.pm` `prepare`: "can't migrate VM which uses
 * local devices"), a template (its clones share its disks on this node).
 */
import { awaitTask, type ProgressFn } from '../api/tasks';
import { getVmConfig, listVms } from '../api/qemu';
import type { DesiredState } from '../state/load';
import { getClusterStatus, migrateVm } from './api';
import type { ClusterConnections } from './connections';
import { quorumOf } from './quorum';

export interface DrainOutcome {
  vmid: number;
  name: string;
  moved?: string;
  stays?: string;
}

export async function drainNode(conns: ClusterConnections, state: DesiredState, node: string, progress: ProgressFn = () => undefined): Promise<DrainOutcome[]> {
  if (!state.nodes!.some((n) => n.name === node)) throw new Error(`drain ${node}: not a node of genesis.yaml (nodes: ${state.nodes!.map((n) => n.name).join(', ')})`);
  const api = conns.get(node).api;
  const q = quorumOf(await getClusterStatus(api));
  if (!q.quorate) throw new Error(`drain ${node}: the cluster has no quorum; PVE cannot migrate without it (online: ${q.online.join(', ')})`);
  const targets = q.online.filter((n) => n !== node);
  if (!targets.length) throw new Error(`drain ${node}: no other node is online to take its guests`);
  const vms = await listVms(api);
  const load = new Map(targets.map((t) => [t, 0]));
  const outcomes: DrainOutcome[] = [];
  for (const vm of [...vms].sort((a, b) => a.vmid - b.vmid)) {
    const config = await getVmConfig(api, vm.vmid);
    const name = String(config.name ?? vm.name ?? vm.vmid);
    const devices = Object.keys(config).filter((k) => /^(hostpci|usb)\d+$/.test(k)).sort();
    if (config.template === 1 || String(config.template) === '1') {
      outcomes.push({ vmid: vm.vmid, name, stays: `a template: its linked clones use its disks on ${node}; it is needed only to clone` });
      continue;
    }
    if (devices.length) {
      const mapped = devices.map((d) => `${d}${/mapping=([^,]+)/.exec(String(config[d]))?.[1] ? ` (mapping ${/mapping=([^,]+)/.exec(String(config[d]))![1]})` : ''}`);
      outcomes.push({
        vmid: vm.vmid,
        name,
        stays: `passes through ${mapped.join(', ')}, hardware of ${node} only; PVE cannot live-migrate it ("can't migrate VM which uses local devices"). Shut it down for the maintenance (qm shutdown ${vm.vmid}) and start it after`,
      });
      continue;
    }
    const declared = state.vms.find((v) => v.id === vm.vmid);
    const preferred = (declared?.ha?.nodes ?? []).filter((n) => targets.includes(n));
    const target = preferred[0] ?? [...load.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0][0];
    const online = vm.status === 'running';
    progress(`drain ${node}: ${online ? 'live-migrating' : 'migrating'} VM ${vm.vmid} (${name}) to ${target}`);
    await awaitTask(api, await migrateVm(api, vm.vmid, target, online), `migrate ${vm.vmid}`, progress);
    load.set(target, (load.get(target) ?? 0) + 1);
    outcomes.push({ vmid: vm.vmid, name, moved: target });
  }
  return outcomes;
}

export function formatDrain(node: string, outcomes: DrainOutcome[]): string {
  const lines = [`drain ${node}:`];
  for (const o of outcomes) lines.push(o.moved ? `  moved  VM ${o.vmid} (${o.name}) → ${o.moved}` : `  STAYS  VM ${o.vmid} (${o.name}): ${o.stays}`);
  const stays = outcomes.filter((o) => o.stays).length;
  lines.push(stays ? `${node} still runs ${stays} guest(s) that cannot move (above); it is not empty.` : `${node} runs no guests now.`);
  return lines.join('\n');
}
