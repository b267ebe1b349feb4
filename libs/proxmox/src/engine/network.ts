/**
 * Bridge changes reach the host as one reload: every edit is staged, then `PUT /nodes/{node}/network`.
 * The management guard refuses to touch the bridge the API is reached through unless asked; after
 * the reload the API must answer again within a bound, otherwise the change is rolled back (staged
 * edits discarded, the previous definitions re-staged and reloaded) and the step fails.
 */
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { PveApi } from '../client/types';
import { applyNetwork, listNetwork, revertNetwork, type NetworkInterface } from '../api/network';
import { awaitTask, type ProgressFn } from '../api/tasks';
import { getVersion } from '../api/version';
import { PveTaskError } from '../client/errors';
import { bridgeViewOfInterface, stageBridge, type BridgeChangeData } from '../resources/bridge';
import type { Change } from '../resources/types';
import { parseCidr } from '../state/ipv4';

export class ManagementGuardError extends Error {
  constructor(bridge: string, address: string) {
    super(
      `bridge ${bridge} carries the management address ${address} (the API this run talks to), and this plan changes it. ` +
        `A mistake there cuts the host off. Check the plan, then run again with --allow-management-change ` +
        `(have console access ready).`,
    );
    this.name = 'ManagementGuardError';
  }
}

export class NetworkApplyError extends Error {
  constructor(message: string, readonly rolledBack: boolean) {
    super(message);
    this.name = 'NetworkApplyError';
  }
}

/** Resolves the API host to an IPv4 address (a name through DNS). */
export async function resolveManagementAddress(host: string): Promise<string | undefined> {
  if (isIP(host)) return host;
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    return undefined;
  }
}

const addressOf = (cidr: string | undefined) => (cidr ? parseCidr(cidr)?.address : undefined);

/**
 * The bridge the management address lives on. When the API is reached through loopback (an SSH
 * tunnel, or the embedded simulator) the address is not on any bridge; then the bridge holding the
 * default gateway is the one that carries the management link.
 */
export function managementBridge(ifaces: NetworkInterface[], address: string | undefined): { bridge: string; address: string } | undefined {
  const bridges = ifaces.filter((i) => i.type === 'bridge');
  const direct = bridges.find((b) => addressOf(bridgeViewOfInterface(b).cidr) === address);
  if (direct && address) return { bridge: direct.iface, address };
  if (!address || address.startsWith('127.') || address === '::1' || address === 'localhost') {
    const gw = bridges.find((b) => b.gateway);
    const a = gw ? addressOf(bridgeViewOfInterface(gw).cidr) : undefined;
    if (gw && a) return { bridge: gw.iface, address: a };
  }
  return undefined;
}

/** Throws unless allowed when any staged bridge change touches the management bridge or address. */
export function guardManagement(changes: Change[], ifaces: NetworkInterface[], address: string | undefined, allow: boolean): void {
  const mgmt = managementBridge(ifaces, address);
  if (!mgmt || allow) return;
  for (const c of changes) {
    const d = c.desired as BridgeChangeData;
    const touchesAddress = addressOf(d.after?.cidr) === mgmt.address || addressOf(d.before?.cidr) === mgmt.address;
    if (d.name === mgmt.bridge || touchesAddress) throw new ManagementGuardError(d.name, mgmt.address);
  }
}

export interface CommitOptions {
  progress: ProgressFn;
  /** How long the API may take to answer after the reload (default 60 s). */
  confirmTimeoutMs?: number;
}

/** Probes the API until it answers or the bound passes. */
export async function apiAnswers(api: PveApi, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await Promise.race([
      getVersion(api).then(() => true, () => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), Math.max(250, Math.min(10_000, deadline - Date.now()))).unref()),
    ]);
    if (ok) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
  }
}

/** Stages every bridge change, reloads once, confirms the API, rolls back on failure. */
export async function commitBridgeChanges(api: PveApi, changes: Change[], before: NetworkInterface[], options: CommitOptions): Promise<void> {
  const confirmMs = options.confirmTimeoutMs ?? 60_000;
  let failure: string | undefined;
  let upid: string | undefined;
  try {
    for (const c of changes) {
      options.progress(`  staging ${c.id} (${c.action})`);
      await stageBridge(api, c.desired as BridgeChangeData, c.action as 'create' | 'update' | 'delete');
    }
    options.progress(`  applying ${changes.length} staged bridge change${changes.length === 1 ? '' : 's'} with one network reload`);
    upid = await applyNetwork(api);
    await awaitTask(api, upid, 'network reload', options.progress);
  } catch (e) {
    // A task that reports failure failed; an error reaching the task status may just be the reload
    // taking the link down for a moment, which the probe below decides.
    if (!upid || e instanceof PveTaskError) failure = `the network change failed: ${(e as Error).message}`;
  }
  if (!failure && !(await apiAnswers(api, confirmMs))) {
    failure = `the API did not answer within ${confirmMs >= 1000 ? `${Math.round(confirmMs / 1000)} s` : `${confirmMs} ms`} after the network reload`;
  } else if (!failure && upid) {
    // The link is back: the reload task's own result decides.
    await awaitTask(api, upid, 'network reload').catch((e: Error) => {
      failure = `the network change failed: ${e.message}`;
    });
  }
  if (!failure) return;

  options.progress(`  ${failure}; rolling back the bridges`);
  const restored = await rollback(api, changes, before, options.progress, confirmMs).catch((e: Error) => e);
  if (restored === true) {
    throw new NetworkApplyError(`${failure}. The previous bridge configuration was restored and the API answers; nothing else was changed.`, true);
  }
  const why = restored instanceof Error ? restored.message : 'the API still does not answer';
  throw new NetworkApplyError(
    `${failure}. Rolling back did not succeed (${why}). On the host console: ` +
      `cp /etc/network/interfaces /root/interfaces.genesis-failed, restore the bridges, then run ifreload -a.`,
    false,
  );
}

async function rollback(api: PveApi, changes: Change[], before: NetworkInterface[], progress: ProgressFn, confirmMs: number): Promise<boolean> {
  // Staged edits that never got applied: throw them away.
  await revertNetwork(api).catch(() => undefined);
  const now = await listNetwork(api);
  let restaged = 0;
  for (const c of changes) {
    const name = (c.desired as BridgeChangeData).name;
    const was = before.find((i) => i.iface === name);
    const is = now.find((i) => i.iface === name);
    const wasView = was ? bridgeViewOfInterface(was) : undefined;
    const isView = is ? bridgeViewOfInterface(is) : undefined;
    if (JSON.stringify(wasView) === JSON.stringify(isView)) continue;
    restaged++;
    if (!wasView) await stageBridge(api, { name }, 'delete');
    else if (!isView) await stageBridge(api, { name, after: wasView }, 'create');
    else await stageBridge(api, { name, before: isView, after: wasView }, 'update');
  }
  if (restaged) {
    progress(`  re-applying the previous definition of ${restaged} bridge${restaged === 1 ? '' : 's'}`);
    await awaitTask(api, await applyNetwork(api), 'network rollback', progress);
  }
  // After a rollback the wait may be longer: knowing whether the host is back matters most.
  return apiAnswers(api, Math.max(confirmMs, 10_000));
}
