/**
 * PCI resource mappings (`/cluster/mapping/pci`). A VM references the GPU as `mapping=<id>`, which an
 * API token may use (raw `hostpci` host addresses are root@pam only). The mapping's node entry is
 * derived from what the host reports for the declared vendor:device ids.
 */
import { pruneOrKeep } from './managed';
import {
  createPciMapping,
  deletePciMapping,
  listPciDevices,
  listPciMappings,
  updatePciMapping,
  type PciDevice,
  type PciMapping,
} from '../api/pci';
import { parsePropertyString } from './property-string';
import type { GpuSpec } from '../state/schema';
import { unchanged, type Change, type Check, type FieldChange, type DiffOptions, type Resource } from './types';

export interface PciCurrent {
  mappings: PciMapping[];
  devices: PciDevice[];
}

const hex = (v: string | undefined) => (v ?? '').replace(/^0x/i, '').toLowerCase();
export const deviceIdOf = (d: PciDevice) => `${hex(d.vendor)}:${hex(d.device)}`;

/** The `map` entry for this node, or the reason there cannot be one. */
export function mapEntryFor(spec: GpuSpec, node: string, devices: PciDevice[]): { entry?: Record<string, string>; problems: string[] } {
  const problems: string[] = [];
  const found = spec.ids.map((id) => ({ id, dev: devices.find((d) => deviceIdOf(d) === id) }));
  for (const f of found)
    if (!f.dev) problems.push(`PCI device ${f.id} of ${spec.mapping} is not on node ${node} (GET /nodes/${node}/hardware/pci); is the card seated and IOMMU on?`);
  if (problems.length) return { problems };
  const slot = (d: PciDevice) => d.id.replace(/\.[0-7]$/, '');
  const gpu = found[0].dev!;
  const others = found.slice(1).filter((f) => slot(f.dev!) !== slot(gpu));
  for (const o of others) problems.push(`${o.id} sits at ${o.dev!.id}, not in the GPU's slot ${slot(gpu)}; one mapping passes one slot`);
  if (problems.length) return { problems };
  const entry: Record<string, string> = {
    node,
    // All functions of the slot: the GPU and its audio go to the VM together.
    path: spec.ids.length > 1 ? slot(gpu) : gpu.id,
    id: spec.ids[0],
    iommugroup: String(gpu.iommugroup),
  };
  if (gpu.subsystem_vendor && gpu.subsystem_device) entry['subsystem-id'] = `${hex(gpu.subsystem_vendor)}:${hex(gpu.subsystem_device)}`;
  return { entry, problems };
}

export const formatMapEntry = (e: Record<string, string>) =>
  ['node', 'path', 'id', 'iommugroup', 'subsystem-id'].filter((k) => e[k] !== undefined).map((k) => `${k}=${e[k]}`).join(',');

export function diffPciMappings(specs: GpuSpec[], node: string, current: PciCurrent, prune: boolean, options: DiffOptions = { prune }): Change[] {
  const changes: Change[] = [];
  for (const spec of specs) {
    const id = `pci mapping ${spec.mapping}`;
    const { entry, problems } = mapEntryFor(spec, node, current.devices);
    const host = current.mappings.find((m) => m.id === spec.mapping);
    if (!entry) {
      changes.push({ kind: 'pci-mapping', id, action: host ? 'update' : 'create', fields: [], problems });
      continue;
    }
    const wanted = formatMapEntry(entry);
    if (!host) {
      changes.push({ kind: 'pci-mapping', id, action: 'create', fields: [{ field: 'map', to: wanted }], desired: { spec, map: wanted } });
      continue;
    }
    const fields: FieldChange[] = [];
    const maps = Array.isArray(host.map) ? host.map : host.map ? [String(host.map)] : [];
    const mine = maps.map((m) => parsePropertyString(m).keys).find((k) => k.node === node);
    const same = mine && ['path', 'id', 'iommugroup'].every((k) => mine[k] === entry[k]);
    if (!same) fields.push({ field: 'map', from: maps.find((m) => m.includes(`node=${node}`)), to: wanted });
    if ((spec.description ?? '') !== (host.description ?? '')) fields.push({ field: 'description', from: host.description, to: spec.description });
    // Entries for other cluster nodes are kept as they are.
    const map = [...maps.filter((m) => parsePropertyString(m).keys.node !== node), wanted];
    changes.push(fields.length ? { kind: 'pci-mapping', id, action: 'update', fields, desired: { spec, map: map.join('\n') }, current: host } : unchanged('pci-mapping', id));
  }
  if (prune)
    for (const m of current.mappings)
      if (!specs.some((s) => s.mapping === m.id))
        changes.push(pruneOrKeep({ kind: 'pci-mapping', id: `pci mapping ${m.id}`, action: 'delete', fields: [{ field: 'map', from: m.map }], current: m }, m.id, false, options));
  return changes;
}

export const pciMappingResource: Resource<PciCurrent> = {
  kind: 'pci-mapping',
  async read(api, state) {
    if (!state.gpus.length) return { mappings: await listPciMappings(api), devices: [] };
    const [mappings, devices] = await Promise.all([listPciMappings(api), listPciDevices(api)]);
    return { mappings, devices };
  },
  diff: (state, current, options) => diffPciMappings(state.gpus, state.node, current, options.prune, options),
  async apply(api, change) {
    if (change.action === 'delete') return void (await deletePciMapping(api, (change.current as PciMapping).id));
    const { spec, map } = change.desired as { spec: GpuSpec; map: string };
    // One `map` value per node entry: the other nodes' entries go back as they were.
    const entries = map.split('\n');
    if (change.action === 'create') await createPciMapping(api, spec.mapping, entries, spec.description);
    else await updatePciMapping(api, spec.mapping, entries, spec.description, (change.current as PciMapping).digest);
  },
  async verify(api, state) {
    const current = await pciMappingResource.read(api, state);
    return diffPciMappings(state.gpus, state.node, current, false).map((c): Check => ({
      name: `${c.id} matches the host's GPU`,
      ok: c.action === 'unchanged',
      detail: c.action === 'unchanged' ? 'present' : [...(c.problems ?? []), ...c.fields.map((f) => `${f.field}: ${String(f.from ?? '-')} → ${String(f.to ?? '-')}`)].join('; '),
    }));
  },
};
