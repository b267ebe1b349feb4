/**
 * `apply`: plan, refuse on problems, then run the changes in dependency order (storage → GPU
 * mapping → bridges → firewall → templates → VMs; deletions last, in reverse). Bridges go as one
 * staged batch with one reload. No local state: a run that stopped half-way is resumed by running
 * again, because the next plan reads what the host has.
 */
import type { PveApi } from '../client/types';
import type { ProgressFn } from '../api/tasks';
import type { NetworkInterface } from '../api/network';
import type { DesiredState } from '../state/load';
import { RESOURCE_KINDS, type ApplyContext, type Change } from '../resources/types';
import { RESOURCES } from './registry';
import { commitBridgeChanges, guardManagement } from './network';
import { formatPlan, pendingChanges, plan, planProblems, type Plan, type PlanOptions } from './plan';

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
  constructor(readonly change: Change, readonly reason: Error, done: number) {
    super(
      `${change.id} (${change.action}) failed: ${reason.message}\n` +
        `${done} change${done === 1 ? ' was' : 's were'} applied before it. Fix the cause and run again: ` +
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

export async function apply(api: PveApi, state: DesiredState, options: ApplyOptions = {}): Promise<ApplyResult> {
  const progress = options.progress ?? ((line: string) => console.log(line));
  const p = await plan(api, state, options);
  progress(formatPlan(p, state.source.file));
  const problems = planProblems(p);
  if (problems.length) throw new PlanProblemError(problems);
  if (!pendingChanges(p).length) return { plan: p, applied: [] };

  const ordered = orderChanges(p.changes);
  const bridgeChanges = ordered.filter((c) => c.kind === 'bridge');
  let before: NetworkInterface[] = [];
  if (bridgeChanges.length) {
    before = (await RESOURCES.bridge.read(api, state)) as unknown as NetworkInterface[];
    guardManagement(bridgeChanges, before, options.managementAddress, !!options.allowManagementChange);
  }

  progress('Applying:');
  const applied: Change[] = [];
  const ctx: ApplyContext = { ...options.host, state, progress, placeFile: options.placeFile };
  let bridgesDone = false;
  for (const change of ordered) {
    const started = Date.now();
    try {
      if (change.kind === 'bridge') {
        if (bridgesDone) continue;
        bridgesDone = true;
        await commitBridgeChanges(api, bridgeChanges, before, { progress, confirmTimeoutMs: options.confirmTimeoutMs });
        applied.push(...bridgeChanges);
        progress(`  ✓ ${bridgeChanges.map((c) => c.id).join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        continue;
      }
      await RESOURCES[change.kind].apply(api, change, ctx);
      applied.push(change);
      progress(`  ✓ ${change.id}: ${change.action} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      throw new ApplyStepError(change, e as Error, applied.length);
    }
  }
  progress(`Applied ${applied.length} change${applied.length === 1 ? '' : 's'}.`);
  return { plan: p, applied };
}
