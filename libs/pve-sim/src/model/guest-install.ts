/**
 * An unattended OS install inside a simulated VM. A Windows VM whose boot disk is blank (allocated
 * empty, or a linked clone of such a base) has no OS: its guest agent never answers. Started with
 * the installer ISO and an answer ISO (one carrying autounattend.xml) in its CD drives, Setup runs
 * for `unattendedInstallMs`; then the disk holds Windows and the agent (installed by the answer
 * file's first-logon commands) answers like any other.
 */
import type { SimHost } from './host';
import { parsePropertyString } from './property-string';
import { DRIVE_KEY, driveVolid } from './qemu-config';
import type { VmState, VolumeState } from './state';
import { findVolume } from './volumes';

export const DEFAULT_UNATTENDED_INSTALL_MS = 500;

const isWindows = (vm: VmState) => /^(win|w2k)/.test(vm.config.ostype ?? '');
const isCdrom = (value: string) => /(^|,)media=cdrom(,|$)/.test(value);

/** The first disk in the boot order (qemu-server's `order=`), else the first non-CD drive. */
function bootDisk(host: SimHost, vm: VmState): VolumeState | undefined {
  const order = /(?:^|,)order=([^,]+)/.exec(vm.config.boot ?? '')?.[1]?.split(';') ?? [];
  const keys = [...order, ...Object.keys(vm.config)].filter((k) => DRIVE_KEY.test(k) && !/^(efidisk|tpmstate)/.test(k) && vm.config[k] && !isCdrom(vm.config[k]));
  for (const key of keys) {
    const id = driveVolid(vm.config[key]);
    const volume = id ? findVolume(host, id) : undefined;
    if (volume) return volume;
  }
  return undefined;
}

function attachedIsos(host: SimHost, vm: VmState): VolumeState[] {
  return Object.entries(vm.config)
    .filter(([k, v]) => DRIVE_KEY.test(k) && isCdrom(v))
    .map(([, v]) => findVolume(host, parsePropertyString(v).head ?? ''))
    .filter((v): v is VolumeState => v !== undefined && v.content === 'iso');
}

/** At start: a Windows VM on a blank disk with installer and answer media begins Setup. */
export function beginUnattendedInstall(host: SimHost, vm: VmState, log: (line: string) => void): void {
  vm.installDoneAtMs = undefined;
  if (!isWindows(vm) || !bootDisk(host, vm)?.blank) return;
  const isos = attachedIsos(host, vm);
  if (!isos.some((v) => v.unattend) || !isos.some((v) => !v.unattend)) return;
  vm.installDoneAtMs = Date.now() + (host.behaviour.unattendedInstallMs ?? DEFAULT_UNATTENDED_INSTALL_MS);
  log(`VM ${vm.vmid}: booting Windows Setup from CD with an autounattend.xml`);
}

/** Whether the guest has an OS that could run an agent; finishes an install whose time is up. */
export function guestOsInstalled(host: SimHost, vm: VmState): boolean {
  if (!isWindows(vm)) return true;
  const disk = bootDisk(host, vm);
  if (!disk?.blank) return true;
  if (vm.status === 'running' && vm.installDoneAtMs !== undefined && Date.now() >= vm.installDoneAtMs) {
    disk.blank = undefined;
    vm.installDoneAtMs = undefined;
    return true;
  }
  return false;
}
