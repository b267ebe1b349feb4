import { diffFirewall, ruleKey, ruleParams, type FirewallCurrent } from './firewall';
import { marked } from './managed';
import type { FirewallRule } from '../api/firewall';
import { genesisState } from '../testing/desired-state';

const { firewall } = genesisState();
const asHost = (rules: typeof firewall.rules): FirewallRule[] =>
  rules.map((r, pos) => ({ ...(ruleParams(r) as unknown as FirewallRule), pos, digest: "x" }));
const converged: FirewallCurrent = {
  options: { enable: 1, policy_in: 'DROP', policy_out: 'ACCEPT', digest: 'o1' },
  rules: asHost(firewall.rules),
  groups: firewall.groups.map((g) => ({ group: g.name, comment: marked(g.comment), rules: asHost(g.rules) })),
};

describe('firewall diff', () => {
  it('on a fresh host: creates the groups, adds the host rules, then enables the firewall (in that order)', () => {
    const changes = diffFirewall(firewall, { options: {}, rules: [], groups: [] }, false);
    expect(changes.map((c) => [c.id, c.action])).toEqual([
      ['security group intranet', 'create'],
      ['security group dmz', 'create'],
      ['host rules', 'update'],
      ['firewall options', 'update'],
    ]);
    expect(changes[3].fields).toEqual([{ field: 'enable', from: false, to: true }]);
    expect(changes[1].fields.map((f) => f.to)).toContain('type=out action=DROP dest=10.0.1.0/24 comment=DMZ cannot reach the intranet');
  });

  it('is unchanged on a converged host', () => {
    expect(diffFirewall(firewall, converged, false).every((c) => c.action === 'unchanged')).toBe(true);
  });

  it('shows a changed group rule as removed and added', () => {
    const dmz = converged.groups[1];
    const edited = { ...converged, groups: [converged.groups[0], { ...dmz, rules: [dmz.rules[0], dmz.rules[1], { ...dmz.rules[2], action: 'ACCEPT' }] }] };
    const change = diffFirewall(firewall, edited, false).find((c) => c.id === 'security group dmz')!;
    expect(change.action).toBe('update');
    expect(change.fields).toEqual([
      { field: 'rule', from: 'type=out action=ACCEPT dest=10.0.1.0/24 comment=DMZ cannot reach the intranet' },
      { field: 'rule', to: 'type=out action=DROP dest=10.0.1.0/24 comment=DMZ cannot reach the intranet' },
    ]);
  });

  it('removes a host rule it does not declare, with or without --prune (the declared list is the list)', () => {
    const extra: FirewallRule = { pos: 3, type: 'in', action: 'ACCEPT', dport: '9100', proto: 'tcp', enable: 1 };
    const host = { ...converged, rules: [...converged.rules, extra] };
    for (const prune of [false, true]) {
      const change = diffFirewall(firewall, host, prune).find((c) => c.id === 'host rules')!;
      expect(change.fields).toEqual([{ field: 'rule', from: ruleKey(extra) }]);
      expect(change.notes).toEqual([`step: deleted rule ${ruleKey(extra)}`]);
    }
  });

  it('replaces an edited host rule instead of keeping the old, wider one', () => {
    const wide = converged.rules[1];
    const host = { ...converged, rules: [converged.rules[0], { ...wide, source: '0.0.0.0/0' }, converged.rules[2]] };
    const change = diffFirewall(firewall, host, false).find((c) => c.id === 'host rules')!;
    expect(change.action).toBe('update');
    expect(change.notes).toEqual([expect.stringMatching(/^step: updated rule at position 1 from .*source=0\.0\.0\.0\/0.* to .*source=192\.168\.1\.0\/24/)]);
  });

  it('prunes only groups Genesis made (marked in their comment); others need --prune=NAME', () => {
    const host = { ...converged, groups: [...converged.groups, { group: 'legacy', comment: 'by hand', rules: [] }, { group: 'old', comment: marked('old one'), rules: [] }] };
    expect(diffFirewall(firewall, host, false).some((c) => c.action === 'delete')).toBe(false);
    const pruned = diffFirewall(firewall, host, true);
    expect(pruned.find((c) => c.id === 'security group old')?.action).toBe('delete');
    expect(pruned.find((c) => c.id === 'security group legacy')).toMatchObject({ action: 'unchanged', notes: [expect.stringContaining('--prune=legacy deletes it')] });
    expect(diffFirewall(firewall, host, true, { pruneNames: ['legacy'] }).find((c) => c.id === 'security group legacy')?.action).toBe('delete');
  });
});
