/**
 * Firewall configuration at cluster, node and VM level: options, rules (with PVE's position
 * semantics: new rules go on top, disabled unless `enable` is given), security groups, IP sets
 * and aliases. Each scope's `digest` is the sha1 of its config file.
 */
import { createHash } from 'node:crypto';
import { deleteList, int, str, type RequestContext, type Route } from './context';
import { dieError, paramError } from './errors';
import { findVm } from './qemu-config';
import type { FirewallRule, FirewallScope } from './state';

const RULE_KEYS = ['type', 'action', 'enable', 'source', 'dest', 'proto', 'dport', 'sport', 'iface', 'macro', 'comment', 'log', 'icmp-type'];
const NUMERIC_RULE_KEYS = new Set(['enable']);
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

function present(rule: FirewallRule, pos: number, dig: string): Record<string, unknown> {
  return { ...rule, pos, digest: dig };
}

function copyRuleData(ctx: RequestContext, rule: FirewallRule): void {
  for (const key of RULE_KEYS) {
    const value = str(ctx, key);
    if (value === undefined) continue;
    rule[key] = NUMERIC_RULE_KEYS.has(key) ? Number(value) : value;
  }
}

function verifyRule(ctx: RequestContext, rule: FirewallRule): void {
  const groups = ctx.host.state.firewall.cluster.groups;
  if (rule.type === 'group') {
    if (!groups[String(rule.action)]) throw paramError({ action: `security group '${String(rule.action)}' does not exist` });
  } else if (!/^(ACCEPT|DROP|REJECT)$/.test(String(rule.action ?? ''))) {
    throw paramError({ action: `value '${String(rule.action ?? '')}' does not match the regex pattern` });
  }
  for (const key of ['source', 'dest']) {
    const value = rule[key];
    if (typeof value !== 'string') continue;
    const ipset = /^\+(?:(dc|guest)\/)?([\w-]+)$/.exec(value);
    if (ipset && !ctx.host.state.firewall.cluster.ipsets[ipset[2]]) throw paramError({ [key]: `no such ipset '${ipset[2]}'` });
    const alias = /^(?:(dc|guest)\/)?([a-zA-Z][\w-]*)$/.exec(value);
    if (alias && !ctx.host.state.firewall.cluster.aliases[alias[2].toLowerCase()]) throw paramError({ [key]: `no such alias '${value}'` });
  }
  if (rule.macro === undefined && (rule.dport !== undefined || rule.sport !== undefined) && rule.proto === undefined) {
    throw paramError({ proto: 'missing property - \'proto\' is required when using ports' });
  }
}

function ruleAt(rules: FirewallRule[], pos: number | undefined): FirewallRule {
  if (pos === undefined || !rules[pos]) throw dieError('no rule at specified position');
  return rules[pos];
}

/** GET/POST on `base` and GET/PUT/DELETE on `base/{pos}` for one rule list. */
function ruleRoutes(base: string, posPath: string, get: (ctx: RequestContext) => { rules: FirewallRule[]; file: unknown }): Route[] {
  return [
    {
      method: 'GET',
      path: base,
      handler: (ctx) => {
        const { rules, file } = get(ctx);
        const dig = digest(file);
        return rules.map((r, i) => present(r, i, dig));
      },
    },
    {
      method: 'POST',
      path: base,
      handler: (ctx) => {
        const { rules, file } = get(ctx);
        assertDigest(ctx, digest(file));
        const rule: FirewallRule = {};
        copyRuleData(ctx, rule);
        verifyRule(ctx, rule);
        rule.enable ??= 0;
        const pos = int(ctx, 'pos');
        if (pos !== undefined && pos < rules.length) rules.splice(pos, 0, rule);
        else if (pos !== undefined) rules.push(rule);
        else rules.unshift(rule);
        return null;
      },
    },
    {
      method: 'GET',
      path: posPath,
      handler: (ctx) => {
        const { rules, file } = get(ctx);
        const pos = Number(ctx.pathParams.pos);
        return present(ruleAt(rules, pos), pos, digest(file));
      },
    },
    {
      method: 'PUT',
      path: posPath,
      handler: (ctx) => {
        const { rules, file } = get(ctx);
        assertDigest(ctx, digest(file));
        const pos = Number(ctx.pathParams.pos);
        const rule = { ...ruleAt(rules, pos) };
        const moveto = int(ctx, 'moveto');
        if (moveto !== undefined) {
          rules.splice(pos, 1);
          rules.splice(Math.min(moveto, rules.length), 0, rule);
          return null;
        }
        for (const key of deleteList(ctx)) delete rule[key];
        copyRuleData(ctx, rule);
        verifyRule(ctx, rule);
        rules[pos] = rule;
        return null;
      },
    },
    {
      method: 'DELETE',
      path: posPath,
      handler: (ctx) => {
        const { rules, file } = get(ctx);
        assertDigest(ctx, digest(file));
        const pos = Number(ctx.pathParams.pos);
        ruleAt(rules, pos);
        rules.splice(pos, 1);
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
        const { scope, file } = get(ctx);
        return { ...scope.options, digest: digest(file) };
      },
    },
    {
      method: 'PUT',
      path,
      handler: (ctx) => {
        const { scope, file } = get(ctx);
        assertDigest(ctx, digest(file));
        for (const key of deleteList(ctx)) {
          if (!OPTION_KEYS[kind].includes(key)) throw paramError({ delete: `unknown option '${key}'` });
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

function groupOf(ctx: RequestContext) {
  const group = ctx.host.state.firewall.cluster.groups[ctx.pathParams.group];
  if (!group) throw dieError(`no such security group '${ctx.pathParams.group}'`);
  return { rules: group.rules, file: group };
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
  ...ruleRoutes('/cluster/firewall/groups/{group}', '/cluster/firewall/groups/{group}/{pos}', groupOf),
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
  ...ruleRoutes('/cluster/firewall/rules', '/cluster/firewall/rules/{pos}', (ctx) => ({ rules: clusterFw(ctx).rules, file: clusterFw(ctx) })),
  ...ruleRoutes('/nodes/{node}/firewall/rules', '/nodes/{node}/firewall/rules/{pos}', (ctx) => {
    const { scope, file } = nodeScope(ctx);
    return { rules: scope.rules, file };
  }),
  ...ruleRoutes(`${VM_FW}/rules`, `${VM_FW}/rules/{pos}`, (ctx) => {
    const { scope, file } = vmScope(ctx);
    return { rules: scope.rules, file };
  }),
  ...groupRoutes,
  ...ipsetRoutes('/cluster/firewall/ipset', (ctx) => clusterFw(ctx).ipsets),
  ...aliasRoutes,
];
