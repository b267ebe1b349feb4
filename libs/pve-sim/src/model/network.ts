/**
 * `/nodes/{node}/network`: interfaces with PVE's staging. Every edit goes to a copy
 * (`/etc/network/interfaces.new`); GET shows that staged view plus a `changes` diff; PUT applies
 * it with a `srvreload` task; DELETE throws it away. Applying a config that takes the management
 * address off the wire cuts the API off, as it would on a real host.
 */
import { bool, deleteList, ReplyWithAttributes, str, type RequestContext, type Route } from './context';
import { paramError, PveError } from './errors';
import type { SimHost } from './host';
import type { NetworkInterface } from './state';

const SETTABLE = [
  'address', 'address6', 'autostart', 'bond-primary', 'bond_mode', 'bond_xmit_hash_policy', 'bridge_ports',
  'bridge_vids', 'bridge_vlan_aware', 'cidr', 'cidr6', 'comments', 'comments6', 'gateway', 'gateway6', 'mtu',
  'netmask', 'netmask6', 'ovs_bonds', 'ovs_bridge', 'ovs_options', 'ovs_ports', 'ovs_tag', 'slaves',
  'vlan-id', 'vlan-raw-device',
];
const BOOLEAN_KEYS = new Set(['autostart', 'bridge_vlan_aware']);
const NUMERIC_KEYS = new Set(['mtu', 'ovs_tag', 'vlan-id', 'netmask6']);

function currentView(host: SimHost): NetworkInterface[] {
  return host.state.network.staged ?? host.state.network.applied;
}

function stage(host: SimHost): NetworkInterface[] {
  if (!host.state.network.staged) host.state.network.staged = structuredClone(host.state.network.applied);
  return host.state.network.staged;
}

function prefixToNetmask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
}

function netmaskToPrefix(netmask: string): number | undefined {
  if (/^\d+$/.test(netmask)) return Number(netmask);
  const octets = netmask.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) return undefined;
  const bits = octets.reduce((acc, o) => (acc << 8) | o, 0) >>> 0;
  const prefix = bits.toString(2).replace(/0+$/, '').length;
  return prefixToNetmask(prefix) === netmask ? prefix : undefined;
}

/** The interface as GET returns it: address/netmask/cidr all present, booleans as 1. */
function present(iface: NetworkInterface, applied: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...iface };
  const families: string[] = [];
  if (iface.cidr) {
    const [address, prefix] = String(iface.cidr).split('/');
    out.address = address;
    out.netmask = prefix;
    families.push('inet');
  } else if (iface.method !== 'loopback' && iface.type !== 'loopback') {
    families.push('inet');
  }
  if (iface.cidr6) {
    const [address6, prefix6] = String(iface.cidr6).split('/');
    out.address6 = address6;
    out.netmask6 = Number(prefix6);
    out.method6 = 'static';
    families.push('inet6');
  } else {
    out.method6 = 'manual';
  }
  if (families.length > 0) out.families = families;
  out.method = iface.method ?? (iface.cidr ? 'static' : 'manual');
  // pve-common `PVE/INotify.pm` `read_etc_network_interfaces`: each `#…` line under a stanza is
  // appended to `comments` with its newline, so a comment reads back as `Intranet\n`.
  if (iface.comments) out.comments = String(iface.comments).split('\n').filter((l) => l !== '').map((l) => `${l}\n`).join('');
  if (!applied) delete out.active;
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** `/etc/network/interfaces` text, for the `changes` diff. */
export function renderInterfaces(ifaces: NetworkInterface[]): string[] {
  const lines: string[] = [];
  for (const i of [...ifaces].sort((a, b) => Number(a.priority ?? 99) - Number(b.priority ?? 99))) {
    if (i.autostart) lines.push(`auto ${i.iface}`);
    const method = i.type === 'loopback' ? 'loopback' : i.cidr ? 'static' : 'manual';
    lines.push(`iface ${i.iface} inet ${method}`);
    if (i.cidr) lines.push(`\taddress ${i.cidr}`);
    if (i.gateway) lines.push(`\tgateway ${i.gateway}`);
    if (i.mtu) lines.push(`\tmtu ${i.mtu}`);
    if (i.type === 'bridge') {
      lines.push(`\tbridge-ports ${i.bridge_ports || 'none'}`);
      lines.push(`\tbridge-stp ${i.bridge_stp ?? 'off'}`);
      lines.push(`\tbridge-fd ${i.bridge_fd ?? '0'}`);
      if (i.bridge_vlan_aware) lines.push('\tbridge-vlan-aware yes', `\tbridge-vids ${i.bridge_vids ?? '2-4094'}`);
    }
    if (i.comments) lines.push(`#${String(i.comments).trimEnd()}`);
    if (i.cidr6) {
      lines.push('', `iface ${i.iface} inet6 static`, `\taddress ${i.cidr6}`);
      if (i.gateway6) lines.push(`\tgateway ${i.gateway6}`);
    }
    lines.push('');
  }
  lines.push('source /etc/network/interfaces.d/*');
  return lines;
}

