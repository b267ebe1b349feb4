/**
 * A rule list changed by minimal edits in an order that never weakens it.
 *
 * "Weaker" is per packet: a list lets a packet in when its first matching enabled rule is an
 * ACCEPT (or none matches and the policy accepts). Every state the host passes through lets a
 * packet in only if the list before or the list after the change lets it in. Three phases keep
 * that true after every single request:
 *
 * 1. tighten: new DROP/REJECT rules go in (a blocking rule added anywhere only blocks more; it is
 *    created on top, then moved to its place), and ACCEPTs that go away are deleted (deleting an
 *    ACCEPT only blocks more). Every state here lets in a subset of what the old list let in.
 * 2. update in place: an ACCEPT that becomes another ACCEPT at the same place (narrowing SSH to
 *    one address) is one PUT, so it is never missing — the management access it carries is not
 *    cut off in between — and never both.
 * 3. loosen: blocking rules that go away are deleted, and new ACCEPTs go in created disabled, moved
 *    to their place, then enabled. Every state here lets in a subset of what the new list lets in.
 *
 * Rules kept as they are (the longest common subsequence of both lists) are never touched. Group
 * jumps (`type: group`) can both accept and block; they are handled like blocking rules.
 */
import type { FirewallRule, RuleParams } from '../api/firewall';
import type { RuleSpec } from '../state/schema';

export const RULE_KEYS = ['type', 'action', 'macro', 'source', 'dest', 'proto', 'dport', 'sport', 'iface', 'comment'] as const;
type RuleLike = Partial<Record<(typeof RULE_KEYS)[number], unknown>> & { enable?: unknown };

const on = (r: RuleLike) => r.enable === true || Number(r.enable) === 1 || r.enable === undefined;

export function ruleParams(r: RuleSpec): RuleParams {
  const out: Record<string, unknown> = { enable: r.enable ? 1 : 0 };
  for (const k of RULE_KEYS) if (r[k] !== undefined && r[k] !== '') out[k] = r[k];
  return out as RuleParams;
}

/** One line per rule, the same for a declared rule and a rule read from the host. */
export function ruleKey(r: RuleLike): string {
  const parts = RULE_KEYS.filter((k) => r[k] !== undefined && r[k] !== '').map((k) => `${k}=${String(r[k])}`);
  return `${parts.join(' ')}${on(r) ? '' : ' (disabled)'}`;
}

type RuleClass = 'accept' | 'block' | 'off';
function classOf(r: RuleLike): RuleClass {
  if (!on(r)) return 'off';
  return r.type !== 'group' && r.action === 'ACCEPT' ? 'accept' : 'block';
}

/** One request; `pos` is the index at the moment it is sent. */
export type RuleEdit =
  | { op: 'create'; params: RuleParams; label: string }
  | { op: 'move'; pos: number; moveto: number; label: string }
  | { op: 'update'; pos: number; params: RuleParams; remove: string[]; label: string }
  | { op: 'delete'; pos: number; label: string };

