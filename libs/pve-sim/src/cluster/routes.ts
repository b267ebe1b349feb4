/**
 * The cluster's API on every member: create and join (pve-cluster `src/PVE/API2/ClusterConfig.pm`
 * `create`, `join_info`, `join`; `src/PVE/Cluster/Setup.pm` `assert_joinable`, `join`), the
 * aggregated `/cluster/status` and `/cluster/resources`, the HA configuration (pve-ha-manager's
 * `/cluster/ha/resources`, `rules` on 9.x, `groups` on 8.4) and live migration (qemu-server
 * `PVE/QemuMigrate.pm` `prepare`). They run before the single-node routes of src/model.
 */
import { int, str, type RequestContext, type Route } from '../model/context';
import { resources } from '../model/cluster';
import { dieError, paramError, PveError } from '../model/errors';
import type { SimHost } from '../model/host';
import { effectiveConfig } from '../model/qemu-config';
import { copyClusterFs, linkArgs, ringAddresses, type ClusterFs, type HaResource } from './cluster-fs';
import { replicationOf, switchJobTarget } from './replication';
import { replicationRoutes } from './replication';
import type { SimCluster } from './sim-cluster';

const COROSYNC_CONF = '/etc/pve/corosync.conf';
const AUTHKEY = '/etc/corosync/authkey';

function ip(host: SimHost): string {
  return host.behaviour.management.cidr.split('/')[0];
}

function inCluster(ctx: RequestContext): ClusterFs {
  const fs = ctx.host.state.cluster;
  // ClusterConfig.pm `join_info`: raised with HTTP_FAILED_DEPENDENCY.
  if (!fs) throw new PveError(424, 'node is not in a cluster, no join info available!');
  return fs;
}

function ha(ctx: RequestContext): ClusterFs['ha'] {
  const fs = ctx.host.state.cluster;
  // pve-ha-manager refuses to configure HA on a node without corosync.conf.
  if (!fs) throw dieError('no cluster configured, HA is not available on a single node');
  return fs.ha;
}

function sidOf(value: string): string {
  return /^\d+$/.test(value) ? `vm:${value}` : value;
}

/** Where each VM of the cluster runs: the member whose state holds it. */
function vmLocations(cluster: SimCluster, ctx: RequestContext): Map<string, string> {
  const where = new Map<string, string>();
  const members = ctx.host.state.cluster ? Object.keys(ctx.host.state.cluster.nodes) : [ctx.host.node];
  for (const node of members) {
    for (const vmid of Object.keys(cluster.hostOf(node).state.vms)) where.set(vmid, node);
  }
  return where;
}

