import { grubDefaultCmdline, hasKernelOptions, withGrubOptions, withKernelOptions, withSystemdBootOptions } from './kernel-cmdline';
import { kernelAtLeast, newestKernel } from './kernel-version';

// /etc/default/grub as Debian 12's grub2-common ships it (the lines that matter), with a user option.
const grub = [
  '# If you change this file, run \'update-grub\' afterwards to update',
  '# /boot/grub/grub.cfg.',
  'GRUB_DEFAULT=0',
  'GRUB_TIMEOUT=5',
  'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`',
  'GRUB_CMDLINE_LINUX_DEFAULT="quiet mitigations=off"',
  'GRUB_CMDLINE_LINUX=""',
  '',
].join('\n');

describe('kernel options', () => {
  it('adds each option once, keeps the user\'s, and replaces a conflicting value', () => {
    expect(withKernelOptions('quiet mitigations=off', ['iommu=pt', 'intel_iommu=on'])).toBe('quiet mitigations=off iommu=pt intel_iommu=on');
    expect(withKernelOptions('quiet iommu=pt', ['iommu=pt'])).toBe('quiet iommu=pt');
    expect(withKernelOptions('quiet iommu=soft', ['iommu=pt'])).toBe('quiet iommu=pt');
    expect(hasKernelOptions('BOOT_IMAGE=/boot/vmlinuz root=/dev/x ro quiet iommu=pt', ['iommu=pt'])).toBe(true);
    expect(hasKernelOptions('ro quiet', ['iommu=pt'])).toBe(false);
  });

  it('edits only GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, and is idempotent', () => {
    const once = withGrubOptions(grub, ['iommu=pt']);
    expect(once).toBe(grub.replace('"quiet mitigations=off"', '"quiet mitigations=off iommu=pt"'));
    expect(withGrubOptions(once, ['iommu=pt'])).toBe(once);
    expect(grubDefaultCmdline(once)).toBe('quiet mitigations=off iommu=pt');
    // The last assignment is the one the shell keeps; single quotes and comments stay.
    const twice = `${grub}GRUB_CMDLINE_LINUX_DEFAULT='quiet splash' # mine\n`;
    expect(withGrubOptions(twice, ['iommu=pt']).split('\n').slice(-2)[0]).toBe("GRUB_CMDLINE_LINUX_DEFAULT='quiet splash iommu=pt' # mine");
    expect(withGrubOptions('GRUB_TIMEOUT=5', ['iommu=pt'])).toBe('GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="iommu=pt"\n');
  });

  it('edits the one line of /etc/kernel/cmdline (systemd-boot)', () => {
    expect(withSystemdBootOptions('root=ZFS=rpool/ROOT/pve-1 boot=zfs\n', ['iommu=pt'])).toBe('root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt\n');
    expect(withSystemdBootOptions('root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt\n', ['iommu=pt'])).toBe('root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt\n');
  });

  it('compares kernel releases by number', () => {
    expect(kernelAtLeast('6.8.12-4-pve', 6, 8)).toBe(true);
    expect(kernelAtLeast('6.5.13-6-pve', 6, 8)).toBe(false);
    expect(kernelAtLeast('6.14.8-2-pve', 6, 8)).toBe(true);
    expect(newestKernel(['6.8.4-2-pve', '6.8.12-4-pve', '6.5.13-6-pve'])).toBe('6.8.12-4-pve');
  });
});
