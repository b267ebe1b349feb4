/**
 * The rendered file round-trips through the simulator: `infra:bridges` (the engine over the API),
 * then the NAT step through the simulated node's host channel, leaves exactly the file
 * `infra:render` writes; a later API change to the bridge keeps the NAT lines, as PVE's
 * update_network does (PVE/API2/Network.pm assigns only the request's keys, `options` stay).
 */
import { apply } from '@genesis/proxmox';
import { networkChannel } from '@genesis/proxmox/src/resources/network-channel';
import { simulatedHost, type SimulatedHost } from '@genesis/proxmox/src/testing/simulated-host';
import { applyNetwork } from './apply';
import { renderInterfacesFile } from './interfaces';
import { genesisWith } from './testing';

const INTERFACES = '/etc/network/interfaces';

describe('/etc/network/interfaces round-trip through the simulator', () => {
  let host: SimulatedHost;
  beforeAll(async () => {
    host = await simulatedHost();
  });
  afterAll(() => host.close());

  it('after infra:bridges and the NAT step, the host file is what infra:render wrote; an API change keeps the NAT lines', async () => {
    const spec = genesisWith();
    await apply(host.api, spec, { kinds: ['bridge'], managementAddress: '192.168.1.10', progress: () => undefined });
    // The simulated node's shell side, as the CLI opens it: its /etc/network/interfaces is the
    // simulator's network model, and nft, sysctl and mv answer there (libs/pve-sim/src/host-shell).
    const channel = networkChannel(host.shell);
    await applyNetwork(channel, spec);
    expect(await channel.readFile(INTERFACES)).toBe(renderInterfacesFile(spec));

    // A later change through the API, staged and reloaded like the engine does it.
    await host.api.put(`/nodes/${host.api.node}/network/vmbr1`, { type: 'bridge', cidr: '10.0.1.1/24', comments: 'Intranet (AI)', autostart: 1 });
    await host.api.waitForTask(await host.api.put<string>(`/nodes/${host.api.node}/network`));
    const after = await channel.readFile(INTERFACES);
    const vmbr1 = after.slice(after.indexOf('auto vmbr1'), after.indexOf('auto vmbr2'));
    expect(vmbr1).toBe(
      'auto vmbr1\niface vmbr1 inet static\n\taddress 10.0.1.1/24\n\tbridge-ports none\n\tbridge-stp off\n\tbridge-fd 0\n' +
        '\tpost-up echo 1 > /proc/sys/net/ipv4/ip_forward\n\tpost-up nft -f /etc/network/genesis.nft\n#Intranet (AI)\n\n',
    );
  });
});
