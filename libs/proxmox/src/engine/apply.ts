/**
 * `apply`: plan, refuse on problems, then run the changes, independent ones side by side:
 * - bridges first and alone, every edit (deletions too) in one staged batch with one reload: a
 *   reload may drop connections, so no other write is in flight then;
 * - then the GPU host step, storage and the firewall at once (the host step alone when it reboots),
 *   each kind in order (storage.cfg and cluster.fw have one digest each; firewall options last);
 * - the GPU mapping after the host step, templates once storage is there, VMs once templates,
 *   firewall groups and the mapping are. Templates run side by side, and so do VMs; one guest's
 *   writes go one at a time (the client queues writes per VMID, PVE locks per VM).
 * A failure stops what depends on it, not independent work. Deletions go last, one by one, in
 * reverse dependency order. No local state: a run that stopped half-way is resumed by running
 * again, because the next plan reads what the host has.
 */
import type { PveApi } from '../client/types';
import type { ProgressFn } from '../api/tasks';
import type { NetworkInterface } from '../api/network';
import type { DesiredState } from '../state/load';
import { RESOURCE_KINDS, type ApplyContext, type Change, type ResourceKind } from '../resources/types';
import { RESOURCES } from './registry';
import { commitBridgeChanges, guardManagement } from './network';
import { formatPlan, pendingChanges, plan, planProblems, type Plan, type PlanOptions } from './plan';
import { ReadMemo } from './read-memo';

export interface ApplyOptions extends PlanOptions {
  progress?: ProgressFn;
  allowManagementChange?: boolean;
  /** The address the API is reached at (for the management guard). */
  managementAddress?: string;
  confirmTimeoutMs?: number;
  placeFile?: ApplyContext['placeFile'];
}

