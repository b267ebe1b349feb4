/**
 * NAT and the host's forwarding policy: the files the API cannot write, on the host through the
 * host channel (libs/network renders them and `applyNetwork` installs them). Read: the policy file
 * `/etc/network/genesis.nft`, `/etc/network/interfaces`, the loaded table (`nft list table inet
 * genesis`) and `/proc/sys/net/ipv4/ip_forward`. The plan shows the policy file's diff and the NAT
 * lines the interfaces file gains; apply runs after the bridges (same `bridges` step), because the
 * NAT lines go into the stanzas of bridges that step may create in the same run.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { unifiedDiff, type HostChannel } from '@genesis/host-channel';
import { applyNetwork, natOptions, networkRoles, POLICY_PATH, POLICY_TABLE, renderPolicy, withNatOptions } from '@genesis/network';
import type { DesiredState } from '../state/load';
import { networkChannel } from './network-channel';
import { unchanged, type Change, type Check, type Resource } from './types';

export const INTERFACES = '/etc/network/interfaces';
export const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';
// A function, not a constant: @genesis/network and this library import each other (see eslint.config.mjs).
const listTable = () => ['nft', 'list', 'table', 'inet', POLICY_TABLE];

/**
 * The genesis.yaml path the policy's header names, relative to the repository (`infra/genesis.yaml`)
 * as `nx run infra:render` writes it, so the file on the host does not change with the directory
 * Genesis was started from.
 */
export function policySource(state: DesiredState): string {
  const file = resolve(state.source.file);
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return relative(dir, file);
    if (dirname(dir) === dir) return state.source.file;
  }
}

export interface HostNetworkCurrent {
  /** No way to the host (no PVE_SSH / GENESIS_HOST=local): nothing read, nothing planned. */
  noChannel?: boolean;
  where?: string;
  unreachable?: string;
  policyFile?: string;
  interfaces?: string;
  /** What `nft list table inet genesis` printed; undefined when the table is not loaded. */
  loadedTable?: string;
  /** `nft` is not installed on the host. */
  noNft?: boolean;
  forwarding?: boolean;
}

/** What the plan decided; apply re-reads the host, so this only reports. */
export interface HostNetworkChangeData {
  natBridges: string[];
}

/** The lines of the policy's `table inet genesis { … }` block, whitespace-trimmed, blank lines out. */
function tableLines(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `table inet ${POLICY_TABLE} {`);
  if (start < 0) return [];
  let depth = 0;
  const out: string[] = [];
  for (const line of lines.slice(start)) {
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    if (line.trim()) out.push(line.trim().replace(/\s+/g, ' '));
    if (depth === 0) break;
  }
  return out;
}

/**
 * Whether the loaded table is the policy's: nft lists a loaded table in the layout the policy file
 * uses (one rule a line, in order), so the two compare line by line, whitespace aside. Returns the
 * first difference, or undefined when they match.
 */
export function loadedTableDiffers(policy: string, listed: string): string | undefined {
  const want = tableLines(policy);
  const got = tableLines(listed);
  for (let i = 0; i < Math.max(want.length, got.length); i++)
    if (want[i] !== got[i]) return `line ${i + 1} of table inet ${POLICY_TABLE}: loaded "${got[i] ?? '(nothing)'}", the policy has "${want[i] ?? '(nothing)'}"`;
  return undefined;
}

/** The NAT lines a bridge's `inet` stanza lacks; undefined when the file has no such stanza yet. */
export function missingNatLines(interfaces: string, bridge: string): string[] | undefined {
  const lines = interfaces.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`iface ${bridge} inet `));
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && /^\s+\S/.test(lines[end])) end++;
  const present = new Set(lines.slice(start + 1, end).map((l) => l.trim()));
  return natOptions().filter((o) => !present.has(o));
}

const idOf = (where?: string) => `host network: NAT and forwarding policy${where ? ` (${where})` : ''}`;

