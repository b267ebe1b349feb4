export { parsePciAddress } from './lib/pci-address';
export * from './nvidia-smi';
export * from './host';