export class PlanProblemError extends Error {
  constructor(readonly problems: string[]) {
    super(`the plan cannot be applied; nothing was changed:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'PlanProblemError';
  }
}

export class ApplyStepError extends Error {
  constructor(
    readonly change: Change,
    readonly reason: Error,
    done: number,
    /** Other changes that failed in the same run (independent ones run side by side). */
    readonly others: { change: Change; reason: Error }[] = [],
  ) {
    super(
      `${change.id} (${change.action}) failed: ${reason.message}\n` +
        others.map((o) => `${o.change.id} (${o.change.action}) failed too: ${o.reason.message}\n`).join('') +
        `${done} change${done === 1 ? ' was' : 's were'} applied in this run. Fix the cause and run again: ` +
        `the next run reads the host and continues from there.`,
    );
    this.name = 'ApplyStepError';
  }
}

export interface ApplyResult {
  plan: Plan;
  applied: Change[];
}

/** Changes in the order they must run. */
export function orderChanges(changes: Change[]): Change[] {
  const pending = changes.filter((c) => c.action !== 'unchanged');
  const rank = (c: Change) => RESOURCE_KINDS.indexOf(c.kind);
  const forward = pending.filter((c) => c.action !== 'delete').sort((a, b) => rank(a) - rank(b));
  // Deletions go last and in reverse: VMs before the templates and bridges they use.
  const deletes = pending.filter((c) => c.action === 'delete').sort((a, b) => rank(b) - rank(a));
  return [...forward, ...deletes];
}

/** The kinds whose forward changes must be done before a kind's start. */
export function applyPrerequisites(reboot: boolean): Record<ResourceKind, readonly ResourceKind[]> {
  // A reboot takes the API away: nothing else may be writing then.
  const afterHost: ResourceKind[] = reboot ? ['bridge', 'host-network', 'gpu-host'] : ['bridge'];
  return {
    bridge: [],
    // NAT lines go into the bridges' stanzas, so the bridges come first; the two host-file steps
    // run one after the other on the one host channel.
    'host-network': ['bridge'],
    'gpu-host': ['bridge', 'host-network'],
    storage: afterHost,
    firewall: afterHost,
    'pci-mapping': ['bridge', 'gpu-host'],
    template: [...afterHost, 'storage'],
    vm: [...afterHost, 'storage', 'firewall', 'pci-mapping', 'template'],
  };
}

/** Kinds whose changes each touch one guest of their own, so they may run side by side. */
const PER_GUEST: ReadonlySet<ResourceKind> = new Set(['template', 'vm']);

export async function apply(api: PveApi, state: DesiredState, options: ApplyOptions = {}): Promise<ApplyResult> {
  const progress = options.progress ?? ((line: string) => console.log(line));
  // The plan's reads serve the management guard too; the changes themselves go to `api` directly.
  const reads = new ReadMemo(api);
  const p = await plan(api, state, { ...options, reads });
  progress(formatPlan(p, state.source.file));
  const problems = planProblems(p);
  if (problems.length) throw new PlanProblemError(problems);
  if (!pendingChanges(p).length) return { plan: p, applied: [] };

  const ordered = orderChanges(p.changes);
  // Every bridge edit, deletions included, goes in the one staged batch with one reload.
  const bridgeChanges = ordered.filter((c) => c.kind === 'bridge');
  let before: NetworkInterface[] = [];
  if (bridgeChanges.length) {
    before = (await RESOURCES.bridge.read(reads, state)) as unknown as NetworkInterface[];
    guardManagement(bridgeChanges, before, options.managementAddress, !!options.allowManagementChange);
  }

  progress('Applying:');
  const applied: Change[] = [];
  const ctx: ApplyContext = { ...options.host, state, progress, placeFile: options.placeFile };
  const failures: { change: Change; reason: Error }[] = [];
  /** Runs one unit of work; false when it failed (recorded, not thrown: independent work goes on). */
  const timed = async (changes: Change[], work: () => Promise<void>): Promise<boolean> => {
    const started = Date.now();
    try {
      await work();
    } catch (e) {
      failures.push({ change: changes[0], reason: e as Error });
      return false;
    }
    applied.push(...changes);
    const took = `(${((Date.now() - started) / 1000).toFixed(1)} s)`;
    progress(changes.length > 1 ? `  ✓ ${changes.map((c) => c.id).join(', ')} ${took}` : `  ✓ ${changes[0].id}: ${changes[0].action} ${took}`);
    return true;
  };
  const one = (change: Change) => () => RESOURCES[change.kind].apply(api, change, ctx);

  // Forward changes: a kind starts once its prerequisites succeeded; a failure stops what depends
  // on it (and the rest of its own kind, whose order matters), never an independent kind.
  const forward = ordered.filter((c) => c.action !== 'delete' || c.kind === 'bridge');
  const prerequisites = applyPrerequisites(!!ctx.reboot);
  const done = new Map<ResourceKind, Promise<boolean>>();
  const runKind = (kind: ResourceKind): Promise<boolean> => {
    let running = done.get(kind);
    if (running) return running;
    running = (async () => {
      const ready = await Promise.all(prerequisites[kind].map(runKind));
      if (ready.includes(false)) return false;
      const mine = forward.filter((c) => c.kind === kind);
      if (kind === 'bridge') {
        if (!mine.length) return true;
        return timed(mine, () => commitBridgeChanges(api, mine, before, { progress, confirmTimeoutMs: options.confirmTimeoutMs }));
      }
      if (PER_GUEST.has(kind)) return (await Promise.all(mine.map((c) => timed([c], one(c))))).every(Boolean);
      for (const c of mine) if (!(await timed([c], one(c)))) return false;
      return true;
    })();
    done.set(kind, running);
    return running;
  };
  await Promise.all(RESOURCE_KINDS.map(runKind));

  // Deletions, once everything else went through: VMs before the templates they were cloned from.
  if (!failures.length)
    for (const change of ordered.filter((c) => c.action === 'delete' && c.kind !== 'bridge')) if (!(await timed([change], one(change)))) break;
  if (failures.length) {
    const first = failures[0];
    throw new ApplyStepError(first.change, first.reason, applied.length, failures.slice(1));
  }
  progress(`Applied ${applied.length} change${applied.length === 1 ? '' : 's'}.`);
  return { plan: p, applied };
}
