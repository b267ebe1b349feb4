/** `/version`, `/nodes`, `/nodes/{node}` and `/nodes/{node}/status`: the node as pvestatd sees it. */
import type { RequestContext, Route } from './context';
import { GiB } from './state';

export const PVE_VERSION = { version: '8.4.1', release: '8.4', repoid: '2a5fa54a8503f96d' };

const MAX_CPU = 16;
const MAX_MEM = 64 * GiB;
const ROOTFS = 94 * GiB;

function memoryUsed(ctx: RequestContext): number {
  const vmMem = Object.values(ctx.host.state.vms)
    .filter((vm) => vm.status === 'running')
    .reduce((sum, vm) => sum + Number(vm.config.memory ?? 512) * 1024 * 1024, 0);
  return Math.min(MAX_MEM, 3 * GiB + vmMem);
}

function uptime(ctx: RequestContext): number {
  return Math.floor(Date.now() / 1000) - ctx.host.state.bootTime;
}

export const nodeRoutes: Route[] = [
  { method: 'GET', path: '/version', handler: () => ({ ...PVE_VERSION }) },
  {
    method: 'GET',
    path: '/nodes',
    handler: (ctx) => [
      {
        node: ctx.host.node,
        status: 'online',
        type: 'node',
        id: `node/${ctx.host.node}`,
        level: '',
        cpu: 0.021,
        maxcpu: MAX_CPU,
        mem: memoryUsed(ctx),
        maxmem: MAX_MEM,
        disk: 7 * GiB,
        maxdisk: ROOTFS,
        uptime: uptime(ctx),
      },
    ],
  },
  {
    method: 'GET',
    path: '/nodes/{node}',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      return [
        'apt', 'capabilities', 'ceph', 'certificates', 'config', 'disks', 'dns', 'firewall', 'hardware',
        'hosts', 'lxc', 'network', 'qemu', 'replication', 'rrd', 'rrddata', 'scan', 'services', 'status',
        'storage', 'subscription', 'syslog', 'tasks', 'time', 'version', 'vzdump',
      ].map((name) => ({ name }));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/status',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const used = memoryUsed(ctx);
      return {
        uptime: uptime(ctx),
        cpu: 0.021,
        wait: 0.0004,
        loadavg: ['0.31', '0.27', '0.22'],
        idle: 0,
        kversion: 'Linux 6.8.12-9-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-9 (2025-03-16T19:18Z)',
        pveversion: `pve-manager/${PVE_VERSION.version}/${PVE_VERSION.repoid}`,
        'current-kernel': {
          sysname: 'Linux',
          release: '6.8.12-9-pve',
          version: '#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-9 (2025-03-16T19:18Z)',
          machine: 'x86_64',
        },
        'boot-info': { mode: 'efi', secureboot: 0 },
        cpuinfo: {
          model: '12th Gen Intel(R) Core(TM) i7-12700K',
          cpus: MAX_CPU,
          sockets: 1,
          cores: 12,
          mhz: '3600.000',
          hvm: '1',
          user_hz: 100,
          flags: 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov vmx',
        },
        memory: { total: MAX_MEM, used, free: MAX_MEM - used },
        swap: { total: 8 * GiB, used: 0, free: 8 * GiB },
        rootfs: { total: ROOTFS, used: 7 * GiB, free: ROOTFS - 7 * GiB, avail: ROOTFS - 12 * GiB },
        ksm: { shared: 0 },
      };
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/version',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      return { ...PVE_VERSION };
    },
  },
];
