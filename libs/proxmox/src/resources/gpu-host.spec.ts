import { HostUnreachableError } from '@genesis/host-channel';
import { testHost } from '@genesis/gpu/src/host/testing/directory-host';
import { genesisState } from '../testing/desired-state';
import { gpuHostResource } from './gpu-host';

jest.setTimeout(30_000);

const GRUB = 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\n';

describe('gpu-host resource', () => {
  const state = genesisState();

  it('plans the host files as one update with their diffs and the reboot note; a refusal becomes a problem', async () => {
    const t = await testHost({ files: { '/etc/default/grub': GRUB }, gpuBootVga: false });
    try {
      const current = await gpuHostResource.read({} as never, state, { host: t.host });
      const [change] = gpuHostResource.diff(state, current, { prune: false });
      expect(change).toMatchObject({ kind: 'gpu-host', action: 'update', problems: [] });
      expect(change.id).toMatch(/^gpu host rtx3090 \(simulated host/);
      expect(change.fields.map((f) => `${f.field} ${String(f.to)}`)).toEqual([
        '/etc/default/grub edited',
        '/etc/modules-load.d/genesis-vfio.conf new file',
        '/etc/modprobe.d/genesis-vfio.conf new file',
        'run update-initramfs -u -k all',
        'run update-grub',
      ]);
      expect(change.diff).toContain('+GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"');
      expect(change.notes).toContainEqual(expect.stringMatching(/^REBOOT NEEDED afterwards/));

      const consoleHost = await testHost({ files: { '/etc/default/grub': GRUB } });
      const refused = gpuHostResource.diff(state, await gpuHostResource.read({} as never, state, { host: consoleHost.host }), { prune: false });
      expect(refused[0].problems).toEqual([expect.stringMatching(/boot display .* --confirm-console/)]);
      consoleHost.cleanup();
    } finally {
      t.cleanup();
    }
  });

  it('a host it cannot reach is a problem naming the cause, and no host channel plans nothing', async () => {
    const unreachable = {
      description: 'ssh root@192.168.1.10',
      run: async () => {
        throw new HostUnreachableError('ssh root@192.168.1.10: Permission denied (publickey); give ssh a key the host accepts');
      },
      readFile: async () => {
        throw new HostUnreachableError('ssh root@192.168.1.10: Permission denied (publickey); give ssh a key the host accepts');
      },
      listDir: async () => undefined,
      stat: async () => undefined,
      writeFile: async () => ({ path: '' }),
      close: async () => undefined,
    };
    const [change] = gpuHostResource.diff(state, await gpuHostResource.read({} as never, state, { host: unreachable }), { prune: false });
    expect(change.problems).toEqual(['cannot read the host: ssh root@192.168.1.10: Permission denied (publickey); give ssh a key the host accepts']);
    expect(gpuHostResource.diff(state, await gpuHostResource.read({} as never, state, {}), { prune: false })).toEqual([]);
  });
});
