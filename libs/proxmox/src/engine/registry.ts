/** The resource modules by kind, and the CLI steps that group them. */
import { bridgeResource } from '../resources/bridge';
import { firewallResource } from '../resources/firewall';
import { gpuHostResource } from '../resources/gpu-host';
import { hostNetworkResource } from '../resources/host-network';
import { pciMappingResource } from '../resources/pci-mapping';
import { storageResource } from '../resources/storage';
import { templateResource } from '../resources/template';
import { vmResource } from '../resources/vm';
import type { Resource, ResourceKind } from '../resources/types';

export const RESOURCES: Record<ResourceKind, Resource<never>> = {
  storage: storageResource as Resource<never>,
  'gpu-host': gpuHostResource as Resource<never>,
  'pci-mapping': pciMappingResource as Resource<never>,
  bridge: bridgeResource as Resource<never>,
  'host-network': hostNetworkResource as Resource<never>,
  firewall: firewallResource as Resource<never>,
  template: templateResource as Resource<never>,
  vm: vmResource as Resource<never>,
};

/**
 * The `infra` targets, in the order `provision` runs them. `gpu` is the host half of passthrough
 * (files on the host, through the host channel); the GPU mapping travels with the VMs (VM 100
 * references it, and the host reports the card's IOMMU group only once the IOMMU is on).
 */
export const STEPS = {
  storage: ['storage'],
  // NAT and the forwarding policy ride with the bridges: the NAT lines live in their stanzas.
  bridges: ['bridge', 'host-network'],
  firewall: ['firewall'],
  templates: ['template'],
  gpu: ['gpu-host'],
  vms: ['pci-mapping', 'vm'],
} as const satisfies Record<string, readonly ResourceKind[]>;

export type StepName = keyof typeof STEPS;
