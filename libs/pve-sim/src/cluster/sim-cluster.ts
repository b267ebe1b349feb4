/**
 * The network of simulated nodes: who is powered, whose corosync link is up, which partition is
 * quorate, what pmxcfs replicates, and what the HA manager does when a node is lost.
 * Each node keeps its own state (its copy of `/etc/pve`); after a write the cluster-wide part
 * (corosync.conf + HA config, `cluster.fw` and the guests' `<vmid>.fw`, `/cluster/mapping/pci`, `storage.cfg`) is copied to every member of
 * the writer's partition, as pmxcfs does. A member outside a quorate partition refuses writes to
 * `/etc/pve` with PVE's message (pve-cluster `src/PVE/Cluster.pm` `check_cfs_quorum`).
 */
import type { HttpMethod } from '../model/context';
import { PveError } from '../model/errors';
import type { SimHost } from '../model/host';
import { ALL_ROUTES, Router } from '../model/router';
import type { ClusterHook } from '../server/handler';
import { copyClusterFs, parseHaNodes, type ClusterFs } from './cluster-fs';
import { replicatableVolumes, replicationOf, runJob, switchJobTarget } from './replication';
import { clusterMemberRoutes } from './routes';

/** pve-cluster `src/PVE/Cluster.pm` `check_cfs_quorum` (master and stable-bookworm). */
export const NO_QUORUM = 'cluster not ready - no quorum?';

interface Member {
  host: SimHost;
  /** SHA-256 fingerprint of the node's pveproxy certificate (what a join pins). */
  fingerprint?: string;
  /** root@pam's password (what a join authenticates with). */
  rootPassword: string;
  powered: boolean;
  linkUp: boolean;
}

/** Writes that land in /etc/pve (pmxcfs) and so need quorum; the network and local disks do not. */
function writesClusterFs(path: string): boolean {
  return /^\/(cluster|storage|pools|access)(\/|$)/.test(path) || /^\/nodes\/[^/]+\/(qemu|lxc)(\/|$)/.test(path);
}

export class SimCluster {
  private readonly members = new Map<string, Member>();
  private readonly router: Router;
  /** What the HA manager did, in order (for tests and the verify report). */
  readonly haLog: string[] = [];

  constructor() {
    this.router = new Router([...clusterMemberRoutes(this), ...ALL_ROUTES]);
  }

  /** The hook `startSimulator({ cluster })` gives each node's request handler. */
  attach(rootPassword: string): (host: SimHost) => ClusterHook {
    return (host) => {
      this.members.set(host.node, { host, rootPassword, powered: true, linkUp: true });
      return {
        resolve: (method, path) => this.resolve(host, method, path),
        written: (writer) => this.replicate(writer),
      };
    };
  }

  setFingerprint(node: string, fingerprint: string): void {
    this.member(node).fingerprint = fingerprint;
  }

  nodeNames(): string[] {
    return [...this.members.keys()];
  }

  member(node: string): Member {
    const m = this.members.get(node);
    if (!m) throw new Error(`no simulated node '${node}' (nodes: ${this.nodeNames().join(', ')})`);
    return m;
  }

  hostOf(node: string): SimHost {
    return this.member(node).host;
  }

  /** A member by node name or management address (what `hostname` in a join names). */
  findByAddress(hostname: string): Member | undefined {
    return [...this.members.values()].find(
      (m) => m.host.node === hostname || m.host.behaviour.management.cidr.split('/')[0] === hostname,
    );
  }

  /** The corosync members (from the node's own copy), or undefined outside a cluster. */
  config(host: SimHost): ClusterFs | undefined {
    return host.state.cluster;
  }

  isUp(node: string): boolean {
    const m = this.members.get(node);
    return !!m && m.powered;
  }

  /** The members `node` sees over corosync (itself included): powered, link up, same cluster. */
  partition(node: string): string[] {
    const m = this.member(node);
    const fs = m.host.state.cluster;
    if (!fs) return [node];
    if (!m.powered) return [];
    if (!m.linkUp) return [node];
    return Object.keys(fs.nodes).filter((n) => {
      const other = this.members.get(n);
      return other && other.powered && other.linkUp && other.host.state.cluster?.name === fs.name;
    });
  }

