/**
 * The second round of a plan's reads, sent with the first: the per-VM config and firewall reads
 * and the security groups' rules are named by the listings (`/nodes/{node}/qemu`,
 * `/cluster/firewall/groups`), but on a converged host the listings only confirm what
 * genesis.yaml already declares. So the reads of every declared VM, template and group go out at
 * once with the listings, into the run's ReadMemo; the resources then ask for them as before
 * (after their listing) and get the answer already in flight. A converged plan costs one latency
 * round instead of two.
 *
 * What the host lacks costs nothing more than a request: a read of a VM or group that does not
 * exist fails (`… does not exist`, `no such …`: not retried), the memo does not keep the failure,
 * and no resource asks for it because its listing does not name it. What the host has beyond
 * genesis.yaml (for --prune) is still read after the listing, in a second round.
 */
import { listGroupRules, getVmFirewallOptions, listVmRules } from '../api/firewall';
import { getVmConfig } from '../api/qemu';
import type { DesiredState } from '../state/load';
import type { ResourceKind } from '../resources/types';
import type { ReadMemo } from './read-memo';

/**
 * Sends the reads the listings will name on a converged host. The promise settles (never rejects)
 * once every one has: a plan waits for it, so no request is left in flight when the plan returns.
 */
export async function prefetchDeclared(reads: ReadMemo, state: DesiredState, kinds: readonly ResourceKind[]): Promise<void> {
  const pending: Promise<unknown>[] = [];
  if (kinds.includes('vm'))
    for (const vm of state.vms) pending.push(getVmConfig(reads, vm.id), getVmFirewallOptions(reads, vm.id), listVmRules(reads, vm.id));
  if (kinds.includes('template')) for (const t of state.templates) pending.push(getVmConfig(reads, t.id));
  if (kinds.includes('firewall')) for (const g of state.firewall.groups) pending.push(listGroupRules(reads, g.name));
  // A read of something absent fails, as expected; whoever needs it asks the memo again.
  await Promise.allSettled(pending);
}
