/**
 * What the host needs for passthrough of one card, decided from its facts alone (no I/O here):
 * kernel options, vfio modules, the vfio-pci ids with softdeps, the commands that make them take
 * effect, the pre-flight refusals (each with its reason and fix), and whether a reboot is due.
 * Sources: pve-docs qm-pci-passthrough.adoc and system-booting.adoc (proxmox/pve-docs).
 */
import { unifiedDiff } from '@genesis/host-channel';
import { FILES, type HostFacts } from './facts';
import { groupOf } from './iommu';
import { hasKernelOptions, withGrubOptions, withSystemdBootOptions } from './kernel-cmdline';
import { kernelAtLeast } from './kernel-version';
import { isBridge, isDisplay, slotOf, type LspciDevice } from './lspci';

export interface GpuHostSpec {
  /** The mapping name in genesis.yaml (`rtx3090`): names the card in messages and files. */
  mapping: string;
  /** vendor:device of every function to pass (`10de:2204`, `10de:1aef`). */
  ids: string[];
}

export interface GpuHostOptions {
  /** The card drives the host's only console and the user accepts losing it. */
  confirmConsole?: boolean;
}

export interface HostFileChange {
  path: string;
  before?: string;
  after: string;
  diff: string[];
}

export interface GpuHostPlan {
  spec: GpuHostSpec;
  facts: HostFacts;
  card: LspciDevice[];
  kernelOptions: string[];
  modules: string[];
  files: HostFileChange[];
  /** Run in this order after the writes. */
  commands: string[][];
  refusals: string[];
  notes: string[];
  /** The running host differs from what the files give after a boot. */
  rebootNeeded: boolean;
}

/** Drivers that would claim an NVIDIA card or its HDMI audio before vfio-pci. */
export const HOST_DRIVERS = ['nouveau', 'nvidia', 'nvidiafb', 'snd_hda_intel'];

/**
 * `intel_iommu=on` only where the kernel does not turn the IOMMU on itself: "With AMD CPUs IOMMU is
 * enabled by default. With recent kernels (6.8 or newer), this is also true for Intel CPUs."
 */
export function kernelOptionsFor(facts: Pick<HostFacts, 'cpuVendor' | 'nextKernel'>): string[] {
  return ['iommu=pt', ...(facts.cpuVendor === 'intel' && !kernelAtLeast(facts.nextKernel, 6, 8) ? ['intel_iommu=on'] : [])];
}

/** vfio_virqfd became part of vfio in Linux 6.2 (commit e2d55709398e); listing it there fails to load. */
export function vfioModulesFor(kernel: string): string[] {
  return ['vfio', 'vfio_iommu_type1', 'vfio_pci', ...(kernelAtLeast(kernel, 6, 2) ? [] : ['vfio_virqfd'])];
}

/** Whether the running kernel has the IOMMU on, going by its version, CPU and command line. */
export function iommuExpectedOn(facts: Pick<HostFacts, 'cpuVendor' | 'runningKernel' | 'procCmdline'>): boolean {
  const opts = facts.procCmdline.split(/\s+/);
  if (facts.cpuVendor === 'amd') return !opts.includes('amd_iommu=off');
  if (facts.cpuVendor === 'intel') return !opts.includes('intel_iommu=off') && (opts.includes('intel_iommu=on') || kernelAtLeast(facts.runningKernel, 6, 8));
  return true;
}

const listed = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim().replace(/-/g, '_'))
    .filter(Boolean);

export function modulesFile(spec: GpuHostSpec, modules: string[]): string {
  return [`# Written by Genesis for the ${spec.mapping} passthrough: vfio modules loaded at boot (pve-docs qm-pci-passthrough.adoc).`, ...modules, ''].join('\n');
}

export function modprobeFile(spec: GpuHostSpec): string {
  return [
    `# Written by Genesis for the ${spec.mapping} passthrough (infra/genesis.yaml gpus): vfio-pci claims these`,
    '# devices, and loads before any driver that could take them first (pve-docs qm-pci-passthrough.adoc).',
    `options vfio-pci ids=${spec.ids.join(',')}`,
    ...HOST_DRIVERS.map((d) => `softdep ${d} pre: vfio-pci`),
    '',
  ].join('\n');
}

function change(facts: HostFacts, path: string, after: string | undefined): HostFileChange[] {
  const before = facts.files[path];
  if (after === undefined || after === before) return [];
  return [{ path, before, after, diff: unifiedDiff(path, before, after) }];
}

function describeDevice(d: LspciDevice): string {
  return `${d.address} ${d.className} [${d.id}] ${d.description}`;
}

