/**
 * Storage replication (`pvesr`): the jobs in `/etc/pve/replication.cfg` (one file for the cluster,
 * kept in `ClusterFs.replication`), each node's job state (`/var/lib/pve-manager/pve-replication-state.json`,
 * node-local: `SimState.replicationState`), and a sync that copies the guest's disks to the target
 * node's pool. Sources: pve-guest-common `src/PVE/ReplicationConfig.pm` (`parse_replication_job_id`,
 * `write_config`, `switch_replication_job_target_nolock`, `get_unique_target_id`),
 * `src/PVE/ReplicationState.pm` (`job_status`, `extract_job_state`, `record_job_end`),
 * `src/PVE/Replication.pm` (`run_replication_nolock`); pve-manager `PVE/API2/ReplicationConfig.pm`
 * (`create`, `update`, `delete`), `PVE/API2/Replication.pm` (`status`, `job_status`, `schedule_now`,
 * `$extract_job_status`), `PVE/CLI/pvesr.pm` (`$replicatable_storage_types`, `$check_wanted_volid`);
 * qemu-server `src/PVE/QemuConfig.pm` `get_replicatable_volumes`.
 */
import { deleteList, int, str, type RequestContext, type Route } from '../model/context';
import { dieError, paramError } from '../model/errors';
import type { SimHost } from '../model/host';
import { effectiveConfig } from '../model/qemu-config';
import type { ClusterFs } from './cluster-fs';
import type { SimCluster } from './sim-cluster';

export interface ReplicationJob {
  id: string;
  type: 'local';
  guest: number;
  jobnum: number;
  target: string;
  schedule?: string;
  rate?: number;
  comment?: string;
  disable?: number;
  source?: string;
  remove_job?: 'local' | 'full';
}

/** One entry of a node's state file, keyed `<vmid>/local/<target>` (`extract_job_state`). */
export interface ReplicationJobState {
  last_iteration: number;
  last_try: number;
  last_sync: number;
  fail_count: number;
  error?: string;
  duration?: number;
}

/** pvesr.pm `$replicatable_storage_types`: only ZFS pools replicate ("fixme: get from plugin??"). */
export const REPLICATABLE_STORAGE_TYPES = new Set(['zfspool']);

const stateKey = (job: Pick<ReplicationJob, 'guest' | 'target'>) => `${job.guest}/local/${job.target}`;

export function replicationOf(fs: ClusterFs): Record<string, ReplicationJob> {
  fs.replication ??= {};
  return fs.replication;
}

/** ReplicationConfig.pm `parse_replication_job_id`. */
export function parseJobId(id: string): { guest: number; jobnum: number; id: string } {
  const m = /^(\d+)-(\d+)$/.exec(id);
  if (!m) throw dieError(`invalid replication job id '${id}'`);
  const guest = Number(m[1]);
  if (guest < 100) throw dieError(`invalid replication job id '${id}' (guest IDs < 100 are reserved)`);
  return { guest, jobnum: Number(m[2]), id: `${guest}-${Number(m[2])}` };
}

/**
 * The disks a sync sends (QemuConfig.pm `get_replicatable_volumes`): not CD-ROMs (the cloud-init
 * drive), not on shared storage, owned by the guest, on a storage with the replicate feature.
 */
export function replicatableVolumes(host: SimHost, vmid: string, noerr = false): string[] {
  const vm = host.state.vms[vmid];
  if (!vm) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(effectiveConfig(vm))) {
    if (!/^(scsi|virtio|sata|ide|efidisk|tpmstate)\d+$/.test(key) || typeof value !== 'string') continue;
    if (/(^|,)media=cdrom(,|$)/.test(value)) continue;
    const volid = value.split(',')[0];
    const [storeid, volname] = volid.split(':');
    if (!volname) continue;
    const scfg = host.state.storage.find((s) => s.storage === storeid);
    if (!scfg || scfg.shared) continue;
    if (!new RegExp(`(^|/)(vm|base)-${vmid}-`).test(volname)) continue;
    if (!REPLICATABLE_STORAGE_TYPES.has(String(scfg.type))) {
      if (noerr) continue;
      throw dieError(`missing replicate feature on volume '${volid}'`);
    }
    out.push(volid);
  }
  return out.sort();
}

/** `switch_replication_job_target_nolock`: the guest now runs on `newSource`; the job that targeted it targets the old node. */
export function switchJobTarget(fs: ClusterFs, vmid: number, oldSource: string, newSource: string): void {
  for (const job of Object.values(replicationOf(fs))) {
    if (job.guest !== vmid) continue;
    if (job.target === newSource) job.target = oldSource;
    job.source = newSource;
  }
}

/** `record_job_end` on a node's state file. */
function recordEnd(host: SimHost, job: ReplicationJob, start: number, error?: string): void {
  const all = (host.state.replicationState ??= {});
  const s = (all[stateKey(job)] ??= { last_iteration: 0, last_try: 0, last_sync: 0, fail_count: 0 });
  s.last_iteration = start;
  s.last_try = start;
  s.duration = 0.1;
  if (error) {
    s.fail_count++;
    s.error = error;
  } else {
    s.last_sync = start;
    s.fail_count = 0;
    delete s.error;
  }
}

