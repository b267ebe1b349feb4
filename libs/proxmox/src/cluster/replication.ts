/**
 * Storage replication for VMs that declare `replicate:` (their disks on a node-local ZFS pool, so
 * HA can start them elsewhere only from a copy): one job per target node in `/cluster/replication`
 * (pve-guest-common `PVE/ReplicationConfig.pm`: id `<vmid>-<n>`, type `local`, `target`, `schedule`,
 * `rate`), planned, applied and verified by the node the VM runs on, after its VM step.
 *
 * The copies live on the VM's declared node and its `to` nodes; the jobs go from where the VM runs
 * to the others of that set. When HA recovers the VM or it is migrated, PVE turns the job around
 * (`switch_replication_job_target_nolock`: the old node becomes the target), which is what Genesis
 * wants too, so nothing is rewritten. Jobs are matched by guest and target (PVE allows one per
 * target), not by number; a new one takes the lowest free number, is run at once (`schedule_now`,
 * pve-manager `PVE/API2/Replication.pm`) and provision waits for its first sync, so HA protection
 * is in place when provision ends. A job of a declared VM to a node it no longer names is removed
 * when Genesis made it (`[genesis]` in its comment), else kept and listed.
 */
import type { PveApi } from '../client/types';
import {
  DEFAULT_FIRST_SYNC_TIMEOUT_MS,
  REPLICATION_SYNC_TIMEOUT_ENV,
  REPLICATION_SYNC_TIMEOUT_FLAG,
} from './sync-timeout';
import { formatDuration } from '../cli/duration';
import { declaredNode } from '../state/cluster';
import type { DesiredSpec, VmSpec } from '../state/schema';
import {
  createReplicationJob,
  deleteReplicationJob,
  listReplicationJobs,
  replicationJobStatus,
  replicationStatus,
  scheduleReplicationNow,
  updateReplicationJob,
  type ReplicationJobEntry,
  type ReplicationStatusEntry,
} from './api';

export interface ReplicationChange {
  id: string;
  action: 'create' | 'update' | 'delete' | 'sync' | 'unchanged' | 'kept';
  detail?: string;
  apply?: (api: PveApi) => Promise<unknown>;
}

/** PVE's default schedule (`ReplicationConfig.pm`: `default => '*\/15'`). */
export const DEFAULT_SCHEDULE = '*/15';
const MARK = '[genesis]';

export interface ReplicationOptions {
  /** How long provision waits for a new job's first sync (`--replication-sync-timeout`, GENESIS_REPLICATION_SYNC_TIMEOUT; default 10 minutes). */
  firstSyncTimeoutMs?: number;
}

/** The nodes that keep a copy of `vm`'s disks while it runs on `runsOn`: its declared node and `to`, less `runsOn`. */
export function replicationTargets(spec: DesiredSpec, vm: VmSpec, runsOn: string): string[] {
  if (!vm.replicate) return [];
  return [...new Set([declaredNode(spec, vm), ...vm.replicate.to])].filter((n) => n !== runsOn);
}

const when = (epoch: number) => new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');

