/** `/cluster/resources`, `/cluster/status`, `/cluster/nextid` and the (empty) container list of a single-node cluster. */
import { int, str, type Route } from './context';
import { paramError } from './errors';
import type { SimHost } from './host';
import { effectiveConfig } from './qemu-config';
import { GiB } from './state';
import { storageContent, storageUsage } from './volumes';

export function resources(host: SimHost): Array<Record<string, unknown>> {
  const node = host.node;
  const vms = Object.values(host.state.vms).map((vm) => {
    const config = effectiveConfig(vm);
    const maxmem = Number(config.memory ?? 512) * 1024 * 1024;
    const running = vm.status === 'running';
    return {
      id: `qemu/${vm.vmid}`, type: 'qemu', node, vmid: vm.vmid, name: config.name ?? `VM ${vm.vmid}`, status: vm.status,
      template: config.template === '1' ? 1 : 0, maxcpu: Number(config.cores ?? 1) * Number(config.sockets ?? 1),
      cpu: running ? 0.03 : 0, maxmem, mem: running ? Math.floor(maxmem * 0.4) : 0, maxdisk: 0, disk: 0,
      uptime: running && vm.startedAt ? Math.floor((Date.now() - vm.startedAt) / 1000) : 0,
      netin: 0, netout: 0, diskread: 0, diskwrite: 0, hastate: undefined, ...(config.tags ? { tags: config.tags } : {}),
    };
  });
  const storages = host.state.storage
    .filter((s) => !s.nodes || String(s.nodes).split(',').includes(node))
    .map((s) => {
      const { total, used } = storageUsage(host, s);
      return {
        id: `storage/${node}/${s.storage}`, type: 'storage', node, storage: s.storage, plugintype: s.type,
        status: Number(s.disable ?? 0) ? 'unknown' : 'available', content: storageContent(s).sort().join(','),
        shared: Number(s.shared ?? 0), disk: used, maxdisk: total,
      };
    });
  return [
    {
      id: `node/${node}`, type: 'node', node, status: 'online', level: '', cpu: 0.021, maxcpu: 16,
      mem: 3 * GiB, maxmem: 64 * GiB, disk: 7 * GiB, maxdisk: 94 * GiB, uptime: Math.floor(Date.now() / 1000) - host.state.bootTime,
    },
    ...vms,
    ...storages,
  ].map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
}

export const clusterRoutes: Route[] = [
  {
    method: 'GET',
    path: '/cluster/resources',
    handler: (ctx) => {
      const type = str(ctx, 'type');
      const want: Record<string, string[]> = { vm: ['qemu', 'lxc'], storage: ['storage'], node: ['node'], sdn: ['sdn'] };
      return resources(ctx.host).filter((r) => !type || (want[type] ?? [type]).includes(String(r.type)));
    },
  },
  {
    method: 'GET',
    path: '/cluster/status',
    handler: (ctx) => [
      {
        type: 'node', id: `node/${ctx.host.node}`, name: ctx.host.node, nodeid: 0, online: 1, local: 1, level: '',
        ip: ctx.host.behaviour.management.cidr.split('/')[0],
      },
    ],
  },
  {
    method: 'GET',
    path: '/cluster/nextid',
    handler: (ctx) => {
      const vms = ctx.host.state.vms;
      const asked = int(ctx, 'vmid');
      if (asked !== undefined) {
        if (vms[String(asked)]) throw paramError({ vmid: `VM ${asked} already exists` });
        return String(asked);
      }
      let id = 100;
      while (vms[String(id)]) id++;
      return String(id);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/lxc',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      // Containers are not simulated: the node has none.
      return [];
    },
  },
];