/**
 * One run of a job on the guest's node (`run_replication_nolock`): every replicatable disk is sent
 * to the target's pool of the same storage id; a failure is kept in the state (`fail_count`,
 * `error`), as PVE keeps it. A job marked `remove_job` removes the target's copies and itself.
 */
export function runJob(cluster: SimCluster, source: SimHost, job: ReplicationJob): void {
  const start = Math.max(Math.floor(Date.now() / 1000), (source.state.replicationState?.[stateKey(job)]?.last_try ?? 0) + 1);
  const fs = source.state.cluster as ClusterFs;
  if (job.remove_job) {
    if (job.remove_job === 'full' && cluster.isUp(job.target)) {
      const target = cluster.hostOf(job.target);
      target.state.volumes = target.state.volumes.filter((v) => !(v.vmid === job.guest && v.replica));
      target.save();
    }
    delete replicationOf(fs)[job.id];
    if (source.state.replicationState) delete source.state.replicationState[stateKey(job)];
    source.save();
    cluster.replicate(source);
    return;
  }
  try {
    const volids = replicatableVolumes(source, String(job.guest));
    if (!cluster.partition(source.node).includes(job.target)) throw new Error(`ssh: connect to host ${job.target} port 22: No route to host`);
    const target = cluster.hostOf(job.target);
    for (const volid of volids) {
      const [storeid, name] = volid.split(':');
      // pvesr.pm `$check_wanted_volid` on the target: storage_check_enabled, then the type.
      const scfg = target.state.storage.find((s) => s.storage === storeid);
      const nodes = String(scfg?.nodes ?? '').split(/[,;\s]+/).filter(Boolean);
      if (!scfg || scfg.disable || (nodes.length && !nodes.includes(target.node))) throw new Error(`storage '${storeid}' is not available on node '${target.node}'`);
      if (!REPLICATABLE_STORAGE_TYPES.has(String(scfg.type))) throw new Error(`storage '${storeid}' is not replicatable`);
      if (!target.state.zfsPools.some((p) => p.name === scfg.pool)) throw new Error(`zfs error: cannot open '${String(scfg.pool)}': no such pool`);
      const volume = source.state.volumes.find((v) => v.storage === storeid && v.name === name);
      if (!volume) throw new Error(`no such volume '${volid}'`);
      target.state.volumes = target.state.volumes.filter((v) => !(v.storage === storeid && v.name === name));
      target.state.volumes.push({ ...structuredClone(volume), replica: true });
    }
    target.save();
    recordEnd(source, job, start);
  } catch (error) {
    recordEnd(source, job, start, (error as Error).message);
  }
  if (!job.source) job.source = source.node;
  source.save();
}

/** `$extract_job_status` of PVE/API2/Replication.pm over `job_status(1)`: the jobs of guests on this node. */
function jobStatus(cluster: SimCluster, host: SimHost): Array<Record<string, unknown>> {
  const fs = host.state.cluster;
  if (!fs) return [];
  const out: Array<Record<string, unknown>> = [];
  for (const job of Object.values(replicationOf(fs)).sort((a, b) => a.id.localeCompare(b.id))) {
    if (!host.state.vms[String(job.guest)]) continue;
    // "fix jobs for stolen guest" (ReplicationState.pm `job_status`).
    if (job.source && job.source !== host.node) switchJobTarget(fs, job.guest, job.source, host.node);
    if (!job.remove_job && job.target === host.node) continue;
    const s = host.state.replicationState?.[stateKey(job)] ?? { last_iteration: 0, last_try: 0, last_sync: 0, fail_count: 0 };
    const schedule = job.schedule ?? '*/15';
    out.push({
      ...job,
      vmtype: 'qemu',
      last_sync: s.last_sync,
      last_try: s.last_try,
      fail_count: s.fail_count,
      ...(s.error ? { error: s.error } : {}),
      ...(s.duration !== undefined ? { duration: s.duration } : {}),
      // Failed: 5 min × fail_count (at most 30); else the schedule's next event (15 min steps here).
      next_sync: s.fail_count ? s.last_try + 60 * (s.fail_count <= 3 ? 5 * s.fail_count : 30) : s.last_try + (/^\*\/(\d+)$/.test(schedule) ? Number(schedule.slice(2)) * 60 : 900),
    });
  }
  return out;
}

const digestOf = (fs: ClusterFs) => `replication-${JSON.stringify(replicationOf(fs)).length}-${Object.keys(replicationOf(fs)).join(',')}`;

function rate(ctx: RequestContext): number | undefined {
  const raw = str(ctx, 'rate');
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 1) throw paramError({ rate: `value must have a minimum value of 1` });
  return n;
}

