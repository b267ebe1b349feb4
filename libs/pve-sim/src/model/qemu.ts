/**
 * `/nodes/{node}/qemu`: create, config (with digest and pending), clone (linked and full),
 * template, power state, resize, destroy and snapshots, with qemu-server's checks and messages.
 */
import { randomUUID } from 'node:crypto';
import { bool, deleteList, int, str, type RequestContext, type Route } from './context';
import { dieError, paramError, PveError } from './errors';
import type { SimHost } from './host';
import { parsePropertyString, getProp, formatPropertyString, setProp } from './property-string';
import { resolveHostpci } from './pci';
import { pinWindowsMachine } from './machine';
import { beginUnattendedInstall } from './guest-install';
import { validateSshKeys } from './ssh-keys';
import { latestMachineVersion } from './release';
import {
  activeLock,
  applyPending,
  assertConfigPermissions,
  assertUnlocked,
  lockForTask,
  configDigest,
  configParams,
  createDrive,
  DRIVE_KEY,
  driveVolid,
  effectiveConfig,
  findVm,
  formatSize,
  normalizeNet,
  updateConfig,
  vmVolids,
} from './qemu-config';
import type { VmState } from './state';
import { allocateImage, findStorage, findVolume, freeVolume, linkedClone, renameToBase, supportsSnapshot, volid } from './volumes';
import { parseSize } from './storage';


function isTemplate(vm: VmState): boolean {
  return vm.config.template === '1';
}

function maxDisk(host: SimHost, vm: VmState): number {
  const boot = Object.entries(vm.config).find(([k, v]) => DRIVE_KEY.test(k) && !/media=cdrom/.test(v) && !/^(efidisk|tpmstate)/.test(k));
  const id = boot ? driveVolid(boot[1]) : undefined;
  return (id && findVolume(host, id)?.size) || 0;
}

function uptime(vm: VmState): number {
  return vm.status === 'running' && vm.startedAt ? Math.floor((Date.now() - vm.startedAt) / 1000) : 0;
}

function vmSummary(host: SimHost, vm: VmState): Record<string, unknown> {
  const cores = Number(vm.config.cores ?? 1) * Number(vm.config.sockets ?? 1);
  const maxmem = Number(vm.config.memory ?? 512) * 1024 * 1024;
  const running = vm.status === 'running';
  return {
    vmid: vm.vmid,
    name: vm.config.name ?? `VM ${vm.vmid}`,
    status: vm.status,
    cpus: cores,
    maxmem,
    mem: running ? Math.floor(maxmem * 0.4) : 0,
    maxdisk: maxDisk(host, vm),
    disk: 0,
    cpu: running ? 0.03 : 0,
    uptime: uptime(vm),
    netin: 0,
    netout: 0,
    diskread: 0,
    diskwrite: 0,
    ...(running ? { pid: 100000 + vm.vmid } : {}),
    ...(isTemplate(vm) ? { template: 1 } : {}),
    ...(vm.config.tags ? { tags: vm.config.tags } : {}),
  };
}

function assertVmidFree(host: SimHost, vmid: number): void {
  if (host.state.vms[String(vmid)]) throw dieError(`unable to create VM ${vmid} - VM ${vmid} already exists on node '${host.node}'`);
}

function generatedDefaults(host: SimHost): Record<string, string> {
  return {
    smbios1: `uuid=${randomUUID()}`,
    vmgenid: randomUUID(),
    meta: `creation-qemu=${host.behaviour.release.qemu},ctime=${Math.floor(Date.now() / 1000)}`,
  };
}

/** The machine a running VM runs: its pinned type, or the family at the installed QEMU's version. */
function runningMachine(host: SimHost, vm: VmState): string {
  const type = parsePropertyString(vm.config.machine ?? '').head || 'pc';
  if (!/^(pc|q35)$/.test(type)) return type;
  return `${type === 'q35' ? 'pc-q35' : 'pc-i440fx'}-${latestMachineVersion(host.behaviour.release)}`;
}

