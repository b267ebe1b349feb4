/** `/version`, `/nodes`, `/nodes/{node}` and `/nodes/{node}/status`: the node as pvestatd sees it. */
import type { RequestContext, Route } from './context';
import { GiB } from './state';

/**
 * pve-manager `PVE/API2.pm` `version`: `console` only when datacenter.cfg sets one (never here),
 * then `version`, `release`, `repoid` of the running pve-manager.
 */
function versionInfo(ctx: RequestContext): Record<string, string> {
  return { ...ctx.host.behaviour.release.version };
}

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
  { method: 'GET', path: '/version', handler: versionInfo },
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
      const { version, kernel } = { version: ctx.host.behaviour.release.version, kernel: ctx.host.behaviour.release.kernel };
      return {
        uptime: uptime(ctx),
        cpu: 0.021,
        wait: 0.0004,
        loadavg: ['0.31', '0.27', '0.22'],
        idle: 0,
        kversion: `Linux ${kernel.release} ${kernel.version}`,
        pveversion: `pve-manager/${version.version}/${version.repoid}`,
        'current-kernel': {
          sysname: 'Linux',
          release: kernel.release,
          version: kernel.version,
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
      return versionInfo(ctx);
    },
  },
];
