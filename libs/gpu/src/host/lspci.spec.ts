import { isDisplay, LspciParseError, parseLspciNnk } from './lspci';
import { lspciFixture } from './testing/host-layout';

describe('parseLspciNnk', () => {
  it('reads address, class, ids, subsystem, driver in use and modules', () => {
    const devices = parseLspciNnk(lspciFixture('nouveau'));
    expect(devices).toHaveLength(8);
    expect(devices.find((d) => d.id === '10de:2204')).toEqual({
      address: '0000:01:00.0',
      classCode: '0300',
      className: 'VGA compatible controller',
      description: 'NVIDIA Corporation GA102 [GeForce RTX 3090]',
      id: '10de:2204',
      revision: 'a1',
      subsystem: { name: 'ASUSTeK Computer Inc. GA102 [GeForce RTX 3090]', id: '1043:87b3' },
      driverInUse: 'nouveau',
      modules: ['nvidiafb', 'nouveau'],
    });
    // No "(rev ..)" on the NVMe line; a bridge without "Kernel modules:".
    expect(devices.find((d) => d.id === '144d:a80a')).toMatchObject({ revision: undefined, driverInUse: 'nvme' });
    expect(devices.find((d) => d.classCode === '0604')).toMatchObject({ driverInUse: 'pcieport', modules: [] });
    expect(devices.filter(isDisplay).map((d) => d.address)).toEqual(['0000:01:00.0']);
    expect(parseLspciNnk(lspciFixture('vfio')).filter((d) => d.id.startsWith('10de')).map((d) => d.driverInUse)).toEqual(['vfio-pci', 'vfio-pci']);
  });

  it('accepts the domain (lspci -D, several domains), DeviceName lines, and a device without a driver', () => {
    const text = [
      '0000:00:02.0 VGA compatible controller [0300]: Intel Corporation Raptor Lake-S GT1 [UHD Graphics 770] [8086:a780] (rev 04)',
      '\tDeviceName: Onboard IGD',
      '\tSubsystem: ASUSTeK Computer Inc. Raptor Lake-S GT1 [UHD Graphics 770] [1043:8882]',
      '\tKernel driver in use: i915',
      '10000:e1:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA102 [GeForce RTX 3090] [10de:2204] (rev a1)',
      '\tSubsystem: Gigabyte Technology Co., Ltd GA102 [GeForce RTX 3090] [1458:4043]',
      '\tKernel modules: nvidiafb, nouveau',
      '',
    ].join('\n');
    const [igd, gpu] = parseLspciNnk(text);
    expect(igd).toMatchObject({ address: '0000:00:02.0', driverInUse: 'i915', subsystem: { id: '1043:8882' } });
    expect(gpu).toMatchObject({ address: '10000:e1:00.0', id: '10de:2204', modules: ['nvidiafb', 'nouveau'] });
    expect(gpu.driverInUse).toBeUndefined();
  });

  it('names the line that is not lspci output', () => {
    expect(() => parseLspciNnk('lspci: Unable to load libkmod resources: error -2\n')).toThrow(LspciParseError);
    expect(() => parseLspciNnk('01:00.0 VGA compatible controller: NVIDIA Corporation GA102 (rev a1)\n')).toThrow(/line 1: .* is not a device line/);
  });
});