/** The checks qemu-server's vm_start makes before it launches QEMU. */
function assertStartable(host: SimHost, vm: VmState): void {
  const config = effectiveConfig(vm);
  const bridges = new Set(host.state.network.applied.filter((i) => i.type === 'bridge' || i.type === 'OVSBridge').map((i) => i.iface));
  for (const [key, value] of Object.entries(config)) {
    if (/^net\d+$/.test(key)) {
      const bridge = getProp(parsePropertyString(value), 'bridge');
      if (bridge && !bridges.has(bridge)) throw dieError(`bridge '${bridge}' does not exist`);
    }
    if (DRIVE_KEY.test(key)) {
      const id = driveVolid(value);
      if (id && !findVolume(host, id)) throw dieError(`volume '${id}' does not exist`);
    }
    if (key === 'cicustom') {
      // qemu-server reads the snippets when it generates the cloud-init drive at start.
      for (const [, id] of parsePropertyString(value).pairs) {
        if (!findVolume(host, id)) throw dieError(`volume '${id}' does not exist`);
      }
    }
    if (/^hostpci\d+$/.test(key)) {
      for (const device of resolveHostpci(host, key, value)) {
        const holder = Object.values(host.state.vms).find(
          (other) => other !== vm && other.status === 'running' &&
            Object.entries(other.config).some(([k, v]) => /^hostpci\d+$/.test(k) && safeResolve(host, k, v).includes(device.id)),
        );
        if (holder) throw dieError(`PCI device '${device.id}' already in use by VMID '${holder.vmid}'`);
      }
    }
  }
}

function safeResolve(host: SimHost, key: string, value: string): string[] {
  try {
    return resolveHostpci(host, key, value).map((d) => d.id);
  } catch {
    return [];
  }
}

const BUS_ORDER = ['ide', 'sata', 'scsi', 'virtio'];

/** qemu-server's get_default_bootdevices: first disk, first CD-ROM, first NIC. */
function defaultBootOrder(config: Record<string, string>): string {
  const drives = Object.keys(config)
    .filter((k) => /^(ide|sata|scsi|virtio)\d+$/.test(k))
    .sort((a, b) => {
      const [, busA, nA] = /^([a-z]+)(\d+)$/.exec(a) as RegExpExecArray;
      const [, busB, nB] = /^([a-z]+)(\d+)$/.exec(b) as RegExpExecArray;
      return BUS_ORDER.indexOf(busA) - BUS_ORDER.indexOf(busB) || Number(nA) - Number(nB);
    });
  const isCdrom = (k: string) => /(^|,)media=cdrom(,|$)/.test(config[k]) || /^(none|cdrom)(,|$)/.test(config[k]);
  const order = [
    drives.find((k) => !isCdrom(k)),
    drives.find((k) => isCdrom(k) && !/-cloudinit/.test(config[k])),
    Object.keys(config).filter((k) => /^net\d+$/.test(k)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))[0],
  ].filter((k): k is string => k !== undefined);
  return order.length > 0 ? `order=${order.join(';')}` : '';
}

function vmRoute(method: Route['method'], suffix: string, handler: (ctx: RequestContext, vm: VmState) => unknown): Route {
  return {
    method,
    path: `/nodes/{node}/qemu/{vmid}${suffix}`,
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      return handler(ctx, findVm(ctx.host, ctx.pathParams.vmid));
    },
  };
}

function powerTask(ctx: RequestContext, vm: VmState, type: string, work: (log: (l: string) => void) => void): string {
  assertUnlocked(ctx, vm);
  return ctx.host.startTask(ctx, type, String(vm.vmid), work);
}

