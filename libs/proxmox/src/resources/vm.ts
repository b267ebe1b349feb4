/**
 * VMs cloned from the templates: clone, then the declared config (bridge, address, GPU mapping),
 * then the VM firewall (options and the security-group rule).
 */
import { getNodeStatus } from '../api/node';
import { pruneOrKeep } from './managed';
import type { PveApi } from '../client/types';
import { awaitTask } from '../api/tasks';
import { cloneVm, destroyVm, getVmConfig, getVmStatus, listVms, startVm, stopVm, updateVmConfig, type VmConfig, type VmListEntry } from '../api/qemu';
import { waitForAgent } from '../api/agent';
import { shutdownVm } from '../api/power';

/** How long a started VM's guest may take to boot until its agent answers (cloud-init's first boot included). */
export const AGENT_TIMEOUT_MS = 10 * 60_000;
import {
  addVmRule,
  deleteVmRule,
  getVmFirewallOptions,
  listVmRules,
  setVmFirewallOptions,
  type FirewallOptions,
  type FirewallRule,
} from '../api/firewall';
import type { DesiredState } from '../state/load';
import type { VmSpec } from '../state/schema';
import { diffConfig, OWNED_VM_KEYS, vmConfig } from './vm-config';
import { ruleKey } from './firewall';
import { truthy, unchanged, type Change, type Check, type FieldChange, type DiffOptions, type Resource } from './types';

export interface VmHostState {
  config: VmConfig;
  firewall: FirewallOptions;
  rules: FirewallRule[];
}

export interface VmCurrent {
  vms: VmListEntry[];
  byId: Record<number, VmHostState>;
  /** The node's logical CPUs and memory (MiB), read with the VMs. */
  size?: { cpus: number; memoryMiB: number };
}

/**
 * What the host would refuse or could not run, known only from what plan read: qemu-server
 * refuses more vCPUs than the node has ("MAX n vcpus allowed per VM on this node"), and a VM
 * with more memory than the node has cannot start.
 */
export function sizeProblems(cores: number, memory: number, size: VmCurrent['size'], where: string): string[] {
  if (!size) return [];
  const out: string[] = [];
  if (cores > size.cpus) out.push(`cores: ${where} declares ${cores} but the host has ${size.cpus} logical CPUs (qemu-server refuses more); lower cores to at most ${size.cpus}`);
  if (memory > size.memoryMiB) out.push(`memory: ${where} declares ${memory} MiB but the host has ${size.memoryMiB} MiB; the VM could not start, lower memory below ${size.memoryMiB}`);
  return out;
}

export interface VmChangeData {
  spec: VmSpec;
  set: Record<string, string | number>;
  remove: string[];
  digest?: string;
  firewall?: { options: boolean; rules: boolean; existingRules: FirewallRule[] };
  /** Start it and wait for its guest agent (spec.state running), or shut it down (stopped). */
  power?: 'start' | 'shutdown';
}

const groupRule = (group: string) => ({ type: 'group' as const, action: group, enable: true });

function firewallFields(spec: VmSpec, host: VmHostState | undefined): { fields: FieldChange[]; options: boolean; rules: boolean } {
  const fields: FieldChange[] = [];
  if (!spec.firewall) return { fields, options: false, rules: false };
  const fw = host?.firewall ?? {};
  const enabled = truthy(fw.enable);
  if (!enabled) fields.push({ field: 'firewall.enable', from: enabled, to: true });
  if ((fw.policy_in ?? 'DROP') !== spec.firewall.policy_in) fields.push({ field: 'firewall.policy_in', from: fw.policy_in, to: spec.firewall.policy_in });
  if ((fw.policy_out ?? 'ACCEPT') !== spec.firewall.policy_out) fields.push({ field: 'firewall.policy_out', from: fw.policy_out, to: spec.firewall.policy_out });
  const options = fields.length > 0;
  const want = ruleKey(groupRule(spec.firewall.group));
  const have = (host?.rules ?? []).map(ruleKey);
  const rules = have.length !== 1 || have[0] !== want;
  if (rules) fields.push({ field: 'firewall.rules', from: have.join('; ') || undefined, to: want });
  return { fields, options, rules };
}