/** A unified diff (one hunk, LCS-based), the shape of PVE's `diff -u` in `changes`. */
export function unifiedDiff(a: string[], b: string[], fromName: string, toName: string): string {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const body: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      body.push(` ${a[i++]}`);
      j++;
    } else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) body.push(`-${a[i++]}`);
    else body.push(`+${b[j++]}`);
  }
  return [`--- ${fromName}`, `+++ ${toName}`, `@@ -1,${n} +1,${m} @@`, ...body, ''].join('\n');
}

function findIface(ifaces: NetworkInterface[], name: string): NetworkInterface {
  const iface = ifaces.find((i) => i.iface === name);
  if (!iface) throw paramError({ iface: 'interface does not exist' });
  return iface;
}

const PORT_KEYS = ['bridge_ports', 'ovs_ports', 'slaves', 'ovs_bonds'];

function portsOf(iface: Record<string, unknown>): string[] {
  return PORT_KEYS.flatMap((k) => String(iface[k] ?? '').split(/[\s,;]+/)).filter(Boolean);
}

/**
 * Network.pm's create/update: the request's fields onto `target`. The address is what this
 * request says (an update without one leaves the interface `manual`, as PVE writes it), a
 * second default gateway and a port already in another bridge/bond are refused. Ports are not
 * checked for existence here: ifupdown2 only complains at reload.
 */
function applyParams(ctx: RequestContext, target: NetworkInterface, ifaces: NetworkInterface[]): void {
  const cidr = str(ctx, 'cidr');
  const address = str(ctx, 'address');
  const netmask = str(ctx, 'netmask');
  if (cidr !== undefined && address !== undefined) throw paramError({ address: 'address conflicts with cidr' });
  if (cidr !== undefined && netmask !== undefined) throw paramError({ netmask: 'netmask conflicts with cidr' });
  if (str(ctx, 'gateway')) {
    const other = ifaces.find((i) => i.iface !== target.iface && i.gateway);
    if (other) throw paramError({ gateway: `Default gateway already exists on interface '${other.iface}'.` });
  }
  if (str(ctx, 'gateway6')) {
    const other = ifaces.find((i) => i.iface !== target.iface && i.gateway6);
    if (other) throw paramError({ gateway6: `Default ipv6 gateway already exists on interface '${other.iface}'.` });
  }
  const requested: Record<string, string> = {};
  for (const key of PORT_KEYS) {
    const value = str(ctx, key);
    if (value !== undefined) requested[key] = value;
  }
  const newPorts = new Set(portsOf(requested));
  const paramName = PORT_KEYS.find((k) => requested[k]);
  for (const other of ifaces) {
    if (other.iface === target.iface) continue;
    for (const p of portsOf(other)) {
      if (newPorts.has(p)) throw paramError({ [paramName ?? 'bridge_ports']: `${p} is already used on interface '${other.iface}'.` });
    }
  }
  for (const key of SETTABLE) {
    const value = str(ctx, key);
    if (value === undefined || ['cidr', 'address', 'netmask', 'cidr6', 'address6', 'netmask6'].includes(key)) continue;
    if (BOOLEAN_KEYS.has(key)) target[key] = bool(ctx, key) ? 1 : undefined;
    else if (NUMERIC_KEYS.has(key)) target[key] = Number(value);
    else target[key] = value;
  }
  if (cidr !== undefined) target.cidr = cidr;
  else if (address !== undefined) {
    const prefix = netmaskToPrefix(netmask ?? '');
    if (prefix === undefined) throw paramError({ netmask: `value '${netmask ?? ''}' is not a valid netmask` });
    target.cidr = `${address}/${prefix}`;
  } else {
    delete target.cidr;
    if (!str(ctx, 'gateway')) delete target.gateway;
  }
  const cidr6 = str(ctx, 'cidr6') ?? (str(ctx, 'address6') ? `${str(ctx, 'address6')}/${str(ctx, 'netmask6') ?? '64'}` : undefined);
  if (cidr6 !== undefined) target.cidr6 = cidr6;
  else {
    delete target.cidr6;
    if (!str(ctx, 'gateway6')) delete target.gateway6;
  }
  target.method = target.cidr ? 'static' : 'manual';
  target.method6 = target.cidr6 ? 'static' : 'manual';
  if (target.type === 'bridge') {
    target.bridge_stp ??= 'off';
    target.bridge_fd ??= '0';
  }
  for (const key of ['bridge_ports', 'slaves', 'bridge_vids']) {
    if (typeof target[key] === 'string') target[key] = String(target[key]).split(/[\s,;]+/).filter(Boolean).join(' ');
  }
}

