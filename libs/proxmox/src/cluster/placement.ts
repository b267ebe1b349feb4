/**
 * Where each declared VM is planned: on the node it runs on when the cluster knows it (the HA
 * manager or a drain moved it; Genesis does not move it back), else on its declared node.
 */
import type { PveApi } from '../client/types';
import type { DesiredSpec } from '../state/schema';
import { listClusterResources } from './api';

export async function readPlacement(api: PveApi, spec: DesiredSpec): Promise<Map<number, string>> {
  const declared = new Set(spec.vms.map((v) => v.id));
  const vms = await listClusterResources(api, 'vm');
  return new Map(vms.filter((r) => r.type === 'qemu' && r.vmid !== undefined && declared.has(r.vmid)).map((r) => [r.vmid as number, r.node]));
}
