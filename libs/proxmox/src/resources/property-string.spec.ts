import { configValueMatches, parsePropertyString } from './property-string';

describe('property strings', () => {
  it('parses the positional value and keys', () => {
    expect(parsePropertyString('virtio=BC:24:11:00:00:01,bridge=vmbr1,firewall=1')).toEqual({
      keys: { virtio: 'BC:24:11:00:00:01', bridge: 'vmbr1', firewall: '1' },
    });
    expect(parsePropertyString('tank:vm-100-disk-0,iothread=1')).toEqual({ head: 'tank:vm-100-disk-0', keys: { iothread: '1' } });
  });

  it.each([
    ['net0', 'virtio,bridge=vmbr1,firewall=1', 'virtio=BC:24:11:AA:BB:CC,bridge=vmbr1,firewall=1', true],
    ['net0', 'virtio,bridge=vmbr2,firewall=1', 'virtio=BC:24:11:AA:BB:CC,bridge=vmbr1,firewall=1', false],
    ['scsi0', 'tank:0,import-from=local:import/u.qcow2,discard=on,iothread=1,ssd=1', 'tank:base-9000-disk-0,discard=on,iothread=1,size=2252M,ssd=1', true],
    ['scsi0', 'tank:32,discard=on', 'local-lvm:vm-100-disk-0,discard=on,size=32G', false],
    ['ide2', 'tank:cloudinit', 'tank:vm-9000-cloudinit,media=cdrom', true],
    ['ide2', 'tank:cloudinit', 'tank:vm-9000-disk-1,media=cdrom', false],
    ['hostpci0', 'mapping=rtx3090,pcie=1', 'mapping=rtx3090,pcie=1', true],
    ['hostpci0', 'mapping=rtx3090,pcie=1', 'mapping=rtx3090', false],
    ['memory', 4096, '4096', true],
    ['name', 'brain', 'brain2', false],
    ['name', 'brain', undefined, false],
    // qemu-server pins a new Windows VM's machine (Machine.pm check_and_pin_machine_string).
    ['machine', 'q35', 'pc-q35-10.1', true],
    ['machine', 'q35', 'pc-q35-9.2+pve1', true],
    ['machine', 'q35', 'pc-i440fx-9.2+pve1', false],
    ['machine', 'pc', 'pc-i440fx-10.1', true],
    ['machine', 'q35,viommu=intel', 'pc-q35-10.1,viommu=intel', true],
    ['machine', 'q35,viommu=intel', 'pc-q35-10.1', false],
    ['machine', 'pc-q35-9.2+pve1', 'pc-q35-10.1', false],
  ])('%s: declared %p vs host %p → %p', (key, desired, current, expected) => {
    expect(configValueMatches(key, desired, current)).toBe(expected);
  });
});
