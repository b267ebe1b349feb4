import type { PciDevice } from '../api/pci';
import { diffClusterPciMappings, type ClusterPciCurrent, type DeclaredMapping } from './pci-mappings';

// The per-entry diff of a cluster's PCI mapping (pve-guest-common src/PVE/Mapping/PCI.pm: `map` is
// an array of `node=…,path=…,id=…` entries, `get_node_mapping` picks one node's).
const gpu = { mapping: 'rtx3090', description: 'RTX 3090', ids: ['10de:2204', '10de:1aef'] };
const dev = (slot: string, device: string, group: number): PciDevice => ({
  id: `0000:${slot}.${device === '2204' ? 0 : 1}`, class: '0x030000', vendor: '0x10de', device: `0x${device}`, iommugroup: group, subsystem_vendor: '0x1043', subsystem_device: '0x87b3',
});
const card = (slot: string, group: number) => [dev(slot, '2204', group), dev(slot, '1aef', group)];
const PVE1 = 'node=pve1,path=0000:01:00,id=10de:2204,iommugroup=14,subsystem-id=1043:87b3';
const PVE2 = 'node=pve2,path=0000:02:00,id=10de:2204,iommugroup=15,subsystem-id=1043:87b3';
const OTHER = 'node=pve9,path=0000:05:00,id=10de:2204,iommugroup=3';
const declared = (...nodes: string[]): DeclaredMapping[] => [{ mapping: 'rtx3090', description: 'RTX 3090', nodes: nodes.map((node) => ({ node, gpu })) }];
const current = (map: string[] | undefined): ClusterPciCurrent => ({
  mappings: map ? [{ id: 'rtx3090', description: 'RTX 3090', map, digest: 'd1' }] : [],
  devices: new Map([['pve1', card('01:00', 14)], ['pve2', card('02:00', 15)]]),
});

describe('a cluster PCI mapping, one map entry per node', () => {
  it('creates the mapping with an entry for every node that declares the GPU', () => {
    const [c] = diffClusterPciMappings(declared('pve1', 'pve2'), current(undefined), { prune: false });
    expect(c).toMatchObject({ action: 'create', desired: { map: [PVE1, PVE2] }, problems: [] });
  });

  it("adds a node's entry as an update of the same mapping, keeping the entries of nodes the file does not name", () => {
    const [c] = diffClusterPciMappings(declared('pve1', 'pve2'), current([OTHER, PVE1]), { prune: false });
    expect(c).toMatchObject({ action: 'update', fields: [{ field: 'map (node pve2)', to: PVE2 }], desired: { map: [OTHER, PVE1, PVE2] } });
  });

  it("replaces only the entry that changed (pve2's card moved to another IOMMU group)", () => {
    const [c] = diffClusterPciMappings(declared('pve1', 'pve2'), current([PVE1, PVE2.replace('iommugroup=15', 'iommugroup=9')]), { prune: false });
    expect(c.fields).toEqual([{ field: 'map (node pve2)', from: PVE2.replace('iommugroup=15', 'iommugroup=9'), to: PVE2 }]);
    expect(c.desired).toMatchObject({ map: [PVE1, PVE2] });
  });

  it('is unchanged when every declared node has its entry, and names a node whose devices could not be read', () => {
    expect(diffClusterPciMappings(declared('pve1', 'pve2'), current([PVE1, PVE2]), { prune: false })[0].action).toBe('unchanged');
    const unread = { ...current([PVE1]), devices: new Map<string, PciDevice[] | Error>([['pve1', card('01:00', 14)], ['pve2', new Error('connect ECONNREFUSED')]]) };
    expect(diffClusterPciMappings(declared('pve1', 'pve2'), unread, { prune: false })[0].problems).toEqual(['cannot read the PCI devices of node pve2: connect ECONNREFUSED']);
  });
});
