/**
 * The host half of GPU passthrough: kernel options, vfio modules, vfio-pci ids and the initramfs,
 * on the host's files through the host channel (libs/gpu does the reading, planning and writing).
 * The plan shows each file's diff; verify checks the binding and `nvidia-smi` inside the VM that
 * holds the card, through the guest agent.
 */
import { applyGpuHost, planGpuHost, readHostFacts, verifyGuestGpu, verifyHostBinding, type GpuHostPlan } from '@genesis/gpu';
import { getVmStatus, startVm } from '../api/qemu';
import { awaitTask } from '../api/tasks';
import { guestExec, waitForAgent } from '../api/agent';
import type { PveApi } from '../client/types';
import type { DesiredState } from '../state/load';
import { unchanged, type Change, type Check, type HostContext, type Resource } from './types';

export interface GpuHostCurrent {
  /** One plan per declared GPU; empty without a host channel. */
  plans: GpuHostPlan[];
  where?: string;
  reboot: boolean;
  /** Why the host could not be read (ssh refused, sudo wants a password, …). */
  unreachable?: string;
}

const idOf = (mapping: string, where?: string) => `gpu host ${mapping}${where ? ` (${where})` : ''}`;

export function diffGpuHost(state: DesiredState, current: GpuHostCurrent): Change[] {
  if (current.unreachable)
    return state.gpus.map((g) => ({ kind: 'gpu-host', id: idOf(g.mapping, current.where), action: 'update', fields: [], problems: [`cannot read the host: ${current.unreachable}`] }));
  return current.plans.map((plan): Change => {
    const id = idOf(plan.spec.mapping, current.where);
    const notes = [...plan.notes];
    if (plan.rebootNeeded)
      notes.push(
        current.reboot
          ? 'a reboot follows (--reboot), then the binding is verified'
          : `REBOOT NEEDED afterwards: the new kernel options and the vfio-pci binding take effect at the next boot (reboot, or pass --reboot)`,
      );
    const pending = plan.files.length > 0 || plan.commands.length > 0 || (plan.rebootNeeded && current.reboot);
    if (!pending && !plan.refusals.length) return { ...unchanged('gpu-host', id), notes };
    return {
      kind: 'gpu-host',
      id,
      action: 'update',
      fields: [
        ...plan.files.map((f) => ({ field: f.path, from: f.before === undefined ? undefined : 'present', to: f.before === undefined ? 'new file' : 'edited' })),
        ...plan.commands.map((c) => ({ field: 'run', to: c.join(' ') })),
        ...(plan.rebootNeeded && current.reboot ? [{ field: 'reboot', to: 'systemctl reboot, then wait for the host' }] : []),
      ],
      diff: plan.files.flatMap((f) => f.diff),
      desired: plan,
      notes,
      problems: plan.refusals,
    };
  });
}

/** The VM that holds the card, started when declared `onboot` but stopped, then asked through its agent. */
async function guestCheck(api: PveApi, state: DesiredState, mapping: string, ctx: HostContext): Promise<Check | undefined> {
  const vm = state.vms.find((v) => v.gpu === mapping);
  if (!vm) return undefined;
  const label = `VM ${vm.id} (${vm.name})`;
  const status = await getVmStatus(api, vm.id).catch((e: Error) => e);
  if (status instanceof Error) return { name: `nvidia-smi works in ${label}`, ok: false, detail: `${label} is not there yet (${status.message}); the vms step creates it` };
  if (status.status !== 'running') {
    if (!vm.onboot) return { name: `nvidia-smi works in ${label}`, ok: false, detail: `${label} is ${status.status}; start it (qm start ${vm.id}) and verify again` };
    ctx.progress?.(`  starting ${label} (declared onboot) to check the GPU inside it`);
    await awaitTask(api, await startVm(api, vm.id), `start ${vm.id}`, ctx.progress);
  }
  return verifyGuestGpu(label, async (argv) => {
    await waitForAgent(api, vm.id);
    return guestExec(api, vm.id, argv);
  });
}

export const gpuHostResource: Resource<GpuHostCurrent> = {
  kind: 'gpu-host',
  async read(_api, state, ctx) {
    if (!ctx?.host || !state.gpus.length) return { plans: [], reboot: !!ctx?.reboot };
    const facts = await readHostFacts(ctx.host).catch((e: Error) => e);
    if (facts instanceof Error) return { plans: [], reboot: !!ctx.reboot, where: ctx.host.description, unreachable: facts.message };
    const plans = state.gpus.map((g) => planGpuHost({ mapping: g.mapping, ids: g.ids }, facts, { confirmConsole: ctx.confirmConsole }));
    return { plans, where: ctx.host.description, reboot: !!ctx.reboot };
  },
  diff: (state, current) => diffGpuHost(state, current),
  async apply(_api, change, ctx) {
    if (!ctx.host) throw new Error('the GPU host step needs a way to the host (PVE_SSH, or run Genesis on the host)');
    await applyGpuHost(ctx.host, change.desired as GpuHostPlan, { progress: ctx.progress, reboot: ctx.reboot });
  },
  async verify(api, state, ctx) {
    if (!ctx?.host) return [];
    const checks: Check[] = [];
    for (const g of state.gpus) {
      checks.push(...(await verifyHostBinding(ctx.host, { mapping: g.mapping, ids: g.ids })));
      const guest = await guestCheck(api, state, g.mapping, ctx);
      if (guest) checks.push(guest);
    }
    return checks;
  },
};