export function diffVms(state: DesiredState, current: VmCurrent, prune: boolean, options: DiffOptions = { prune }): Change[] {
  const changes: Change[] = [];
  for (const spec of state.vms) {
    const id = `vm ${spec.id} (${spec.name})`;
    const host = current.byId[spec.id];
    const desired = vmConfig(spec, state);
    const template = state.templates.find((t) => t.id === spec.template);
    const tooBig = sizeProblems(spec.cores ?? template?.cores ?? 1, spec.memory ?? template?.memory ?? 512, current.size, `vm ${spec.id}`);
    if (!host) {
      const fw = firewallFields(spec, undefined);
      changes.push({
        kind: 'vm',
        id,
        action: 'create',
        fields: [
          { field: 'clone', to: `${spec.clone} clone of ${spec.template}${template ? ` (${template.name})` : ''}` },
          ...Object.entries(desired).map(([field, to]) => ({ field, to })),
          ...fw.fields,
          ...(spec.state === 'running' ? [{ field: 'status', to: 'running (then its guest agent answers)' }] : []),
        ],
        desired: {
          spec,
          set: desired,
          remove: [],
          firewall: { options: fw.options, rules: fw.rules, existingRules: [] },
          ...(spec.state === 'running' ? { power: 'start' as const } : {}),
        } satisfies VmChangeData,
        ...(tooBig.length ? { problems: tooBig } : {}),
      });
      continue;
    }
    const problems = truthy(host.config.template)
      ? [`${spec.id} on the host is a template, declared as a VM; give the VM another id`, ...tooBig]
      : tooBig;
    const delta = diffConfig(desired, host.config, OWNED_VM_KEYS);
    const fw = firewallFields(spec, host);
    const status = current.vms.find((v) => v.vmid === spec.id)?.status;
    const power = spec.state === 'running' && status !== 'running' ? 'start' : spec.state === 'stopped' && status === 'running' ? 'shutdown' : undefined;
    const fields = [...delta.fields, ...fw.fields, ...(power ? [{ field: 'status', from: status, to: spec.state }] : [])];
    if (!fields.length && !problems.length) changes.push(unchanged('vm', id));
    else
      changes.push({
        kind: 'vm',
        id,
        action: 'update',
        fields,
        desired: {
          spec,
          set: delta.set,
          remove: delta.remove,
          digest: host.config.digest,
          firewall: { options: fw.options, rules: fw.rules, existingRules: host.rules },
          ...(power ? { power } : {}),
        } satisfies VmChangeData,
        problems,
      });
  }
  if (prune)
    for (const v of current.vms)
      if (!truthy(v.template) && !state.vms.some((s) => s.id === v.vmid) && !state.templates.some((t) => t.id === v.vmid))
        changes.push(pruneOrKeep({ kind: 'vm', id: `vm ${v.vmid} (${v.name ?? ''})`, action: 'delete', fields: [{ field: 'status', from: v.status }], current: v }, v.vmid, false, options));
  return changes;
}

async function applyFirewall(api: PveApi, spec: VmSpec, fw: NonNullable<VmChangeData['firewall']>): Promise<void> {
  if (!spec.firewall) return;
  if (fw.options) await setVmFirewallOptions(api, spec.id, { enable: 1, policy_in: spec.firewall.policy_in, policy_out: spec.firewall.policy_out });
  if (fw.rules) {
    for (const r of [...fw.existingRules].sort((a, b) => b.pos - a.pos)) await deleteVmRule(api, spec.id, r.pos);
    await addVmRule(api, spec.id, { type: 'group', action: spec.firewall.group, enable: 1 });
  }
}

