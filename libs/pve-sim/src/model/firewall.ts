/**
 * Firewall configuration at cluster, node and VM level: options, rules (`firewall-rules.ts`:
 * PVE's checks, positions and file round trip), security groups, IP sets and aliases.
 */
import { createHash } from 'node:crypto';
import { deleteList, int, str, type RequestContext, type Route } from './context';
import { dieError, paramError } from './errors';
import { findVm } from './qemu-config';
import { copyRuleData, listDigest, moveRule, roundTrip, RULE_PROPERTIES, verifyRule, type RuleContext, type RuleEnv } from './firewall-rules';
import type { FirewallRule, FirewallScope } from './state';

const OPTION_KEYS: Record<'cluster' | 'node' | 'vm', string[]> = {
  cluster: ['enable', 'policy_in', 'policy_out', 'policy_forward', 'ebtables', 'log_ratelimit'],
  node: ['enable', 'log_level_in', 'log_level_out', 'log_level_forward', 'ndp', 'nf_conntrack_allow_invalid', 'nf_conntrack_helpers',
    'nf_conntrack_max', 'nf_conntrack_tcp_timeout_established', 'nf_conntrack_tcp_timeout_syn_recv', 'nftables', 'nosmurfs',
    'protection_synflood', 'protection_synflood_burst', 'protection_synflood_rate', 'smurf_log_level', 'tcp_flags_log_level', 'tcpflags'],
  vm: ['enable', 'dhcp', 'ipfilter', 'log_level_in', 'log_level_out', 'macfilter', 'ndp', 'policy_in', 'policy_out', 'radv'],
};
const NUMERIC_OPTIONS = /^(enable|ebtables|dhcp|ipfilter|macfilter|ndp|radv|nosmurfs|tcpflags|nftables|nf_conntrack_max|nf_conntrack_allow_invalid|protection_synflood|protection_synflood_burst|protection_synflood_rate|nf_conntrack_tcp_timeout_\w+)$/;

function digest(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex');
}

/** pve-firewall `copy_opject_with_digest`: sha1 over `key:value\n`, keys sorted (the options' digest). */
function objectDigest(object: Record<string, unknown>): string {
  const sha = createHash('sha1');
  for (const key of Object.keys(object).sort()) if (object[key] !== undefined) sha.update(`${key}:${String(object[key])}\n`, 'utf8');
  return sha.digest('hex');
}

function assertDigest(ctx: RequestContext, current: string): void {
  const given = str(ctx, 'digest');
  if (given && given !== current) throw dieError('detected modified configuration - file changed by other user? Try again.');
}

type ScopeGetter = (ctx: RequestContext) => { scope: FirewallScope; file: unknown };

function clusterScope(ctx: RequestContext) {
  return { scope: ctx.host.state.firewall.cluster, file: ctx.host.state.firewall.cluster };
}
function nodeScope(ctx: RequestContext) {
  ctx.host.assertNode(ctx.pathParams.node);
  return { scope: ctx.host.state.firewall.node, file: ctx.host.state.firewall.node };
}
function vmScope(ctx: RequestContext) {
  ctx.host.assertNode(ctx.pathParams.node);
  const vm = findVm(ctx.host, ctx.pathParams.vmid);
  const fw = (ctx.host.state.firewall.vms[String(vm.vmid)] ??= { options: {}, rules: [] });
  return { scope: fw, file: fw };
}

function clusterContext(ctx: RequestContext): RuleContext {
  const { ipsets, aliases } = ctx.host.state.firewall.cluster;
  return { ipsets, aliases };
}

function present(rule: FirewallRule, pos: number, dig: string): Record<string, unknown> {
  const { errors, ...rest } = rule;
  return { ...rest, ...(errors ? { errors: JSON.parse(String(errors)) as unknown } : {}), pos, digest: dig };
}

function ruleAt(rules: FirewallRule[], pos: number): FirewallRule {
  if (pos >= rules.length) throw dieError(`no rule at position ${pos}`);
  return rules[pos];
}

function ruleParams(ctx: RequestContext): Record<string, string | undefined> {
  return Object.fromEntries(RULE_PROPERTIES.map((k) => [k, str(ctx, k)]));
}

/** `delete_rule_properties`. */
function deleteRuleProperties(rule: FirewallRule, list: string[]): void {
  for (const opt of list) {
    if (!RULE_PROPERTIES.includes(opt)) throw paramError({ delete: `no such property ('${opt}')` });
    if (opt === 'type' || opt === 'action') throw paramError({ delete: `unable to delete required property '${opt}'` });
    delete rule[opt];
  }
}

