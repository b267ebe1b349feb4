import { diffFirewall, ruleKey, ruleParams, type FirewallCurrent } from './firewall';
import type { FirewallRule } from '../api/firewall';
import { genesisState } from '../testing/desired-state';

const { firewall } = genesisState();
const asHost = (rules: typeof firewall.rules): FirewallRule[] =>
  rules.map((r, pos) => ({ ...(ruleParams(r) as unknown as FirewallRule), pos, digest: "x" }));
const converged: FirewallCurrent = {
  options: { enable: 1, policy_in: 'DROP', policy_out: 'ACCEPT', digest: 'o1' },
  rules: asHost(firewall.rules),
  groups: firewall.groups.map((g) => ({ group: g.name, comment: g.comment, rules: asHost(g.rules) })),
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

  it('keeps host rules it does not declare unless pruning', () => {
    const extra: FirewallRule = { pos: 3, type: 'in', action: 'ACCEPT', dport: '9100', proto: 'tcp', enable: 1 };
    const host = { ...converged, rules: [...converged.rules, extra] };
    expect(diffFirewall(firewall, host, false).find((c) => c.id === 'host rules')!.action).toBe('unchanged');
    const pruned = diffFirewall(firewall, host, true).find((c) => c.id === 'host rules')!;
    expect(pruned.fields).toEqual([{ field: 'rule', from: ruleKey(extra) }]);
  });

  it('deletes undeclared groups only with prune', () => {
    const host = { ...converged, groups: [...converged.groups, { group: 'legacy', rules: [] }] };
    expect(diffFirewall(firewall, host, false).some((c) => c.id === 'security group legacy')).toBe(false);
    expect(diffFirewall(firewall, host, true).find((c) => c.id === 'security group legacy')?.action).toBe('delete');
  });
});
