/**
 * The GPU host steps for real: over a real OpenSSH server on loopback, into real Debian roots made
 * with debootstrap (bookworm with GRUB, as PVE 8 on ext4/LVM; trixie with the systemd-boot layout,
 * as PVE 9 on ZFS/UEFI). Real update-initramfs and update-grub run; stand-ins only for what needs
 * hardware or Proxmox packages (lspci's card, grub-probe's block device, proxmox-boot-tool).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshHostChannel } from '@genesis/host-channel';
import { haveSshd, startTestSshd, type TestSshd } from '@genesis/host-channel/src/testing';
import { applyGpuHost, GpuHostRefusedError } from '../src/host/apply';
import { FILES, readHostFacts } from '../src/host/facts';
import { planGpuHost, type GpuHostSpec } from '../src/host/plan';
import { lspciFixture } from '../src/host/testing/host-layout';
import { ensureCachedRoot, enterRootScript, overlayRoot, useGrubProbeStandIn, type Suite, type TestRoot } from './debian-root';

const SPEC: GpuHostSpec = { mapping: 'rtx3090', ids: ['10de:2204', '10de:1aef'] };
const runnable = process.getuid?.() === 0 && haveSshd();
const describeRoot = runnable || process.env.CI === 'true' ? describe : describe.skip;

interface Scenario {
  suite: Suite;
  prepare(r: TestRoot): void;
  /** The file holding the kernel options, and what it must read after the run. */
  cmdlineFile: string;
  cmdlineAfter: RegExp;
  bootCommand: string[];
  /** The boot loader's generated file that must carry the new options. */
  generated: () => string;
  modules: string[];
}

const scenarios: Scenario[] = [
  {
    suite: 'bookworm',
    prepare(r) {
      useGrubProbeStandIn(r);
      // grub-pc's postinst installs this default with ucf; grub2-common alone leaves it in /usr/share.
      r.write(FILES.grub, r.read('/usr/share/grub/default/grub').replace('GRUB_CMDLINE_LINUX_DEFAULT="quiet"', 'GRUB_CMDLINE_LINUX_DEFAULT="quiet mitigations=off"'));
    },
    cmdlineFile: FILES.grub,
    // Debian 12's kernel is 6.1: Intel needs intel_iommu=on (on by default from 6.8 only).
    cmdlineAfter: /^GRUB_CMDLINE_LINUX_DEFAULT="quiet mitigations=off iommu=pt intel_iommu=on"$/m,
    bootCommand: ['update-grub'],
    generated: () => '/boot/grub/grub.cfg',
    modules: ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vfio_virqfd'],
  },
  {
    suite: 'trixie',
    prepare(r) {
      r.write(FILES.kernelCmdline, 'root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet mitigations=off\n');
      r.write(FILES.bootUuids, '6BD1-0F5C\n');
    },
    cmdlineFile: FILES.kernelCmdline,
    // Debian 13's kernel is 6.12: the IOMMU is on by default, vfio_virqfd is part of vfio.
    cmdlineAfter: /^root=ZFS=rpool\/ROOT\/pve-1 boot=zfs quiet mitigations=off iommu=pt\n$/,
    bootCommand: ['proxmox-boot-tool', 'refresh'],
    generated: () => '/boot/efi/loader/entries',
    modules: ['vfio', 'vfio_iommu_type1', 'vfio_pci'],
  },
];

