/**
 * The cluster firewall: options (enable, default policies), the host's rules and the security groups
 * that VMs reference. The declared rule lists are the lists: a host rule or group rule the file
 * does not declare is removed, with or without --prune. Lists are changed by the minimal edits of
 * `firewall-edits.ts`, in an order that never leaves the host more open than before or after.
 */
import {
  addClusterRule,
  addGroupRule,
  createGroup,
  deleteClusterRule,
  moveClusterRule,
  moveGroupRule,
  deleteGroup,
  deleteGroupRule,
  getClusterOptions,
  listClusterRules,
  listGroupRules,
  listGroups,
  setClusterOptions,
  updateClusterRule,
  updateGroupRule,
  type FirewallOptions,
  type FirewallRule,
  type SecurityGroup,
} from '../api/firewall';
import type { PveApi } from '../client/types';
import type { FirewallSpec, RuleSpec } from '../state/schema';
import { applyRuleEdits, planRuleEdits, ruleKey, type RuleListApi } from './firewall-edits';
import { isManaged, marked, pruneOrKeep } from './managed';
import { truthy, unchanged, type Change, type Check, type FieldChange, type Resource } from './types';

export { ruleKey, ruleParams } from './firewall-edits';

export interface FirewallCurrent {
  options: FirewallOptions;
  rules: FirewallRule[];
  groups: (SecurityGroup & { rules: FirewallRule[] })[];
}

function rulesDiff(desired: RuleSpec[], current: FirewallRule[]): FieldChange[] {
  const want = desired.map(ruleKey);
  const have = [...current].sort((a, b) => a.pos - b.pos).map(ruleKey);
  if (want.join('\n') === have.join('\n')) return [];
  return [
    ...have.filter((h) => !want.includes(h)).map((h) => ({ field: 'rule', from: h })),
    ...want.filter((w) => !have.includes(w)).map((w) => ({ field: 'rule', to: w })),
    ...(have.every((h) => want.includes(h)) && want.every((w) => have.includes(w)) ? [{ field: 'rule order', from: have.join(' | '), to: want.join(' | ') }] : []),
  ];
}

/** The requests the plan will send, for the plan's notes. */
const editNotes = (desired: RuleSpec[], current: FirewallRule[]) => planRuleEdits(current, desired).map((e) => `step: ${e.label}`);

export function diffFirewall(spec: FirewallSpec, current: FirewallCurrent, prune: boolean, options: { pruneNames?: string[] } = {}): Change[] {
  const changes: Change[] = [];
  for (const g of spec.groups) {
    const host = current.groups.find((h) => h.group === g.name);
    const id = `security group ${g.name}`;
    if (!host) {
      changes.push({ kind: 'firewall', id, action: 'create', fields: g.rules.map((r) => ({ field: 'rule', to: ruleKey(r) })), desired: { group: g } });
      continue;
    }
    const fields = rulesDiff(g.rules, host.rules);
    const comment = marked(g.comment);
    if (comment !== (host.comment ?? '')) fields.push({ field: 'comment', from: host.comment ?? '', to: comment });
    changes.push(
      fields.length
        ? { kind: 'firewall', id, action: 'update', fields, desired: { group: g }, current: host, notes: editNotes(g.rules, host.rules) }
        : unchanged('firewall', id),
    );
  }
  // --prune deletes only groups Genesis created (their comment carries the mark); others are
  // listed and need their name: --prune=NAME.
  if (prune)
    for (const h of current.groups) {
      if (spec.groups.some((g) => g.name === h.group)) continue;
      const del: Change = { kind: 'firewall', id: `security group ${h.group}`, action: 'delete', fields: h.rules.map((r) => ({ field: 'rule', from: ruleKey(r) })), current: h };
      changes.push(pruneOrKeep(del, h.group, isManaged(h.comment), { prune, pruneNames: options.pruneNames }));
    }

  // The declared host rules are the list, with or without --prune: a rule edited in the file
  // replaces the one on the host (keeping the old one too would leave the host more open).
  const ruleFields = rulesDiff(spec.rules, current.rules);
  changes.push(
    ruleFields.length
      ? { kind: 'firewall', id: 'host rules', action: 'update', fields: ruleFields, desired: { rules: spec.rules }, current: current.rules, notes: editNotes(spec.rules, current.rules) }
      : unchanged('firewall', 'host rules'),
  );

  // Options last: enabling a DROP policy before the allow rules exist would lock the LAN out.
  const opts: FieldChange[] = [];
  const enabled = truthy(current.options.enable);
  if (enabled !== spec.enable) opts.push({ field: 'enable', from: enabled, to: spec.enable });
  const policyIn = current.options.policy_in ?? 'DROP';
  const policyOut = current.options.policy_out ?? 'ACCEPT';
  if (policyIn !== spec.policy_in) opts.push({ field: 'policy_in', from: policyIn, to: spec.policy_in });
  if (policyOut !== spec.policy_out) opts.push({ field: 'policy_out', from: policyOut, to: spec.policy_out });
  changes.push(
    opts.length
      ? { kind: 'firewall', id: 'firewall options', action: 'update', fields: opts, desired: { options: spec }, current: current.options }
      : unchanged('firewall', 'firewall options'),
  );
  return changes;
}

