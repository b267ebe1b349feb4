/**
 * `verify`: the acceptance criteria of the seeds that the API can see, each PASS or FAIL.
 * Spawning is measured for real: a linked clone of each template is started, timed until it runs,
 * then destroyed (the ZFS snapshot check rides on the clone whose disk lives on the ZFS storage).
 */
import type { PveApi } from '../client/types';
import { awaitTask, type ProgressFn } from '../api/tasks';
import { getVersion } from '../api/version';
import { waitForAgent } from '../api/agent';
import {
  cloneVm,
  createSnapshot,
  deleteSnapshot,
  destroyVm,
  getVmStatus,
  listSnapshots,
  listVms,
  startVm,
  stopVm,
} from '../api/qemu';
import type { DesiredState } from '../state/load';
import type { TemplateSpec } from '../state/schema';
import type { Check, HostContext } from '../resources/types';
import { RESOURCES } from './registry';

export interface VerifyOptions {
  /** Shown in the reachability check, e.g. https://192.168.1.10:8006. */
  endpoint: string;
  progress?: ProgressFn;
  /** How long a spawned VM may take to reach `running` (default 5 min). */
  spawnTimeoutMs?: number;
  /** The host channel: checks the GPU binding on the host and nvidia-smi in its VM. */
  host?: HostContext;
}

export interface VerifyResult {
  checks: Check[];
  ok: boolean;
}

/** The seeds' goal for spawning a VM (TASK-00-03). */
export const SPAWN_GOAL_MS = 120_000;

