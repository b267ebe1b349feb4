import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostCommandError } from '@genesis/host-channel';
import { DEFAULT_PCI, type SimState } from '../model/state';
import { interfacesFileText } from '../model/network';
import { SimulatedHostChannel } from './channel';
import { simulatedHostCommands } from './commands';
import { prepareHostRoot } from './layout';
import { nftTables } from './network';

const POLICY = [
  'table inet genesis',
  'delete table inet genesis',
  '',
  'table inet genesis {',
  '\tchain forward {',
  '\t\ttype filter hook forward priority filter; policy accept;',
  '\t\tiifname "vmbr2" oifname "vmbr1" drop comment "vmbr2 never reaches vmbr1"',
  '\t}',
  '}',
  '',
].join('\n');

describe('the simulated host: the NAT step\'s commands and /etc/network/interfaces', () => {
  let root: string;
  let network: SimState['network'];
  let host: SimulatedHostChannel;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sim-host-net-'));
    prepareHostRoot(root, DEFAULT_PCI);
    network = {
      applied: [
        { iface: 'lo', type: 'loopback', method: 'loopback', autostart: 1, priority: 1 },
        { iface: 'vmbr1', type: 'bridge', method: 'static', cidr: '10.0.1.1/24', autostart: 1, bridge_ports: '', bridge_stp: 'off', bridge_fd: '0', priority: 2 },
      ],
      staged: null,
      previous: null,
      managementCut: false,
    };
    const store = {
      read: () => JSON.parse(JSON.stringify({ network })) as SimState,
      update: (mutate: (s: SimState) => void) => {
        const s = store.read();
        mutate(s);
        network = s.network;
      },
    };
    host = new SimulatedHostChannel(root, store, simulatedHostCommands(() => DEFAULT_PCI));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('checks, loads and lists the policy table like nft; fails like nft when no table is loaded', async () => {
    await expect(host.run(['nft', 'list', 'table', 'inet', 'genesis'])).rejects.toThrow(/exited with 1: Error: No such file or directory\nlist table inet genesis/);
    await expect(host.run(['nft', '-c', '-f', '/etc/network/genesis.nft'])).rejects.toBeInstanceOf(HostCommandError);
    await host.writeFile('/etc/network/broken.nft', 'table inet genesis {\n\tchain forward {\n');
    await expect(host.run(['nft', '-c', '-f', '/etc/network/broken.nft'])).rejects.toThrow(/missing "}"/);

    await host.writeFile('/etc/network/genesis.nft', POLICY);
    expect((await host.run(['nft', '-c', '-f', '/etc/network/genesis.nft'])).exitCode).toBe(0);
    expect(existsSync(join(root, '.sim/nft'))).toBe(false); // a check loads nothing
    await host.run(['nft', '-f', '/etc/network/genesis.nft']);
    expect((await host.run(['nft', 'list', 'table', 'inet', 'genesis'])).stdout).toBe(nftTables(POLICY).get('inet genesis'));
    expect(nftTables(POLICY).get('inet genesis')).toMatch(/^table inet genesis \{\n\tchain forward \{\n[\s\S]*\n\}\n$/);
  });

  it('writes sysctl settings into /proc/sys and moves files', async () => {
    expect(readFileSync(join(root, 'proc/sys/net/ipv4/ip_forward'), 'utf8')).toBe('0\n');
    await host.run(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    expect(await host.readFile('/proc/sys/net/ipv4/ip_forward')).toBe('1\n');
    await host.writeFile('/etc/network/a.new', 'x\n');
    await host.run(['mv', '/etc/network/a.new', '/etc/network/a']);
    expect([await host.readFile('/etc/network/a'), await host.readFile('/etc/network/a.new')]).toEqual(['x\n', undefined]);
    await expect(host.run(['mv', '/nope', '/etc/x'])).rejects.toThrow(/cannot stat '\/nope'/);
  });

  it('/etc/network/interfaces is the simulator\'s network model: read as PVE writes it, written lines kept as options', async () => {
    const before = await host.readFile('/etc/network/interfaces');
    expect(before).toBe(interfacesFileText(network.applied));
    await host.writeFile('/etc/network/interfaces', String(before).replace('\tbridge-fd 0\n', '\tbridge-fd 0\n\tpost-up nft -f /etc/network/genesis.nft\n'));
    expect(network.applied.find((i) => i.iface === 'vmbr1')?.options).toBe('post-up nft -f /etc/network/genesis.nft');
    expect(await host.readFile('/etc/network/interfaces')).toContain('\tbridge-fd 0\n\tpost-up nft -f /etc/network/genesis.nft\n');
    expect(readFileSync(join(root, 'etc/network/interfaces.genesis.bak'), 'utf8')).toBe(before);
  });
});