  quorate(node: string): boolean {
    const fs = this.hostOf(node).state.cluster;
    if (!fs) return true;
    const total = Object.values(fs.nodes).reduce((sum, n) => sum + n.quorum_votes, 0);
    const have = this.partition(node).reduce((sum, n) => sum + (fs.nodes[n]?.quorum_votes ?? 0), 0);
    return have > total / 2;
  }

  private resolve(local: SimHost, method: HttpMethod, path: string): { host: SimHost; router: Router } {
    let host = local;
    const target = /^\/nodes\/([^/]+)(\/|$)/.exec(path)?.[1];
    const fs = local.state.cluster;
    if (target && target !== local.node && fs?.nodes[target]) {
      // pveproxy forwards /nodes/{other}/… to that member.
      if (!this.isUp(target)) throw new PveError(595, `Connection refused`);
      host = this.hostOf(target);
    }
    if (method !== 'GET' && host.state.cluster && writesClusterFs(path) && !this.quorate(host.node)) {
      throw new PveError(500, NO_QUORUM);
    }
    return { host, router: this.router };
  }

  /** pmxcfs: the writer's cluster-wide files reach every member of its partition. */
  replicate(writer: SimHost): void {
    if (!writer.state.cluster) return;
    for (const node of this.partition(writer.node)) {
      if (node === writer.node) continue;
      const target = this.hostOf(node);
      copyClusterFs(writer, target);
      target.save();
    }
  }

  /** Powers a node off (or on): its API stops answering, corosync loses it, HA recovers its services. */
  setPowered(node: string, powered: boolean): void {
    const m = this.member(node);
    m.powered = powered;
    m.host.state.network.managementCut = !powered;
    if (powered) this.rejoin(node);
    else this.recover(node);
  }

  /** Cuts (or restores) a node's corosync link; its API keeps answering. */
  setLink(node: string, up: boolean): void {
    this.member(node).linkUp = up;
    if (up) this.rejoin(node);
    else this.recover(node);
  }

  /** A node back in the partition takes the quorate side's /etc/pve, as pmxcfs resyncs. */
  private rejoin(node: string): void {
    const source = this.partition(node).find((n) => n !== node && this.quorate(n));
    if (source) {
      copyClusterFs(this.hostOf(source), this.hostOf(node));
      this.hostOf(node).save();
    }
  }

  /** The member whose state holds VM `vmid` (the cluster's vmlist), seen from `from`. */
  vmNode(from: SimHost, vmid: string): string | undefined {
    const members = from.state.cluster ? Object.keys(from.state.cluster.nodes) : [from.node];
    return members.find((n) => this.members.get(n)?.host.state.vms[vmid]);
  }

  /**
   * `schedule_now` (ReplicationState.pm `schedule_job_now`): pvescheduler runs the job on the
   * guest's node on its next pass; here after one task duration.
   */
  scheduleReplication(from: SimHost, id: string): void {
    const timer = setTimeout(() => this.runReplication(id), from.behaviour.taskDurationMs);
    timer.unref();
  }

  /** Runs replication jobs now, as pvescheduler on each guest's node (all jobs, or the one named). */
  runReplication(id?: string): void {
    for (const node of this.nodeNames()) {
      const host = this.hostOf(node);
      const fs = host.state.cluster;
      if (!fs || !this.member(node).powered) continue;
      for (const job of Object.values(replicationOf(fs))) {
        if ((id && job.id !== id) || !host.state.vms[String(job.guest)] || job.disable) continue;
        if (job.source && job.source !== node) switchJobTarget(fs, job.guest, job.source, node);
        if (!job.remove_job && job.target === node) continue;
        if (!this.quorate(node)) continue;
        runJob(this, host, job);
      }
      this.replicate(host);
    }
  }

