/**
 * `plan`: read the host, diff it against the desired state, and render the result for a person.
 * The reads take one latency round on a converged host: everything that depends on nothing goes
 * out at once (`/version`, storage, disks, network, firewall options/rules/groups, PCI mappings
 * and devices, the VM list, storage contents, and the host channel's facts), and with it what the
 * listings will name when the host has what genesis.yaml declares (per-VM configs and firewalls,
 * template configs, security-group rules: prefetch.ts). Whatever else a listing names (undeclared
 * VMs and groups, for --prune) goes out in a second round. Every kind reads through one ReadMemo,
 * so a path two kinds need (the VM list) is read once per run.
 */
import type { PveApi } from '../client/types';
import type { DesiredState } from '../state/load';
import { RESOURCE_KINDS, type Change, type HostContext, type ResourceKind } from '../resources/types';
import { RESOURCES } from './registry';
import { getVersion, type PveVersion } from '../api/version';
import { featureProblems, releaseProblems } from './release';
import { ReadMemo } from './read-memo';
import { prefetchDeclared } from './prefetch';

export interface PlanOptions {
  /** Restrict to these kinds (a step target); default all. */
  kinds?: readonly ResourceKind[];
  prune?: boolean;
  /** `--prune=NAME`: what --prune may delete although Genesis did not make it. */
  pruneNames?: string[];
  /** The host channel and consent flags for the host steps (without: they plan nothing). */
  host?: HostContext;
  /** The run's read memo (apply passes its own to reuse the plan's reads); default a fresh one. */
  reads?: ReadMemo;
}

export interface Plan {
  node: string;
  kinds: readonly ResourceKind[];
  changes: Change[];
  /** What `GET /version` answered. */
  host?: PveVersion;
  /** The host's release is unsupported, or lacks something declared: nothing may be applied. */
  hostProblems?: string[];
}

export async function plan(api: PveApi, state: DesiredState, options: PlanOptions = {}): Promise<Plan> {
  const kinds = RESOURCE_KINDS.filter((k) => !options.kinds || options.kinds.includes(k));
  const reads = options.reads ?? new ReadMemo(api);
  // /version goes out with the first round of reads: the release gates the plan, not the reads.
  const reading = Promise.all([getVersion(reads), ...kinds.map((k) => RESOURCES[k].read(reads, state, options.host))]);
  // After the listings (the host serves them first), before any answer: see prefetch.ts.
  const prefetched = prefetchDeclared(reads, state, kinds);
  // Both settle before the plan returns or fails: no request is left in flight behind it.
  const [answers] = await Promise.allSettled([reading, prefetched]);
  if (answers.status === 'rejected') throw answers.reason;
  const [host, ...currents] = answers.value;
  const changes = kinds.flatMap((k, i) => RESOURCES[k].diff(state, currents[i], { prune: !!options.prune, pruneNames: options.pruneNames }));
  const unsupported = releaseProblems(host);
  const hostProblems = unsupported.length ? unsupported : featureProblems(state, host);
  return { node: api.node, kinds, changes, host, hostProblems };
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
}

export function summarize(p: Plan): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const c of p.changes) s[c.action]++;
  return s;
}

export const pendingChanges = (p: Plan) => p.changes.filter((c) => c.action !== 'unchanged');
export const planProblems = (p: Plan) => [
  ...(p.hostProblems ?? []).map((msg) => `host: ${msg}`),
  ...p.changes.flatMap((c) => (c.problems ?? []).map((msg) => `${c.id}: ${msg}`)),
];

const SIGN = { create: '+', update: '~', delete: '-', unchanged: '=' } as const;

function show(v: unknown): string {
  if (v === undefined || v === null || v === '') return '(none)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function formatPlan(p: Plan, source: string): string {
  const lines = [`Plan for node ${p.node} from ${source} (${p.kinds.join(', ')}):`];
  if (p.host) lines.push(`  host: Proxmox VE ${p.host.version} (release ${p.host.release})`);
  for (const pr of p.hostProblems ?? []) lines.push(`      PROBLEM: ${pr}`);
  for (const c of p.changes) {
    lines.push(`  ${SIGN[c.action]} ${c.id}${c.action === 'unchanged' ? '' : `: ${c.action}`}`);
    for (const f of c.fields) {
      if (c.action === 'create') lines.push(`      ${f.field}: ${show(f.to)}`);
      else if (c.action === 'delete') lines.push(`      ${f.field}: ${show(f.from)}`);
      else lines.push(`      ${f.field}: ${show(f.from)} → ${show(f.to)}`);
    }
    for (const d of c.diff ?? []) lines.push(`      ${d}`);
    for (const n of c.notes ?? []) lines.push(`      note: ${n}`);
    for (const pr of c.problems ?? []) lines.push(`      PROBLEM: ${pr}`);
  }
  const s = summarize(p);
  lines.push(`Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.unchanged} unchanged.`);
  if (!pendingChanges(p).length) lines.push('No changes: the host matches the desired state.');
  return lines.join('\n');
}