export const vmResource: Resource<VmCurrent> = {
  kind: 'vm',
  async read(api, state) {
    const [vms, status] = await Promise.all([listVms(api), getNodeStatus(api)]);
    const present = state.vms.filter((s) => vms.some((v) => v.vmid === s.id));
    // Every VM's three reads go out at once; PVE serves reads concurrently.
    const entries = await Promise.all(
      present.map(async (s) => {
        const [config, firewall, rules] = await Promise.all([getVmConfig(api, s.id), getVmFirewallOptions(api, s.id), listVmRules(api, s.id)]);
        return [s.id, { config, firewall, rules }] as const;
      }),
    );
    return { vms, byId: Object.fromEntries(entries), size: { cpus: status.cpuinfo.cpus, memoryMiB: Math.floor(status.memory.total / 2 ** 20) } };
  },
  diff: (state, current, options) => diffVms(state, current, options.prune, options),
  async apply(api, change, ctx) {
    if (change.action === 'delete') {
      const v = change.current as VmListEntry;
      if (v.status === 'running') await awaitTask(api, await stopVm(api, v.vmid), `stop ${v.vmid}`, ctx.progress);
      await awaitTask(api, await destroyVm(api, v.vmid), `destroy ${v.vmid}`, ctx.progress);
      return;
    }
    const d = change.desired as VmChangeData;
    const { spec } = d;
    let digest = d.digest;
    if (change.action === 'create') {
      const template = ctx.state.templates.find((t) => t.id === spec.template);
      ctx.progress(`  cloning ${spec.template} → ${spec.id} (${spec.clone})`);
      const upid = await cloneVm(api, spec.template, spec.id, { name: spec.name, full: spec.clone === 'full', storage: template?.disk.storage });
      await awaitTask(api, upid, `clone ${spec.template} → ${spec.id}`, ctx.progress, 30 * 60_000);
      // The clone's digest: the config update below applies to exactly this config.
      digest = (await getVmConfig(api, spec.id)).digest;
    }
    if (Object.keys(d.set).length || d.remove.length)
      await awaitTask(api, await updateVmConfig(api, spec.id, d.set, d.remove, digest), `configure ${spec.id}`, ctx.progress);
    if (d.firewall) await applyFirewall(api, spec, d.firewall);
    if (d.power === 'start') {
      ctx.progress(`  starting ${spec.id} (${spec.name}) and waiting for its guest agent`);
      const started = Date.now();
      await awaitTask(api, await startVm(api, spec.id), `start ${spec.id}`, ctx.progress);
      await waitForAgent(api, spec.id, AGENT_TIMEOUT_MS);
      ctx.progress(`  ${spec.id} (${spec.name}): guest agent answered ${((Date.now() - started) / 1000).toFixed(1)} s after the start`);
    } else if (d.power === 'shutdown') {
      await awaitTask(api, await shutdownVm(api, spec.id), `shutdown ${spec.id}`, ctx.progress, 10 * 60_000);
    }
  },
  async verify(api, state) {
    const perVm = await Promise.all(
      state.vms.map(async (spec): Promise<Check[]> => {
        const config = await getVmConfig(api, spec.id).catch((e: Error) => e);
        const checks: Check[] = [];
        if (!spec.gpu) {
          const name = `vm ${spec.id} (${spec.name}) present on ${spec.bridge}`;
          if (config instanceof Error) return [{ name, ok: false, detail: config.message }];
          const status = await getVmStatus(api, spec.id).catch(() => undefined);
          checks.push({ name, ok: String(config.net0 ?? '').includes(`bridge=${spec.bridge}`), detail: `net0 ${String(config.net0)}, ${status?.status ?? 'status unknown'}` });
        } else {
          const name = `vm ${spec.id} (${spec.name}) has the GPU (mapping ${spec.gpu})`;
          if (config instanceof Error) return [{ name, ok: false, detail: config.message }];
          const slot = Object.keys(config).find((k) => /^hostpci\d+$/.test(k) && String(config[k]).split(',').includes(`mapping=${spec.gpu}`));
          checks.push({ name, ok: !!slot, detail: slot ? `${slot}=${String(config[slot])}` : 'no hostpci entry with that mapping' });
        }
        if (spec.firewall) {
          // What keeps a VM unreachable from the WAN: its firewall on, inbound DROP, its group's allow-list.
          const [options, rules] = await Promise.all([getVmFirewallOptions(api, spec.id), listVmRules(api, spec.id)]);
          const nicFirewall = String(config.net0 ?? '').split(',').includes('firewall=1');
          const group = rules.some((r) => r.type === 'group' && r.action === spec.firewall?.group && truthy(r.enable));
          const ok = truthy(options.enable) && (options.policy_in ?? 'DROP') === spec.firewall.policy_in && group && nicFirewall;
          checks.push({
            name: `vm ${spec.id} (${spec.name}) firewalled: inbound ${spec.firewall.policy_in} except group ${spec.firewall.group}`,
            ok,
            detail: `firewall ${truthy(options.enable) ? 'on' : 'OFF'}, policy_in ${options.policy_in ?? 'DROP'}, group rule ${group ? 'present' : 'MISSING'}, net0 firewall=${nicFirewall ? 1 : 0}`,
          });
        }
        return checks;
      }),
    );
    return perVm.flat();
  },
};
