/**
 * Everything the GPU host steps decide from, read in one go over the channel: CPU vendor, boot
 * style, kernels, the running kernel command line, the files Genesis may edit, `lspci -nnk`, the
 * IOMMU groups and which display device the firmware booted on.
 */
import type { HostChannel } from '@genesis/host-channel';
import { readIommuGroups, type IommuGroups } from './iommu';
import { newestKernel } from './kernel-version';
import { isDisplay, parseLspciNnk, type LspciDevice } from './lspci';

export type BootStyle = 'systemd-boot' | 'grub';

export const FILES = {
  grub: '/etc/default/grub',
  kernelCmdline: '/etc/kernel/cmdline',
  bootUuids: '/etc/kernel/proxmox-boot-uuids',
  modules: '/etc/modules',
  genesisModules: '/etc/modules-load.d/genesis-vfio.conf',
  genesisModprobe: '/etc/modprobe.d/genesis-vfio.conf',
} as const;

export interface HostFacts {
  /** From /proc/cpuinfo's vendor_id. */
  cpuVendor: 'intel' | 'amd' | 'unknown';
  bootStyle: BootStyle;
  /** `uname -r` */
  runningKernel: string;
  /** The newest kernel in /lib/modules: the one the next boot starts. */
  nextKernel: string;
  /** /proc/cmdline: what the running kernel was started with. */
  procCmdline: string;
  /** Debian release of the host (/etc/os-release VERSION_CODENAME): bookworm (PVE 8), trixie (PVE 9). */
  codename?: string;
  /** Current text of every file the steps may edit or consult (undefined: absent). */
  files: Record<string, string | undefined>;
  /** Other modules-load.d / modprobe.d files, to see what the user configured already. */
  otherModuleFiles: Record<string, string>;
  otherModprobeFiles: Record<string, string>;
  devices: LspciDevice[];
  groups: IommuGroups;
  /** Addresses whose sysfs boot_vga is 1: the device the firmware (and so the console) uses. */
  bootVga: string[];
}

export class HostFactsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostFactsError';
  }
}

function cpuVendor(cpuinfo: string | undefined): HostFacts['cpuVendor'] {
  const vendor = /^vendor_id\s*:\s*(\S+)/m.exec(cpuinfo ?? '')?.[1];
  return vendor === 'GenuineIntel' ? 'intel' : vendor === 'AuthenticAMD' ? 'amd' : 'unknown';
}

/**
 * systemd-boot when proxmox-boot-tool manages the ESPs and reports them as `uefi` (pve-docs
 * system-booting.adoc: "configured with: uefi" is systemd-boot, "grub" is GRUB); GRUB otherwise.
 */
async function bootStyle(host: HostChannel, files: Record<string, string | undefined>): Promise<BootStyle> {
  if (files[FILES.bootUuids] !== undefined && files[FILES.kernelCmdline] !== undefined) {
    const status = await host.run(['proxmox-boot-tool', 'status'], { okExitCodes: [0, 1, 2] });
    if (/configured with: uefi/.test(status.stdout)) return 'systemd-boot';
  }
  if (files[FILES.grub] === undefined && files[FILES.kernelCmdline] !== undefined) return 'systemd-boot';
  return 'grub';
}

async function readDir(host: HostChannel, dir: string, suffix: string): Promise<Record<string, string>> {
  const names = ((await host.listDir(dir)) ?? []).filter((n) => n.endsWith(suffix));
  const texts = await Promise.all(names.map((n) => host.readFile(`${dir}/${n}`)));
  return Object.fromEntries(names.map((n, i) => [`${dir}/${n}`, texts[i] ?? '']));
}

export async function readHostFacts(host: HostChannel): Promise<HostFacts> {
  const paths = Object.values(FILES);
  const [texts, cpuinfo, procCmdline, osRelease, uname, kernels, lspci, groups, moduleFiles, modprobeFiles] = await Promise.all([
    Promise.all(paths.map((p) => host.readFile(p))),
    host.readFile('/proc/cpuinfo'),
    host.readFile('/proc/cmdline'),
    host.readFile('/etc/os-release'),
    host.run(['uname', '-r']),
    host.listDir('/lib/modules'),
    host.run(['lspci', '-nnk']),
    readIommuGroups(host),
    readDir(host, '/etc/modules-load.d', '.conf'),
    readDir(host, '/etc/modprobe.d', '.conf'),
  ]);
  const files = Object.fromEntries(paths.map((p, i) => [p, texts[i]]));
  const devices = parseLspciNnk(lspci.stdout);
  const displays = devices.filter(isDisplay);
  const bootVgaFlags = await Promise.all(displays.map((d) => host.readFile(`/sys/bus/pci/devices/${d.address}/boot_vga`)));
  const runningKernel = uname.stdout.trim();
  delete moduleFiles[FILES.genesisModules];
  delete modprobeFiles[FILES.genesisModprobe];
  return {
    cpuVendor: cpuVendor(cpuinfo),
    bootStyle: await bootStyle(host, files),
    runningKernel,
    nextKernel: newestKernel(kernels ?? []) ?? runningKernel,
    procCmdline: (procCmdline ?? '').trim(),
    codename: /^VERSION_CODENAME=(\S+)/m.exec(osRelease ?? '')?.[1],
    files,
    otherModuleFiles: moduleFiles,
    otherModprobeFiles: modprobeFiles,
    devices,
    groups,
    bootVga: displays.filter((_, i) => bootVgaFlags[i]?.trim() === '1').map((d) => d.address),
  };
}