export function planGpuHost(spec: GpuHostSpec, facts: HostFacts, options: GpuHostOptions = {}): GpuHostPlan {
  const refusals: string[] = [];
  const notes: string[] = [];
  const card = spec.ids.flatMap((id) => facts.devices.filter((d) => d.id === id));
  for (const id of spec.ids)
    if (!card.some((d) => d.id === id))
      refusals.push(`PCI device ${id} of ${spec.mapping} is not in the host's \`lspci -nnk\`; check that the card is seated and powered (lspci -nn | grep -i nvidia), and the ids in genesis.yaml gpus`);

  // Pre-flight: IOMMU on in the firmware.
  if (facts.groups.size === 0) {
    if (iommuExpectedOn(facts))
      refusals.push(
        `IOMMU is off: /sys/kernel/iommu_groups has no groups although kernel ${facts.runningKernel} on this ${facts.cpuVendor} CPU enables it; ` +
          `turn on ${facts.cpuVendor === 'amd' ? 'AMD-Vi / IOMMU (and SVM)' : 'VT-d (Intel Virtualization Technology for Directed I/O)'} in the firmware setup, boot, and run again`,
      );
    else notes.push('the IOMMU groups appear after the reboot that turns the IOMMU on (intel_iommu=on); the group check runs then');
  }

  // Pre-flight: the card's group holds nothing but its own functions and bridges.
  if (card.length && facts.groups.size) {
    const group = groupOf(facts.groups, card[0].address);
    const slot = slotOf(card[0].address);
    if (group === undefined) refusals.push(`${card[0].address} is in no IOMMU group under /sys/kernel/iommu_groups; check the IOMMU settings in the firmware`);
    else {
      const others = (facts.groups.get(group) ?? [])
        .filter((a) => slotOf(a) !== slot)
        .map((a) => facts.devices.find((d) => d.address === a) ?? ({ address: a, classCode: '', className: 'unknown device', id: '?', description: '', modules: [] } as LspciDevice))
        .filter((d) => !isBridge(d));
      if (others.length)
        refusals.push(
          `IOMMU group ${group} of ${spec.mapping} also holds ${others.map(describeDevice).join('; ')}; passing the card would take them from the host. ` +
            'Move the card to a slot wired to the CPU (its own group), or update the firmware; Genesis does not apply the ACS override patch',
        );
    }
  }

  // Pre-flight: the host's only console.
  const display = card.find(isDisplay);
  const otherDisplays = facts.devices.filter((d) => isDisplay(d) && slotOf(d.address) !== slotOf(display?.address ?? ''));
  if (display && facts.bootVga.includes(display.address) && otherDisplays.length === 0) {
    const why = `${display.address} is the boot display and the host has no other display device: once vfio-pci holds it, the host's local console goes dark`;
    if (options.confirmConsole) notes.push(`${why} (accepted with --confirm-console)`);
    else refusals.push(`${why}. Check that you reach the host over SSH and https://<host>:8006, then run again with --confirm-console (or add a second GPU / enable the iGPU for the console)`);
  }

  const kernelOptions = kernelOptionsFor(facts);
  const modules = vfioModulesFor(facts.nextKernel);
  const files: HostFileChange[] = [];
  const commands: string[][] = [];

  // Kernel options, in the boot loader's own file.
  let cmdlineAfter: string | undefined;
  if (facts.bootStyle === 'systemd-boot') {
    const current = facts.files[FILES.kernelCmdline];
    if (current === undefined) refusals.push(`${FILES.kernelCmdline} is missing on a systemd-boot host; restore it (the root= options from /proc/cmdline) and run again`);
    else cmdlineAfter = withSystemdBootOptions(current, kernelOptions);
    files.push(...change(facts, FILES.kernelCmdline, cmdlineAfter));
  } else {
    const current = facts.files[FILES.grub];
    if (current === undefined) refusals.push(`${FILES.grub} is missing and the host does not boot with systemd-boot; reinstall grub2-common's default file and run again`);
    else cmdlineAfter = withGrubOptions(current, kernelOptions);
    files.push(...change(facts, FILES.grub, cmdlineAfter));
  }
  const bootChanged = files.length > 0;

  // Modules: the ones no other file lists yet go into Genesis' own file.
  const elsewhere = new Set([...listed(facts.files[FILES.modules] ?? ''), ...Object.values(facts.otherModuleFiles).flatMap(listed)]);
  const missing = modules.filter((m) => !elsewhere.has(m));
  const stale = Object.entries(facts.otherModuleFiles).filter(([, t]) => listed(t).includes('vfio_virqfd'));
  if (!modules.includes('vfio_virqfd'))
    for (const [path] of [...stale, ...(listed(facts.files[FILES.modules] ?? '').includes('vfio_virqfd') ? [[FILES.modules]] : [])])
      notes.push(`${path} lists vfio_virqfd, which kernel ${facts.nextKernel} no longer has (merged into vfio in 6.2); remove that line to quiet systemd-modules-load`);
  files.push(...change(facts, FILES.genesisModules, missing.length || facts.files[FILES.genesisModules] !== undefined ? modulesFile(spec, missing) : undefined));
  files.push(...change(facts, FILES.genesisModprobe, modprobeFile(spec)));
  for (const [path, text] of Object.entries(facts.otherModprobeFiles))
    if (/^\s*options\s+vfio[-_]pci\s+.*ids=/m.test(text)) notes.push(`${path} also sets vfio-pci ids; modprobe merges both, so check it agrees with ${FILES.genesisModprobe}`);

  const initramfsChanged = files.some((f) => f.path !== FILES.grub && f.path !== FILES.kernelCmdline);
  if (initramfsChanged) commands.push(['update-initramfs', '-u', '-k', 'all']);
  if (bootChanged || (initramfsChanged && facts.bootStyle === 'systemd-boot'))
    commands.push(facts.bootStyle === 'systemd-boot' ? ['proxmox-boot-tool', 'refresh'] : ['update-grub']);

  const running = hasKernelOptions(facts.procCmdline, kernelOptions) && card.length > 0 && card.every((d) => d.driverInUse === 'vfio-pci');
  const rebootNeeded = files.length > 0 || !running;
  return { spec, facts, card, kernelOptions, modules, files, commands, refusals, notes, rebootNeeded };
}
