import { FormatError, formatCheck, splitFormatName, splitList } from './formats';

function message(format: string, value: string): string | undefined {
  try {
    formatCheck(format)?.(value);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return (err as Error).message;
  }
}

describe('registered PVE formats', () => {
  it.each([
    ['pve-vmid', '100'],
    ['pve-node', 'pve'],
    ['pve-storage-id', 'local-zfs'],
    ['pve-bridge-id', 'vmbr1'],
    ['pve-configid', 'rtx3090'],
    ['pve-iface', 'vmbr1'],
    ['pve-iface', 'enp1s0.100'],
    ['mac-addr', 'BC:24:11:00:00:01'],
    ['ipv4', '10.0.1.1'],
    ['ipv6', 'fd00::1'],
    ['CIDR', '10.0.1.1/24'],
    ['CIDRv6', 'fd00::1/64'],
    ['pve-ipv4-config', 'dhcp'],
    ['pve-ipv4-config', '10.0.1.10/24'],
    ['pve-ipv6-config', 'auto'],
    ['IPorCIDR', '10.0.0.0/8'],
    ['dns-name', 'gpu-vm.lab'],
    ['pve-volume-id-or-qm-path', 'local-zfs:32'],
    ['pve-volume-id-or-qm-path', 'none'],
    ['pve-startup-order', 'order=1,up=30'],
    ['pve-vlan-id-or-range', '2-4094'],
  ])('%s accepts %s', (format, value) => {
    expect(message(format, value)).toBeUndefined();
  });

  it.each([
    ['pve-vmid', '99', 'value does not look like a valid VM ID\n'],
    ['pve-node', '-pve', 'value does not look like a valid node name\n'],
    ['pve-storage-id', 'x', "storage ID 'x' cannot be shorter than 2 characters\n"],
    ['pve-storage-id', 'local zfs', "storage ID 'local zfs' contains illegal characters\n"],
    ['pve-bridge-id', 'vmbr 1', "invalid bridge ID 'vmbr 1'\n"],
    ['pve-iface', '1vmbr', "invalid network interface name '1vmbr'\n"],
    ['mac-addr', '01:00:00:00:00:01', 'value does not look like a valid unicast MAC address\n'],
    ['ipv4', '10.0.1.256', 'value does not look like a valid IPv4 address\n'],
    ['ipv6', 'fe80::1%eth0', 'value does not look like a valid IPv6 address\n'],
    ['CIDR', '10.0.1.1/4', 'value does not look like a valid CIDR network\n'],
    ['CIDRv4', '10.0.1.1', 'value does not look like a valid IPv4 CIDR network\n'],
    ['pve-ipv4-config', '10.0.1.10', 'value does not look like a valid ipv4 network configuration\n'],
    ['pve-volume-id-or-qm-path', 'nostorage', "unable to parse volume ID 'nostorage'\n"],
    ['pve-vlan-id-or-range', '1', "invalid VLAN tag '1'\n"],
  ])('%s rejects %s like PVE', (format, value, expected) => {
    expect(message(format, value)).toBe(expected);
  });

  it('leaves formats it does not know to the caller', () => {
    expect(formatCheck('pve-fw-addr-spec')).toBeUndefined();
  });

  it('splits lists and list/opt suffixes the way PVE does', () => {
    expect(splitList('images,rootdir; iso ')).toEqual(['images', 'rootdir', 'iso']);
    expect(splitList('a b\0c')).toEqual(['a b', 'c']);
    expect(splitList('')).toEqual([]);
    expect(splitFormatName('pve-storage-id-list')).toEqual({ name: 'pve-storage-id', kind: 'list' });
    expect(splitFormatName('email-opt')).toEqual({ name: 'email', kind: 'opt' });
    expect(splitFormatName('pve-vmid')).toEqual({ name: 'pve-vmid', kind: 'none' });
  });
});
