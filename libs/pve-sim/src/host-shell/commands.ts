/**
 * The commands the GPU host steps run on a node, answered on the simulated host's directory in the
 * real tools' formats: `uname -r`, `lspci -nnk` (pciutils), `update-initramfs` (initramfs-tools),
 * `update-grub` (grub2-common), `proxmox-boot-tool` (pve-kernel-helper), `systemctl reboot`; and the
 * NAT step's `nft`, `sysctl -w` and `mv` (network.ts).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PciDevice } from '../model/state';
import { grubCfgCmdline, SIM_KERNEL } from './layout';
import { networkHostCommand } from './network';

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const CLASS_NAMES: Record<string, string> = {
  '0600': 'Host bridge',
  '0604': 'PCI bridge',
  '0c03': 'USB controller',
  '0106': 'SATA controller',
  '0300': 'VGA compatible controller',
  '0403': 'Audio device',
  '0200': 'Ethernet controller',
  '0108': 'Non-Volatile memory controller',
};

const hex = (v: string) => v.replace(/^0x/, '').toLowerCase();

/** pciutils' `lspci -nnk` lines for the devices, with the drivers bound now. */
export function renderLspciNnk(devices: PciDevice[], drivers: Record<string, string>): string {
  return devices
    .map((d) => {
      const cls = hex(d.class).slice(0, 4);
      const modules = d.vendor === '0x10de' && cls === '0300' ? 'nvidiafb, nouveau' : drivers[d.id] === 'xhci_hcd' ? 'xhci_pci' : drivers[d.id];
      return [
        `${d.id.replace(/^0000:/, '')} ${CLASS_NAMES[cls] ?? 'Unclassified device'} [${cls}]: ${d.vendor_name} ${d.device_name} [${hex(d.vendor)}:${hex(d.device)}]${cls === '0108' ? '' : ' (rev a1)'}`,
        `\tSubsystem: ${d.subsystem_vendor_name ?? d.vendor_name} Device [${hex(d.subsystem_vendor)}:${hex(d.subsystem_device)}]`,
        ...(drivers[d.id] ? [`\tKernel driver in use: ${drivers[d.id]}`] : []),
        ...(modules && cls !== '0604' && cls !== '0600' ? [`\tKernel modules: ${modules}`] : []),
      ].join('\n');
    })
    .join('\n')
    .concat('\n');
}

export function simulatedHostCommands(pci: () => PciDevice[]) {
  return (argv: string[], { root }: { root: string }): ShellResult => {
    const p = (path: string) => join(root, path);
    const read = (path: string) => (existsSync(p(path)) ? readFileSync(p(path), 'utf8') : undefined);
    const write = (path: string, text: string) => {
      mkdirSync(dirname(p(path)), { recursive: true });
      writeFileSync(p(path), text);
    };
    const json = <T>(path: string): T => JSON.parse(read(path) ?? '{}') as T;
    const kernels = () => (existsSync(p('/lib/modules')) ? readdirSync(p('/lib/modules')).sort() : []);
    const ok = (stdout = '', stderr = ''): ShellResult => ({ stdout, stderr, exitCode: 0 });
    const systemdBoot = () => read('/etc/kernel/proxmox-boot-uuids') !== undefined && read('/etc/kernel/cmdline') !== undefined;
    const command = argv.join(' ');

    switch (command) {
      case 'uname -r':
        return ok(`${SIM_KERNEL}\n`);
      case 'lspci -nnk':
        return ok(renderLspciNnk(pci(), json<Record<string, string>>('/.sim/drivers.json')));
      case 'update-initramfs -u -k all': {
        // What goes into the initramfs: the modprobe and module lists as they are now.
        const conf = (dir: string) =>
          existsSync(p(dir)) ? Object.fromEntries(readdirSync(p(dir)).filter((n) => n.endsWith('.conf')).map((n) => [`${dir}/${n}`, read(`${dir}/${n}`) ?? ''])) : {};
        write('/.sim/initramfs.json', `${JSON.stringify({ ...conf('/etc/modprobe.d'), ...conf('/etc/modules-load.d'), '/etc/modules': read('/etc/modules') ?? '' }, null, 2)}\n`);
        for (const k of kernels()) write(`/boot/initrd.img-${k}`, `initramfs ${new Date().toISOString()}\n`);
        return ok(kernels().map((k) => `update-initramfs: Generating /boot/initrd.img-${k}\n`).join(''));
      }
      case 'update-grub': {
        const options = grubCfgCmdline(read('/etc/default/grub') ?? '');
        write(
          '/boot/grub/grub.cfg',
          kernels().map((k) => `menuentry 'Proxmox VE GNU/Linux' {\n\tlinux\t/boot/vmlinuz-${k} root=/dev/mapper/pve-root ro  ${options}\n\tinitrd\t/boot/initrd.img-${k}\n}\n`).join(''),
        );
        const found = kernels().map((k) => `Found linux image: /boot/vmlinuz-${k}\nFound initrd image: /boot/initrd.img-${k}\n`).join('');
        return ok('', `Generating grub configuration file ...\n${found}done\n`);
      }
      case 'proxmox-boot-tool status':
        if (!systemdBoot()) return { stdout: '', stderr: "E: /etc/kernel/proxmox-boot-uuids does not exist.\n", exitCode: 2 };
        return ok(`Re-executing '/usr/sbin/proxmox-boot-tool' in new private mount namespace..\nSystem currently booted with uefi\n${(read('/etc/kernel/proxmox-boot-uuids') ?? '').trim().split('\n').map((u) => `${u} is configured with: uefi (versions: ${kernels().join(', ')})`).join('\n')}\n`);
      case 'proxmox-boot-tool refresh':
        for (const k of kernels()) write(`/boot/efi/loader/entries/proxmox-${k}.conf`, `title    Proxmox Virtual Environment\nversion  ${k}\noptions  ${(read('/etc/kernel/cmdline') ?? '').split('\n')[0]}\n`);
        return ok(`Running hook script 'proxmox-auto-removal'..\nRunning hook script 'zz-proxmox-boot'..\nCopying and configuring kernels on /dev/disk/by-uuid/${(read('/etc/kernel/proxmox-boot-uuids') ?? '').trim()}\n`);
      case 'systemctl reboot':
        reboot();
        return ok();
      default:
        return networkHostCommand(argv, root) ?? { stdout: '', stderr: `sh: 1: ${argv[0]}: not found\n`, exitCode: 127 };
    }

    /** The next boot: the boot loader's options, and vfio-pci on the ids the initramfs names. */
    function reboot(): void {
      const options = systemdBoot()
        ? (read('/etc/kernel/cmdline') ?? '').split('\n')[0]
        : `BOOT_IMAGE=/boot/vmlinuz-${SIM_KERNEL} root=/dev/mapper/pve-root ro ${grubCfgCmdline(read('/etc/default/grub') ?? '')}`;
      write('/proc/cmdline', `${options.trim()}\n`);
      write('/proc/sys/kernel/random/boot_id', `${randomUUID()}\n`);
      const initramfs = Object.values(json<Record<string, string>>('/.sim/initramfs.json')).join('\n');
      const ids = new Set((/^\s*options\s+vfio[-_]pci\s+.*?ids=(\S+)/m.exec(initramfs)?.[1] ?? '').split(',').filter(Boolean));
      const drivers = json<Record<string, string>>('/.sim/drivers.json');
      for (const d of pci()) if (ids.has(`${hex(d.vendor)}:${hex(d.device)}`)) drivers[d.id] = 'vfio-pci';
      write('/.sim/drivers.json', `${JSON.stringify(drivers, null, 2)}\n`);
    }
  };
}
