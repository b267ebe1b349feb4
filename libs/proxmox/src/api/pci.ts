/** Host PCI devices and cluster PCI resource mappings (what lets an API token pass a GPU through). */
import type { PveApi } from '../client/types';

export interface PciDevice {
  id: string;
  class: string;
  vendor: string;
  device: string;
  iommugroup: number;
  vendor_name?: string;
  device_name?: string;
  subsystem_vendor?: string;
  subsystem_device?: string;
}

export interface PciMapping {
  id: string;
  description?: string;
  map: string[];
  digest?: string;
}

export const listPciDevices = (api: PveApi) =>
  api.get<PciDevice[]>(`/nodes/${encodeURIComponent(api.node)}/hardware/pci`);

export const listPciMappings = (api: PveApi) => api.get<PciMapping[]>('/cluster/mapping/pci');

/** `map` is an array in the schema (one entry per node): each entry goes as its own `map` value. */
export const createPciMapping = (api: PveApi, id: string, map: string | readonly string[], description?: string) =>
  api.post<null>('/cluster/mapping/pci', { id, map, description });

export const updatePciMapping = (api: PveApi, id: string, map: string | readonly string[], description?: string, digest?: string) =>
  api.put<null>(`/cluster/mapping/pci/${encodeURIComponent(id)}`, { map, description, digest });

export const deletePciMapping = (api: PveApi, id: string) =>
  api.delete<null>(`/cluster/mapping/pci/${encodeURIComponent(id)}`);