export const qemuRoutes: Route[] = [
  {
    method: 'GET',
    path: '/nodes/{node}/qemu',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      return Object.values(ctx.host.state.vms).sort((a, b) => a.vmid - b.vmid).map((vm) => vmSummary(ctx.host, vm));
    },
  },
  {
    method: 'POST',
    path: '/nodes/{node}/qemu',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const host = ctx.host;
      const vmid = int(ctx, 'vmid') ?? 0;
      if (str(ctx, 'archive') !== undefined) throw new PveError(501, 'restore from archive is not simulated');
      assertVmidFree(host, vmid);
      const params = configParams(ctx);
      validateSshKeys(params.sshkeys);
      assertConfigPermissions(ctx, params);
      for (const [key, value] of Object.entries(params)) {
        if (!DRIVE_KEY.test(key)) continue;
        const file = parsePropertyString(value).head ?? '';
        const storage = /^([a-zA-Z][\w.-]*):/.exec(file)?.[1];
        if (storage) findStorage(host, storage);
      }
      const start = bool(ctx, 'start') ?? false;
      const createUpid = host.startTask(ctx, 'qmcreate', String(vmid), (log) => {
        const vm: VmState = { vmid, config: {}, status: 'stopped', snapshots: {}, pending: {}, pendingDelete: [] };
        host.state.vms[String(vmid)] = vm;
        const config: Record<string, string> = { ...generatedDefaults(host) };
        for (const [key, value] of Object.entries(params)) {
          if (DRIVE_KEY.test(key)) config[key] = createDrive(host, vmid, key, value, log);
          else if (/^net\d+$/.test(key)) config[key] = normalizeNet(value);
          else config[key] = value;
        }
        if (params.vmgenid === '0') config.vmgenid = '0';
        if (params.smbios1) config.smbios1 = params.smbios1;
        const boot = defaultBootOrder(config);
        if (!config.boot && boot) config.boot = boot;
        const machine = pinWindowsMachine(host, config.machine, config.ostype, log);
        if (machine) config.machine = machine;
        vm.config = config;
        if (start) {
          assertStartable(host, vm);
          vm.status = 'running';
          vm.startedAt = Date.now();
        }
      });
      lockForTask(host, vmid, 'create', createUpid);
      return createUpid;
    },
  },
  vmRoute('GET', '', () =>
    ['config', 'cloudinit', 'pending', 'status', 'unlink', 'vncproxy', 'termproxy', 'migrate', 'resize', 'move', 'rrd', 'rrddata',
      'monitor', 'agent', 'snapshot', 'spiceproxy', 'sendkey', 'firewall', 'mtunnel', 'remote_migrate'].map((subdir) => ({ subdir })),
  ),
  vmRoute('GET', '/config', (ctx, vm) => {
    const snapname = str(ctx, 'snapshot');
    if (snapname && bool(ctx, 'current')) {
      const message = "cannot use 'snapshot' parameter with 'current'";
      throw paramError({ snapshot: message, current: message });
    }
    if (snapname) {
      const snap = vm.snapshots[snapname];
      if (!snap) throw dieError(`snapshot '${snapname}' does not exist`);
      return { ...snap.config, digest: configDigest(vm) };
    }
    const config = { ...(bool(ctx, 'current') ? vm.config : effectiveConfig(vm)) };
    const lock = activeLock(vm);
    if (lock) config.lock = lock;
    if (config.cipassword) config.cipassword = '**********';
    return { ...config, digest: configDigest(vm) };
  }),
  vmRoute('GET', '/pending', (_ctx, vm) => {
    const keys = new Set([...Object.keys(vm.config), ...Object.keys(vm.pending ?? {}), ...(vm.pendingDelete ?? [])]);
    return [...keys].sort().map((key) => ({
      key,
      ...(vm.config[key] !== undefined ? { value: vm.config[key] } : {}),
      ...((vm.pending ?? {})[key] !== undefined ? { pending: (vm.pending ?? {})[key] } : {}),
      ...((vm.pendingDelete ?? []).includes(key) ? { delete: 1 } : {}),
    }));
  }),
  ...(['POST', 'PUT'] as const).map((method) =>
    vmRoute(method, '/config', (ctx, vm) => {
      const digest = str(ctx, 'digest');
      const set = configParams(ctx);
      validateSshKeys(set.sshkeys);
      const deletes = deleteList(ctx).map((k) => (k === 'cdrom' ? 'ide2' : k));
      for (const key of deletes) {
        if (set[key] !== undefined) throw paramError({ delete: `you can't use '-${key}' and -delete ${key}' at the same time` });
      }
      assertConfigPermissions(ctx, set);
      assertConfigPermissions(ctx, Object.fromEntries(deletes.filter((k) => vm.config[k] !== undefined).map((k) => [k, vm.config[k]])));
      if (digest && digest !== configDigest(vm)) throw dieError('checksum missmatch (file change by other user?)');
      assertUnlocked(ctx, vm);
      if (isTemplate(vm) && Object.keys(set).some((k) => DRIVE_KEY.test(k) && !/cloudinit|media=cdrom/.test(set[k]))) {
        throw dieError("you can't add a disk to a template");
      }
      const work = (log: (l: string) => void) => {
        log(`update VM ${vm.vmid}: ${Object.entries(set).map(([k, v]) => `-${k} ${v}`).join(' ')}${deletes.length ? ` -delete ${deletes.join(',')}` : ''}`);
        updateConfig(ctx, vm, set, deletes, log);
      };
      if (method === 'PUT') {
        if (ctx.taskFailure) throw dieError(ctx.taskFailure);
        work(() => undefined);
        return null;
      }
      return ctx.host.startTask(ctx, 'qmconfig', String(vm.vmid), work);
    }),
  ),
  vmRoute('PUT', '/resize', (ctx, vm) => {
    const disk = str(ctx, 'disk') ?? '';
    const sizeText = str(ctx, 'size') ?? '';
    const value = vm.config[disk];
    if (!value || !DRIVE_KEY.test(disk)) throw dieError(`disk '${disk}' does not exist`);
    const id = driveVolid(value);
    const volume = id ? findVolume(ctx.host, id) : undefined;
    if (!volume) throw dieError(`disk '${disk}' has no managed volume`);
    if (/media=cdrom/.test(value)) throw dieError("you can't resize a cdrom");
    const grow = sizeText.startsWith('+');
    const bytes = parseSize(sizeText.replace(/^\+/, ''), 'G');
    if (bytes === undefined) throw paramError({ size: `unable to parse size '${sizeText}'` });
    const newSize = grow ? volume.size + bytes : bytes;
    if (newSize < volume.size) throw dieError(`shrinking disks is not supported`);
    assertUnlocked(ctx, vm);
    return ctx.host.startTask(ctx, 'resize', String(vm.vmid), (log) => {
      log(`resize ${disk} from ${formatSize(volume.size)} to ${formatSize(newSize)}`);
      volume.size = newSize;
      const ps = parsePropertyString(value);
      setProp(ps, 'size', formatSize(newSize));
      vm.config[disk] = formatPropertyString(ps);
    });
  }),
  vmRoute('GET', '/status', () => ['current', 'start', 'stop', 'reset', 'shutdown', 'suspend', 'reboot', 'resume'].map((subdir) => ({ subdir }))),
  vmRoute('GET', '/status/current', (ctx, vm) => ({
    ...vmSummary(ctx.host, vm),
    qmpstatus: vm.paused ? 'paused' : vm.status,
    ha: { managed: 0 },
    ...(agentEnabled(vm) ? { agent: 1 } : {}),
    ...(vm.status === 'running' ? { 'running-machine': runningMachine(ctx.host, vm), 'running-qemu': ctx.host.behaviour.release.qemu } : {}),
  })),
  vmRoute('POST', '/status/start', (ctx, vm) => {
    if (isTemplate(vm)) throw dieError("you can't start a vm if it's a template");
    return powerTask(ctx, vm, 'qmstart', (log) => {
      if (vm.status === 'running') throw new Error(`VM ${vm.vmid} already running`);
      applyPending(vm);
      assertStartable(ctx.host, vm);
      log(`start VM ${vm.vmid}: UPID`);
      vm.status = 'running';
      vm.startedAt = Date.now();
      beginUnattendedInstall(ctx.host, vm, log);
    });
  }),
  ...['stop', 'shutdown'].map((action) =>
    vmRoute('POST', `/status/${action}`, (ctx, vm) => {
      // qemu-server API2/Qemu.pm vm_shutdown: a paused guest cannot react to ACPI; with forceStop
      // PVE warns "VM is paused - stop instead of shutdown" and stops it, else it refuses.
      if (action === 'shutdown' && vm.paused && !bool(ctx, 'forceStop')) throw dieError('VM is paused - cannot shutdown');
      return powerTask(ctx, vm, action === 'stop' ? 'qmstop' : 'qmshutdown', () => {
        if (vm.status !== 'running') throw new Error(`VM ${vm.vmid} not running`);
        vm.status = 'stopped';
        vm.paused = undefined;
        vm.startedAt = undefined;
      });
    }),
  ),
  // qemu-server API2/Qemu.pm vm_suspend / vm_resume (PVE 8): "VM <id> not running" is checked
  // before the worker; suspend without todisk is a `qmpause` task that stops the vCPUs (QMP
  // `stop`), resume a `qmresume` task (QMP `cont`). Suspend to disk (todisk=1) is not modelled.
  vmRoute('POST', '/status/suspend', (ctx, vm) => {
    if (vm.status !== 'running') throw dieError(`VM ${vm.vmid} not running`);
    if (bool(ctx, 'todisk')) throw dieError('pve-sim: suspend to disk (todisk=1) is not simulated');
    return powerTask(ctx, vm, 'qmpause', () => {
      vm.paused = true;
    });
  }),
  vmRoute('POST', '/status/resume', (ctx, vm) => {
    if (vm.status !== 'running') throw dieError(`VM ${vm.vmid} not running`);
    return powerTask(ctx, vm, 'qmresume', () => {
      vm.paused = undefined;
    });
  }),
  vmRoute('POST', '/status/reboot', (ctx, vm) =>
    powerTask(ctx, vm, 'qmreboot', () => {
      if (vm.status !== 'running') throw new Error(`VM ${vm.vmid} not running`);
      applyPending(vm);
      assertStartable(ctx.host, vm);
      vm.startedAt = Date.now();
    }),
  ),
  vmRoute('POST', '/status/reset', (ctx, vm) =>
    powerTask(ctx, vm, 'qmreset', () => {
      if (vm.status !== 'running') throw new Error(`VM ${vm.vmid} not running`);
      vm.startedAt = Date.now();
    }),
  ),
  vmRoute('POST', '/template', (ctx, vm) => {
    if (isTemplate(vm) && !str(ctx, 'disk')) throw dieError("you can't convert a template to a template");
    if (vm.status === 'running') throw dieError("you can't convert a VM to template if VM is running");
    assertUnlocked(ctx, vm);
    return ctx.host.startTask(ctx, 'qmtemplate', String(vm.vmid), (log) => {
      for (const [key, value] of Object.entries(vm.config)) {
        if (!DRIVE_KEY.test(key) || /media=cdrom/.test(value)) continue;
        const id = driveVolid(value);
        const volume = id ? findVolume(ctx.host, id) : undefined;
        if (!volume) continue;
        renameToBase(ctx.host, volume);
        const ps = parsePropertyString(value);
        ps.head = volid(volume);
        vm.config[key] = formatPropertyString(ps);
        log(`${key}: converted to base image '${volid(volume)}'`);
      }
      vm.config.template = '1';
    });
  }),
  vmRoute('POST', '/clone', (ctx, vm) => {
    const host = ctx.host;
    const newid = int(ctx, 'newid') ?? 0;
    const template = isTemplate(vm);
    const full = bool(ctx, 'full') ?? !template;
    const storage = str(ctx, 'storage');
    const format = str(ctx, 'format');
    if (newid === vm.vmid) throw paramError({ newid: 'new vmid is the same as the source' });
    if (str(ctx, 'target') && str(ctx, 'target') !== host.node) throw dieError(`Target node '${str(ctx, 'target')}' does not exist`);
    if (storage !== undefined && !full) throw dieError("parameter 'storage' not allowed for linked clones");
    if (format !== undefined && !full) throw dieError("parameter 'format' not allowed for linked clones");
    assertVmidFree(host, newid);
    assertUnlocked(ctx, vm);
    if (!full) {
      for (const [key, value] of Object.entries(vm.config)) {
        if (!DRIVE_KEY.test(key) || /media=cdrom/.test(value)) continue;
        const id = driveVolid(value);
        const volume = id ? findVolume(host, id) : undefined;
        if (volume && !/(^|\/)base-\d+-/.test(volume.name)) {
          throw dieError(`Linked clone feature is not supported for drive '${key}'`);
        }
      }
    }
    if (storage) findStorage(host, storage);
    const cloneUpid = host.startTask(ctx, 'qmclone', String(vm.vmid), (log) => {
      log(`create ${full ? 'full' : 'linked'} clone of drive(s) of VM ${vm.vmid} to VM ${newid}`);
      const clone: VmState = { vmid: newid, config: {}, status: 'stopped', snapshots: {}, pending: {}, pendingDelete: [] };
      host.state.vms[String(newid)] = clone;
      const config: Record<string, string> = {};
      for (const [key, value] of Object.entries(vm.config)) {
        if (key === 'template' || /^unused\d+$/.test(key)) continue;
        if (/^net\d+$/.test(key)) {
          const ps = parsePropertyString(value);
          // A clone gets fresh MAC addresses.
          config[key] = normalizeNet(formatPropertyString({ head: ps.pairs[0]?.[0], pairs: ps.pairs.slice(1) }));
          continue;
        }
        if (!DRIVE_KEY.test(key)) {
          config[key] = value;
          continue;
        }
        const ps = parsePropertyString(value);
        const id = driveVolid(value);
        const source = id ? findVolume(host, id) : undefined;
        if (!source || (/media=cdrom/.test(value) && !/-cloudinit/.test(source.name))) {
          config[key] = value;
          continue;
        }
        let target;
        if (/-cloudinit/.test(source.name)) {
          target = allocateImage(host, storage ?? source.storage, newid, source.size, { kind: 'cloudinit' });
        } else if (full) {
          target = allocateImage(host, storage ?? source.storage, newid, source.size, { format });
          log(`drive mirror/copy ${key}: ${volid(source)} -> ${volid(target)}`);
          log(`transferred ${formatSize(source.size)} of ${formatSize(source.size)} (100.00%)`);
        } else {
          target = linkedClone(host, source, newid);
          log(`clone ${key}: ${volid(source)} snapname __base__ to ${volid(target)}`);
        }
        ps.head = volid(target);
        config[key] = formatPropertyString(ps);
      }
      Object.assign(config, generatedDefaults(ctx.host));
      config.name = str(ctx, 'name') ?? `Copy-of-VM-${vm.config.name ?? vm.vmid}`;
      const description = str(ctx, 'description');
      if (description !== undefined) config.description = description;
      clone.config = config;
      const fw = host.state.firewall.vms[String(vm.vmid)];
      if (fw) host.state.firewall.vms[String(newid)] = structuredClone(fw);
    }, { durationMs: host.behaviour.taskDurationMs * (full ? 3 : 1) });
    lockForTask(host, newid, 'clone', cloneUpid);
    return cloneUpid;
  }),
  vmRoute('DELETE', '', (ctx, vm) => {
    const host = ctx.host;
    if (vm.config.protection === '1') throw dieError(`can't remove VM ${vm.vmid} - protection mode enabled`);
    if (vm.status === 'running') throw dieError(`VM ${vm.vmid} is running - destroy failed`);
    assertUnlocked(ctx, vm);
    return host.startTask(ctx, 'qmdestroy', String(vm.vmid), (log) => {
      const owned = new Set(vmVolids(vm));
      for (const v of host.state.volumes) if (v.vmid === vm.vmid && v.content === 'images') owned.add(volid(v));
      for (const id of owned) {
        const volume = findVolume(host, id);
        if (!volume || volume.vmid !== vm.vmid) continue;
        freeVolume(host, volume);
        log(`Removing image: 100% complete...done.`);
      }
      delete host.state.vms[String(vm.vmid)];
      delete host.state.firewall.vms[String(vm.vmid)];
      log(`purging VM ${vm.vmid} from related configurations..`);
    });
  }),
  vmRoute('GET', '/snapshot', (_ctx, vm) => {
    const snaps = Object.values(vm.snapshots).map((s) => ({
      name: s.name, description: s.description, snaptime: s.snaptime, vmstate: s.vmstate, ...(s.parent ? { parent: s.parent } : {}),
    }));
    return [
      ...snaps,
      { name: 'current', description: 'You are here!', digest: configDigest(vm), running: vm.status === 'running' ? 1 : 0, ...(vm.parent ? { parent: vm.parent } : {}) },
    ];
  }),
  vmRoute('POST', '/snapshot', (ctx, vm) => {
    const name = str(ctx, 'snapname') ?? '';
    if (name === 'current') throw paramError({ snapname: "invalid snapshot name 'current'" });
    if (vm.snapshots[name]) throw dieError(`snapshot name '${name}' already used`);
    if (isTemplate(vm)) throw dieError('snapshot feature is not available for templates');
    for (const id of vmVolids(vm)) {
      const volume = findVolume(ctx.host, id);
      if (volume && !/-cloudinit/.test(volume.name) && !supportsSnapshot(ctx.host, volume)) {
        throw dieError('snapshot feature is not available');
      }
    }
    assertUnlocked(ctx, vm);
    const snapUpid = ctx.host.startTask(ctx, 'qmsnapshot', String(vm.vmid), (log) => {
      for (const id of vmVolids(vm)) log(`snapshotting '${id}' (${name})`);
      vm.snapshots[name] = {
        name,
        description: str(ctx, 'description') ?? '',
        snaptime: Math.floor(Date.now() / 1000),
        vmstate: bool(ctx, 'vmstate') ? 1 : 0,
        ...(vm.parent ? { parent: vm.parent } : {}),
        config: { ...vm.config },
      };
      vm.parent = name;
    });
    lockForTask(ctx.host, vm.vmid, 'snapshot', snapUpid);
    return snapUpid;
  }),
  vmRoute('GET', '/snapshot/{snapname}', (ctx, vm) => {
    if (!vm.snapshots[ctx.pathParams.snapname]) throw dieError(`snapshot '${ctx.pathParams.snapname}' does not exist`);
    return [{ cmd: 'config' }, { cmd: 'rollback' }];
  }),
  vmRoute('GET', '/snapshot/{snapname}/config', (ctx, vm) => {
    const snap = vm.snapshots[ctx.pathParams.snapname];
    if (!snap) throw dieError(`snapshot '${ctx.pathParams.snapname}' does not exist`);
    return { ...snap.config, snapstate: undefined, snaptime: snap.snaptime, description: snap.description };
  }),
  vmRoute('POST', '/snapshot/{snapname}/rollback', (ctx, vm) => {
    const snap = vm.snapshots[ctx.pathParams.snapname];
    if (!snap) throw dieError(`snapshot '${ctx.pathParams.snapname}' does not exist`);
    return ctx.host.startTask(ctx, 'qmrollback', String(vm.vmid), () => {
      vm.config = { ...snap.config };
      vm.parent = snap.name;
      if (!snap.vmstate) {
        vm.status = 'stopped';
        vm.startedAt = undefined;
      }
    });
  }),
  vmRoute('DELETE', '/snapshot/{snapname}', (ctx, vm) => {
    const name = ctx.pathParams.snapname;
    const snap = vm.snapshots[name];
    if (!snap) throw dieError(`snapshot '${name}' does not exist`);
    assertUnlocked(ctx, vm);
    const delUpid = ctx.host.startTask(ctx, 'qmdelsnapshot', String(vm.vmid), (log) => {
      for (const id of vmVolids(vm)) log(`delete snapshot '${name}' of '${id}'`);
      for (const other of Object.values(vm.snapshots)) if (other.parent === name) other.parent = snap.parent;
      if (vm.parent === name) vm.parent = snap.parent;
      delete vm.snapshots[name];
    });
    lockForTask(ctx.host, vm.vmid, 'snapshot-delete', delUpid);
    return delUpid;
  }),
];

export function agentEnabled(vm: VmState): boolean {
  const agent = vm.config.agent;
  if (!agent) return false;
  const ps = parsePropertyString(agent);
  return ps.head === '1' || getProp(ps, 'enabled') === '1';
}
