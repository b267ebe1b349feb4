/**
 * Test helper: how strict a rule list is, measured concretely. A set of probe packets is run
 * through a list with pve-firewall's first-match semantics (the first enabled rule of the packet's
 * direction that matches decides; none matching: the policy), macros expanded from the simulator's
 * macro table. "S is at least as strict as B or A" means: every probe S lets in, B or A lets in.
 */
import { MACROS } from '@genesis/pve-sim/firewall';
import { parseCidr, parseIpv4 } from '../state/ipv4';

export interface Probe {
  dir: 'in' | 'out';
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'icmp';
  dport: number;
}

type Rule = Record<string, unknown>;

function addrMatches(spec: unknown, ip: string): boolean {
  if (spec === undefined || spec === '') return true;
  return String(spec)
    .split(',')
    .some((part) => {
      if (part.includes('/')) {
        const c = parseCidr(part);
        const n = parseIpv4(ip);
        return !!c && n !== undefined && n >= c.network && n <= c.broadcast;
      }
      return part === ip;
    });
}

function portMatches(spec: unknown, port: number): boolean {
  if (spec === undefined || spec === '') return true;
  return String(spec)
    .split(',')
    .some((p) => {
      const [a, b] = p.split(':').map(Number);
      return b === undefined ? a === port : port >= a && port <= b;
    });
}

function matches(rule: Rule, p: Probe): boolean {
  const checks = (r: Rule) =>
    (r.proto === undefined || r.proto === p.proto) &&
    (p.proto === 'icmp' || portMatches(r.dport, p.dport)) &&
    addrMatches(r.source, p.src) &&
    addrMatches(r.dest, p.dst);
  const macro = rule.macro ? MACROS[String(rule.macro)] : undefined;
  if (!macro) return checks(rule);
  return macro.some((m) => checks({ ...rule, proto: m.proto ?? rule.proto, dport: m.dport === 'echo-request' ? undefined : m.dport ?? rule.dport }));
}

/** What the list does with the probe: true when it lets it through. */
export function accepts(rules: Rule[], policy: { in: string; out: string }, p: Probe): boolean {
  for (const r of rules) {
    if (r.enable !== undefined && !Number(r.enable) && r.enable !== true) continue;
    if (r.type !== p.dir) continue;
    if (matches(r, p)) return r.action === 'ACCEPT';
  }
  return (p.dir === 'in' ? policy.in : policy.out) === 'ACCEPT';
}

/** Probes from/to a few addresses of each given subnet and outside, on the ports that matter. */
export function probes(addresses: string[], ports: number[]): Probe[] {
  const out: Probe[] = [];
  for (const dir of ['in', 'out'] as const)
    for (const src of addresses)
      for (const dst of addresses)
        for (const proto of ['tcp', 'udp', 'icmp'] as const)
          for (const dport of proto === 'icmp' ? [0] : ports) out.push({ dir, src, dst, proto, dport });
  return out;
}

/** The probes `s` lets in that neither `before` nor `after` lets in (empty: not weaker). */
export function weakerThanBoth(s: Rule[], before: Rule[], after: Rule[], policy: { in: string; out: string }, set: Probe[]): Probe[] {
  return set.filter((p) => accepts(s, policy, p) && !accepts(before, policy, p) && !accepts(after, policy, p));
}
