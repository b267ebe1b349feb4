import { diffBridges, bridgeRemovals, bridgeViewOfInterface } from './bridge';
import type { NetworkInterface } from '../api/network';
import { genesisState } from '../testing/desired-state';

const state = genesisState();
const installed: NetworkInterface[] = [
  { iface: 'enp3s0', type: 'eth', exists: 1, active: 1 },
  { iface: 'vmbr0', type: 'bridge', address: '192.168.1.10', netmask: '24', cidr: '192.168.1.10/24', gateway: '192.168.1.1', bridge_ports: 'enp3s0', autostart: 1, active: 1 },
];

describe('bridge diff', () => {
  it('keeps the installer bridge and creates the intranet and DMZ bridges without ports', () => {
    const changes = diffBridges(state.bridges, installed, false);
    expect(changes.map((c) => [c.id, c.action])).toEqual([
      ['bridge vmbr0', 'unchanged'],
      ['bridge vmbr1', 'create'],
      ['bridge vmbr2', 'create'],
    ]);
    const vmbr1 = changes[1];
    expect(vmbr1.fields).toEqual(expect.arrayContaining([{ field: 'cidr', from: undefined, to: '10.0.1.1/24' }]));
    expect(vmbr1.fields.some((f) => f.field === 'ports')).toBe(false);
    expect(vmbr1.notes?.[0]).toContain('NAT of 10.0.1.0/24 out through vmbr0 and the forwarding policy are host files the PVE API cannot write: the "host network" change installs them');
  });

  it('reads an address given as address + dotted netmask', () => {
    expect(bridgeViewOfInterface({ iface: 'vmbr9', type: 'bridge', address: '10.0.9.1', netmask: '255.255.255.0' }).cidr).toBe('10.0.9.1/24');
  });

  it('lists the changed fields of an existing bridge and what PVE must delete', () => {
    const host = [...installed, { iface: 'vmbr1', type: 'bridge', cidr: '10.0.1.254/24', gateway: '10.0.1.1', comments: 'Intranet', autostart: 1 }];
    const vmbr1 = diffBridges(state.bridges, host, false).find((c) => c.id === 'bridge vmbr1')!;
    expect(vmbr1.action).toBe('update');
    expect(vmbr1.fields).toEqual([
      { field: 'cidr', from: '10.0.1.254/24', to: '10.0.1.1/24' },
      { field: 'gateway', from: '10.0.1.1', to: undefined },
    ]);
    const d = vmbr1.desired as { before: never; after: never };
    expect(bridgeRemovals(d.before, d.after)).toEqual(['gateway']);
  });

  it('reports a port that is not on the host as a problem', () => {
    const changes = diffBridges(state.bridges, [{ iface: 'eno1', type: 'eth' }], false);
    expect(changes[0].problems?.[0]).toContain('port enp3s0 of vmbr0 is not an interface on the host (NICs: eno1)');
  });

  it('deletes an undeclared bridge only when --prune names it', () => {
    const host = [...installed, { iface: 'vmbr7', type: 'bridge', cidr: '10.7.0.1/24' }];
    expect(diffBridges(state.bridges, host, false).some((c) => c.id === 'bridge vmbr7')).toBe(false);
    expect(diffBridges(state.bridges, host, true).find((c) => c.id === 'bridge vmbr7')?.action).toBe('unchanged');
    expect(diffBridges(state.bridges, host, true, { prune: true, pruneNames: ['vmbr7'] }).find((c) => c.id === 'bridge vmbr7')?.action).toBe('delete');
  });
});
