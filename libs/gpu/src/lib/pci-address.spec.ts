import { parsePciAddress } from './pci-address';

describe('parsePciAddress', () => {
  it('reads a short address', () => {
    expect(parsePciAddress('01:00.0')).toEqual({ domain: '0000', bus: '01', device: '00', func: '0' });
  });
  it('rejects garbage', () => {
    expect(() => parsePciAddress('zz')).toThrow(/not a PCI address/);
  });
});