export function replicationRoutes(cluster: SimCluster, fsOf: (ctx: RequestContext) => ClusterFs): Route[] {
  const jobOf = (ctx: RequestContext) => {
    const id = parseJobId(ctx.pathParams.id).id;
    const job = replicationOf(fsOf(ctx))[id];
    return { id, job };
  };
  return [
    { method: 'GET', path: '/cluster/replication', handler: (ctx) => Object.values(replicationOf(fsOf(ctx))).sort((a, b) => a.id.localeCompare(b.id)) },
    {
      method: 'GET',
      path: '/cluster/replication/{id}',
      handler: (ctx) => {
        const { id, job } = jobOf(ctx);
        if (!job) throw dieError(`no such replication job '${id}'`);
        return { ...job, digest: digestOf(fsOf(ctx)) };
      },
    },
    {
      method: 'POST',
      path: '/cluster/replication',
      handler: (ctx) => {
        const fs = fsOf(ctx);
        const { guest, jobnum, id } = parseJobId(str(ctx, 'id') as string);
        const target = str(ctx, 'target') as string;
        const where = cluster.vmNode(ctx.host, String(guest));
        if (!where) throw dieError(`Guest '${guest}' does not exist.`);
        if (!fs.nodes[target]) throw dieError(`Target '${target}' does not exist.`);
        const source = str(ctx, 'source');
        if (source !== undefined && source !== where) throw dieError(`Source '${source}' does not match current node of guest '${guest}' (${where})`);
        if (target === where) throw dieError('Source and target must not be identical');
        if (!replicatableVolumes(cluster.hostOf(where), String(guest)).length) throw dieError('No replicatable volumes found');
        const jobs = replicationOf(fs);
        if (jobs[id]) throw dieError(`replication job '${id}' already exists`);
        // write_config: one job per guest and target.
        if (Object.values(jobs).some((j) => j.guest === guest && j.target === target)) throw dieError(`replication job for guest '${guest}' to target 'local/${target}' already exists`);
        jobs[id] = {
          id, type: 'local', guest, jobnum, target, source: where,
          ...(str(ctx, 'schedule') !== undefined ? { schedule: str(ctx, 'schedule') } : {}),
          ...(rate(ctx) !== undefined ? { rate: rate(ctx) } : {}),
          ...(str(ctx, 'comment') !== undefined ? { comment: str(ctx, 'comment') } : {}),
          ...(int(ctx, 'disable') ? { disable: 1 } : {}),
        };
        return null;
      },
    },
    {
      method: 'PUT',
      path: '/cluster/replication/{id}',
      handler: (ctx) => {
        const fs = fsOf(ctx);
        const digest = str(ctx, 'digest');
        if (digest && digest !== digestOf(fs)) throw dieError('detected modified configuration - file changed by other user? Try again.');
        const { id, job } = jobOf(ctx);
        if (!job) throw dieError(`no such job '${id}'`);
        if (str(ctx, 'schedule') !== undefined) job.schedule = str(ctx, 'schedule');
        if (str(ctx, 'rate') !== undefined) job.rate = rate(ctx);
        if (str(ctx, 'comment') !== undefined) job.comment = str(ctx, 'comment');
        if (str(ctx, 'disable') !== undefined) job.disable = int(ctx, 'disable') ? 1 : undefined;
        const optional = ['disable', 'comment', 'rate', 'schedule', 'remove_job', 'source'];
        for (const key of deleteList(ctx)) {
          if (key === 'target') throw dieError(`unable to delete fixed option '${key}'`);
          if (!optional.includes(key)) throw dieError(`no such option '${key}'`);
          delete (job as unknown as Record<string, unknown>)[key];
        }
        return null;
      },
    },
    {
      method: 'DELETE',
      path: '/cluster/replication/{id}',
      handler: (ctx) => {
        const fs = fsOf(ctx);
        const { id, job } = jobOf(ctx);
        if (str(ctx, 'force') === '1') {
          if (str(ctx, 'keep') === '1') throw paramError({ keep: "conflicts with parameter 'force'" });
          delete replicationOf(fs)[id];
          return null;
        }
        if (!job) throw dieError(`no such job '${id}'`);
        // Marked for removal; the next run on the guest's node removes the copies and the job.
        job.remove_job = str(ctx, 'keep') === '1' ? 'local' : 'full';
        cluster.scheduleReplication(ctx.host, job.id);
        return null;
      },
    },
    { method: 'GET', path: '/nodes/{node}/replication', handler: (ctx) => jobStatus(cluster, ctx.host).filter((j) => !str(ctx, 'guest') || String(j.guest) === str(ctx, 'guest')) },
    {
      method: 'GET',
      path: '/nodes/{node}/replication/{id}/status',
      handler: (ctx) => {
        const id = parseJobId(ctx.pathParams.id).id;
        const found = jobStatus(cluster, ctx.host).find((j) => j.id === id);
        if (!found) throw dieError(`no such replication job '${id}'`);
        return found;
      },
    },
    {
      method: 'POST',
      path: '/nodes/{node}/replication/{id}/schedule_now',
      handler: (ctx) => {
        const { id, job } = jobOf(ctx);
        if (!job) throw dieError(`no such replication job '${id}'`);
        // ReplicationState.pm `schedule_job_now`: pvescheduler runs it on its next pass.
        cluster.scheduleReplication(ctx.host, id);
        return null;
      },
    },
  ];
}
