export { parsePciAddress } from './lib/pci-address';