  /**
   * The HA manager on the quorate side fences the lost node and recovers its `started` services
   * (pve-ha-manager `src/PVE/HA/Manager.pm` `next_state_recovery`): the config moves to the
   * preferred online node of the resource's rule (9.x) or group (8.4), else any online member
   * (`steal_service`), and the LRM starts it there. A start needs the disks on that node: a disk on
   * a node-local pool exists there only as a replica (storage replication), else the start fails
   * (ZFSPoolPlugin: `dataset does not exist`) and the manager relocates (`try-next`) up to
   * `max_relocate` times, then puts the service into the `error` state (`next_state_started`).
   */
  private recover(lost: string): void {
    const quorateSide = this.nodeNames().find((n) => n !== lost && this.member(n).powered && this.quorate(n) && !this.partition(n).includes(lost));
    if (!quorateSide) return;
    const fs = this.hostOf(quorateSide).state.cluster;
    if (!fs) return;
    const online = this.partition(quorateSide);
    const lostHost = this.hostOf(lost);
    for (const resource of Object.values(fs.ha.resources)) {
      const vmid = resource.sid.replace(/^vm:/, '');
      const vm = lostHost.state.vms[vmid];
      if (!vm || resource.state !== 'started') continue;
      const target = this.placement(fs, resource.sid, online);
      if (!target) {
        this.haLog.push(`recovering service '${resource.sid}' from fenced node '${lost}' failed, no recovery node found`);
        continue;
      }
      this.haLog.push(`recover service '${resource.sid}' from fenced node '${lost}' to node '${target}'`);
      // The config moves with the service; the disks do not (they are on the lost node's pool).
      const disks = replicatableVolumes(lostHost, vmid, true);
      delete lostHost.state.vms[vmid];
      const tried: string[] = [];
      let node = target;
      for (;;) {
        const host = this.hostOf(node);
        tried.push(node);
        const missing = disks.find((volid) => !host.state.volumes.some((v) => `${v.storage}:${v.name}` === volid));
        if (!missing) {
          host.state.vms[vmid] = { ...vm, status: 'running', startedAt: Date.now(), taskLock: undefined };
          for (const v of host.state.volumes) if (v.vmid === vm.vmid) delete v.replica;
          host.save();
          switchJobTarget(fs, vm.vmid, lost, node);
          this.haLog.push(`service '${resource.sid}' started on node '${node}'${disks.length ? ` (disks from the last replication: ${disks.join(', ')})` : ''}`);
          break;
        }
        const dataset = `${String(host.state.storage.find((st) => st.storage === missing.split(':')[0])?.pool ?? missing.split(':')[0])}/${missing.split(':')[1].split('/').pop() ?? ''}`;
        this.haLog.push(`service '${resource.sid}' on node '${node}': zfs error: cannot open '${dataset}': dataset does not exist`);
        const next = online.filter((n) => !tried.includes(n)).sort()[0];
        if (tried.length > resource.max_relocate || !next) {
          host.state.vms[vmid] = { ...vm, status: 'stopped', startedAt: undefined, taskLock: undefined };
          host.save();
          resource.status = 'error';
          this.haLog.push(`recovery policy for service ${resource.sid} failed, entering error state. Failed nodes: ${tried.join(', ')}`);
          break;
        }
        this.haLog.push(`starting service ${resource.sid} on node '${node}' failed, relocating service.`);
        node = next;
      }
      lostHost.save();
      this.replicate(this.hostOf(quorateSide));
    }
  }

  private placement(fs: ClusterFs, sid: string, online: string[]): string | undefined {
    const rule = Object.values(fs.ha.rules).find(
      (r) => r.type === 'node-affinity' && !r.disable && r.resources.split(',').includes(sid) && r.nodes,
    );
    const group = fs.ha.resources[sid]?.group ? fs.ha.groups[fs.ha.resources[sid].group as string] : undefined;
    const preferred = parseHaNodes(rule?.nodes ?? group?.nodes ?? '').map((p) => p.node).filter((n) => online.includes(n));
    if (preferred.length) return preferred[0];
    if ((rule && rule.strict) || (group && group.restricted)) return undefined;
    return online.slice().sort()[0];
  }
}