export async function verify(api: PveApi, state: DesiredState, options: VerifyOptions): Promise<VerifyResult> {
  const progress = options.progress ?? ((l: string) => console.log(l));
  const checks: Check[] = [];
  const record = (c: Check) => {
    checks.push(c);
    progress(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  };

  const version = await getVersion(api).catch((e: Error) => e);
  record({
    name: 'API reachable over HTTPS',
    ok: !(version instanceof Error) && options.endpoint.startsWith('https://'),
    detail: version instanceof Error ? version.message : `pve-manager ${version.version} (release ${version.release}) at ${options.endpoint}`,
  });
  if (version instanceof Error) return { checks, ok: false };

  const static_ = await Promise.all([
    RESOURCES.storage.verify(api, state),
    RESOURCES.bridge.verify(api, state),
    RESOURCES.firewall.verify(api, state),
    RESOURCES.template.verify(api, state),
    RESOURCES['pci-mapping'].verify(api, state),
    RESOURCES.vm.verify(api, state),
    RESOURCES['host-network'].verify(api, state, options.host),
    RESOURCES['gpu-host'].verify(api, state, { progress, ...options.host }),
  ]);
  static_.flat().forEach(record);

  const zfs = state.storage.find((s) => s.type === 'zfspool');
  let snapshotChecked = false;
  for (const t of state.templates) {
    const onZfs = !!zfs && t.disk.storage === zfs.id;
    const result = await spawn(api, t, { snapshot: onZfs && !snapshotChecked, timeoutMs: options.spawnTimeoutMs ?? 300_000, progress });
    if (result.snapshot) {
      snapshotChecked = true;
      record(result.snapshot);
    }
    record(result.spawn);
  }
  if (zfs && !snapshotChecked)
    record({ name: `ZFS storage ${zfs.id}: snapshot taken and removed`, ok: false, detail: 'no template has its disk there to test on' });

  return { checks, ok: checks.every((c) => c.ok) };
}

async function spawn(
  api: PveApi,
  t: TemplateSpec,
  o: { snapshot: boolean; timeoutMs: number; progress: ProgressFn },
): Promise<{ spawn: Check; snapshot?: Check }> {
  const name = `a VM cloned from ${t.name} reaches running and its guest agent answers`;
  let snapshot: Check | undefined;
  let vmid: number | undefined;
  const started = Date.now();
  try {
    vmid = await probeVmid(api);
    o.progress(`  spawning VM ${vmid} from ${t.id} (${t.name})`);
    await awaitTask(api, await cloneVm(api, t.id, vmid, { name: `genesis-verify-${t.id}`, full: false }), `clone ${t.id} → ${vmid}`, o.progress);
    if (o.snapshot) snapshot = await snapshotRoundTrip(api, vmid, t.disk.storage);
    await awaitTask(api, await startVm(api, vmid), `start ${vmid}`, o.progress);
    const deadline = started + o.timeoutMs;
    let status = await getVmStatus(api, vmid);
    while (status.status !== 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      status = await getVmStatus(api, vmid);
    }
    const runningMs = Date.now() - started;
    const running = status.status === 'running';
    if (!running) return { spawn: { name, ok: false, detail: `VM ${vmid} still ${status.status} after ${(runningMs / 1000).toFixed(0)} s` }, snapshot };
    // Spawned means usable: the guest booted far enough for its agent to answer.
    const agent = await waitForAgent(api, vmid, Math.max(1000, deadline - Date.now())).then(() => undefined, (e: Error) => e);
    const ms = Date.now() - started;
    const spawn: Check = {
      name,
      ok: !agent,
      detail: agent
        ? `VM ${vmid} running after ${(runningMs / 1000).toFixed(1)} s, but ${agent.message}`
        : `${t.name}: spawn time ${(ms / 1000).toFixed(1)} s (clone request → guest agent answers; running after ${(runningMs / 1000).toFixed(1)} s; ` +
          `goal on real hardware: < ${SPAWN_GOAL_MS / 1000} s${ms > SPAWN_GOAL_MS ? ', MISSED' : ''})`,
    };
    return { spawn, snapshot };
  } catch (e) {
    return { spawn: { name, ok: false, detail: (e as Error).message }, snapshot };
  } finally {
    if (vmid !== undefined) await cleanup(api, vmid, o.progress);
  }
}

/** A free id far above the declared ones, so a probe never takes an id the desired state will use. */
export const PROBE_VMID_BASE = 99_900;

async function probeVmid(api: PveApi): Promise<number> {
  const used = new Set((await listVms(api)).map((v) => v.vmid));
  let id = PROBE_VMID_BASE;
  while (used.has(id)) id++;
  return id;
}

async function snapshotRoundTrip(api: PveApi, vmid: number, storage: string): Promise<Check> {
  const name = `ZFS storage ${storage}: snapshot taken and removed`;
  const snap = 'genesis-verify';
  try {
    await awaitTask(api, await createSnapshot(api, vmid, snap, 'genesis verify: ZFS snapshot round trip'), `snapshot ${vmid}`);
    const taken = (await listSnapshots(api, vmid)).some((s) => s.name === snap);
    await awaitTask(api, await deleteSnapshot(api, vmid, snap), `delete snapshot ${vmid}`);
    const gone = !(await listSnapshots(api, vmid)).some((s) => s.name === snap);
    return { name, ok: taken && gone, detail: `snapshot ${snap} of VM ${vmid} ${taken ? 'taken' : 'NOT taken'}, ${gone ? 'removed' : 'NOT removed'}` };
  } catch (e) {
    return { name, ok: false, detail: (e as Error).message };
  }
}

async function cleanup(api: PveApi, vmid: number, progress: ProgressFn): Promise<void> {
  try {
    const vm = (await listVms(api)).find((v) => v.vmid === vmid);
    if (!vm) return;
    if (vm.status === 'running') await awaitTask(api, await stopVm(api, vmid), `stop ${vmid}`);
    await awaitTask(api, await destroyVm(api, vmid), `destroy ${vmid}`);
    progress(`  destroyed VM ${vmid}`);
  } catch (e) {
    progress(`  could not remove verify VM ${vmid}: ${(e as Error).message}; remove it by hand (qm destroy ${vmid})`);
  }
}