/** The requests that turn `current` into `desired`, in a never-weaker order. */
export function planRuleEdits(current: FirewallRule[], desired: RuleSpec[]): RuleEdit[] {
  const before = [...current].sort((a, b) => a.pos - b.pos);
  const have = before.map(ruleKey);
  const want = desired.map(ruleKey);
  const anchors = lcs(have, want);

  // Unmatched rules of both lists, by the gap between anchors they sit in.
  const gapOfHave = new Map<number, number>();
  const gapOfWant = new Map<number, number>();
  let gap = 0;
  let h = 0;
  let w = 0;
  for (const [ah, aw] of [...anchors, [have.length, want.length]]) {
    for (; h < ah; h++) gapOfHave.set(h, gap);
    for (; w < aw; w++) gapOfWant.set(w, gap);
    h = ah + 1;
    w = aw + 1;
    gap++;
  }
  // ACCEPT → ACCEPT (or disabled → disabled) in the same gap: one update in place.
  const pairOfHave = new Map<number, number>();
  const pairedWant = new Set<number>();
  for (const [hi, g] of gapOfHave) {
    const cls = classOf(before[hi]);
    if (cls === 'block') continue;
    const wi = [...gapOfWant].find(([wj, gw]) => gw === g && !pairedWant.has(wj) && classOf(desired[wj]) === cls)?.[0];
    if (wi === undefined) continue;
    pairOfHave.set(hi, wi);
    pairedWant.add(wi);
  }

  // The list as it will be on the host, each entry knowing its index in `desired` (if any).
  interface Entry {
    key: string;
    want?: number;
    have?: number;
  }
  const model: Entry[] = before.map((r, i) => ({ key: have[i], have: i, want: anchors.find(([ah]) => ah === i)?.[1] ?? pairOfHave.get(i) }));
  const edits: RuleEdit[] = [];
  const posOf = (e: Entry) => model.indexOf(e);
  /** Where desired[wi] belongs now: right after the last placed rule that comes before it. */
  const slotFor = (wi: number) => {
    let prev = -1;
    model.forEach((e, i) => {
      if (e.want !== undefined && e.want < wi) prev = i;
    });
    return prev + 1;
  };
  const remove = (e: Entry) => {
    edits.push({ op: 'delete', pos: posOf(e), label: `deleted rule ${e.key}` });
    model.splice(posOf(e), 1);
  };
  const add = (wi: number, disabledFirst: boolean) => {
    const params = ruleParams(desired[wi]);
    const slot = slotFor(wi);
    const entry: Entry = { key: want[wi], want: wi };
    edits.push({ op: 'create', params: disabledFirst ? { ...params, enable: 0 } : params, label: `added rule ${want[wi]}${disabledFirst ? ' (disabled)' : ''} on top` });
    model.unshift(entry);
    // moveto puts it in front of the rule at that index before the move: slot + 1 with it on top.
    if (slot > 0) {
      edits.push({ op: 'move', pos: 0, moveto: slot + 1, label: `moved rule ${want[wi]} to position ${slot}` });
      model.splice(0, 1);
      model.splice(slot, 0, entry);
    }
    if (disabledFirst) edits.push({ op: 'update', pos: posOf(entry), params, remove: [], label: `enabled rule ${want[wi]} at position ${posOf(entry)}` });
  };
  const unplaced = (cls: RuleClass) => want.map((_, wi) => wi).filter((wi) => !model.some((e) => e.want === wi) && classOf(desired[wi]) === cls);
  const unwanted = (cls: RuleClass) => model.filter((e) => e.want === undefined && e.have !== undefined && classOf(before[e.have]) === cls);

  // 1. tighten
  for (const wi of [...unplaced('block'), ...unplaced('off')]) add(wi, false);
  for (const e of [...unwanted('accept'), ...unwanted('off')]) remove(e);
  // 2. update in place
  for (const e of model) {
    if (e.have === undefined || e.want === undefined || e.key === want[e.want]) continue;
    const params = ruleParams(desired[e.want]);
    const old = before[e.have] as unknown as Record<string, unknown>;
    const removeKeys = RULE_KEYS.filter((k) => old[k] !== undefined && old[k] !== '' && (params as Record<string, unknown>)[k] === undefined);
    edits.push({ op: 'update', pos: posOf(e), params, remove: removeKeys, label: `updated rule at position ${posOf(e)} from ${e.key} to ${want[e.want]}` });
    e.key = want[e.want];
  }
  // 3. loosen
  for (const e of unwanted('block')) remove(e);
  for (const wi of unplaced('accept')) add(wi, true);
  return edits;
}

/** Index pairs of a longest common subsequence, in order. */
function lcs(a: string[], b: string[]): [number, number][] {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  const out: [number, number][] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) out.push([i++, j++]);
    else if (t[i + 1][j] >= t[i][j + 1]) i++;
    else j++;
  }
  return out;
}

export interface RuleListApi {
  create(params: RuleParams): Promise<unknown>;
  move(pos: number, moveto: number): Promise<unknown>;
  update(pos: number, params: RuleParams, remove: string[]): Promise<unknown>;
  delete(pos: number): Promise<unknown>;
}

export class RuleEditError extends Error {
  constructor(readonly where: string, readonly applied: string[], readonly failed: string, readonly reason: Error, readonly left: string[]) {
    super(
      `${where}: ${failed} failed: ${reason.message}\n` +
        `    applied before it (${applied.length}): ${applied.length ? applied.join('; ') : 'nothing'}\n` +
        `    not applied (${left.length + 1}): ${[failed, ...left].join('; ')}\n` +
        `    The rules on the host are at least as strict as before or as declared; run again to finish.`,
    );
    this.name = 'RuleEditError';
  }
}

/** Sends the edits one by one; a failure says exactly which were applied. */
export async function applyRuleEdits(where: string, edits: RuleEdit[], api: RuleListApi): Promise<string[]> {
  const applied: string[] = [];
  for (const [i, e] of edits.entries()) {
    try {
      if (e.op === 'create') await api.create(e.params);
      else if (e.op === 'move') await api.move(e.pos, e.moveto);
      else if (e.op === 'update') await api.update(e.pos, e.params, e.remove);
      else await api.delete(e.pos);
    } catch (err) {
      throw new RuleEditError(where, applied, e.label, err as Error, edits.slice(i + 1).map((x) => x.label));
    }
    applied.push(e.label);
  }
  return applied;
}
