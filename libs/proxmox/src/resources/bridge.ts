/**
 * Linux bridges. Edits are only staged here (PVE writes /etc/network/interfaces.new); the engine
 * applies them all with one reload (`commitNetwork` in engine/network.ts) and guards the management
 * address.
 */
import { pruneOrKeep } from './managed';
import type { PveApi } from '../client/types';
import {
  createBridge,
  deleteInterface,
  listNetwork,
  updateBridge,
  type BridgeParams,
  type NetworkInterface,
} from '../api/network';
import { maskToPrefix, networkOf, parseCidr } from '../state/ipv4';
import type { BridgeSpec } from '../state/schema';
import { truthy, unchanged, type Change, type Check, type FieldChange, type DiffOptions, type Resource } from './types';

/** The comparable view of a bridge, whether declared or read from the host. */
export interface BridgeView {
  cidr?: string;
  gateway?: string;
  ports: string[];
  autostart: boolean;
  comments?: string;
}

export function bridgeViewOfInterface(i: NetworkInterface): BridgeView {
  let cidr = i.cidr;
  if (!cidr && i.address && i.netmask) {
    const prefix = /^\d+$/.test(i.netmask) ? Number(i.netmask) : maskToPrefix(i.netmask);
    cidr = prefix === undefined ? undefined : `${i.address}/${prefix}`;
  }
  return {
    cidr,
    gateway: i.gateway || undefined,
    ports: (i.bridge_ports ?? '').split(/\s+/).filter(Boolean).sort(),
    autostart: truthy(i.autostart),
    comments: i.comments?.trim() || undefined,
  };
}

export function bridgeViewOfSpec(s: BridgeSpec): BridgeView {
  return { cidr: s.cidr, gateway: s.gateway, ports: [...s.ports].sort(), autostart: s.autostart, comments: s.comment };
}

export function bridgeParams(v: BridgeView): BridgeParams {
  return {
    cidr: v.cidr,
    gateway: v.gateway,
    bridge_ports: v.ports.length ? v.ports.join(' ') : undefined,
    autostart: v.autostart,
    comments: v.comments,
  };
}

/** Fields present on the host that the new definition drops, as PVE's `delete` names them. */
export function bridgeRemovals(from: BridgeView, to: BridgeView): string[] {
  const out: string[] = [];
  if (from.cidr && !to.cidr) out.push('cidr');
  if (from.gateway && !to.gateway) out.push('gateway');
  if (from.ports.length && !to.ports.length) out.push('bridge_ports');
  if (from.comments && !to.comments) out.push('comments');
  return out;
}

function fieldChanges(from: BridgeView, to: BridgeView): FieldChange[] {
  const out: FieldChange[] = [];
  const cmp = (field: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) out.push({ field, from: a, to: b });
  };
  cmp('cidr', from.cidr, to.cidr);
  cmp('gateway', from.gateway, to.gateway);
  cmp('ports', from.ports.join(' ') || undefined, to.ports.join(' ') || undefined);
  cmp('autostart', from.autostart, to.autostart);
  cmp('comment', from.comments, to.comments);
  return out;
}

export interface BridgeChangeData {
  name: string;
  before?: BridgeView;
  after?: BridgeView;
}

function natNote(spec: BridgeSpec, specs: BridgeSpec[]): string[] {
  if (!spec.nat || !spec.cidr) return [];
  const uplink = specs.find((b) => b.name === spec.nat);
  const net = networkOf(parseCidr(spec.cidr)!);
  return [
    `NAT of ${net} out through ${spec.nat}${uplink ? '' : ' (undeclared)'} and the forwarding policy are host files the PVE API cannot write: ` +
      'the "host network" change installs them through the host channel right after the bridges ' +
      '(`nx run infra:render` writes the same files to dist/infra/<node>/, `nx run infra:rehearse` proves them in network namespaces)',
  ];
}

export function diffBridges(specs: BridgeSpec[], current: NetworkInterface[], prune: boolean, options: DiffOptions = { prune }): Change[] {
  const changes: Change[] = [];
  const eths = current.filter((i) => i.type === 'eth').map((i) => i.iface);
  for (const spec of specs) {
    const id = `bridge ${spec.name}`;
    const host = current.find((i) => i.iface === spec.name);
    const after = bridgeViewOfSpec(spec);
    const problems = spec.ports
      .filter((p) => !current.some((i) => i.iface === p))
      .map((p) => `port ${p} of ${spec.name} is not an interface on the host (NICs: ${eths.join(', ') || 'none'}); fix bridges ports`);
    if (host && host.type !== 'bridge') problems.push(`${spec.name} exists as a ${host.type} interface, not a bridge; rename the bridge`);
    if (!host) {
      changes.push({
        kind: 'bridge',
        id,
        action: 'create',
        fields: fieldChanges({ ports: [], autostart: false }, after).filter((f) => f.to !== undefined && f.to !== false),
        desired: { name: spec.name, after } satisfies BridgeChangeData,
        notes: natNote(spec, specs),
        problems,
      });
      continue;
    }
    const before = bridgeViewOfInterface(host);
    const fields = fieldChanges(before, after);
    if (!fields.length && !problems.length) changes.push(unchanged('bridge', id));
    else
      changes.push({
        kind: 'bridge',
        id,
        action: 'update',
        fields,
        desired: { name: spec.name, before, after } satisfies BridgeChangeData,
        notes: natNote(spec, specs),
        problems,
      });
  }
  if (prune) {
    for (const i of current) {
      if (i.type === 'bridge' && !specs.some((s) => s.name === i.iface)) {
        const before = bridgeViewOfInterface(i);
        changes.push(
          pruneOrKeep(
            {
              kind: 'bridge',
              id: `bridge ${i.iface}`,
              action: 'delete',
              fields: [{ field: 'cidr', from: before.cidr }],
              desired: { name: i.iface, before } satisfies BridgeChangeData,
            },
            i.iface,
            false,
            options,
          ),
        );
      }
    }
  }
  return changes;
}

/** Stages one bridge edit (no reload). */
export async function stageBridge(api: PveApi, data: BridgeChangeData, action: 'create' | 'update' | 'delete'): Promise<void> {
  if (action === 'delete') await deleteInterface(api, data.name);
  else if (action === 'create') await createBridge(api, data.name, bridgeParams(data.after!));
  else await updateBridge(api, data.name, bridgeParams(data.after!), bridgeRemovals(data.before!, data.after!));
}

export const bridgeResource: Resource<NetworkInterface[]> = {
  kind: 'bridge',
  read: (api) => listNetwork(api),
  diff: (state, current, options) => diffBridges(state.bridges, current, options.prune, options),
  async apply(api, change) {
    if (change.action === 'unchanged') return;
    await stageBridge(api, change.desired as BridgeChangeData, change.action);
  },
  async verify(api, state) {
    const ifaces = await listNetwork(api);
    return state.bridges.map((spec): Check => {
      const host = ifaces.find((i) => i.iface === spec.name && i.type === 'bridge');
      if (!host) return { name: `bridge ${spec.name} present`, ok: false, detail: 'not on the host' };
      const view = bridgeViewOfInterface(host);
      const ok = view.cidr === spec.cidr && view.ports.join(' ') === [...spec.ports].sort().join(' ');
      const active = host.active === undefined ? '' : truthy(host.active) ? ', active' : ', not active';
      return {
        name: `bridge ${spec.name} present with ${spec.cidr ?? 'no address'}`,
        ok,
        detail: `address ${view.cidr ?? 'none'}, ports ${view.ports.join(' ') || 'none'}${active}`,
      };
    });
  },
};
