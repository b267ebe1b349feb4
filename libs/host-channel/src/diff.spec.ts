import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unifiedDiff } from './diff';

/** GNU diff's own output for the same two texts, with its header lines replaced like ours. */
function gnuDiff(before: string, after: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'diff-'));
  try {
    writeFileSync(join(dir, 'a'), before);
    writeFileSync(join(dir, 'b'), after);
    let out = '';
    try {
      execFileSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')]);
    } catch (e) {
      out = String((e as { stdout: Buffer }).stdout);
    }
    return out.split('\n').filter(Boolean).slice(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const grub = [
  '# If you change this file, run update-grub afterwards',
  'GRUB_DEFAULT=0',
  'GRUB_TIMEOUT=5',
  'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`',
  'GRUB_CMDLINE_LINUX_DEFAULT="quiet"',
  'GRUB_CMDLINE_LINUX=""',
  '',
  '# Uncomment to disable graphical terminal',
  '#GRUB_TERMINAL=console',
  '',
].join('\n');

describe('unifiedDiff', () => {
  it('matches GNU diff -u hunk for hunk', () => {
    const after = grub.replace('"quiet"', '"quiet iommu=pt"');
    const ours = unifiedDiff('/etc/default/grub', grub, after);
    expect(ours.slice(0, 2)).toEqual(['--- a/etc/default/grub', '+++ b/etc/default/grub']);
    expect(ours.slice(2)).toEqual(gnuDiff(grub, after));
  });

  it('shows a new file against /dev/null and merges nearby changes into one hunk', () => {
    expect(unifiedDiff('/etc/modprobe.d/vfio.conf', undefined, 'options vfio-pci ids=10de:2204\n')).toEqual([
      '--- /dev/null',
      '+++ b/etc/modprobe.d/vfio.conf',
      '@@ -0,0 +1 @@',
      '+options vfio-pci ids=10de:2204',
    ]);
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const changed = [...lines];
    changed[3] = 'three';
    changed[8] = 'eight';
    changed[25] = 'twenty-five';
    const before = lines.join('\n') + '\n';
    const after = changed.join('\n') + '\n';
    const ours = unifiedDiff('/x', before, after);
    expect(ours.filter((l) => l.startsWith('@@'))).toHaveLength(2);
    expect(ours.slice(2)).toEqual(gnuDiff(before, after));
  });

  it('is empty when nothing changes', () => {
    expect(unifiedDiff('/etc/default/grub', grub, grub)).toEqual([]);
  });
});
