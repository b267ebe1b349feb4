/**
 * Firewall rules as pve-firewall `src/PVE/Firewall.pm` handles them: `verify_rule` (what a create
 * or update refuses, with its messages), the config file round trip (`$format_rules` then
 * `parse_fw_rule`: what a GET reads back after a write), and `copy_list_with_digest`.
 */
import { createHash } from 'node:crypto';
import { paramError } from './errors';
import { ICMP_TYPES, ICMPV6_TYPES, IPV6_MACROS, MACROS, PROTOCOLS, SERVICES, type MacroRule } from './firewall-data';
import type { FirewallRule } from './state';

export type RuleEnv = 'cluster' | 'host' | 'vm' | 'group';

/** `$rule_properties`: what `copy_rule_data` copies from the request onto a rule. */
export const RULE_PROPERTIES = ['pos', 'digest', 'type', 'action', 'macro', 'iface', 'source', 'dest', 'proto', 'enable', 'log', 'sport', 'dport', 'comment', 'icmp-type'];

const SECURITY_GROUP_NAME = /^[A-Za-z][A-Za-z0-9\-_]+$/;
const IPSET_REF = /^\+(guest\/|dc\/|sdn\/)?([A-Za-z][A-Za-z0-9\-_]+)$/;
const ALIAS_REF = /^(guest\/|dc\/)?([A-Za-z][A-Za-z0-9\-_]+)$/;
const MAX_IPSET_NAME = 64;
const MAX_ALIAS_NAME = 64;

/** `$rule_env_direction_lookup` and `$rule_env_iface_lookup`. */
const DIRECTIONS: Record<RuleEnv, string[]> = {
  vm: ['in', 'out', 'group'],
  group: ['in', 'out', 'forward'],
  cluster: ['in', 'out', 'forward', 'group'],
  host: ['in', 'out', 'forward', 'group'],
};
const ALLOW_IFACE: Record<RuleEnv, boolean> = { vm: true, group: false, cluster: true, host: true };
/** `$PROTOCOLS_WITH_PORTS`. */
const PROTOCOLS_WITH_PORTS = new Set(['udp', '17', 'udplite', '136', 'tcp', '6', 'dccp', '33', 'sctp', '132']);
const isIcmp = (proto: string | undefined) => proto === 'icmp' || proto === 'icmpv6' || proto === 'ipv6-icmp';

/** `$pve_fw_preferred_macro_names`: lower-case name → the name as PVE spells it. */
const PREFERRED_MACRO = new Map([...Object.keys(MACROS), ...Object.keys(IPV6_MACROS)].map((n) => [n.toLowerCase(), n]));

/** What `verify_rule` checks names against: the cluster's IP sets and aliases. */
export interface RuleContext {
  ipsets: Record<string, unknown>;
  aliases: Record<string, { cidr: string }>;
}