const clusterRules = (api: PveApi): RuleListApi => ({
  create: (r) => addClusterRule(api, r),
  move: (pos, moveto) => moveClusterRule(api, pos, moveto),
  update: (pos, r, remove) => updateClusterRule(api, pos, r, remove),
  delete: (pos) => deleteClusterRule(api, pos),
});
const groupRules = (api: PveApi, group: string): RuleListApi => ({
  create: (r) => addGroupRule(api, group, r),
  move: (pos, moveto) => moveGroupRule(api, group, pos, moveto),
  update: (pos, r, remove) => updateGroupRule(api, group, pos, r, remove),
  delete: (pos) => deleteGroupRule(api, group, pos),
});

export const firewallResource: Resource<FirewallCurrent> = {
  kind: 'firewall',
  async read(api) {
    const [options, rules, groups] = await Promise.all([getClusterOptions(api), listClusterRules(api), listGroups(api)]);
    const withRules = await Promise.all(groups.map(async (g) => ({ ...g, rules: await listGroupRules(api, g.group) })));
    return { options, rules, groups: withRules };
  },
  diff: (state, current, options) => diffFirewall(state.firewall, current, options.prune, { pruneNames: options.pruneNames }),
  async apply(api, change) {
    const d = change.desired as { group?: FirewallSpec['groups'][number]; rules?: RuleSpec[]; options?: FirewallSpec };
    if (change.action === 'delete') {
      const g = change.current as FirewallCurrent['groups'][number];
      await applyRuleEdits(`security group ${g.group}`, planRuleEdits(g.rules, []), groupRules(api, g.group));
      await deleteGroup(api, g.group);
    } else if (d.group) {
      const g = d.group;
      const host = change.action === 'create' ? undefined : (change.current as FirewallCurrent['groups'][number]);
      // The comment carries the mark that lets --prune know Genesis made the group.
      if (!host) await createGroup(api, g.name, marked(g.comment));
      else if ((host.comment ?? '') !== marked(g.comment)) await createGroup(api, g.name, marked(g.comment), true);
      await applyRuleEdits(`security group ${g.name}`, planRuleEdits(host?.rules ?? [], g.rules), groupRules(api, g.name));
    } else if (d.rules) {
      await applyRuleEdits('host rules', planRuleEdits(change.current as FirewallRule[], d.rules), clusterRules(api));
    } else if (d.options) {
      const o = d.options;
      // cluster.fw has one digest for options, rules and groups: take it after this run's rule edits.
      const { digest } = await getClusterOptions(api);
      await setClusterOptions(api, { enable: o.enable ? 1 : 0, policy_in: o.policy_in, policy_out: o.policy_out }, digest);
    }
  },
  async verify(api, state) {
    const current = await firewallResource.read(api, state);
    const changes = diffFirewall(state.firewall, current, false);
    return changes.map((c): Check => ({
      name: `firewall: ${c.id} as declared`,
      ok: c.action === 'unchanged',
      detail: c.action === 'unchanged' ? 'matches' : c.fields.map((f) => `${f.field} ${f.from ?? ''}→${f.to ?? ''}`).join('; '),
    }));
  },
};