/** Waits for a job's next successful sync after `after` (epoch s); a failed run is an error naming PVE's reason. */
export async function awaitSync(
  api: PveApi,
  node: string,
  id: string,
  after: number,
  timeoutMs: number,
): Promise<ReplicationStatusEntry> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 2000)) {
    const s = await replicationJobStatus(api, node, id);
    if ((s.last_sync ?? 0) > after) return s;
    if ((s.fail_count ?? 0) > 0 && (s.last_try ?? 0) > after)
      throw new Error(
        `replication job ${id} (${node} → ${s.target}) failed: ${s.error ?? 'no reason given'}; fix that on ${s.target} (is it online, does it have the storage?), then run provision again`,
      );
    if (Date.now() >= deadline)
      throw new Error(
        `replication job ${id} (${node} → ${s.target}) has not finished its first sync within ${formatDuration(timeoutMs)} ` +
          `(the replication sync timeout, ${REPLICATION_SYNC_TIMEOUT_FLAG} or ${REPLICATION_SYNC_TIMEOUT_ENV}, default ${formatDuration(DEFAULT_FIRST_SYNC_TIMEOUT_MS)}); ` +
          `it keeps running on ${node}: check it with \`pvesr status\` and run verify, or allow it longer, e.g. ${REPLICATION_SYNC_TIMEOUT_FLAG}=30m`,
      );
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Runs a job now and waits for the sync (what the GUI's "Schedule now" starts). */
const syncNow = (node: string, id: string, timeoutMs: number) => async (api: PveApi) => {
  const before = (await replicationJobStatus(api, node, id)).last_try ?? 0;
  await scheduleReplicationNow(api, node, id);
  return awaitSync(api, node, id, before, timeoutMs);
};

export async function planReplication(
  api: PveApi,
  spec: DesiredSpec,
  vms: VmSpec[],
  node: string,
  options: ReplicationOptions = {},
): Promise<ReplicationChange[]> {
  // Every VM on the node: one that no longer declares replicate: may have jobs Genesis made to remove.
  const wanted = vms;
  if (!wanted.length) return [];
  const timeoutMs = options.firstSyncTimeoutMs ?? DEFAULT_FIRST_SYNC_TIMEOUT_MS;
  // Before the cluster exists (or the VM), there is nothing yet: everything is to create.
  const [jobs, status] = await Promise.all([
    listReplicationJobs(api).catch((): ReplicationJobEntry[] => []),
    replicationStatus(api, node).catch((): ReplicationStatusEntry[] => []),
  ]);
  const changes: ReplicationChange[] = [];
  for (const vm of wanted) {
    const want = vm.replicate ?? { to: [], schedule: DEFAULT_SCHEDULE, rate: undefined };
    const targets = replicationTargets(spec, vm, node);
    const mine = jobs.filter((j) => Number(j.guest) === vm.id && !j.remove_job);
    const used = new Set(jobs.filter((j) => Number(j.guest) === vm.id).map((j) => Number(j.jobnum)));
    for (const target of targets) {
      const job = mine.find((j) => j.target === target);
      if (!job) {
        let n = 0;
        while (used.has(n)) n++;
        used.add(n);
        const id = `${vm.id}-${n}`;
        changes.push({
          id: `replication ${id}`,
          action: 'create',
          detail: `VM ${vm.id} (${vm.name}) ${node} → ${target}, schedule ${want.schedule}${want.rate ? `, rate ${want.rate} MB/s` : ''}; first sync now`,
          apply: async (a) => {
            await createReplicationJob(a, {
              id,
              target,
              schedule: want.schedule,
              ...(want.rate ? { rate: want.rate } : {}),
              comment: `${MARK} ${vm.name}`,
            });
            await syncNow(node, id, timeoutMs)(a);
          },
        });
        continue;
      }
      const fields: string[] = [];
      const params: { schedule?: string; rate?: number; delete?: string } = {};
      const deletions: string[] = [];
      if ((job.schedule ?? DEFAULT_SCHEDULE) !== want.schedule) {
        fields.push(`schedule ${job.schedule ?? DEFAULT_SCHEDULE} → ${want.schedule}`);
        params.schedule = want.schedule;
      }
      if ((job.rate ?? undefined) !== want.rate) {
        fields.push(`rate ${job.rate ?? '(none)'} → ${want.rate ?? '(none)'}`);
        if (want.rate) params.rate = want.rate;
        else deletions.push('rate');
      }
      if (job.disable) {
        fields.push('disabled → enabled');
        deletions.push('disable');
      }
      if (deletions.length) params.delete = deletions.join(',');
      const state = status.find((s) => s.id === job.id);
      if (fields.length) {
        changes.push({
          id: `replication ${job.id}`,
          action: 'update',
          detail: `${node} → ${target}: ${fields.join('; ')}`,
          apply: (a) => updateReplicationJob(a, job.id, params),
        });
      } else if (state && !state.last_sync) {
        // Never synced (a run that stopped before its first sync ended, or the VM came here without its state).
        changes.push({
          id: `replication ${job.id}`,
          action: 'sync',
          detail: `${node} → ${target} has never synced${state.error ? ` (last try: ${state.error})` : ''}; sync now`,
          apply: syncNow(node, job.id, timeoutMs),
        });
      } else changes.push({ id: `replication ${job.id}`, action: 'unchanged' });
    }
    for (const job of mine.filter((j) => !targets.includes(j.target))) {
      if ((job.comment ?? '').includes(MARK))
        changes.push({
          id: `replication ${job.id}`,
          action: 'delete',
          detail: `${vm.name} no longer replicates to ${job.target}; PVE removes the copies there`,
          apply: (a) => deleteReplicationJob(a, job.id),
        });
      else
        changes.push({
          id: `replication ${job.id}`,
          action: 'kept',
          detail: `to ${job.target}, not declared and not made by Genesis; delete it in PVE if it should go`,
        });
    }
  }
  return changes;
}

export interface ReplicationCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * For each VM that declares `replicate:`, one check per node that should hold a copy: the job
 * exists and its last run on the VM's node (`/nodes/{node}/replication`) synced without error.
 */
export async function verifyReplication(
  api: PveApi,
  spec: DesiredSpec,
  where: ReadonlyMap<number, { node: string; online: boolean }>,
): Promise<ReplicationCheck[]> {
  const wanted = spec.vms.filter((v) => v.replicate);
  if (!wanted.length) return [];
  const jobs = await listReplicationJobs(api);
  const statusOf = new Map<string, Promise<ReplicationStatusEntry[] | Error>>();
  const checks: ReplicationCheck[] = [];
  for (const vm of wanted) {
    const at = where.get(vm.id);
    const runsOn = at?.node ?? declaredNode(spec, vm);
    for (const target of replicationTargets(spec, vm, runsOn)) {
      const name = `VM ${vm.id} (${vm.name}) replicated to ${target}`;
      const job = jobs.find((j) => Number(j.guest) === vm.id && j.target === target && !j.remove_job);
      if (!job) {
        checks.push({
          name,
          ok: false,
          detail: `no replication job from ${runsOn} to ${target}; run provision`,
        });
        continue;
      }
      if (!at?.online) {
        checks.push({
          name,
          ok: false,
          detail: `job ${job.id}: ${runsOn}, where the VM is, is offline; its state cannot be read`,
        });
        continue;
      }
      if (!statusOf.has(runsOn))
        statusOf.set(
          runsOn,
          replicationStatus(api, runsOn).catch((e: Error) => e),
        );
      const status = await statusOf.get(runsOn)!;
      const s = status instanceof Error ? undefined : status.find((x) => x.id === job.id);
      const every = `schedule ${job.schedule ?? DEFAULT_SCHEDULE}`;
      if (!s)
        checks.push({
          name,
          ok: false,
          detail: `job ${job.id}: no state on ${runsOn}${status instanceof Error ? ` (${status.message})` : ''}`,
        });
      else if (s.fail_count || s.error)
        checks.push({
          name,
          ok: false,
          detail: `job ${job.id} ${runsOn} → ${target}: last run failed (${s.fail_count ?? 1} time(s)): ${s.error ?? 'no reason given'}${s.last_sync ? `; last good sync ${when(s.last_sync)}` : ''}`,
        });
      else if (!s.last_sync)
        checks.push({
          name,
          ok: false,
          detail: `job ${job.id} ${runsOn} → ${target}: never synced yet (${every}); HA has no copy on ${target}`,
        });
      else
        checks.push({
          name,
          ok: true,
          detail: `job ${job.id} ${runsOn} → ${target}, last sync ${when(s.last_sync)}, ${every}`,
        });
    }
  }
  return checks;
}
