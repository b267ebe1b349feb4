/**
 * VM configuration semantics shared by create, config, clone and start: the config digest,
 * drive allocation (`local-zfs:32` → a new volume), nic MAC assignment, pending changes on a
 * running VM, and the root-only checks qemu-server makes.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { RequestContext } from './context';
import { dieError, paramError, PveError } from './errors';
import type { SimHost } from './host';
import { pinWindowsMachine } from './machine';
import { formatPropertyString, getProp, parsePropertyString, removeProp, setProp } from './property-string';
import type { VmState } from './state';
import { allocateImage, findStorage, findVolume, freeVolume, volid } from './volumes';

export const DRIVE_KEY = /^(ide\d+|sata\d+|scsi\d+|virtio\d+|efidisk0|tpmstate0)$/;
const NIC_MODELS = ['e1000', 'e1000-82540em', 'e1000-82544gc', 'e1000-82545em', 'e1000e', 'i82551', 'i82557b', 'i82559er', 'ne2k_isa', 'ne2k_pci', 'pcnet', 'rtl8139', 'virtio', 'vmxnet3'];
/** Options a running VM takes at once; anything else waits in `pending` until the next start. */
const FAST_PLUG = /^(name|description|onboot|tags|protection|startup|hotplug|lock|template|ciuser|cipassword|citype|ciupgrade|sshkeys|nameserver|searchdomain|ipconfig\d+)$/;
const HOTPLUG = /^(net\d+|ide\d+|sata\d+|scsi\d+|virtio\d+|usb\d+)$/;
/** Request parameters that are not config keys. */
export const NON_CONFIG_PARAMS = new Set([
  'node', 'vmid', 'digest', 'delete', 'revert', 'skiplock', 'force', 'background_delay', 'start', 'storage',
  'archive', 'pool', 'unique', 'live-restore', 'bwlimit',
]);

export function findVm(host: SimHost, vmid: string | number): VmState {
  const vm = host.state.vms[String(vmid)];
  if (!vm) throw dieError(`Configuration file 'nodes/${host.node}/qemu-server/${vmid}.conf' does not exist`);
  return vm;
}

/** The config's `lock`: a stored one, or the one a running task holds. */
export function activeLock(vm: VmState): string | undefined {
  if (vm.config.lock) return vm.config.lock;
  return vm.taskLock && Date.now() < vm.taskLock.untilMs ? vm.taskLock.kind : undefined;
}

/** PVE's check_lock: a locked VM refuses changes unless root@pam passes `skiplock`. */
export function assertUnlocked(ctx: RequestContext, vm: VmState): void {
  const lock = activeLock(vm);
  if (!lock) return;
  const skiplock = ctx.params.skiplock === '1';
  if (skiplock && ctx.auth.tokenId === 'root@pam') return;
  if (skiplock) throw paramError({ skiplock: 'Only root may use this option.' });
  throw dieError(`VM is locked (${lock})`);
}

/** Holds `lock: <kind>` on the VM for as long as the task `upid` runs. */
export function lockForTask(host: SimHost, vmid: number, kind: string, upid: string): void {
  const vm = host.state.vms[String(vmid)];
  const task = host.state.tasks.find((t) => t.upid === upid);
  if (vm && task && task.exitstatus === 'OK') vm.taskLock = { kind, untilMs: task.endsAtMs };
}

/** The sha1 of the config file as qemu-server writes it (sorted keys, then the pending section). */
export function configDigest(vm: VmState): string {
  const lines = Object.keys(vm.config).sort().map((k) => `${k}: ${vm.config[k]}`);
  const pendingKeys = Object.keys(vm.pending ?? {}).sort();
  if (pendingKeys.length > 0 || (vm.pendingDelete ?? []).length > 0) {
    lines.push('', '[PENDING]');
    if ((vm.pendingDelete ?? []).length > 0) lines.push(`delete: ${(vm.pendingDelete ?? []).join(',')}`);
    for (const k of pendingKeys) lines.push(`${k}: ${(vm.pending ?? {})[k]}`);
  }
  return createHash('sha1').update(`${lines.join('\n')}\n`).digest('hex');
}

/** The config with pending values applied, as GET config returns it by default. */
export function effectiveConfig(vm: VmState): Record<string, string> {
  const config = { ...vm.config, ...(vm.pending ?? {}) };
  for (const key of vm.pendingDelete ?? []) delete config[key];
  return config;
}

export function applyPending(vm: VmState): void {
  vm.config = effectiveConfig(vm);
  vm.pending = {};
  vm.pendingDelete = [];
}

export function formatSize(bytes: number): string {
  const units: Array<[string, number]> = [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]];
  for (const [unit, mult] of units) if (bytes % mult === 0) return `${bytes / mult}${unit}`;
  return String(bytes);
}

function generateMac(): string {
  // Proxmox's default OUI for generated MACs.
  const bytes = createHash('sha1').update(randomUUID()).digest();
  return ['BC', '24', '11', ...[0, 1, 2].map((i) => bytes[i].toString(16).toUpperCase().padStart(2, '0'))].join(':');
}