describeRoot.each(scenarios)('GPU host steps over ssh on Debian $suite', (s) => {
  let root: TestRoot;
  let sshd: TestSshd;
  let dir: string;
  let kernel: string;
  const progress: string[] = [];
  const channel = () => new SshHostChannel(sshd.target);
  const initrd = () => statSync(join(root.root, `boot/initrd.img-${kernel}`)).mtimeMs;

  beforeAll(async () => {
    const cached = ensureCachedRoot(s.suite);
    console.log(`${s.suite} root: ${cached.log.split('\n').pop()} (${cached.seconds.toFixed(1)} s)`);
    root = overlayRoot(cached.dir, { cpu: 'GenuineIntel', lspci: lspciFixture('nouveau'), procCmdline: 'BOOT_IMAGE=/boot/vmlinuz root=/dev/mapper/pve-root ro quiet' });
    // Only the listed modules go into the initramfs: the same real run, minutes faster on a loaded machine.
    root.write('/etc/initramfs-tools/initramfs.conf', root.read('/etc/initramfs-tools/initramfs.conf').replace(/^MODULES=most$/m, 'MODULES=list'));
    s.prepare(root);
    kernel = root.chroot('ls', '/lib/modules').trim().split('\n').pop() ?? '';
    dir = mkdtempSync(join(tmpdir(), 'genesis-e2e-'));
    sshd = await startTestSshd({ forceCommand: enterRootScript(dir, root.root) });
  });

  afterAll(async () => {
    await sshd?.stop();
    root?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the only console without --confirm-console, and changes nothing', async () => {
    const host = channel();
    try {
      const before = { cmdline: root.read(s.cmdlineFile), initrd: initrd(), modprobe: root.chroot('ls', '/etc/modprobe.d') };
      const plan = planGpuHost(SPEC, await readHostFacts(host));
      expect(plan.refusals).toEqual([expect.stringMatching(/is the boot display and the host has no other display device.*--confirm-console/)]);
      await expect(applyGpuHost(host, plan, { progress: () => undefined })).rejects.toBeInstanceOf(GpuHostRefusedError);
      expect({ cmdline: root.read(s.cmdlineFile), initrd: initrd(), modprobe: root.chroot('ls', '/etc/modprobe.d') }).toEqual(before);
    } finally {
      await host.close();
    }
  });

  it('edits the boot loader, modules and modprobe files, keeps the user\'s options, runs update-initramfs and the boot loader tool', async () => {
    const host = channel();
    try {
      const facts = await readHostFacts(host);
      expect(facts).toMatchObject({ cpuVendor: 'intel', bootStyle: s.suite === 'trixie' ? 'systemd-boot' : 'grub', codename: s.suite });
      const plan = planGpuHost(SPEC, facts, { confirmConsole: true });
      expect(plan.refusals).toEqual([]);
      expect(plan.files.map((f) => f.path)).toEqual([s.cmdlineFile, FILES.genesisModules, FILES.genesisModprobe]);
      expect(plan.files[0].diff.filter((l) => /^[-+][^-+]/.test(l))).toHaveLength(2);
      const initrdBefore = initrd();
      const result = await applyGpuHost(host, plan, { progress: (l) => progress.push(l) });
      expect(result.ran).toEqual([['update-initramfs', '-u', '-k', 'all'], s.bootCommand]);
      expect(result.rebootNeeded).toBe(true);
      expect(progress.join('\n')).toMatch(/REBOOT NEEDED/);

      expect(root.read(s.cmdlineFile)).toMatch(s.cmdlineAfter);
      expect(root.read(`${s.cmdlineFile}.genesis.bak`)).toContain('mitigations=off');
      expect(root.read(FILES.genesisModules).split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(s.modules);
      expect(root.read(FILES.genesisModprobe)).toContain('options vfio-pci ids=10de:2204,10de:1aef\n');
      // The real update-initramfs rebuilt the initramfs, with the vfio-pci options inside it.
      expect(initrd()).toBeGreaterThan(initrdBefore);
      expect(root.chroot('lsinitramfs', `/boot/initrd.img-${kernel}`)).toMatch(/etc\/modprobe\.d\/genesis-vfio\.conf/);
      // The boot loader's generated configuration carries the new options.
      const generated = s.suite === 'trixie' ? root.read(`${s.generated()}/proxmox-${kernel}.conf`) : root.read(s.generated());
      expect(generated).toMatch(/iommu=pt/);
      expect(generated).toContain('mitigations=off');
    } finally {
      await host.close();
    }
  });

  it('a second run changes nothing', async () => {
    const host = channel();
    try {
      const before = { cmdline: root.read(s.cmdlineFile), initrd: initrd() };
      const plan = planGpuHost(SPEC, await readHostFacts(host), { confirmConsole: true });
      expect(plan.files).toEqual([]);
      expect(plan.commands).toEqual([]);
      const result = await applyGpuHost(host, plan, { progress: () => undefined });
      expect(result).toMatchObject({ written: [], ran: [] });
      expect({ cmdline: root.read(s.cmdlineFile), initrd: initrd() }).toEqual(before);
    } finally {
      await host.close();
    }
  });
});
