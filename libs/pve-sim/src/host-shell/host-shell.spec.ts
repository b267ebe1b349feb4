import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLspciNnk } from '@genesis/gpu';
import { DEFAULT_PCI } from '../model/state';
import { simulatedHostCommands } from './commands';
import { guestNvidiaSmi } from './guest';
import { prepareHostRoot } from './layout';

describe('the simulated host', () => {
  let root: string;
  const run = (cmd: string) => simulatedHostCommands(() => DEFAULT_PCI)(cmd.split(' '), { root });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sim-host-'));
    prepareHostRoot(root, DEFAULT_PCI);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('answers lspci -nnk in pciutils\' layout, from the simulator\'s PCI devices', () => {
    const devices = parseLspciNnk(run('lspci -nnk').stdout);
    expect(devices.map((d) => d.address)).toEqual(DEFAULT_PCI.map((d) => d.id));
    expect(devices.find((d) => d.id === '10de:2204')).toMatchObject({ classCode: '0300', driverInUse: 'nouveau', modules: ['nvidiafb', 'nouveau'] });
    expect(readFileSync(join(root, 'sys/bus/pci/devices/0000:01:00.0/boot_vga'), 'utf8')).toBe('0\n');
  });

  it('binds vfio-pci at the next boot only when the initramfs carries the ids, and boots with GRUB\'s options', () => {
    writeFileSync(join(root, 'etc/modprobe.d/genesis-vfio.conf'), 'options vfio-pci ids=10de:2204,10de:1aef\n');
    writeFileSync(join(root, 'etc/default/grub'), readFileSync(join(root, 'etc/default/grub'), 'utf8').replace('"quiet"', '"quiet iommu=pt"'));
    run('systemctl reboot');
    // Not in the initramfs yet: nothing changes on the card.
    expect(parseLspciNnk(run('lspci -nnk').stdout).find((d) => d.id === '10de:2204')?.driverInUse).toBe('nouveau');
    expect(run('update-initramfs -u -k all').stdout).toBe('update-initramfs: Generating /boot/initrd.img-6.8.12-4-pve\n');
    expect(run('update-grub').stderr).toMatch(/^Generating grub configuration file \.\.\.\nFound linux image/);
    run('systemctl reboot');
    expect(parseLspciNnk(run('lspci -nnk').stdout).filter((d) => d.id.startsWith('10de:')).map((d) => d.driverInUse)).toEqual(['vfio-pci', 'vfio-pci']);
    expect(readFileSync(join(root, 'proc/cmdline'), 'utf8')).toBe('BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet iommu=pt\n');
    expect(run('no-such-tool').exitCode).toBe(127);
  });

  it('answers the guest\'s nvidia-smi query with the requested fields when the VM holds the card', () => {
    const state = {
      vms: { '100': { vmid: 100, config: { hostpci0: 'mapping=rtx3090,pcie=1' } }, '110': { vmid: 110, config: {} } },
      pciMappings: { rtx3090: { id: 'rtx3090', map: ['node=pve,path=0000:01:00,id=10de:2204,iommugroup=14'] } },
    } as never;
    const hook = guestNvidiaSmi(() => state);
    expect(hook(100, ['nvidia-smi', '--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'])).toEqual({
      exitcode: 0,
      out: 'NVIDIA GeForce RTX 3090, 525.147.05, 24576 MiB\n',
    });
    expect(hook(100, ['nvidia-smi', '--query-gpu=name,bogus', '--format=csv'])).toEqual({ exitcode: 2, out: 'Field "bogus" is not a valid field to query.\n\n' });
    expect(hook(110, ['nvidia-smi', '--query-gpu=name', '--format=csv,noheader'])?.exitcode).toBe(9);
    expect(hook(100, ['hostname'])).toBeUndefined();
  });
});