class RuleErrors {
  readonly errors: Record<string, string> = {};
  constructor(private readonly noerr: boolean) {}
  add(param: string, message: string): void {
    const msg = message.replace(/\n$/, '');
    if (!this.noerr) throw paramError({ [param]: msg });
    this.errors[param] ??= msg;
  }
  get count(): number {
    return Object.keys(this.errors).length;
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+(:\d+\.\d+\.\d+\.\d+)?$/;

function ipVersionOf(address: string): 4 | 6 | undefined {
  if (IPV4.test(address)) return 4;
  if (address.includes(':') && IPV6.test(address) && (address.match(/::/g) ?? []).length <= 1) return 6;
  return undefined;
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** One element of an address list as `Net::IP->new` takes it: an address, a CIDR, or a range `a-b`. */
function netIp(elem: string): 4 | 6 {
  const range = /^([^-/]+)-([^-/]+)$/.exec(elem);
  if (range) {
    const [a, b] = [ipVersionOf(range[1]), ipVersionOf(range[2])];
    if (!a || !b || a !== b) throw new Error(`invalid IP address: Invalid IP address ${elem}\n`);
    if (a === 4 && ipv4ToInt(range[1]) > ipv4ToInt(range[2])) throw new Error(`invalid IP address: Begin address is greater than end address ${elem}\n`);
    return a;
  }
  const [address, prefix] = elem.split('/');
  const version = ipVersionOf(address);
  if (!version) throw new Error(`invalid IP address: Invalid IP address ${address}\n`);
  if (prefix !== undefined) {
    const len = /^\d+$/.test(prefix) ? Number(prefix) : NaN;
    if (!(len >= 0 && len <= (version === 4 ? 32 : 128))) throw new Error(`invalid IP address: Invalid prefix length /${prefix}\n`);
    // Net::IP refuses a prefix with host bits set ("Invalid prefix").
    if (version === 4 && len < 32 && ipv4ToInt(address) % 2 ** (32 - len) !== 0) throw new Error(`invalid IP address: Invalid prefix ${elem}\n`);
  }
  return version;
}

/** `parse_address_list`: the IP version of the list, undefined for an IP set or alias. */
export function parseAddressList(str: string): 4 | 6 | undefined {
  if (/^\+\S+$/.test(str)) {
    if (str.length > MAX_IPSET_NAME + 1) throw new Error('ipset name too long\n');
    return undefined;
  }
  if (ALIAS_REF.test(str)) {
    if (str.length > MAX_ALIAS_NAME) throw new Error('alias name too long\n');
    return undefined;
  }
  const elements = str.split(',').filter((e, i, all) => e !== '' || i < all.length - 1);
  if (str !== elements.join(',') || elements.some((e) => e === '')) throw new Error('extraneous commas in list\n');
  let version: 4 | 6 | undefined;
  let range = false;
  for (const elem of elements) {
    const v = netIp(elem);
    if (elem.includes('-')) range = true;
    if (version && v !== version) throw new Error(`detected mixed ipv4/ipv6 addresses in address list '${str}'\n`);
    version = v;
  }
  if (range && elements.length > 1) throw new Error("you can't use a range in a list\n");
  return version;
}

/** `parse_port_name_number_or_range`: numbers, `a:b` ranges, `/etc/services` names, ICMP types for dport. */
export function parsePortList(str: string, dport: boolean): void {
  const items = str.split(',');
  if (items.some((i) => i === '')) throw new Error('extraneous commas in list\n');
  let count = 0;
  let icmpPort = false;
  for (const item of items) {
    const range = /^([0-9]+):([0-9]+)$/.exec(item);
    if (range) {
      count += 2;
      const [p1, p2] = [Number(range[1]), Number(range[2])];
      if (p1 > 65535) throw new Error(`invalid port '${range[1]}'\n`);
      if (p2 > 65535) throw new Error(`invalid port '${range[2]}'\n`);
      if (p1 > p2) throw new Error(`backwards range '${range[1]}:${range[2]}' not allowed, did you mean '${range[2]}:${range[1]}'?\n`);
    } else if (/^[0-9]+$/.test(item)) {
      count += 1;
      if (Number(item) > 65535) throw new Error(`invalid port '${item}'\n`);
    } else if (dport && (ICMP_TYPES.has(item) || ICMPV6_TYPES.has(item))) {
      icmpPort = true;
    } else if (!SERVICES.has(item)) {
      throw new Error(`invalid port '${item}'\n`);
    }
  }
  if (icmpPort && count > 0) throw new Error('ICMP ports not allowed in port range\n');
  if (count > 15) throw new Error('too many entries in port list (> 15 numbers)\n');
}

/** `pve_fw_verify_protocol_spec`: a name or number of `/etc/protocols`. */
export function verifyProtocol(proto: string): void {
  const known = proto in PROTOCOLS || Object.values(PROTOCOLS).some((n) => String(n) === proto);
  if (proto && !known) throw new Error(`unknown protocol '${proto}'\n`);
}

/** `$apply_macro` with `$verify` set: a parameter the macro already sets differently is refused. */
function applyMacro(name: string, rule: FirewallRule, errors: RuleErrors, ipversion: number | undefined): void {
  const templates: MacroRule[] | undefined = ipversion === 6 && IPV6_MACROS[name] ? IPV6_MACROS[name] : MACROS[name] ?? IPV6_MACROS[name];
  if (!templates) return;
  for (const template of templates) {
    const used = new Set<string>();
    const expanded: Record<string, string> = {};
    for (const [k, t] of Object.entries(template)) {
      const from = t === 'PARAM' ? k : t === 'DEST' ? 'dest' : t === 'SOURCE' ? 'source' : undefined;
      if (from) used.add(from);
      const v = from === undefined ? t : rule[from] === undefined ? undefined : String(rule[from]);
      if (v === undefined) return errors.add('macro', `missing parameter '${k}' in macro '${name}'`);
      expanded[k] = v;
    }
    for (const [k, value] of Object.entries(rule)) {
      if (k === 'macro' || value === undefined || used.has(k)) continue;
      if (expanded[k] !== undefined && expanded[k] !== String(value)) {
        return errors.add(k, `parameter '${k}' already define in macro (value = '${expanded[k]}')`);
      }
    }
  }
}

/**
 * `verify_rule`: throws PVE's 400 for the first problem (`raise_param_exc`), or with `noerr`
 * (the parser's use) records them in `rule.errors`. Sets `ipversion` and the macro's spelling.
 */
export function verifyRule(rule: FirewallRule, env: RuleEnv, cluster: RuleContext, noerr = false): FirewallRule {
  const errors = new RuleErrors(noerr);
  let ipversion: number | undefined;
  const setIpVersion = (v: number | undefined) => {
    if (!v) return;
    if (ipversion && v !== ipversion) throw new Error('detected mixed ipv4/ipv6 addresses in rule\n');
    ipversion = v;
  };
  const type = rule.type === undefined ? undefined : String(rule.type);
  const action = rule.action === undefined ? undefined : String(rule.action);
  if (!type) errors.add('type', 'missing property');
  if (!action) errors.add('action', 'missing property');
  if (type) {
    if (!DIRECTIONS[env].includes(type)) errors.add('type', `invalid rule type '${type}' for rule_env '${env}'`);
    if (type === 'in' || type === 'out' || type === 'forward') {
      if (type === 'forward' && action === 'REJECT') errors.add('action', 'cannot define REJECT rules on forward chain');
      if (action && !/^(ACCEPT|DROP|REJECT)$/.test(action)) errors.add('action', `unknown action '${action}'`);
    } else if (type === 'group') {
      if (env === 'group') errors.add('type', 'security groups not allowed');
      if (action && !SECURITY_GROUP_NAME.test(action)) errors.add('action', 'invalid characters in security group name');
    } else errors.add('type', `unknown rule type '${type}'`);
  }
  if (rule.iface) {
    if (!ALLOW_IFACE[env]) errors.add('type', 'parameter -i not allowed for this rule type');
    if (env === 'vm' && !/^net(\d+)$/.test(String(rule.iface))) errors.add('iface', "value does not match the regex pattern 'net\\d+'");
  }
  if (rule.macro) {
    const preferred = PREFERRED_MACRO.get(String(rule.macro).toLowerCase());
    if (preferred) rule.macro = preferred;
    else errors.add('macro', `unknown macro '${String(rule.macro)}'`);
  }
  const proto = rule.proto === undefined || rule.proto === '' ? undefined : String(rule.proto);
  if (proto) {
    try {
      verifyProtocol(proto);
    } catch (e) {
      errors.add('proto', (e as Error).message);
    }
    if (proto === 'icmp') setIpVersion(4);
    if (proto === 'icmpv6' || proto === 'ipv6-icmp') setIpVersion(6);
  }
  if (rule.dport) {
    try {
      parsePortList(String(rule.dport), isIcmp(proto));
    } catch (e) {
      errors.add('dport', (e as Error).message);
    }
    if (!proto) errors.add('proto', "missing property - 'dport' requires this property");
    else if (!PROTOCOLS_WITH_PORTS.has(proto) && !isIcmp(proto)) errors.add('dport', `protocol '${proto}' does not support ports`);
  }
  const icmpType = rule['icmp-type'] === undefined ? undefined : String(rule['icmp-type']);
  if (icmpType) {
    if (!isIcmp(proto)) errors.add('proto', "missing property - 'icmp-type' requires this property");
    if (rule.dport) errors.add('icmp-type', "'icmp-type' cannot be specified together with 'dport'");
    if (proto === 'icmp' && !ICMP_TYPES.has(icmpType)) errors.add('icmp-type', `invalid icmp-type '${icmpType}' for proto 'icmp'`);
    else if ((proto === 'icmpv6' || proto === 'ipv6-icmp') && !ICMPV6_TYPES.has(icmpType)) errors.add('icmp-type', `invalid icmp-type '${icmpType}' for proto '${proto}'`);
  }
  if (rule.sport) {
    try {
      parsePortList(String(rule.sport), false);
    } catch (e) {
      errors.add('sport', (e as Error).message);
    }
    if (!proto) errors.add('proto', "missing property - 'sport' requires this property");
    else if (!PROTOCOLS_WITH_PORTS.has(proto)) errors.add('sport', `protocol '${proto}' does not support ports`);
  }
  for (const key of ['source', 'dest'] as const) {
    const value = rule[key] === undefined ? '' : String(rule[key]);
    if (!value) continue;
    try {
      setIpVersion(parseAddressList(value));
    } catch (e) {
      errors.add(key, (e as Error).message);
    }
    if (value.startsWith('+')) {
      const ref = IPSET_REF.exec(value);
      if (!ref) errors.add(key, `invalid ipset name '${value}'`);
      else if (!cluster.ipsets[ref[2]]) errors.add(key, `no such ipset '${ref[2]}'`);
    } else {
      const ref = ALIAS_REF.exec(value);
      if (ref) {
        const alias = cluster.aliases[ref[2].toLowerCase()];
        if (!alias) errors.add(key, `no such alias '${value}'`);
        else setIpVersion(ipVersionOf(alias.cidr.split('/')[0]));
      }
    }
  }
  if (ipversion) rule.ipversion = ipversion;
  if (rule.macro && errors.count === 0) applyMacro(String(rule.macro), rule, errors, ipversion);
  if (errors.count) rule.errors = JSON.stringify(errors.errors);
  return rule;
}

/** `copy_rule_data`: request values onto the rule; `''` or `-` deletes the key. */
export function copyRuleData(rule: FirewallRule, params: Record<string, string | undefined>): void {
  for (const key of RULE_PROPERTIES) {
    const value = params[key];
    if (value === undefined) continue;
    if (value === '' || value === '-') delete rule[key];
    else rule[key] = value;
  }
}

/** `$format_rules`: the rule lines of a `.fw` file (`allowIface` is false inside a `[group …]`). */
export function formatRule(rule: FirewallRule, allowIface: boolean): string {
  const r = (k: string) => (rule[k] === undefined ? undefined : String(rule[k]));
  let raw = rule.enable !== undefined && !Number(rule.enable) ? '|' : '';
  raw += String(rule.type).toUpperCase();
  raw += r('macro') ? ` ${r('macro')}(${r('action')})` : ` ${r('action')}`;
  if (allowIface && r('iface')) raw += ` -i ${r('iface')}`;
  if (rule.type !== 'group') {
    for (const [key, flag] of [['source', '-source'], ['dest', '-dest'], ['proto', '-p'], ['dport', '-dport'], ['sport', '-sport'], ['log', '-log'], ['icmp-type', '-icmp-type']]) {
      if (r(key)) raw += ` ${flag} ${r(key)}`;
    }
  }
  const comment = r('comment');
  if (comment && !/^\s*$/.test(comment)) raw += ` # ${comment}`;
  return raw;
}

/** `parse_fw_rule`: one rule line back into the hash a GET returns (with `verify_rule` noerr). */
export function parseRule(line: string, env: RuleEnv, cluster: RuleContext): FirewallRule {
  const rule: FirewallRule = {};
  let rest = line;
  const comment = /#\s*(.*?)\s*$/.exec(rest);
  if (comment) {
    rule.comment = comment[1];
    rest = rest.slice(0, comment.index);
  }
  rule.enable = rest.startsWith('|') ? 0 : 1;
  rest = rest.replace(/^\|/, '');
  const head = /^(\S+)\s+(\S+)\s*/.exec(rest);
  if (!head) throw new Error(`unable to parse rule: ${rest}`);
  rule.type = head[1].toLowerCase();
  rule.action = head[2];
  rest = rest.slice(head[0].length);
  if (['in', 'out', 'forward'].includes(String(rule.type))) {
    const macro = /^(\S+)\((ACCEPT|DROP|REJECT)\)$/.exec(String(rule.action));
    if (macro) [rule.macro, rule.action] = [macro[1], macro[2]];
  }
  const options: Array<[RegExp, string]> = [
    [/^(?:-p|--?proto) (\S+)\s*/, 'proto'],
    [/^--?dport (\S+)\s*/, 'dport'],
    [/^--?sport (\S+)\s*/, 'sport'],
    [/^--?source (\S+)\s*/, 'source'],
    [/^--?dest (\S+)\s*/, 'dest'],
    [/^--?log (emerg|alert|crit|err|warning|notice|info|debug|nolog)\s*/, 'log'],
    [/^--?icmp-type (\S+)\s*/, 'icmp-type'],
  ];
  while (rest.length) {
    const iface = /^-i (\S+)\s*/.exec(rest);
    if (iface) {
      rule.iface = iface[1];
      rest = rest.slice(iface[0].length);
      continue;
    }
    if (rule.type === 'group') break;
    const hit = options.map(([re, key]) => ({ m: re.exec(rest), key })).find(({ m }) => m);
    if (!hit?.m) break;
    rule[hit.key] = hit.m[1];
    rest = rest.slice(hit.m[0].length);
  }
  if (rest.length) throw new Error(`unable to parse rule parameters: ${rest}`);
  return verifyRule(rule, env, cluster, true);
}

/** What the rule list is after `save_*_conf` wrote it and the next GET parsed it back. */
export function roundTrip(rules: FirewallRule[], env: RuleEnv, cluster: RuleContext): FirewallRule[] {
  return rules.map((r) => parseRule(formatRule(r, env !== 'group'), env, cluster));
}

/** `copy_list_with_digest`: sha1 over `key:value\n` of every entry, keys sorted, refs skipped. */
export function listDigest(rules: FirewallRule[]): string {
  const sha = createHash('sha1');
  for (const rule of rules) {
    for (const key of Object.keys(rule).sort()) {
      const value = rule[key];
      if (value === undefined || key === 'errors') continue;
      sha.update(`${key}:${String(value)}\n`, 'utf8');
    }
  }
  return sha.digest('hex');
}

/**
 * `update_rule` with `moveto`: the rule leaves `pos` and goes in front of the rule that was at
 * index `moveto` before the move, or last when `moveto` is past the end — so moving down by one
 * (`moveto = pos + 1`) changes nothing and `moveto = pos + 2` swaps with the next rule.
 */
export function moveRule(rules: FirewallRule[], pos: number, moveto: number): FirewallRule[] {
  if (moveto === pos) return rules;
  const rule = rules[pos];
  const out: FirewallRule[] = [];
  rules.forEach((r, i) => {
    if (i === pos) return;
    if (i === moveto) out.push(rule);
    out.push(r);
  });
  if (moveto >= rules.length) out.push(rule);
  return out;
}
