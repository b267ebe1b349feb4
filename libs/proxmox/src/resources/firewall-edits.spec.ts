import { moveRule } from '@genesis/pve-sim/firewall';
import type { FirewallRule } from '../api/firewall';
import type { RuleSpec } from '../state/schema';
import { probes, weakerThanBoth } from '../testing/probe-packets';
import { planRuleEdits, ruleKey, ruleParams, type RuleEdit } from './firewall-edits';

const spec = (r: Partial<RuleSpec> & Pick<RuleSpec, 'type' | 'action'>): RuleSpec => ({ enable: true, ...r });
const host = (rules: RuleSpec[]): FirewallRule[] => rules.map((r, pos) => ({ ...(ruleParams(r) as FirewallRule), pos }));

/** PVE's list semantics (pve-firewall Rules.pm): create unshifts, moveto goes in front of that index. */
function run(list: Record<string, unknown>[], e: RuleEdit): Record<string, unknown>[] {
  if (e.op === 'create') return [{ ...e.params }, ...list];
  if (e.op === 'delete') return list.filter((_, i) => i !== e.pos);
  if (e.op === 'move') return moveRule(list as never, e.pos, e.moveto) as never;
  const next = { ...list[e.pos], ...e.params };
  for (const k of e.remove) delete (next as Record<string, unknown>)[k];
  return list.map((r, i) => (i === e.pos ? next : r));
}

const LAN = '192.168.1.0/24';
const ADMIN = '192.168.1.10';
const PROBES = probes([ADMIN, '192.168.1.77', '10.0.1.5', '10.0.2.5', '8.8.8.8'], [22, 80, 443, 8006, 9100]);
const POLICY = { in: 'DROP', out: 'ACCEPT' };

const sshLan = spec({ type: 'in', action: 'ACCEPT', macro: 'SSH', source: LAN, comment: 'SSH' });
const sshAdmin = spec({ type: 'in', action: 'ACCEPT', macro: 'SSH', source: ADMIN, comment: 'SSH' });
const api = spec({ type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '8006', source: LAN });
const exporter = spec({ type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '9100' });
const dropDmz = spec({ type: 'out', action: 'DROP', dest: '10.0.1.0/24' });
const dropWan = spec({ type: 'in', action: 'DROP', source: '8.8.8.8' });
const rejectUdp = spec({ type: 'in', action: 'REJECT', proto: 'udp' });
const pool = [sshLan, sshAdmin, api, exporter, dropDmz, dropWan, rejectUdp];

/** Applies every edit and checks each state in between; returns the final list. */
function walk(before: RuleSpec[], after: RuleSpec[]) {
  const edits = planRuleEdits(host(before), after);
  let list: Record<string, unknown>[] = host(before).map(({ pos: _pos, ...r }) => r);
  const b = host(before) as unknown as Record<string, unknown>[];
  const a = host(after) as unknown as Record<string, unknown>[];
  for (const e of edits) {
    list = run(list, e);
    expect({ after: e.label, weaker: weakerThanBoth(list, b, a, POLICY, PROBES) }).toEqual({ after: e.label, weaker: [] });
  }
  expect(list.map((r) => ruleKey(r))).toEqual(after.map(ruleKey));
  return edits;
}

describe('firewall rule edits', () => {
  it('narrows SSH from the LAN to one address with one update in place, never without SSH for the admin', () => {
    const edits = walk([api, sshLan, exporter], [api, sshAdmin, exporter]);
    expect(edits).toEqual([expect.objectContaining({ op: 'update', pos: 1, remove: [] })]);
  });

  it('adds a DROP before it deletes the ACCEPT it replaces', () => {
    const edits = walk([exporter, api], [dropWan, api]);
    expect(edits.map((e) => e.op)).toEqual(['create', 'delete']);
  });

  it('adds a new ACCEPT disabled, moves it to its place, then enables it', () => {
    const edits = walk([dropWan, api], [dropWan, exporter, api]);
    expect(edits.map((e) => e.op)).toEqual(['create', 'move', 'update']);
    expect(edits[0]).toMatchObject({ params: { enable: 0 } });
  });

  it('touches nothing when the lists agree, and removes an undeclared rule', () => {
    expect(planRuleEdits(host([api, sshAdmin]), [api, sshAdmin])).toEqual([]);
    expect(walk([api, exporter, sshAdmin], [api, sshAdmin]).map((e) => e.op)).toEqual(['delete']);
  });

  it('is never weaker than before or after for 150 random pairs of lists', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = () => [...pool].sort(() => rnd() - 0.5).slice(0, Math.floor(rnd() * 6));
    for (let i = 0; i < 150; i++) walk(pick(), pick());
  });
});