export function diffHostNetwork(state: DesiredState, current: HostNetworkCurrent): Change[] {
  const roles = networkRoles(state);
  if (!roles.internal.length) return [];
  const natBridges = roles.nat.map((b) => b.name);
  const id = idOf(current.where);
  if (current.noChannel)
    return [
      {
        ...unchanged('host-network', id),
        notes: [
          `NAT of ${natBridges.join(', ') || 'no bridge'} and the forwarding policy (${POLICY_PATH}) are host files the PVE API cannot write: ` +
            'set PVE_SSH (or PVE_HOST for root@PVE_HOST), or run Genesis on the host with GENESIS_HOST=local, to plan, apply and verify them. Not read, not changed.',
        ],
      },
    ];
  if (current.unreachable) return [{ kind: 'host-network', id, action: 'update', fields: [], problems: [`cannot read the host: ${current.unreachable}`] }];
  if (current.noNft)
    return [{ kind: 'host-network', id, action: 'update', fields: [], problems: ['nft is not installed on the host; install it (apt install nftables) and run again'] }];

  const policy = renderPolicy(state, policySource(state));
  const policyDiff = current.policyFile === policy ? [] : unifiedDiff(POLICY_PATH, current.policyFile, policy);
  const interfaces = current.interfaces ?? '';
  const notes: string[] = [];
  const missing = natBridges.flatMap((b) => {
    const lines = missingNatLines(interfaces, b);
    if (lines === undefined) {
      notes.push(`${b} is not in ${INTERFACES} yet: the bridges step creates it in this run, then its NAT lines are added (${natOptions().join('; ')})`);
      return [b];
    }
    return lines.length ? [b] : [];
  });
  const present = missing.filter((b) => missingNatLines(interfaces, b) !== undefined);
  const interfacesDiff = present.length ? unifiedDiff(INTERFACES, interfaces, withNatOptions(interfaces, present)) : [];
  const loadedDiff = current.loadedTable === undefined ? 'not loaded' : loadedTableDiffers(policy, current.loadedTable);

  const fields = [
    ...(policyDiff.length ? [{ field: POLICY_PATH, from: current.policyFile === undefined ? undefined : 'present', to: current.policyFile === undefined ? 'new file (checked with nft -c first)' : 'edited (checked with nft -c first)' }] : []),
    ...(missing.length ? [{ field: INTERFACES, from: undefined, to: `NAT lines for ${missing.join(', ')}` }] : []),
    ...(!current.forwarding ? [{ field: 'net.ipv4.ip_forward', from: 0, to: 1 }] : []),
    ...(policyDiff.length || loadedDiff ? [{ field: `table inet ${POLICY_TABLE}`, from: loadedDiff ?? 'loaded', to: `nft -f ${POLICY_PATH}` }] : []),
  ];
  if (!fields.length) return [unchanged('host-network', id)];
  return [
    {
      kind: 'host-network',
      id,
      action: current.policyFile === undefined ? 'create' : 'update',
      fields,
      diff: [...policyDiff, ...interfacesDiff],
      desired: { natBridges } satisfies HostNetworkChangeData,
      notes,
    },
  ];
}

async function readHostNetwork(host: HostChannel): Promise<HostNetworkCurrent> {
  const [policyFile, interfaces, listed, forward] = await Promise.all([
    host.readFile(POLICY_PATH),
    host.readFile(INTERFACES),
    host.run(listTable(), { okExitCodes: [0, 1, 127] }),
    host.readFile(IP_FORWARD),
  ]);
  return {
    where: host.description,
    policyFile,
    interfaces,
    loadedTable: listed.exitCode === 0 ? listed.stdout : undefined,
    noNft: listed.exitCode === 127,
    forwarding: forward?.trim() === '1',
  };
}

export async function verifyHostNetwork(host: HostChannel, state: DesiredState): Promise<Check[]> {
  const roles = networkRoles(state);
  if (!roles.internal.length) return [];
  const natBridges = roles.nat.map((b) => b.name);
  const current = await readHostNetwork(host).catch((e: Error) => e);
  if (current instanceof Error) return [{ name: 'NAT policy loaded', ok: false, detail: `cannot read the host: ${current.message}` }];
  const policy = renderPolicy(state, policySource(state));
  const loaded = current.loadedTable === undefined ? undefined : loadedTableDiffers(policy, current.loadedTable);
  const checks: Check[] = [
    {
      name: 'NAT policy loaded',
      ok: current.loadedTable !== undefined && !loaded,
      detail: current.noNft
        ? 'nft is not installed on the host (apt install nftables)'
        : current.loadedTable === undefined
          ? `\`${listTable().join(' ')}\` found no table on ${current.where}; run nx run infra:bridges`
          : (loaded ?? `table inet ${POLICY_TABLE} on ${current.where} is ${POLICY_PATH} as rendered from ${policySource(state)}`),
    },
    {
      name: 'IPv4 forwarding on',
      ok: !!current.forwarding,
      detail: current.forwarding ? `${IP_FORWARD} is 1` : `${IP_FORWARD} is not 1; run nx run infra:bridges`,
    },
  ];
  if (natBridges.length) {
    const lacking = natBridges.filter((b) => (missingNatLines(current.interfaces ?? '', b) ?? ['stanza']).length);
    checks.push({
      name: `NAT lines kept in ${INTERFACES} for ${natBridges.join(', ')}`,
      ok: !lacking.length,
      detail: lacking.length
        ? `${lacking.join(', ')} lack${lacking.length === 1 ? 's' : ''} ${natOptions().join('; ')}; run nx run infra:bridges`
        : natOptions().join('; '),
    });
  }
  return checks;
}

export const hostNetworkResource: Resource<HostNetworkCurrent> = {
  kind: 'host-network',
  async read(_api, state, ctx) {
    if (!networkRoles(state).internal.length) return {};
    if (!ctx?.host) return { noChannel: true };
    return readHostNetwork(ctx.host).catch((e: Error) => ({ where: ctx.host?.description, unreachable: e.message }));
  },
  diff: (state, current) => diffHostNetwork(state, current),
  async apply(_api, change, ctx) {
    if (!ctx.host) throw new Error('NAT and the forwarding policy need a way to the host (PVE_SSH, or run Genesis on the host with GENESIS_HOST=local)');
    const report = await applyNetwork(networkChannel(ctx.host), ctx.state, policySource(ctx.state));
    const { natBridges } = change.desired as HostNetworkChangeData;
    ctx.progress(
      `  ${report.policyChanged ? `installed ${POLICY_PATH} (nft -c passed), ` : ''}loaded it (nft -f), IPv4 forwarding on` +
        `${report.interfacesChanged ? `; NAT lines added to ${INTERFACES} for ${natBridges.join(', ')}` : ''}`,
    );
  },
  async verify(_api, state, ctx) {
    if (!ctx?.host) return [];
    return verifyHostNetwork(ctx.host, state);
  },
};
