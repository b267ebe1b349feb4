/**
 * Firewall rules checked exactly as pve-firewall's `verify_rule` checks them (the simulator's port
 * of it, `@genesis/pve-sim/firewall`), so a rule the host would refuse never reaches it. Each
 * finding names the field, the valid values and the fix.
 */
import { ICMP_TYPES, MACROS, PROTOCOLS, verifyRule, type RuleEnv } from '@genesis/pve-sim/firewall';
import type { FieldPath, Finding } from './cross-checks';
import type { RuleSpec } from './schema';

const MACRO_NAMES = Object.keys(MACROS);
const PREFERRED = new Map(MACRO_NAMES.map((n) => [n.toLowerCase(), n]));

/** pve-firewall stores a macro in its own spelling (`ssh` → `SSH`); declaring it so keeps plans converged. */
export const preferredMacro = (name: string | undefined) => (name === undefined ? undefined : PREFERRED.get(name.toLowerCase()) ?? name);
const PROTO_NAMES = Object.keys(PROTOCOLS);

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 60)}… (${s.length} characters)` : s);

/** Closest names first (same first letter, then edit distance), for "did you mean". */
function nearest(value: string, names: string[], n = 3): string[] {
  const v = value.toLowerCase();
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  return [...names].sort((a, b) => dist(v, a.toLowerCase()) - dist(v, b.toLowerCase())).slice(0, n);
}

/** What each field accepts, told after PVE's own message. */
function validValues(field: string, rule: RuleSpec): string {
  switch (field) {
    case 'action':
      return rule.type === 'group'
        ? 'name a security group declared under firewall.groups'
        : 'use ACCEPT, DROP or REJECT (or type: group with a security group name)';
    case 'type':
      return 'use in or out (host rules may also use group; a security group cannot jump to another)';
    case 'macro':
      return `use a pve-firewall macro name, e.g. ${nearest(String(rule.macro ?? ''), MACRO_NAMES).join(', ')} (all: \`pve-firewall\` macros, ${MACRO_NAMES.length} names)`;
    case 'proto':
      return `use a protocol name or number from /etc/protocols, e.g. ${nearest(String(rule.proto ?? ''), PROTO_NAMES).join(', ')}; dport/sport need proto tcp, udp, udplite, dccp or sctp`;
    case 'dport':
    case 'sport':
      return `use ports 0-65535, ranges a:b with a <= b, names from /etc/services, at most 15 numbers, comma-separated${field === 'dport' ? `, or with proto icmp a type like ${[...ICMP_TYPES].slice(0, 3).join(', ')}` : ''}`;
    case 'source':
    case 'dest':
      return 'use an IPv4/IPv6 address, a network a.b.c.d/0-32 with no host bits set, a range a-b, a comma list of those, or @vmbrN for a bridge subnet';
    case 'icmp-type':
      return 'use an ICMP type name with proto icmp';
    default:
      return 'see pve-firewall(8)';
  }
}

/**
 * `env` is `cluster` for the host's rules and `group` inside a security group. `nets` turns
 * `@vmbrN` into that bridge's subnet, as the loader does afterwards.
 */
export function checkRules(rules: RuleSpec[], path: FieldPath, env: RuleEnv, nets: Map<string, string>): Finding[] {
  const out: Finding[] = [];
  rules.forEach((spec, i) => {
    const rule: Record<string, string | number> = { type: spec.type, action: spec.action };
    for (const k of ['macro', 'source', 'dest', 'proto', 'dport', 'sport', 'iface'] as const) {
      const v = spec[k];
      if (v === undefined || v === '') continue;
      // Unresolvable @refs are reported by the cross-checks; here they stand for a valid subnet.
      rule[k] = (k === 'source' || k === 'dest') && v.startsWith('@') ? nets.get(v) ?? '10.0.0.0/8' : v;
    }
    // A group jump checks the name only; whether the group is declared is a cross-check.
    let errors: Record<string, string> = {};
    try {
      verifyRule(rule, env, { ipsets: {}, aliases: {} }, true);
      errors = rule.errors ? (JSON.parse(String(rule.errors)) as Record<string, string>) : {};
    } catch (e) {
      // verify_rule dies outright on a rule mixing IPv4 and IPv6.
      errors = { source: (e as Error).message.trim() };
    }
    for (const [field, message] of Object.entries(errors)) {
      const shown = field === 'type' && message.includes('-i') ? 'iface' : field;
      const value = shown in spec ? (spec as Record<string, unknown>)[shown] : undefined;
      out.push({
        path: [...path, i, shown],
        message: `${value === undefined ? '' : `${clip(JSON.stringify(value))}: `}the host would refuse it (pve-firewall: ${clip(message)}); ${validValues(shown, spec)}`,
      });
    }
  });
  return out;
}