type RuleList = { rules: FirewallRule[]; save: (rules: FirewallRule[]) => void };

/**
 * GET/POST on `base` and GET/PUT/DELETE on `base/{pos}`: pve-firewall
 * `src/PVE/API2/Firewall/Rules.pm` (`RulesBase`). A created rule always goes on top
 * (`unshift`; `pos` is accepted and ignored, `digest` is not checked), disabled unless `enable`
 * is given; every write is saved and read back through the `.fw` file format.
 */
function ruleRoutes(base: string, posPath: string, env: RuleEnv, get: (ctx: RequestContext) => RuleList): Route[] {
  const save = (ctx: RequestContext, list: RuleList, rules: FirewallRule[]) => list.save(roundTrip(rules, env, clusterContext(ctx)));
  return [
    {
      method: 'GET',
      path: base,
      handler: (ctx) => {
        const { rules } = get(ctx);
        const dig = listDigest(rules);
        return rules.map((r, i) => present(r, i, dig));
      },
    },
    {
      method: 'POST',
      path: base,
      handler: (ctx) => {
        const list = get(ctx);
        const rule: FirewallRule = {};
        copyRuleData(rule, ruleParams(ctx));
        verifyRule(rule, env, clusterContext(ctx));
        if (str(ctx, 'enable') === undefined) rule.enable = 0;
        save(ctx, list, [rule, ...list.rules]);
        return null;
      },
    },
    {
      method: 'GET',
      path: posPath,
      handler: (ctx) => {
        const { rules } = get(ctx);
        const pos = Number(ctx.pathParams.pos);
        return present(ruleAt(rules, pos), pos, listDigest(rules));
      },
    },
    {
      method: 'PUT',
      path: posPath,
      handler: (ctx) => {
        const list = get(ctx);
        assertDigest(ctx, listDigest(list.rules));
        const pos = Number(ctx.pathParams.pos);
        const rule = { ...ruleAt(list.rules, pos) };
        const moveto = int(ctx, 'moveto');
        if (moveto !== undefined && moveto !== pos) {
          save(ctx, list, moveRule(list.rules, pos, moveto));
          return null;
        }
        copyRuleData(rule, ruleParams(ctx));
        if (str(ctx, 'delete')) deleteRuleProperties(rule, deleteList(ctx));
        delete rule.errors;
        delete rule.ipversion;
        verifyRule(rule, env, clusterContext(ctx));
        save(ctx, list, list.rules.map((r, i) => (i === pos ? rule : r)));
        return null;
      },
    },
    {
      method: 'DELETE',
      path: posPath,
      handler: (ctx) => {
        const list = get(ctx);
        assertDigest(ctx, listDigest(list.rules));
        const pos = Number(ctx.pathParams.pos);
        ruleAt(list.rules, pos);
        save(ctx, list, list.rules.filter((_r, i) => i !== pos));
        return null;
      },
    },
  ];
}

function optionRoutes(path: string, kind: 'cluster' | 'node' | 'vm', get: ScopeGetter): Route[] {
  return [
    {
      method: 'GET',
      path,
      handler: (ctx) => {
        const { scope } = get(ctx);
        return { ...scope.options, digest: objectDigest(scope.options) };
      },
    },
    {
      method: 'PUT',
      path,
      handler: (ctx) => {
        const { scope } = get(ctx);
        assertDigest(ctx, objectDigest(scope.options));
        for (const key of deleteList(ctx)) {
          if (!OPTION_KEYS[kind].includes(key)) throw paramError({ delete: `no such option '${key}'` });
          delete scope.options[key];
        }
        for (const key of OPTION_KEYS[kind]) {
          const value = str(ctx, key);
          if (value === undefined) continue;
          scope.options[key] = NUMERIC_OPTIONS.test(key) ? Number(value === 'true' ? 1 : value === 'false' ? 0 : value) : value;
        }
        return null;
      },
    },
  ];
}

function groupOf(ctx: RequestContext): RuleList {
  const group = ctx.host.state.firewall.cluster.groups[ctx.pathParams.group];
  if (!group) throw dieError(`no such security group '${ctx.pathParams.group}'`);
  return { rules: group.rules, save: (rules) => void (group.rules = rules) };
}

const clusterFw = (ctx: RequestContext) => ctx.host.state.firewall.cluster;