/** `virtio,bridge=vmbr1` → `virtio=BC:24:11:..,bridge=vmbr1`, as qemu-server's print_net. */
export function normalizeNet(value: string): string {
  const ps = parsePropertyString(value);
  let model = ps.head;
  let mac = getProp(ps, 'macaddr');
  const modelPair = ps.pairs.find(([k]) => NIC_MODELS.includes(k));
  if (modelPair) {
    model = modelPair[0];
    mac = modelPair[1];
  }
  model ??= getProp(ps, 'model');
  if (!model) throw paramError({ net: `invalid format - missing model in '${value}'` });
  const rest = ps.pairs.filter(([k]) => k !== 'model' && k !== 'macaddr' && !NIC_MODELS.includes(k));
  return formatPropertyString({ pairs: [[model, mac ?? generateMac()], ...rest] });
}

/** The root-only options of check_vm_modify_config_perm / check_hostpci_perm. */
export function assertConfigPermissions(ctx: RequestContext, keys: Record<string, string>): void {
  const isRoot = ctx.auth.tokenId === 'root@pam';
  for (const [key, value] of Object.entries(keys)) {
    if (/^hostpci\d+$/.test(key) && !isRoot) {
      const ps = parsePropertyString(value);
      const host = getProp(ps, 'host') ?? (ps.head && !getProp(ps, 'mapping') ? ps.head : undefined);
      if (host) throw new PveError(500, `only root can set '${key}' config for non-mapped devices`);
      const mapping = getProp(ps, 'mapping');
      if (!mapping) throw new PveError(500, "either 'host' or 'mapping' must be set.");
      if (ctx.auth.role === 'auditor') throw new PveError(403, `Permission check failed (/mapping/pci/${mapping}, Mapping.Use)`);
    }
    if ((key === 'args' || key === 'lock' || /^serial\d+$/.test(key) && value !== 'socket') && !isRoot) {
      throw new PveError(500, `only root can set '${key}' config`);
    }
  }
}

/**
 * Turns new-disk syntax into volumes: `STORE:SIZE[,opts]` allocates, `STORE:cloudinit` creates
 * the cloud-init drive, `STORE:0,import-from=VOLID` copies an image; existing volids must exist.
 */
export function createDrive(host: SimHost, vmid: number, key: string, value: string, log?: (l: string) => void): string {
  const ps = parsePropertyString(value);
  const file = ps.head ?? getProp(ps, 'file');
  if (!file) throw paramError({ [key]: `invalid format - missing 'file' in '${value}'` });
  removeProp(ps, 'file');
  ps.head = file;
  if (file === 'none' || file === 'cdrom') return formatPropertyString(ps);
  const m = /^([a-zA-Z][\w.-]*):(cloudinit|\d+(?:\.\d+)?)$/.exec(file);
  if (m) {
    const storage = m[1];
    findStorage(host, storage);
    if (m[2] === 'cloudinit') {
      const volume = allocateImage(host, storage, vmid, 4 * 1024 * 1024, { kind: 'cloudinit' });
      log?.(`${key}: successfully created disk '${volid(volume)},media=cdrom'`);
      ps.head = volid(volume);
      setProp(ps, 'media', 'cdrom');
      return formatPropertyString(ps);
    }
    let size = Number(m[2]) * 1024 ** 3;
    const importFrom = getProp(ps, 'import-from');
    if (importFrom) {
      const source = findVolume(host, importFrom);
      if (!source) throw dieError(`volume '${importFrom}' does not exist`);
      size = source.size;
      removeProp(ps, 'import-from');
      log?.(`importing disk '${importFrom}' to VM ${vmid} ...`);
      log?.('transferred ' + formatSize(size) + ' of ' + formatSize(size) + ' (100.00%)');
    } else if (key === 'efidisk0') {
      // qemu-server `PVE/QemuServer/OVMF.pm` `create_efidisk`: a copy of the OVMF vars template
      // (OVMF_VARS_4M*.fd 540672 bytes, OVMF_VARS.fd 131072), marked `ms-cert=2023k` when the
      // pre-enrolled vars carry the Microsoft UEFI CA 2023 (`is_ms_2023_cert_enrolled`; true
      // for the pve-edk2-firmware of both releases).
      size = getProp(ps, 'efitype') === '4m' ? 540672 : 131072;
      if (getProp(ps, 'pre-enrolled-keys') === '1') setProp(ps, 'ms-cert', '2023k');
    } else if (key === 'tpmstate0') {
      size = 4 * 1024 * 1024;
    } else if (size === 0) {
      throw paramError({ [key]: 'size 0 is only allowed with import-from' });
    }
    const volume = allocateImage(host, storage, vmid, size, { format: getProp(ps, 'format') });
    // An empty disk: nothing boots from it until an OS is installed (guest-install.ts).
    if (!importFrom && key !== 'efidisk0' && key !== 'tpmstate0') volume.blank = true;
    ps.head = volid(volume);
    setProp(ps, 'size', formatSize(size));
    // `print_drive` writes the keys sorted (PVE::JSONSchema::print_property_string).
    if (key === 'efidisk0') ps.pairs.sort(([a], [b]) => a.localeCompare(b));
    log?.(`${key}: successfully created disk '${formatPropertyString(ps)}'`);
    return formatPropertyString(ps);
  }
  if (/^[a-zA-Z][\w.-]*:/.test(file)) {
    const volume = findVolume(host, file);
    if (!volume) throw dieError(`volume '${file}' does not exist`);
    if (getProp(ps, 'media') !== 'cdrom' && !getProp(ps, 'size')) setProp(ps, 'size', formatSize(volume.size));
  }
  return formatPropertyString(ps);
}