function managementReachable(host: SimHost, ifaces: NetworkInterface[]): boolean {
  const { cidr, nic } = host.behaviour.management;
  const carrier = ifaces.find((i) => i.cidr === cidr);
  if (!carrier) return false;
  if (carrier.iface === nic) return true;
  return carrier.type === 'bridge' && String(carrier.bridge_ports ?? '').split(/\s+/).includes(nic);
}

/** Out-of-band recovery (a person at the console, or a rollback timer): restore the last good network. */
export function restoreManagementNetwork(host: SimHost): void {
  const net = host.state.network;
  if (net.previous) net.applied = net.previous;
  net.previous = null;
  net.staged = null;
  net.managementCut = false;
  host.save();
}

export const networkRoutes: Route[] = [
  {
    method: 'GET',
    path: '/nodes/{node}/network',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const net = ctx.host.state.network;
      const type = str(ctx, 'type');
      const view = currentView(ctx.host)
        .filter((i) => i.type !== 'loopback')
        .filter((i) => {
          if (!type) return true;
          if (type === 'any_bridge' || type === 'any_local_bridge') return i.type === 'bridge' || i.type === 'OVSBridge';
          return i.type === type;
        })
        .map((i) => present(i, net.applied.some((a) => a.iface === i.iface)));
      if (!net.staged) return view;
      const changes = unifiedDiff(
        renderInterfaces(net.applied),
        renderInterfaces(net.staged),
        '/etc/network/interfaces',
        '/etc/network/interfaces.new',
      );
      return new ReplyWithAttributes(view, { changes });
    },
  },
  {
    method: 'POST',
    path: '/nodes/{node}/network',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const name = str(ctx, 'iface') ?? '';
      const type = str(ctx, 'type') ?? '';
      const ifaces = stage(ctx.host);
      if (ifaces.some((i) => i.iface === name)) throw paramError({ iface: 'interface already exists' });
      if (type === 'eth' && !ctx.host.state.network.applied.some((i) => i.iface === name)) {
        throw paramError({ iface: `can't create physical interface '${name}'` });
      }
      const iface: NetworkInterface = { iface: name, type };
      applyParams(ctx, iface, ifaces);
      iface.priority = Math.max(0, ...ifaces.map((i) => Number(i.priority ?? 0))) + 1;
      ifaces.push(iface);
      return null;
    },
  },
  {
    method: 'PUT',
    path: '/nodes/{node}/network',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const host = ctx.host;
      return host.startTask(ctx, 'srvreload', 'networking', (log) => {
        const net = host.state.network;
        if (!net.staged) {
          log('ifreload -a: nothing staged, configuration unchanged');
          return;
        }
        const before = net.applied;
        const after = net.staged;
        log('ifreload -a');
        for (const iface of after) {
          for (const port of portsOf(iface)) {
            if (!after.some((i) => i.iface === port.split('.')[0])) {
              log(`${iface.iface} : warning: ${iface.iface}: bridge port ${port} does not exist`);
            }
          }
        }
        const mgmtBridge = host.behaviour.management.bridge;
        const bridgeChanged =
          JSON.stringify(before.find((i) => i.iface === mgmtBridge)) !==
          JSON.stringify(after.find((i) => i.iface === mgmtBridge));
        net.previous = before;
        net.applied = after.map((i) => ({ ...i, active: 1 }));
        net.staged = null;
        if (!managementReachable(host, after) || (host.behaviour.cutManagementOnBridgeChange && bridgeChanged)) {
          net.managementCut = true;
          host.scheduleManagementRollback(() => restoreManagementNetwork(host));
        }
      });
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/network',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      ctx.host.state.network.staged = null;
      return null;
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/network/{iface}',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const net = ctx.host.state.network;
      const iface = findIface(currentView(ctx.host), ctx.pathParams.iface);
      return present(iface, net.applied.some((a) => a.iface === iface.iface));
    },
  },
  {
    method: 'PUT',
    path: '/nodes/{node}/network/{iface}',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const ifaces = stage(ctx.host);
      const existing = findIface(ifaces, ctx.pathParams.iface);
      const updated: NetworkInterface = { ...existing };
      for (const key of deleteList(ctx)) {
        delete updated[key];
        if (key === 'cidr' || key === 'address') delete updated.cidr;
        if (key === 'cidr6' || key === 'address6') delete updated.cidr6;
      }
      const type = str(ctx, 'type');
      if (type) updated.type = type;
      applyParams(ctx, updated, ifaces);
      ifaces[ifaces.indexOf(existing)] = updated;
      return null;
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/network/{iface}',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const ifaces = stage(ctx.host);
      const existing = findIface(ifaces, ctx.pathParams.iface);
      if (existing.type === 'eth') throw new PveError(500, `can't delete physical interface '${existing.iface}'`);
      ifaces.splice(ifaces.indexOf(existing), 1);
      return null;
    },
  },
];