const groupRoutes: Route[] = [
  {
    method: 'GET',
    path: '/cluster/firewall/groups',
    handler: (ctx) => {
      const dig = digest(clusterFw(ctx).groups);
      return Object.entries(clusterFw(ctx).groups).sort(([a], [b]) => a.localeCompare(b))
        .map(([group, g]) => ({ group, digest: dig, ...(g.comment ? { comment: g.comment } : {}) }));
    },
  },
  {
    method: 'POST',
    path: '/cluster/firewall/groups',
    handler: (ctx) => {
      const groups = clusterFw(ctx).groups;
      assertDigest(ctx, digest(groups));
      const name = str(ctx, 'group') ?? '';
      const rename = str(ctx, 'rename');
      const comment = str(ctx, 'comment');
      if (rename) {
        if (!groups[rename]) throw dieError(`Security group '${rename}' does not exist`);
        if (rename !== name && groups[name]) throw dieError(`Security group '${name}' already exists`);
        groups[name] = { ...groups[rename], ...(comment !== undefined ? { comment } : {}) };
        if (rename !== name) delete groups[rename];
        return null;
      }
      if (groups[name]) throw dieError(`Security group '${name}' already exists`);
      groups[name] = { rules: [], ...(comment ? { comment } : {}) };
      return null;
    },
  },
  {
    method: 'DELETE',
    path: '/cluster/firewall/groups/{group}',
    handler: (ctx) => {
      const { rules } = groupOf(ctx);
      if (rules.length > 0) throw dieError(`Security group '${ctx.pathParams.group}' is not empty`);
      delete clusterFw(ctx).groups[ctx.pathParams.group];
      return null;
    },
  },
  ...ruleRoutes('/cluster/firewall/groups/{group}', '/cluster/firewall/groups/{group}/{pos}', 'group', groupOf),
];

const ipsetRoutes = (base: string, get: (ctx: RequestContext) => Record<string, import('./state').IpSetState>): Route[] => {
  const one = (ctx: RequestContext) => {
    const set = get(ctx)[ctx.pathParams.name];
    if (!set) throw dieError(`no such IPSet '${ctx.pathParams.name}'`);
    return set;
  };
  const findEntry = (ctx: RequestContext) => {
    const set = one(ctx);
    const entry = set.entries.find((e) => e.cidr === ctx.pathParams.cidr);
    if (!entry) throw dieError(`no such IP/Network '${ctx.pathParams.cidr}'`);
    return { set, entry };
  };
  return [
    {
      method: 'GET',
      path: base,
      handler: (ctx) => {
        const sets = get(ctx);
        const dig = digest(sets);
        return Object.values(sets).map((s) => ({ name: s.name, digest: dig, ...(s.comment ? { comment: s.comment } : {}) }));
      },
    },
    {
      method: 'POST',
      path: base,
      handler: (ctx) => {
        const sets = get(ctx);
        const name = str(ctx, 'name') ?? '';
        const rename = str(ctx, 'rename');
        if (rename) {
          if (!sets[rename]) throw dieError(`no such IPSet '${rename}'`);
          sets[name] = { ...sets[rename], name, comment: str(ctx, 'comment') ?? sets[rename].comment };
          if (rename !== name) delete sets[rename];
          return null;
        }
        if (sets[name]) throw dieError(`IPSet '${name}' already exists`);
        sets[name] = { name, entries: [], ...(str(ctx, 'comment') ? { comment: str(ctx, 'comment') } : {}) };
        return null;
      },
    },
    {
      method: 'GET',
      path: `${base}/{name}`,
      handler: (ctx) => {
        const set = one(ctx);
        const dig = digest(set);
        return set.entries.map((e) => ({ ...e, digest: dig }));
      },
    },
    {
      method: 'POST',
      path: `${base}/{name}`,
      handler: (ctx) => {
        const set = one(ctx);
        const cidr = str(ctx, 'cidr') ?? '';
        if (set.entries.some((e) => e.cidr === cidr)) throw dieError(`entry '${cidr}' already exists`);
        set.entries.push({ cidr, ...(str(ctx, 'comment') ? { comment: str(ctx, 'comment') } : {}), ...(str(ctx, 'nomatch') === '1' ? { nomatch: 1 } : {}) });
        return null;
      },
    },
    {
      method: 'DELETE',
      path: `${base}/{name}`,
      handler: (ctx) => {
        const set = one(ctx);
        if (set.entries.length > 0 && str(ctx, 'force') !== '1') throw dieError(`IPSet '${set.name}' is not empty`);
        delete get(ctx)[set.name];
        return null;
      },
    },
    { method: 'GET', path: `${base}/{name}/{cidr}`, handler: (ctx) => ({ ...findEntry(ctx).entry }) },
    {
      method: 'PUT',
      path: `${base}/{name}/{cidr}`,
      handler: (ctx) => {
        const { entry } = findEntry(ctx);
        const comment = str(ctx, 'comment');
        if (comment !== undefined) entry.comment = comment;
        if (str(ctx, 'nomatch') !== undefined) entry.nomatch = str(ctx, 'nomatch') === '1' ? 1 : undefined;
        return null;
      },
    },
    {
      method: 'DELETE',
      path: `${base}/{name}/{cidr}`,
      handler: (ctx) => {
        const { set, entry } = findEntry(ctx);
        set.entries.splice(set.entries.indexOf(entry), 1);
        return null;
      },
    },
  ];
};