export function clusterMemberRoutes(cluster: SimCluster): Route[] {
  return [
    {
      method: 'POST',
      path: '/cluster/config',
      handler: (ctx) => {
        if (ctx.host.state.cluster) throw dieError(`cluster config '${COROSYNC_CONF}' already exists`);
        const name = str(ctx, 'clustername') as string;
        // pve-cluster `PVE/Corosync.pm` `create_conf`: every link given becomes ringN_addr; none: link0 is the node's IP.
        const links = linkArgs(ctx.params);
        if (!links.size) links.set(0, ip(ctx.host));
        return ctx.host.startTask(ctx, 'clustercreate', name, (log) => {
          log(`Writing corosync config to ${COROSYNC_CONF}`);
          const rings = Object.fromEntries([...links].map(([n, a]) => [`ring${n}_addr`, a]));
          ctx.host.state.cluster = {
            name,
            configVersion: 1,
            nodes: { [ctx.host.node]: { nodeid: int(ctx, 'nodeid') ?? 1, quorum_votes: int(ctx, 'votes') ?? 1, ring0_addr: links.get(0) ?? ip(ctx.host), ...rings } },
            ha: { resources: {}, rules: {}, groups: {} },
          };
          log('Restart corosync and cluster filesystem');
        });
      },
    },
    {
      method: 'GET',
      path: '/cluster/config/join',
      handler: (ctx) => {
        const fs = inCluster(ctx);
        const node = str(ctx, 'node') ?? ctx.host.node;
        if (!fs.nodes[node]) throw dieError(`unknown node '${node}'`);
        return {
          nodelist: Object.entries(fs.nodes).map(([name, n]) => ({
            name,
            nodeid: String(n.nodeid),
            quorum_votes: String(n.quorum_votes),
            ...Object.fromEntries([...ringAddresses(n)].map(([l, a]) => [`ring${l}_addr`, a])),
            pve_addr: ip(cluster.hostOf(name)),
            pve_fp: cluster.member(name).fingerprint ?? '',
          })),
          preferred_node: node,
          totem: { cluster_name: fs.name, config_version: String(fs.configVersion), interface: Object.fromEntries([...ringAddresses(Object.values(fs.nodes)[0])].map(([l]) => [l, { linknumber: String(l) }])), ip_version: 'ipv4-6', link_mode: 'passive', secauth: 'on', version: '2' },
          config_digest: `${fs.name}-${fs.configVersion}`,
        };
      },
    },
    {
      method: 'POST',
      path: '/cluster/config/join',
      handler: (ctx) => {
        const joining = ctx.host;
        const hostname = str(ctx, 'hostname') as string;
        const fingerprint = (str(ctx, 'fingerprint') as string).toUpperCase();
        const password = str(ctx, 'password') as string;
        const links = linkArgs(ctx.params);
        return joining.startTask(ctx, 'clusterjoin', '', (log) => {
          // Setup.pm `assert_joinable`: every finding is listed, then the join is refused.
          const errors: string[] = [];
          if (joining.state.cluster) {
            errors.push(`authentication key '${AUTHKEY}' already exists`, `cluster config '${COROSYNC_CONF}' already exists`);
          }
          if (Object.keys(joining.state.vms).length) errors.push('this host already contains virtual guests');
          if (errors.length) {
            log('detected the following error(s):');
            for (const e of errors) log(`* ${e}`);
            throw new Error('Check if node may join a cluster failed!');
          }
          log(`Establishing API connection with host '${hostname}'`);
          const peer = cluster.findByAddress(hostname);
          if (!peer || !peer.powered) throw new Error(`500 Can't connect to ${hostname}:8006 (Connection refused)`);
          // PVE::APIClient::LWP with cached_fingerprints: the peer's certificate must match.
          if (peer.fingerprint && peer.fingerprint.toUpperCase() !== fingerprint) {
            throw new Error(`500 Can't connect to ${hostname}:8006 (certificate verify failed: fingerprint mismatch)`);
          }
          if (password !== peer.rootPassword) throw new Error('401 authentication failure');
          log('Login succeeded.');
          const fs = peer.host.state.cluster;
          if (!fs) throw new Error(`500 ${hostname}: node is not in a cluster, no join info available!`);
          if (!cluster.quorate(peer.host.node)) throw new Error(`An error occurred on the cluster node: cluster not ready - no quorum?\nCluster join aborted!`);
          log('Request addition of this node');
          // ClusterConfig.pm `addnode`: no address twice on any link, and the same links as the cluster.
          if (!links.size) links.set(0, ip(joining));
          const aborted = (why: string) => new Error(`An error occurred on the cluster node: ${why}\nCluster join aborted!`);
          for (const address of links.values())
            for (const [name, n] of Object.entries(fs.nodes))
              for (const [l, a] of ringAddresses(n)) if (a === address) throw aborted(`corosync: address '${address}' already used on link ring${l}_addr by node '${name}'`);
          const clusterLinks = ringAddresses(Object.values(fs.nodes)[0]);
          for (let l = 0; l <= 7; l++) {
            if (clusterLinks.has(l) && !links.has(l)) throw aborted(`corosync: link ${l} exists in cluster config but wasn't specified for new node`);
            if (!clusterLinks.has(l) && links.has(l)) throw aborted(`corosync: link ${l} specified for new node doesn't exist in cluster config`);
          }
          const nodeid = Math.max(0, ...Object.values(fs.nodes).map((n) => n.nodeid)) + 1;
          const rings = Object.fromEntries([...links].map(([n, a]) => [`ring${n}_addr`, a]));
          fs.nodes[joining.node] = { nodeid, quorum_votes: int(ctx, 'votes') ?? 1, ring0_addr: links.get(0) as string, ...rings };
          fs.configVersion++;
          peer.host.save();
          // The joining node's /etc/pve is replaced by the cluster's.
          copyClusterFs(peer.host, joining);
          cluster.replicate(peer.host);
          log('successfully added node to cluster.');
        });
      },
    },
    {
      method: 'GET',
      path: '/cluster/status',
      handler: (ctx) => {
        const fs = ctx.host.state.cluster;
        const here = ctx.host.node;
        if (!fs) {
          return [{ type: 'node', id: `node/${here}`, name: here, nodeid: 0, online: 1, local: 1, level: '', ip: ip(ctx.host) }];
        }
        const seen = cluster.partition(here);
        return [
          { type: 'cluster', id: 'cluster', name: fs.name, nodes: Object.keys(fs.nodes).length, quorate: cluster.quorate(here) ? 1 : 0, version: fs.configVersion },
          ...Object.entries(fs.nodes).map(([name, n]) => ({
            type: 'node', id: `node/${name}`, name, nodeid: n.nodeid, online: seen.includes(name) ? 1 : 0, local: name === here ? 1 : 0, level: '', ip: ip(cluster.hostOf(name)),
          })),
        ];
      },
    },
    {
      method: 'GET',
      path: '/cluster/resources',
      handler: (ctx) => {
        const fs = ctx.host.state.cluster;
        const type = str(ctx, 'type');
        const want: Record<string, string[]> = { vm: ['qemu', 'lxc'], storage: ['storage'], node: ['node'], sdn: ['sdn'] };
        const members = fs ? Object.keys(fs.nodes) : [ctx.host.node];
        const seen = cluster.partition(ctx.host.node);
        const all = members.flatMap((node) => {
          const list = resources(cluster.hostOf(node));
          if (seen.includes(node)) {
            return list.map((r) => (r.type === 'qemu' && fs?.ha.resources[`vm:${String(r.vmid)}`] ? { ...r, hastate: fs.ha.resources[`vm:${String(r.vmid)}`].status ?? fs.ha.resources[`vm:${String(r.vmid)}`].state } : r));
          }
          // What pvestatus last saw of a node that is gone: offline, its guests unknown.
          return list
            .filter((r) => r.type === 'node' || r.type === 'qemu')
            .map((r) => (r.type === 'node' ? { id: r.id, type: 'node', node, status: 'offline' } : { ...r, status: 'unknown', cpu: 0, mem: 0, uptime: 0 }));
        });
        return all.filter((r) => !type || (want[type] ?? [type]).includes(String(r.type)));
      },
    },
    {
      method: 'GET',
      path: '/cluster/nextid',
      handler: (ctx) => {
        const taken = vmLocations(cluster, ctx);
        const asked = int(ctx, 'vmid');
        if (asked !== undefined) {
          if (taken.has(String(asked))) throw paramError({ vmid: `VM ${asked} already exists` });
          return String(asked);
        }
        let id = 100;
        while (taken.has(String(id))) id++;
        return String(id);
      },
    },
    ...haRoutes(cluster),
    ...replicationRoutes(cluster, (ctx) => ctx.host.state.cluster ?? { name: '', configVersion: 0, nodes: {}, ha: { resources: {}, rules: {}, groups: {} }, replication: {} }),
    {
      method: 'POST',
      path: '/nodes/{node}/qemu/{vmid}/migrate',
      handler: (ctx) => migrate(cluster, ctx),
    },
  ];
}

