/**
 * Mock mode's Proxmox host: answers the read-only GETs the Proxmox collector makes with the
 * shapes PVE 8 returns, for the host Genesis provisions (VM 100 "brain" with the GPU, the trading VM,
 * a template). Anything else is refused, as a PVEAuditor token would for writes.
 */
import type { PveApi, PveTaskStatus } from '@genesis/proxmox';

const GiB = 1024 ** 3;

export class MockPveApi implements PveApi {
  readonly node = 'pve';
  private step = 0;

  async get<T>(path: string): Promise<T> {
    const step = this.step;
    if (path === '/nodes') {
      this.step += 1;
      return [{ node: 'pve', status: 'online', type: 'node', id: 'node/pve', level: '', cpu: 0.2, maxcpu: 16, mem: 52 * GiB, maxmem: 128 * GiB, disk: 41 * GiB, maxdisk: 94 * GiB, uptime: 864000 + step * 15 }] as T;
    }
    if (path === '/nodes/pve/qemu') {
      const wave = (Math.sin(step / 7) + 1) / 2;
      return [
        { vmid: 100, name: 'brain', status: 'running', cpu: 0.25 + wave * 0.5, cpus: 8, mem: 40 * GiB, maxmem: 48 * GiB, disk: 0, maxdisk: 200 * GiB, netin: 8e9 + step * 3.1e6, netout: 2e9 + step * 9.7e5, diskread: 6e10 + step * 1e6, diskwrite: 3e10 + step * 4e6, uptime: 86400 + step * 15, tags: 'ai;gpu', pid: 1234 },
        { vmid: 200, name: 'trading-win10', status: 'running', cpu: 0.06, cpus: 4, mem: 7 * GiB, maxmem: 8 * GiB, disk: 0, maxdisk: 120 * GiB, netin: 4e8 + step * 2e5, netout: 1e8 + step * 5e4, diskread: 2e10, diskwrite: 1e10 + step * 1e5, uptime: 43200 + step * 15, tags: 'trading', pid: 1301 },
        { vmid: 9000, name: 'template-ubuntu-ai', status: 'stopped', template: 1, cpu: 0, cpus: 4, mem: 0, maxmem: 8 * GiB, disk: 0, maxdisk: 32 * GiB, netin: 0, netout: 0, diskread: 0, diskwrite: 0, uptime: 0 },
      ] as T;
    }
    if (path === '/nodes/pve/lxc') return [] as T;
    if (path === '/nodes/pve/status') {
      const wave = (Math.sin(step / 7) + 1) / 2;
      return {
        cpu: 0.18 + wave * 0.3,
        cpuinfo: { cpus: 16, cores: 8, sockets: 1, model: 'AMD Ryzen 7 5800X 8-Core Processor' },
        memory: { total: 128 * GiB, used: 52 * GiB, free: 76 * GiB },
        rootfs: { total: 94 * GiB, used: 41 * GiB, avail: 53 * GiB, free: 53 * GiB },
        loadavg: [(1.2 + wave * 3).toFixed(2), '1.10', '0.95'],
        uptime: 864000 + step * 15,
        pveversion: 'pve-manager/8.4.1/2a5fa54a8503f96d',
        kversion: 'Linux 6.8.12-9-pve',
      } as T;
    }
    if (path === '/nodes/pve/storage') {
      return [
        { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup', shared: 0, active: 1, enabled: 1, total: 94 * GiB, used: 41 * GiB, avail: 53 * GiB, used_fraction: 41 / 94 },
        { storage: 'local-zfs', type: 'zfspool', content: 'images,rootdir', shared: 0, active: 1, enabled: 1, total: 1700 * GiB, used: 380 * GiB, avail: 1320 * GiB, used_fraction: 380 / 1700 },
      ] as T;
    }
    if (path === '/version') return { release: '8.4', repoid: '2a5fa54a8503f96d', version: '8.4.1' } as T;
    if (path === '/cluster/resources') {
      // VM 100 is HA-managed; the trading VM is being backed up right now (config lock "backup").
      return [
        { id: 'qemu/100', type: 'qemu', vmid: 100, node: 'pve', name: 'brain', status: 'running', hastate: 'started' },
        { id: 'qemu/200', type: 'qemu', vmid: 200, node: 'pve', name: 'trading-win10', status: 'running', lock: 'backup' },
        { id: 'qemu/9000', type: 'qemu', vmid: 9000, node: 'pve', name: 'template-ubuntu-ai', status: 'stopped', template: 1 },
      ] as T;
    }
    if (path === '/cluster/backup-info/not-backed-up') return [{ type: 'qemu', vmid: 9000, name: 'template-ubuntu-ai' }] as T;
    const config = /^\/nodes\/pve\/qemu\/(\d+)\/config$/.exec(path);
    if (config) return ({ '100': { name: 'brain', onboot: 1 }, '200': { name: 'trading-win10' } } as Record<string, unknown>)[config[1]] as T;
    throw new Error(`mock Proxmox host: GET ${path} is not part of what the exporter reads`);
  }

  async post<T>(path: string): Promise<T> {
    throw new Error(`mock Proxmox host is read-only (POST ${path}): the exporter's token is PVEAuditor`);
  }

  async put<T>(path: string): Promise<T> {
    throw new Error(`mock Proxmox host is read-only (PUT ${path})`);
  }

  async delete<T>(path: string): Promise<T> {
    throw new Error(`mock Proxmox host is read-only (DELETE ${path})`);
  }

  async waitForTask(upid: string): Promise<PveTaskStatus> {
    throw new Error(`mock Proxmox host runs no tasks (${upid})`);
  }
}
