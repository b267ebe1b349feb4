/**
 * Firewall at the three levels Genesis uses: cluster options and rules (the host), security groups,
 * and per-VM options and rules. Rule positions are PVE's: a created rule always lands on top
 * (pve-firewall `Rules.pm` `create_rule` unshifts and ignores `pos`), deleting shifts the ones
 * below, and `moveto` puts a rule in front of the one that was at that index.
 */
import type { PveApi } from '../client/types';

export interface FirewallOptions {
  enable?: number | boolean;
  policy_in?: string;
  policy_out?: string;
  policy_forward?: string;
  digest?: string;
}

export interface FirewallRule {
  pos: number;
  type: 'in' | 'out' | 'forward' | 'group';
  action: string;
  enable?: number;
  source?: string;
  dest?: string;
  proto?: string;
  dport?: string;
  sport?: string;
  macro?: string;
  iface?: string;
  comment?: string;
  log?: string;
  digest?: string;
}

export type RuleParams = Omit<FirewallRule, 'pos' | 'digest'>;

export interface SecurityGroup {
  group: string;
  comment?: string;
  digest?: string;
}

export const getClusterOptions = (api: PveApi) => api.get<FirewallOptions>('/cluster/firewall/options');
export const setClusterOptions = (api: PveApi, o: Omit<FirewallOptions, 'digest'>, digest?: string) =>
  api.put<null>('/cluster/firewall/options', {
    enable: o.enable === undefined ? undefined : Number(o.enable),
    policy_in: o.policy_in,
    policy_out: o.policy_out,
    digest,
  });

export const listClusterRules = (api: PveApi) => api.get<FirewallRule[]>('/cluster/firewall/rules');
export const addClusterRule = (api: PveApi, r: RuleParams) => api.post<null>('/cluster/firewall/rules', { ...r });
export const deleteClusterRule = (api: PveApi, pos: number, digest?: string) =>
  api.delete<null>(`/cluster/firewall/rules/${pos}`, { digest });
export const moveClusterRule = (api: PveApi, pos: number, moveto: number) =>
  api.put<null>(`/cluster/firewall/rules/${pos}`, { moveto });
/** Rewrites the rule at `pos` in one request; `remove` lists the fields it no longer has. */
export const updateClusterRule = (api: PveApi, pos: number, r: RuleParams, remove: string[] = []) =>
  api.put<null>(`/cluster/firewall/rules/${pos}`, { ...r, delete: remove.length ? remove.join(',') : undefined });

export const listGroups = (api: PveApi) => api.get<SecurityGroup[]>('/cluster/firewall/groups');
/** Creates a group, or with `update` sets the comment of an existing one (PVE: `rename` to itself). */
export const createGroup = (api: PveApi, group: string, comment?: string, update = false) =>
  api.post<null>('/cluster/firewall/groups', { group, comment, rename: update ? group : undefined });
export const deleteGroup = (api: PveApi, group: string) =>
  api.delete<null>(`/cluster/firewall/groups/${encodeURIComponent(group)}`);
export const listGroupRules = (api: PveApi, group: string) =>
  api.get<FirewallRule[]>(`/cluster/firewall/groups/${encodeURIComponent(group)}`);
export const addGroupRule = (api: PveApi, group: string, r: RuleParams) =>
  api.post<null>(`/cluster/firewall/groups/${encodeURIComponent(group)}`, { ...r });
export const deleteGroupRule = (api: PveApi, group: string, pos: number, digest?: string) =>
  api.delete<null>(`/cluster/firewall/groups/${encodeURIComponent(group)}/${pos}`, { digest });
export const moveGroupRule = (api: PveApi, group: string, pos: number, moveto: number) =>
  api.put<null>(`/cluster/firewall/groups/${encodeURIComponent(group)}/${pos}`, { moveto });
export const updateGroupRule = (api: PveApi, group: string, pos: number, r: RuleParams, remove: string[] = []) =>
  api.put<null>(`/cluster/firewall/groups/${encodeURIComponent(group)}/${pos}`, { ...r, delete: remove.length ? remove.join(',') : undefined });

const vmFw = (api: PveApi, vmid: number) => `/nodes/${encodeURIComponent(api.node)}/qemu/${vmid}/firewall`;

export const getVmFirewallOptions = (api: PveApi, vmid: number) => api.get<FirewallOptions>(`${vmFw(api, vmid)}/options`);
export const setVmFirewallOptions = (api: PveApi, vmid: number, o: Omit<FirewallOptions, 'digest' | 'policy_forward'>, digest?: string) =>
  api.put<null>(`${vmFw(api, vmid)}/options`, {
    enable: o.enable === undefined ? undefined : Boolean(o.enable),
    policy_in: o.policy_in,
    policy_out: o.policy_out,
    digest,
  });
export const listVmRules = (api: PveApi, vmid: number) => api.get<FirewallRule[]>(`${vmFw(api, vmid)}/rules`);
export const addVmRule = (api: PveApi, vmid: number, r: RuleParams) => api.post<null>(`${vmFw(api, vmid)}/rules`, { ...r });
export const deleteVmRule = (api: PveApi, vmid: number, pos: number, digest?: string) =>
  api.delete<null>(`${vmFw(api, vmid)}/rules/${pos}`, { digest });
