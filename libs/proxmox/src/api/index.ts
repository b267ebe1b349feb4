export * from './tasks';
export * from './version';
export * from './network';
export * from './disks';
export * from './storage';
export * from './pci';
export * from './qemu';
export * from './firewall';
