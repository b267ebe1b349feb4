/**
 * The cluster firewall: options (enable, default policies), the host's rules and the security groups
 * that VMs reference. Rule lists are compared in order; a list that differs is rewritten whole, which
 * is what keeps positions predictable.
 */
import {
  addClusterRule,
  addGroupRule,
  createGroup,
  deleteClusterRule,
  moveClusterRule,
  deleteGroup,
  deleteGroupRule,
  getClusterOptions,
  listClusterRules,
  listGroupRules,
  listGroups,
  setClusterOptions,
  type FirewallOptions,
  type FirewallRule,
  type RuleParams,
  type SecurityGroup,
} from '../api/firewall';
import type { FirewallSpec, RuleSpec } from '../state/schema';
import { truthy, unchanged, type Change, type Check, type FieldChange, type Resource } from './types';

export interface FirewallCurrent {
  options: FirewallOptions;
  rules: FirewallRule[];
  groups: (SecurityGroup & { rules: FirewallRule[] })[];
}

const RULE_KEYS = ['type', 'action', 'macro', 'source', 'dest', 'proto', 'dport', 'sport', 'iface', 'comment'] as const;

export function ruleParams(r: RuleSpec): RuleParams {
  const out: Record<string, unknown> = { enable: r.enable ? 1 : 0 };
  for (const k of RULE_KEYS) if (r[k] !== undefined) out[k] = r[k];
  return out as RuleParams;
}

/** One line per rule, the same for a declared rule and a rule read from the host. */
export function ruleKey(r: Partial<Record<(typeof RULE_KEYS)[number], unknown>> & { enable?: unknown }): string {
  const parts = RULE_KEYS.filter((k) => r[k] !== undefined && r[k] !== '').map((k) => `${k}=${String(r[k])}`);
  return `${parts.join(' ')}${truthy(r.enable) || r.enable === true ? '' : ' (disabled)'}`;
}

function rulesDiff(desired: RuleSpec[], current: FirewallRule[]): FieldChange[] {
  const want = desired.map(ruleKey);
  const have = [...current].sort((a, b) => a.pos - b.pos).map(ruleKey);
  if (want.join('\n') === have.join('\n')) return [];
  return [
    ...have.filter((h) => !want.includes(h)).map((h) => ({ field: 'rule', from: h })),
    ...want.filter((w) => !have.includes(w)).map((w) => ({ field: 'rule', to: w })),
    ...(have.every((h) => want.includes(h)) && want.every((w) => have.includes(w)) ? [{ field: 'rule order', from: have.length, to: want.length }] : []),
  ];
}

export function diffFirewall(spec: FirewallSpec, current: FirewallCurrent, prune: boolean): Change[] {
  const changes: Change[] = [];
  for (const g of spec.groups) {
    const host = current.groups.find((h) => h.group === g.name);
    const id = `security group ${g.name}`;
    if (!host) {
      changes.push({ kind: 'firewall', id, action: 'create', fields: g.rules.map((r) => ({ field: 'rule', to: ruleKey(r) })), desired: { group: g } });
      continue;
    }
    const fields = rulesDiff(g.rules, host.rules);
    changes.push(fields.length ? { kind: 'firewall', id, action: 'update', fields, desired: { group: g }, current: host } : unchanged('firewall', id));
  }
  if (prune)
    for (const h of current.groups)
      if (!spec.groups.some((g) => g.name === h.group))
        changes.push({ kind: 'firewall', id: `security group ${h.group}`, action: 'delete', fields: h.rules.map((r) => ({ field: 'rule', from: ruleKey(r) })), current: h });

  const ruleFields = rulesDiff(spec.rules, current.rules);
  // Without --prune, host rules Genesis does not declare are kept: only missing ones are added.
  const hostRulesChange = prune ? ruleFields : ruleFields.filter((f) => f.to !== undefined && f.field === 'rule');
  changes.push(
    hostRulesChange.length
      ? { kind: 'firewall', id: 'host rules', action: 'update', fields: hostRulesChange, desired: { rules: spec.rules, replace: prune }, current: current.rules }
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

async function replaceRules(
  existing: FirewallRule[],
  desired: RuleSpec[],
  remove: (pos: number) => Promise<unknown>,
  add: (r: RuleParams) => Promise<unknown>,
): Promise<void> {
  // Highest position first, so the positions still to delete do not shift.
  for (const r of [...existing].sort((a, b) => b.pos - a.pos)) await remove(r.pos);
  // PVE puts every created rule on top (Rules.pm create_rule: unshift): the last one goes first.
  for (const r of [...desired].reverse()) await add(ruleParams(r));
}

export const firewallResource: Resource<FirewallCurrent> = {
  kind: 'firewall',
  async read(api) {
    const [options, rules, groups] = await Promise.all([getClusterOptions(api), listClusterRules(api), listGroups(api)]);
    const withRules = await Promise.all(groups.map(async (g) => ({ ...g, rules: await listGroupRules(api, g.group) })));
    return { options, rules, groups: withRules };
  },
  diff: (state, current, options) => diffFirewall(state.firewall, current, options.prune),
  async apply(api, change) {
    const d = change.desired as { group?: FirewallSpec['groups'][number]; rules?: RuleSpec[]; replace?: boolean; options?: FirewallSpec };
    if (change.action === 'delete') {
      const g = change.current as FirewallCurrent['groups'][number];
      await replaceRules(g.rules, [], (pos) => deleteGroupRule(api, g.group, pos), async () => undefined);
      await deleteGroup(api, g.group);
    } else if (d.group) {
      const g = d.group;
      if (change.action === 'create') await createGroup(api, g.name, g.comment);
      const existing = change.action === 'create' ? [] : (change.current as FirewallCurrent['groups'][number]).rules;
      await replaceRules(existing, g.rules, (pos) => deleteGroupRule(api, g.name, pos), (r) => addGroupRule(api, g.name, r));
    } else if (d.rules) {
      const existing = change.current as FirewallRule[];
      if (d.replace) {
        await replaceRules(existing, d.rules, (pos) => deleteClusterRule(api, pos), (r) => addClusterRule(api, r));
      } else {
        // Keep undeclared host rules below the declared ones: a created rule lands on top, and
        // `moveto: i + 1` puts it in front of the rule now at i + 1, i.e. at index i.
        const have = new Set(existing.map(ruleKey));
        const missing = d.rules.map((r, i) => ({ r, i })).filter(({ r }) => !have.has(ruleKey(r)));
        for (const { r, i } of missing) {
          await addClusterRule(api, ruleParams(r));
          if (i > 0) await moveClusterRule(api, 0, i + 1);
        }
      }
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