function haRoutes(cluster: SimCluster): Route[] {
  const resourceView = (ctx: RequestContext, r: HaResource) => ({ ...r, digest: `${r.sid}`, node: vmLocations(cluster, ctx).get(r.sid.replace(/^vm:/, '')) });
  return [
    { method: 'GET', path: '/cluster/ha/resources', handler: (ctx) => Object.values(ha(ctx).resources).map((r) => resourceView(ctx, r)) },
    {
      method: 'GET',
      path: '/cluster/ha/resources/{sid}',
      handler: (ctx) => {
        const r = ha(ctx).resources[sidOf(ctx.pathParams.sid)];
        if (!r) throw dieError(`no such resource '${sidOf(ctx.pathParams.sid)}'`);
        return resourceView(ctx, r);
      },
    },
    {
      method: 'POST',
      path: '/cluster/ha/resources',
      handler: (ctx) => {
        const config = ha(ctx);
        const sid = sidOf(str(ctx, 'sid') as string);
        if (config.resources[sid]) throw dieError(`resource ID '${sid}' already defined`);
        if (!vmLocations(cluster, ctx).has(sid.replace(/^vm:/, ''))) throw dieError(`unable to find VM ${sid.replace(/^vm:/, '')}`);
        const group = str(ctx, 'group');
        if (group && !config.groups[group]) throw dieError(`HA group '${group}' does not exist`);
        config.resources[sid] = {
          sid, type: 'vm', state: (str(ctx, 'state') as HaResource['state']) ?? 'started', max_restart: int(ctx, 'max_restart') ?? 1, max_relocate: int(ctx, 'max_relocate') ?? 1,
          ...(str(ctx, 'comment') ? { comment: str(ctx, 'comment') } : {}), ...(group ? { group } : {}),
        };
        // The CRM starts a `started` resource on the node it is on.
        const node = vmLocations(cluster, ctx).get(sid.replace(/^vm:/, '')) as string;
        const host = cluster.hostOf(node);
        const vm = host.state.vms[sid.replace(/^vm:/, '')];
        if (config.resources[sid].state === 'started' && vm.status !== 'running') {
          vm.status = 'running';
          vm.startedAt = Date.now();
          if (host !== ctx.host) host.save();
        }
        return null;
      },
    },
    {
      method: 'PUT',
      path: '/cluster/ha/resources/{sid}',
      handler: (ctx) => {
        const r = ha(ctx).resources[sidOf(ctx.pathParams.sid)];
        if (!r) throw dieError(`no such resource '${sidOf(ctx.pathParams.sid)}'`);
        for (const key of ['state', 'comment', 'group'] as const) if (str(ctx, key) !== undefined) (r as unknown as Record<string, string>)[key] = str(ctx, key) as string;
        for (const key of ['max_restart', 'max_relocate'] as const) if (int(ctx, key) !== undefined) r[key] = int(ctx, key) as number;
        return null;
      },
    },
    {
      method: 'DELETE',
      path: '/cluster/ha/resources/{sid}',
      handler: (ctx) => {
        const sid = sidOf(ctx.pathParams.sid);
        if (!ha(ctx).resources[sid]) throw dieError(`cannot delete service '${sid}', not HA managed!`);
        delete ha(ctx).resources[sid];
        return null;
      },
    },
    {
      method: 'GET',
      path: '/cluster/ha/rules',
      handler: (ctx) => Object.values(ha(ctx).rules).map((r) => ({ ...r, digest: r.rule })),
    },
    {
      method: 'POST',
      path: '/cluster/ha/rules',
      handler: (ctx) => {
        const config = ha(ctx);
        const rule = str(ctx, 'rule') as string;
        if (config.rules[rule]) throw dieError(`rule '${rule}' already defined`);
        const type = str(ctx, 'type') as 'node-affinity' | 'resource-affinity';
        if (type === 'node-affinity' && !str(ctx, 'nodes')) throw paramError({ nodes: 'property is missing and it is not optional' });
        config.rules[rule] = {
          rule, type, resources: String(str(ctx, 'resources')).split(',').map(sidOf).join(','),
          ...(str(ctx, 'nodes') ? { nodes: str(ctx, 'nodes') } : {}), ...(int(ctx, 'strict') !== undefined ? { strict: int(ctx, 'strict') } : {}),
          ...(str(ctx, 'comment') ? { comment: str(ctx, 'comment') } : {}),
        };
        return null;
      },
    },
    {
      // pve-ha-manager `src/PVE/API2/HA/Rules.pm` `update_rule` (the type is the rule's own).
      method: 'PUT',
      path: '/cluster/ha/rules/{rule}',
      handler: (ctx) => {
        const r = ha(ctx).rules[ctx.pathParams.rule];
        if (!r) throw dieError(`HA rule '${ctx.pathParams.rule}' does not exist`);
        if (str(ctx, 'resources') !== undefined) r.resources = String(str(ctx, 'resources')).split(',').map(sidOf).join(',');
        if (str(ctx, 'nodes') !== undefined) r.nodes = str(ctx, 'nodes');
        if (int(ctx, 'strict') !== undefined) r.strict = int(ctx, 'strict');
        if (str(ctx, 'comment') !== undefined) r.comment = str(ctx, 'comment');
        return null;
      },
    },
    {
      // pve-ha-manager `src/PVE/API2/HA/Groups.pm` `update` (8.4).
      method: 'PUT',
      path: '/cluster/ha/groups/{group}',
      handler: (ctx) => {
        const g = ha(ctx).groups[ctx.pathParams.group];
        if (!g) throw dieError(`no such ha group '${ctx.pathParams.group}'`);
        if (str(ctx, 'nodes') !== undefined) g.nodes = str(ctx, 'nodes') as string;
        if (int(ctx, 'restricted') !== undefined) g.restricted = int(ctx, 'restricted');
        if (int(ctx, 'nofailback') !== undefined) g.nofailback = int(ctx, 'nofailback');
        if (str(ctx, 'comment') !== undefined) g.comment = str(ctx, 'comment');
        return null;
      },
    },
    {
      method: 'GET',
      path: '/cluster/ha/groups',
      handler: (ctx) => Object.values(ha(ctx).groups).map((g) => ({ ...g, type: 'group', digest: g.group })),
    },
    {
      method: 'POST',
      path: '/cluster/ha/groups',
      handler: (ctx) => {
        if (ctx.host.behaviour.release.id !== '8.4') {
          // pve-ha-manager 5.x (PVE 9): groups were migrated to node-affinity rules.
          throw dieError('ha groups have been migrated to rules - use node-affinity rules instead');
        }
        const config = ha(ctx);
        const group = str(ctx, 'group') as string;
        if (config.groups[group]) throw dieError(`group '${group}' already defined`);
        config.groups[group] = {
          group, nodes: str(ctx, 'nodes') as string, ...(int(ctx, 'restricted') !== undefined ? { restricted: int(ctx, 'restricted') } : {}),
          ...(int(ctx, 'nofailback') !== undefined ? { nofailback: int(ctx, 'nofailback') } : {}), ...(str(ctx, 'comment') ? { comment: str(ctx, 'comment') } : {}),
        };
        return null;
      },
    },
    {
      method: 'GET',
      path: '/cluster/ha/status/current',
      handler: (ctx) => {
        const config = ha(ctx);
        const here = ctx.host.node;
        const where = vmLocations(cluster, ctx);
        return [
          { id: 'quorum', type: 'quorum', node: here, status: cluster.quorate(here) ? 'OK' : 'No quorum on node', quorate: cluster.quorate(here) ? 1 : 0 },
          ...Object.values(config.resources).map((r) => {
            const node = where.get(r.sid.replace(/^vm:/, ''));
            const up = node !== undefined && cluster.partition(here).includes(node);
            return { id: `service:${r.sid}`, type: 'service', sid: r.sid, node, state: up ? r.state : 'fence', crm_state: up ? r.state : 'fence', request_state: r.state, status: `${r.sid} (${node ?? '?'}, ${up ? r.state : 'fence'})` };
          }),
        ];
      },
    },
  ];
}

