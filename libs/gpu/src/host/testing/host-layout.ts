/**
 * The parts of a Proxmox host the GPU steps read that no Debian root has by itself, because they
 * come from hardware: /proc/cpuinfo, /proc/cmdline, the IOMMU group tree, boot_vga, and a stand-in
 * `lspci` answering from a fixture. Used by the unit tests (directory host) and the integration
 * test (real Debian roots over ssh).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures');
export const lspciFixture = (name: 'nouveau' | 'vfio') => readFileSync(join(FIXTURES, `lspci-nnk-rtx3090-${name}.txt`), 'utf8');

/** IOMMU groups of the simulator's default host (libs/pve-sim DEFAULT_PCI). */
export const DEFAULT_GROUPS: Record<number, string[]> = {
  0: ['0000:00:00.0'],
  1: ['0000:00:01.0'],
  5: ['0000:00:14.0'],
  7: ['0000:00:17.0'],
  14: ['0000:01:00.0', '0000:01:00.1'],
  16: ['0000:03:00.0'],
  17: ['0000:04:00.0'],
};

export interface HostLayoutOptions {
  cpu?: 'GenuineIntel' | 'AuthenticAMD';
  procCmdline?: string;
  /** Omit for a host with the IOMMU off (no groups). */
  groups?: Record<number, string[]> | null;
  /** The GPU is the boot display (default true). */
  gpuBootVga?: boolean;
}

/** Host path → content; empty files for the group entries (the kernel's are symlinks; names are what counts). */
export function hostLayout(options: HostLayoutOptions = {}): Record<string, string> {
  const files: Record<string, string> = {
    '/proc/cpuinfo': `processor\t: 0\nvendor_id\t: ${options.cpu ?? 'GenuineIntel'}\ncpu family\t: 6\nmodel\t\t: 151\nmodel name\t: 12th Gen Intel(R) Core(TM) i7-12700K\n\n`,
    '/proc/cmdline': `${options.procCmdline ?? 'BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet'}\n`,
    '/sys/bus/pci/devices/0000:01:00.0/boot_vga': `${options.gpuBootVga === false ? 0 : 1}\n`,
  };
  const groups = options.groups === undefined ? DEFAULT_GROUPS : options.groups;
  for (const [g, devices] of Object.entries(groups ?? {})) for (const d of devices) files[`/sys/kernel/iommu_groups/${g}/devices/${d}`] = '';
  return files;
}