const aliasRoutes: Route[] = (() => {
  const aliases = (ctx: RequestContext) => clusterFw(ctx).aliases;
  const one = (ctx: RequestContext) => {
    const alias = aliases(ctx)[ctx.pathParams.name.toLowerCase()];
    if (!alias) throw dieError(`no such alias '${ctx.pathParams.name}'`);
    return alias;
  };
  return [
    {
      method: 'GET',
      path: '/cluster/firewall/aliases',
      handler: (ctx) => {
        const dig = digest(aliases(ctx));
        return Object.values(aliases(ctx)).map((a) => ({ ...a, digest: dig }));
      },
    },
    {
      method: 'POST',
      path: '/cluster/firewall/aliases',
      handler: (ctx) => {
        const name = str(ctx, 'name') ?? '';
        if (aliases(ctx)[name.toLowerCase()]) throw dieError(`alias '${name}' already exists`);
        aliases(ctx)[name.toLowerCase()] = { name, cidr: str(ctx, 'cidr') ?? '', ...(str(ctx, 'comment') ? { comment: str(ctx, 'comment') } : {}) };
        return null;
      },
    },
    { method: 'GET', path: '/cluster/firewall/aliases/{name}', handler: (ctx) => ({ ...one(ctx), digest: digest(aliases(ctx)) }) },
    {
      method: 'PUT',
      path: '/cluster/firewall/aliases/{name}',
      handler: (ctx) => {
        assertDigest(ctx, digest(aliases(ctx)));
        const alias = one(ctx);
        const rename = str(ctx, 'rename');
        alias.cidr = str(ctx, 'cidr') ?? alias.cidr;
        const comment = str(ctx, 'comment');
        if (comment !== undefined) alias.comment = comment;
        if (rename && rename.toLowerCase() !== alias.name.toLowerCase()) {
          delete aliases(ctx)[alias.name.toLowerCase()];
          alias.name = rename;
          aliases(ctx)[rename.toLowerCase()] = alias;
        }
        return null;
      },
    },
    {
      method: 'DELETE',
      path: '/cluster/firewall/aliases/{name}',
      handler: (ctx) => {
        const alias = one(ctx);
        delete aliases(ctx)[alias.name.toLowerCase()];
        return null;
      },
    },
  ];
})();

const VM_FW = '/nodes/{node}/qemu/{vmid}/firewall';

export const firewallRoutes: Route[] = [
  { method: 'GET', path: '/cluster/firewall', handler: () => ['aliases', 'groups', 'ipset', 'macros', 'options', 'refs', 'rules'].map((name) => ({ name })) },
  { method: 'GET', path: '/nodes/{node}/firewall', handler: () => ['log', 'options', 'rules'].map((name) => ({ name })) },
  { method: 'GET', path: VM_FW, handler: () => ['aliases', 'ipset', 'log', 'options', 'refs', 'rules'].map((name) => ({ name })) },
  ...optionRoutes('/cluster/firewall/options', 'cluster', clusterScope),
  ...optionRoutes('/nodes/{node}/firewall/options', 'node', nodeScope),
  ...optionRoutes(`${VM_FW}/options`, 'vm', vmScope),
  ...ruleRoutes('/cluster/firewall/rules', '/cluster/firewall/rules/{pos}', 'cluster', (ctx) => {
    const fw = clusterFw(ctx);
    return { rules: fw.rules, save: (rules) => void (fw.rules = rules) };
  }),
  ...ruleRoutes('/nodes/{node}/firewall/rules', '/nodes/{node}/firewall/rules/{pos}', 'host', (ctx) => {
    const { scope } = nodeScope(ctx);
    return { rules: scope.rules, save: (rules) => void (scope.rules = rules) };
  }),
  ...ruleRoutes(`${VM_FW}/rules`, `${VM_FW}/rules/{pos}`, 'vm', (ctx) => {
    const { scope } = vmScope(ctx);
    return { rules: scope.rules, save: (rules) => void (scope.rules = rules) };
  }),
  ...groupRoutes,
  ...ipsetRoutes('/cluster/firewall/ipset', (ctx) => clusterFw(ctx).ipsets),
  ...aliasRoutes,
];
