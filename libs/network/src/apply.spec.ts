import { applyNetwork, withNatOptions, type HostChannel } from './apply';
import { renderInterfacesFile } from './interfaces';
import { renderPolicy } from './policy';
import { genesisWith } from './testing';

/** The host channel is injected; here it is a file map and a command log (no host exists in tests). */
function fakeHost(files: Record<string, string>, failing: (argv: string[]) => boolean = () => false) {
  const ran: string[] = [];
  const host: HostChannel = {
    readFile: async (p) => {
      if (!(p in files)) throw new Error(`ENOENT: ${p}`);
      return files[p];
    },
    writeFile: async (p, c) => {
      files[p] = c;
    },
    run: async (argv) => {
      ran.push(argv.join(' '));
      if (failing(argv)) return { code: 1, stdout: '', stderr: 'Error: syntax error' };
      if (argv[0] === 'mv') {
        files[argv[2]] = files[argv[1]];
        delete files[argv[1]];
      }
      return { code: 0, stdout: '', stderr: '' };
    },
  };
  return { host, files, ran };
}

// /etc/network/interfaces after `infra:bridges`: the bridges exist, the NAT lines do not yet.
const withoutNat = renderInterfacesFile(genesisWith(['    nat: vmbr0\n', ''], ['    nat: vmbr0\n', '']));

describe('applying the network through the host channel', () => {
  it('checks, installs and loads the policy, turns forwarding on, and adds the NAT lines where PVE keeps them', async () => {
    const spec = genesisWith();
    const { host, files, ran } = fakeHost({ '/etc/network/interfaces': withoutNat });
    expect(await applyNetwork(host, spec)).toEqual({ policyChanged: true, interfacesChanged: true });
    expect(ran).toEqual([
      'nft -c -f /etc/network/genesis.nft.new',
      'mv /etc/network/genesis.nft.new /etc/network/genesis.nft',
      'sysctl -q -w net.ipv4.ip_forward=1',
      'nft -f /etc/network/genesis.nft',
    ]);
    expect(files['/etc/network/genesis.nft']).toBe(renderPolicy(spec));
    // The result is exactly what `infra:render` writes.
    expect(files['/etc/network/interfaces']).toBe(renderInterfacesFile(spec));
    // A second run changes no file.
    ran.length = 0;
    expect(await applyNetwork(host, spec)).toEqual({ policyChanged: false, interfacesChanged: false });
  });

  it('changes nothing when nft rejects the policy', async () => {
    const { host, files, ran } = fakeHost({ '/etc/network/interfaces': withoutNat }, (argv) => argv[1] === '-c');
    await expect(applyNetwork(host, genesisWith())).rejects.toThrow(/rendered policy \/etc\/network\/genesis\.nft\.new does not load; nothing was changed .*syntax error/);
    expect(ran).toEqual(['nft -c -f /etc/network/genesis.nft.new']);
    expect(files['/etc/network/interfaces']).toBe(withoutNat);
    expect(files['/etc/network/genesis.nft']).toBeUndefined();
  });

  it('refuses to add NAT lines to a bridge the host does not have yet', () => {
    expect(() => withNatOptions('auto lo\niface lo inet loopback\n', ['vmbr1'])).toThrow(
      '/etc/network/interfaces has no "iface vmbr1 inet" stanza; create the bridge first (nx run infra:bridges)',
    );
  });
});
