import { diffPciMappings, type PciCurrent } from './pci-mapping';
import type { PciDevice } from '../api/pci';
import { genesisState } from '../testing/desired-state';

const { gpus } = genesisState();
const dev = (id: string, vendor: string, device: string, group: number): PciDevice => ({
  id, class: '0x030000', vendor, device, iommugroup: group, subsystem_vendor: '0x1043', subsystem_device: '0x87b3',
});
const devices = [dev('0000:00:02.0', '0x8086', '0x4680', 0), dev('0000:01:00.0', '0x10de', '0x2204', 14), dev('0000:01:00.1', '0x10de', '0x1aef', 14)];
const MAP = 'node=pve,path=0000:01:00,id=10de:2204,iommugroup=14,subsystem-id=1043:87b3';

describe('pci mapping diff', () => {
  it('maps the whole GPU slot (GPU + audio) for this node', () => {
    const [c] = diffPciMappings(gpus, 'pve', { mappings: [], devices }, false);
    expect(c).toMatchObject({ id: 'pci mapping rtx3090', action: 'create', fields: [{ field: 'map', to: MAP }] });
  });

  it('is unchanged when the host mapping matches', () => {
    const current: PciCurrent = { mappings: [{ id: 'rtx3090', description: gpus[0].description, map: [MAP] }], devices };
    expect(diffPciMappings(gpus, 'pve', current, false)[0].action).toBe('unchanged');
  });

  it('updates a mapping whose IOMMU group moved (e.g. after a BIOS update)', () => {
    const current: PciCurrent = { mappings: [{ id: 'rtx3090', description: gpus[0].description, map: [MAP.replace('iommugroup=14', 'iommugroup=12')] }], devices };
    const [c] = diffPciMappings(gpus, 'pve', current, false);
    expect(c.action).toBe('update');
    expect(c.fields[0]).toMatchObject({ field: 'map', to: MAP });
  });

  it('is a problem when the GPU is not on the host', () => {
    const [c] = diffPciMappings(gpus, 'pve', { mappings: [], devices: devices.slice(0, 1) }, false);
    expect(c.problems).toEqual([
      expect.stringContaining('PCI device 10de:2204 of rtx3090 is not on node pve'),
      expect.stringContaining('PCI device 10de:1aef'),
    ]);
  });
});