/** qemu-server `PVE/QemuMigrate.pm` `prepare`: online for a running VM, no local devices. */
function migrate(cluster: SimCluster, ctx: RequestContext): string {
  const source = ctx.host;
  const vmid = String(ctx.pathParams.vmid);
  const vm = source.state.vms[vmid];
  if (!vm) throw dieError(`Configuration file 'nodes/${source.node}/qemu-server/${vmid}.conf' does not exist`);
  const target = str(ctx, 'target') as string;
  const fs = source.state.cluster;
  if (target === source.node) throw dieError(`target is local node.`);
  if (!fs?.nodes[target]) throw dieError(`no such cluster node '${target}'`);
  if (!cluster.partition(source.node).includes(target)) throw dieError(`target node '${target}' is not online`);
  const online = str(ctx, 'online') === '1';
  return source.startTask(ctx, 'qmigrate', vmid, (log) => {
    log(`starting migration of VM ${vmid} to node '${target}' (${cluster.hostOf(target).behaviour.management.cidr.split('/')[0]})`);
    if (vm.status === 'running' && !online) throw new Error("can't migrate running VM without --online");
    const local = Object.keys(effectiveConfig(vm)).filter((k) => /^(hostpci|usb)\d+$/.test(k)).sort();
    if (local.length) throw new Error(`can't migrate VM which uses local devices: ${local.join(', ')}`);
    const dest = cluster.hostOf(target);
    delete source.state.vms[vmid];
    dest.state.vms[vmid] = vm;
    // Disks a replication job already sent are there (the migration sends only the delta); the others are copied.
    const moving = source.state.volumes.filter((v) => v.vmid === vm.vmid);
    dest.state.volumes = [...dest.state.volumes.filter((v) => !(v.vmid === vm.vmid && moving.some((m) => m.storage === v.storage && m.name === v.name))), ...moving];
    source.state.volumes = source.state.volumes.filter((v) => v.vmid !== vm.vmid);
    // QemuMigrate.pm `phase3_cleanup`: the job to the new node now replicates back to the old one, with its state
    // (ReplicationConfig.pm `switch_replication_job_target`, ReplicationState.pm `transfer_replication_state`).
    if (fs && Object.values(replicationOf(fs)).some((j) => j.guest === vm.vmid)) {
      for (const [key, st] of Object.entries(source.state.replicationState ?? {})) {
        if (!key.startsWith(`${vmid}/`)) continue;
        delete source.state.replicationState![key];
        (dest.state.replicationState ??= {})[key === `${vmid}/local/${target}` ? `${vmid}/local/${source.node}` : key] = st;
      }
      switchJobTarget(fs, vm.vmid, source.node, target);
    }
    dest.save();
    log('migration finished successfully');
  });
}
