import { FILES, readHostFacts } from './facts';
import { applyGpuHost, GpuHostRefusedError } from './apply';
import { planGpuHost, type GpuHostSpec } from './plan';
import { lspciFixture } from './testing/host-layout';
import { testHost, type TestHostOptions } from './testing/directory-host';
import { verifyHostBinding } from './verify';

jest.setTimeout(30_000);

const SPEC: GpuHostSpec = { mapping: 'rtx3090', ids: ['10de:2204', '10de:1aef'] };
const PVE_GRUB = 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR="Proxmox VE"\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n';

async function planFor(options: TestHostOptions, confirmConsole = true) {
  const t = await testHost(options);
  const facts = await readHostFacts(t.host);
  return { ...t, facts, plan: planGpuHost(SPEC, facts, { confirmConsole }) };
}

describe('GPU host plan', () => {
  it('PVE 8.4 with GRUB on Intel: iommu=pt only (kernel 6.8 turns intel_iommu on), vfio modules, vfio-pci ids; then nothing', async () => {
    const t = await planFor({ files: { [FILES.grub]: PVE_GRUB, [FILES.modules]: '# /etc/modules\n' } });
    try {
      expect(t.facts).toMatchObject({ cpuVendor: 'intel', bootStyle: 'grub', nextKernel: '6.8.12-4-pve' });
      expect(t.plan.refusals).toEqual([]);
      expect(t.plan.kernelOptions).toEqual(['iommu=pt']);
      expect(t.plan.modules).toEqual(['vfio', 'vfio_iommu_type1', 'vfio_pci']);
      expect(t.plan.files.map((f) => f.path)).toEqual([FILES.grub, FILES.genesisModules, FILES.genesisModprobe]);
      expect(t.plan.files[0].diff).toEqual([
        '--- a/etc/default/grub',
        '+++ b/etc/default/grub',
        '@@ -1,5 +1,5 @@',
        ' GRUB_DEFAULT=0',
        ' GRUB_TIMEOUT=5',
        ' GRUB_DISTRIBUTOR="Proxmox VE"',
        '-GRUB_CMDLINE_LINUX_DEFAULT="quiet"',
        '+GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"',
        ' GRUB_CMDLINE_LINUX=""',
      ]);
      expect(t.plan.files[2].after).toContain('options vfio-pci ids=10de:2204,10de:1aef\nsoftdep nouveau pre: vfio-pci\nsoftdep nvidia pre: vfio-pci\n');
      expect(t.plan.commands).toEqual([['update-initramfs', '-u', '-k', 'all'], ['update-grub']]);
      expect(t.plan.rebootNeeded).toBe(true);

      const progress: string[] = [];
      const result = await applyGpuHost(t.host, t.plan, { progress: (l) => progress.push(l) });
      expect(result).toMatchObject({ rebootNeeded: true, rebooted: false });
      expect(progress.join('\n')).toMatch(/wrote \/etc\/default\/grub \(previous version kept in \/etc\/default\/grub\.genesis\.bak\)/);
      expect(progress.join('\n')).toMatch(/REBOOT NEEDED/);
      const again = planGpuHost(SPEC, await readHostFacts(t.host), { confirmConsole: true });
      expect(again.files).toEqual([]);
      expect(again.commands).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('PVE 9 with systemd-boot, and an older Intel kernel: intel_iommu=on too, into /etc/kernel/cmdline, then proxmox-boot-tool refresh', async () => {
    const t = await planFor({
      files: { [FILES.kernelCmdline]: 'root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet\n', [FILES.bootUuids]: '6BD1-0F5C\n' },
      kernels: ['6.5.13-6-pve'],
      uname: '6.5.13-6-pve',
      procCmdline: 'initrd=\\EFI\\proxmox\\6.5.13-6-pve\\initrd.img-6.5.13-6-pve root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet',
      groups: null,
    });
    try {
      expect(t.facts.bootStyle).toBe('systemd-boot');
      expect(t.plan.refusals).toEqual([]);
      expect(t.plan.notes).toContain('the IOMMU groups appear after the reboot that turns the IOMMU on (intel_iommu=on); the group check runs then');
      expect(t.plan.files[0]).toMatchObject({ path: FILES.kernelCmdline, after: 'root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet iommu=pt intel_iommu=on\n' });
      expect(t.plan.commands).toEqual([['update-initramfs', '-u', '-k', 'all'], ['proxmox-boot-tool', 'refresh']]);
    } finally {
      t.cleanup();
    }
  });

  it('adds vfio_virqfd only for kernels before 6.2, and leaves modules the user already lists', async () => {
    const t = await planFor({ files: { [FILES.grub]: PVE_GRUB, [FILES.modules]: 'vfio\nvfio-pci\n' }, kernels: ['6.1.0-50-cloud-amd64'] });
    try {
      expect(t.plan.modules).toEqual(['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vfio_virqfd']);
      expect(t.plan.files.find((f) => f.path === FILES.genesisModules)?.after).toMatch(/\nvfio_iommu_type1\nvfio_virqfd\n$/);
    } finally {
      t.cleanup();
    }
  });

  it('refuses, naming the reason and the fix: IOMMU off in firmware, a shared group, the only console', async () => {
    const off = await planFor({ files: { [FILES.grub]: PVE_GRUB }, groups: null });
    const shared = await planFor({ files: { [FILES.grub]: PVE_GRUB }, groups: { 1: ['0000:00:01.0', '0000:01:00.0', '0000:01:00.1', '0000:00:14.0'] } });
    const console_ = await planFor({ files: { [FILES.grub]: PVE_GRUB } }, false);
    try {
      expect(off.plan.refusals).toEqual([expect.stringMatching(/^IOMMU is off: \/sys\/kernel\/iommu_groups has no groups .* turn on VT-d .* in the firmware setup/)]);
      // The root port (a bridge) may share the group; the USB controller may not.
      expect(shared.plan.refusals).toEqual([expect.stringMatching(/^IOMMU group 1 of rtx3090 also holds 0000:00:14\.0 USB controller \[8086:7ae0\].*Move the card to a slot/)]);
      expect(console_.plan.refusals).toEqual([expect.stringMatching(/0000:01:00\.0 is the boot display .* run again with --confirm-console/)]);
      await expect(applyGpuHost(off.host, off.plan)).rejects.toBeInstanceOf(GpuHostRefusedError);
      expect(off.ran.filter((a) => a[0] !== 'uname' && a[0] !== 'lspci')).toEqual([]);
      expect(await off.host.readFile(FILES.grub)).toBe(PVE_GRUB);
      expect(await off.host.readFile(FILES.genesisModprobe)).toBeUndefined();
    } finally {
      off.cleanup();
      shared.cleanup();
      console_.cleanup();
    }
  });

  it('verifies the binding from lspci -nnk and the group tree', async () => {
    const before = await testHost({});
    const after = await testHost({ lspci: lspciFixture('vfio') });
    try {
      const [bound, group] = await verifyHostBinding(after.host, SPEC);
      expect(bound).toMatchObject({ ok: true, detail: '0000:01:00.0 [10de:2204] Kernel driver in use: vfio-pci; 0000:01:00.1 [10de:1aef] Kernel driver in use: vfio-pci' });
      expect(group).toMatchObject({ ok: true, detail: 'group 14: 0000:01:00.0, 0000:01:00.1' });
      expect((await verifyHostBinding(before.host, SPEC))[0]).toMatchObject({ ok: false, detail: expect.stringContaining('Kernel driver in use: nouveau') });
    } finally {
      before.cleanup();
      after.cleanup();
    }
  });
});
