/**
 * Lays out a fresh PVE 8.4 host (Debian 12, GRUB on ext4/LVM, kernel 6.8.12-4-pve) in a directory,
 * once; a second start keeps what runs changed, as the API state file does.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { PciDevice } from '../model/state';

export const SIM_KERNEL = '6.8.12-4-pve';
const MARKER = '.sim/layout-version';

/** The driver a stock PVE kernel binds to each kind of device in the default list. */
export function defaultDriver(d: PciDevice): string | undefined {
  const cls = d.class.replace(/^0x/, '').slice(0, 4);
  if (cls === '0300' && d.vendor === '0x10de') return 'nouveau';
  if (cls === '0403') return 'snd_hda_intel';
  return { '0604': 'pcieport', '0c03': 'xhci_hcd', '0106': 'ahci', '0200': d.vendor === '0x8086' ? 'igc' : undefined, '0108': 'nvme', '0600': 'igen6_edac' }[cls];
}

export function grubCfgCmdline(grubDefault: string): string {
  return /^GRUB_CMDLINE_LINUX_DEFAULT="([^"]*)"/m.exec(grubDefault)?.[1] ?? '';
}

export function prepareHostRoot(root: string, pci: PciDevice[]): void {
  if (existsSync(join(root, MARKER))) return;
  const w = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  w('/etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n');
  // /etc/default/grub as the PVE 8 installer leaves it (grub2-common's file, Proxmox's distributor).
  w(
    '/etc/default/grub',
    [
      "# If you change this file, run 'update-grub' afterwards to update",
      '# /boot/grub/grub.cfg.',
      '# For full documentation of the options in this file, see:',
      "#   info -f grub -n 'Simple configuration'",
      '',
      'GRUB_DEFAULT=0',
      'GRUB_TIMEOUT=5',
      'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`',
      'GRUB_CMDLINE_LINUX_DEFAULT="quiet"',
      'GRUB_CMDLINE_LINUX=""',
      '',
    ].join('\n'),
  );
  w('/etc/modules', '# /etc/modules: kernel modules to load at boot time.\n#\n# This file contains the names of kernel modules that should be loaded\n# at boot time, one per line. Lines beginning with "#" are ignored.\n# Parameters can be specified after the module name.\n\n');
  w('/etc/modprobe.d/pve-blacklist.conf', '# This file contains a list of modules which are not supported by Proxmox VE \n\n# nvidiafb see bugreport https://bugzilla.proxmox.com/show_bug.cgi?id=701\nblacklist nvidiafb\n');
  w('/proc/cpuinfo', 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 151\nmodel name\t: 12th Gen Intel(R) Core(TM) i7-12700K\n\n');
  w('/proc/cmdline', `BOOT_IMAGE=/boot/vmlinuz-${SIM_KERNEL} root=/dev/mapper/pve-root ro quiet\n`);
  w('/proc/sys/kernel/random/boot_id', `${randomUUID()}\n`);
  // A fresh install does not forward: the NAT step turns it on (and its post-up line at each boot).
  w('/proc/sys/net/ipv4/ip_forward', '0\n');
  w(`/lib/modules/${SIM_KERNEL}/modules.dep`, '');
  w(`/boot/vmlinuz-${SIM_KERNEL}`, '');
  w(`/boot/initrd.img-${SIM_KERNEL}`, '');
  w('/var/lib/vz/snippets/.keep', '');
  for (const d of pci) w(`/sys/kernel/iommu_groups/${d.iommugroup}/devices/${d.id}`, '');
  // The simulated board boots headless (serial console, as a server on IPMI): no display device is
  // the firmware's, so boot_vga is 0 everywhere. Write 1 into the GPU's file to see the console refusal.
  for (const d of pci.filter((x) => x.class.startsWith('0x03'))) w(`/sys/bus/pci/devices/${d.id}/boot_vga`, '0\n');
  const drivers = Object.fromEntries(pci.map((d) => [d.id, defaultDriver(d)]).filter(([, v]) => v));
  w('/.sim/drivers.json', `${JSON.stringify(drivers, null, 2)}\n`);
  w('/.sim/initramfs.json', '{}\n');
  w(MARKER, '1\n');
}
