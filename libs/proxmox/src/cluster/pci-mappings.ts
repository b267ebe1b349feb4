/**
 * PCI mappings of a cluster. `/cluster/mapping/pci` is one file for every node (pmxcfs
 * `mapping/pci.cfg`); a mapping holds one `map` entry per node that has the device
 * (pve-guest-common `src/PVE/Mapping/PCI.pm`: `map` is an array; `get_node_mapping` picks a node's
 * entries, `find_on_current_node` the VM's node's at start). genesis.yaml names a GPU under each
 * node that has it (`nodes[N].gpus`, the same `mapping` id); the cluster-wide step makes the mapping
 * once, with one entry per such node, each derived from what that node's `hardware/pci` reports.
 * The diff is per entry: a node's new or changed entry updates the mapping, it never recreates it,
 * and entries of nodes the file does not name are kept.
 */
import { createPciMapping, deletePciMapping, listPciDevices, listPciMappings, updatePciMapping, type PciDevice, type PciMapping } from '../api/pci';
import { pruneOrKeep } from '../resources/managed';
import { formatMapEntry, mapEntryFor } from '../resources/pci-mapping';
import { parsePropertyString } from '../resources/property-string';
import { unchanged, type Change, type DiffOptions, type FieldChange } from '../resources/types';
import type { DesiredSpec, GpuSpec } from '../state/schema';
import type { PveApi } from '../client/types';
import type { ClusterConnections } from './connections';

export interface DeclaredMapping {
  mapping: string;
  description?: string;
  /** Every node that declares this mapping under its gpus, in file order. */
  nodes: Array<{ node: string; gpu: GpuSpec }>;
}

export interface ClusterPciCurrent {
  mappings: PciMapping[];
  /** Each declaring node's PCI devices, or why they could not be read. */
  devices: Map<string, PciDevice[] | Error>;
}

export interface PciMappingDesired {
  mapping: string;
  description?: string;
  map: string[];
}

/** The mappings of a cluster file: one per `mapping` id, with the nodes that have the device. */
export function declaredMappings(spec: DesiredSpec): DeclaredMapping[] {
  const byId = new Map<string, DeclaredMapping>();
  for (const node of spec.nodes ?? [])
    for (const gpu of node.gpus) {
      const m = byId.get(gpu.mapping) ?? { mapping: gpu.mapping, description: gpu.description, nodes: [] };
      m.nodes.push({ node: node.name, gpu });
      byId.set(gpu.mapping, m);
    }
  return [...byId.values()];
}

const nodeOf = (entry: string) => parsePropertyString(entry).keys.node;
/** What makes an entry the same as wanted (as the single-node diff compares it). */
const SAME_KEYS = ['path', 'id', 'iommugroup'];

/** Reads the mappings once and each declaring node's devices from that node, all at once. */
export async function readClusterPci(conns: ClusterConnections, viewer: string, declared: DeclaredMapping[]): Promise<ClusterPciCurrent> {
  const nodes = [...new Set(declared.flatMap((d) => d.nodes.map((n) => n.node)))];
  const [mappings, ...devices] = await Promise.all([
    listPciMappings(conns.get(viewer).api),
    ...nodes.map((node) => listPciDevices(conns.get(node).api).catch((error: Error) => error)),
  ]);
  return { mappings, devices: new Map(nodes.map((n, i) => [n, devices[i]])) };
}

export function diffClusterPciMappings(declared: DeclaredMapping[], current: ClusterPciCurrent, options: DiffOptions): Change[] {
  const changes: Change[] = [];
  for (const d of declared) {
    const id = `pci mapping ${d.mapping}`;
    const host = current.mappings.find((m) => m.id === d.mapping);
    const existing = host ? (Array.isArray(host.map) ? host.map : host.map ? [String(host.map)] : []) : [];
    const problems: string[] = [];
    const fields: FieldChange[] = [];
    const map = [...existing];
    for (const { node, gpu } of d.nodes) {
      const devices = current.devices.get(node);
      if (!devices || devices instanceof Error) {
        problems.push(`cannot read the PCI devices of node ${node}: ${devices?.message ?? 'not read'}`);
        continue;
      }
      const { entry, problems: p } = mapEntryFor(gpu, node, devices);
      problems.push(...p);
      if (!entry) continue;
      const wanted = formatMapEntry(entry);
      const at = map.findIndex((e) => nodeOf(e) === node);
      const have = at >= 0 ? parsePropertyString(map[at]).keys : undefined;
      if (have && SAME_KEYS.every((k) => have[k] === entry[k])) continue;
      fields.push({ field: `map (node ${node})`, from: at >= 0 ? map[at] : undefined, to: wanted });
      if (at >= 0) map[at] = wanted;
      else map.push(wanted);
    }
    if (host && (d.description ?? '') !== (host.description ?? '')) fields.push({ field: 'description', from: host.description, to: d.description });
    const desired: PciMappingDesired = { mapping: d.mapping, description: d.description, map };
    if (!host) changes.push({ kind: 'pci-mapping', id, action: 'create', fields, desired, problems });
    else if (fields.length || problems.length) changes.push({ kind: 'pci-mapping', id, action: 'update', fields, desired, current: host, problems });
    else changes.push(unchanged('pci-mapping', id));
  }
  if (options.prune)
    for (const m of current.mappings)
      if (!declared.some((d) => d.mapping === m.id))
        changes.push(pruneOrKeep({ kind: 'pci-mapping', id: `pci mapping ${m.id}`, action: 'delete', fields: [{ field: 'map', from: m.map }], current: m }, m.id, false, options));
  return changes;
}

/** One write per mapping: POST with every entry, or PUT of the whole list under the read digest. */
export async function applyClusterPciMapping(api: PveApi, change: Change): Promise<void> {
  if (change.action === 'delete') return void (await deletePciMapping(api, (change.current as PciMapping).id));
  const d = change.desired as PciMappingDesired;
  if (change.action === 'create') await createPciMapping(api, d.mapping, d.map, d.description);
  else await updatePciMapping(api, d.mapping, d.map, d.description, (change.current as PciMapping).digest);
}