/** The volid a drive or unused entry points to, if it is a managed volume. */
export function driveVolid(value: string): string | undefined {
  const file = parsePropertyString(value).head;
  return file && /^[a-zA-Z][\w.-]*:.+/.test(file) && !/^[a-zA-Z][\w.-]*:(cloudinit|\d+(\.\d+)?)$/.test(file) ? file : undefined;
}

function nextUnused(config: Record<string, string>): string {
  let n = 0;
  while (config[`unused${n}`] !== undefined) n++;
  return `unused${n}`;
}

/**
 * Applies an update (set + delete) to a VM. On a running VM only hotpluggable options apply at
 * once; the rest wait in `pending` like qemu-server's vmconfig_hotplug_pending.
 */
export function updateConfig(
  ctx: RequestContext,
  vm: VmState,
  set: Record<string, string>,
  deletes: string[],
  log: (line: string) => void,
): void {
  const host = ctx.host;
  const running = vm.status === 'running';
  vm.pending ??= {};
  vm.pendingDelete ??= [];
  for (const key of deletes) {
    const current = effectiveConfig(vm)[key];
    if (current === undefined) {
      log(`cannot delete '${key}' - not set in current configuration!`);
      continue;
    }
    if (running && !FAST_PLUG.test(key) && !HOTPLUG.test(key) && !/^unused\d+$/.test(key)) {
      delete vm.pending[key];
      if (!vm.pendingDelete.includes(key)) vm.pendingDelete.push(key);
      continue;
    }
    if (/^unused\d+$/.test(key)) {
      const volume = findVolume(host, current);
      if (volume) freeVolume(host, volume);
    } else if (DRIVE_KEY.test(key)) {
      const id = driveVolid(current);
      const volume = id ? findVolume(host, id) : undefined;
      if (volume && /-cloudinit/.test(volume.name)) freeVolume(host, volume);
      else if (volume) vm.config[nextUnused(vm.config)] = id as string;
    }
    delete vm.config[key];
    delete vm.pending[key];
  }
  // qemu-server `PVE/API2/Qemu.pm` `update_vm`: a new `ostype` pins the machine as on create,
  // unless `machine` is set or deleted in the same call; the pin goes where `machine` would.
  if (set.ostype !== undefined && set.machine === undefined && !deletes.includes('machine') && vm.pending.machine === undefined) {
    const current = effectiveConfig(vm).machine;
    const pinned = pinWindowsMachine(host, current, set.ostype, log);
    if (pinned && pinned !== current) set = { machine: pinned, ...set };
  }
  for (const [key, raw] of Object.entries(set)) {
    let value = raw;
    if (DRIVE_KEY.test(key)) {
      const old = effectiveConfig(vm)[key];
      value = createDrive(host, vm.vmid, key, raw, log);
      const oldId = old ? driveVolid(old) : undefined;
      if (oldId && oldId !== driveVolid(value)) {
        const oldVolume = findVolume(host, oldId);
        if (oldVolume && /-cloudinit/.test(oldVolume.name)) freeVolume(host, oldVolume);
        else if (oldVolume) vm.config[nextUnused(vm.config)] = oldId;
      }
    } else if (/^net\d+$/.test(key)) {
      value = normalizeNet(raw);
    } else if (key === 'vmgenid' && raw === '1') {
      value = randomUUID();
    }
    if (running && !FAST_PLUG.test(key) && !HOTPLUG.test(key)) {
      vm.pending[key] = value;
      vm.pendingDelete = vm.pendingDelete.filter((k) => k !== key);
    } else {
      vm.config[key] = value;
      delete vm.pending[key];
    }
  }
}

/** Request parameters that are config keys, as strings. */
export function configParams(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.params)) {
    if (NON_CONFIG_PARAMS.has(key)) continue;
    out[key] = Array.isArray(value) ? value[value.length - 1] : value;
  }
  return out;
}

/** Every managed volume a VM's config (and its snapshots) references. */
export function vmVolids(vm: VmState): string[] {
  const configs = [vm.config, vm.pending ?? {}, ...Object.values(vm.snapshots).map((s) => s.config)];
  const ids = new Set<string>();
  for (const config of configs) {
    for (const [key, value] of Object.entries(config)) {
      if (!DRIVE_KEY.test(key) && !/^unused\d+$/.test(key)) continue;
      const id = driveVolid(value);
      if (id) ids.add(id);
    }
  }
  return [...ids];
}
