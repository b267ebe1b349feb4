/** `/nodes/{node}/hardware/pci` (what lspci and sysfs show) and `/cluster/mapping/pci`. */
import { createHash } from 'node:crypto';
import { bool, deleteList, list, str, type Route } from './context';
import { dieError, paramError } from './errors';
import type { SimHost } from './host';
import { getProp, parsePropertyString } from './property-string';
import type { PciDevice, PciMappingState } from './state';

/** `01:00.0`, `0000:01:00`, `0000:01:00.0` → the full id; without a function it names all functions. */
export function normalizePciPath(path: string): string {
  return /^[0-9a-f]{4}:/i.test(path) ? path.toLowerCase() : `0000:${path.toLowerCase()}`;
}

export function devicesAt(host: SimHost, path: string): PciDevice[] {
  const full = normalizePciPath(path);
  return host.state.pci.filter((d) => d.id === full || (!/\.\d$/.test(full) && d.id.startsWith(`${full}.`)));
}

const strip = (hex: string) => hex.replace(/^0x/, '');

/** Problems with one map entry on this node, in the words PVE's check-node uses. */
function entryChecks(host: SimHost, entry: string): Array<{ severity: string; message: string }> {
  const ps = parsePropertyString(entry);
  if (getProp(ps, 'node') !== host.node) return [];
  const path = getProp(ps, 'path') ?? '';
  const devices = devicesAt(host, path);
  if (devices.length === 0) return [{ severity: 'error', message: `PCI device '${path}' does not exist` }];
  const device = devices[0];
  const checks: Array<{ severity: string; message: string }> = [];
  const id = getProp(ps, 'id');
  if (id && id !== `${strip(device.vendor)}:${strip(device.device)}`) {
    checks.push({ severity: 'error', message: `PCI device mapping invalid (hardware probably changed): id is '${id}', device has '${strip(device.vendor)}:${strip(device.device)}'` });
  }
  const group = getProp(ps, 'iommugroup');
  if (group !== undefined && Number(group) !== device.iommugroup) {
    checks.push({ severity: 'warning', message: `IOMMU group changed from ${group} to ${device.iommugroup}` });
  }
  return checks;
}

function validateEntry(host: SimHost, entry: string): void {
  const ps = parsePropertyString(entry);
  for (const key of ['node', 'path', 'id']) {
    if (!getProp(ps, key)) throw paramError({ map: `missing property '${key}' in '${entry}'` });
  }
  const unknown = ps.pairs.map(([k]) => k).filter((k) => !['node', 'path', 'id', 'iommugroup', 'subsystem-id', 'description'].includes(k));
  if (unknown.length > 0 || ps.head !== undefined) throw paramError({ map: `invalid format - unknown property '${unknown[0] ?? ps.head}' in '${entry}'` });
  if (!/^([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}(\.[0-7])?(;([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}(\.[0-7])?)*$/i.test(getProp(ps, 'path') ?? '')) {
    throw paramError({ map: `invalid PCI path '${getProp(ps, 'path')}'` });
  }
  void host;
}

function mappingDigest(host: SimHost): string {
  return createHash('sha1').update(JSON.stringify(host.state.pciMappings)).digest('hex');
}

function findMapping(host: SimHost, id: string): PciMappingState {
  const mapping = host.state.pciMappings[id];
  if (!mapping) throw dieError(`no such pci mapping '${id}'`);
  return mapping;
}

export const pciRoutes: Route[] = [
  { method: 'GET', path: '/nodes/{node}/hardware', handler: () => [{ type: 'pci' }, { type: 'usb' }] },
  {
    method: 'GET',
    path: '/nodes/{node}/hardware/pci',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const blacklist = (str(ctx, 'pci-class-blacklist') ?? '05;06;0b').split(/[;,\s]+/).filter(Boolean);
      const verbose = bool(ctx, 'verbose') ?? true;
      return ctx.host.state.pci
        .filter((d) => !blacklist.some((prefix) => strip(d.class).startsWith(prefix)))
        .map((d) => {
          const out: Record<string, unknown> = {
            id: d.id, class: d.class, vendor: d.vendor, device: d.device, iommugroup: d.iommugroup,
            subsystem_vendor: d.subsystem_vendor, subsystem_device: d.subsystem_device,
          };
          if (verbose) {
            Object.assign(out, { vendor_name: d.vendor_name, device_name: d.device_name, subsystem_vendor_name: d.subsystem_vendor_name, subsystem_device_name: d.subsystem_device_name });
          }
          if (d.mdev) out.mdev = 1;
          return out;
        });
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/hardware/pci/{pci-id-or-mapping}',
    handler: (ctx) => {
      const id = ctx.pathParams['pci-id-or-mapping'];
      if (!ctx.host.state.pciMappings[id] && devicesAt(ctx.host, id).length === 0) {
        throw dieError(`PCI device '${id}' does not exist`);
      }
      return [{ method: 'mdev' }];
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/hardware/pci/{pci-id-or-mapping}/mdev',
    handler: (ctx) => {
      const id = ctx.pathParams['pci-id-or-mapping'];
      const devices = ctx.host.state.pciMappings[id] ? [] : devicesAt(ctx.host, id);
      if (devices.length > 0 && !devices[0].mdev) {
        throw dieError(`Device '${devices[0].id}' is not capable of mediated devices`);
      }
      return [];
    },
  },
  {
    method: 'GET',
    path: '/cluster/mapping',
    handler: () => [{ name: 'dir' }, { name: 'pci' }, { name: 'usb' }],
  },
  {
    method: 'GET',
    path: '/cluster/mapping/pci',
    handler: (ctx) => {
      const checkNode = str(ctx, 'check-node');
      const digest = mappingDigest(ctx.host);
      return Object.values(ctx.host.state.pciMappings).map((m) => ({
        id: m.id,
        description: m.description ?? '',
        map: m.map,
        digest,
        ...(checkNode ? { checks: m.map.flatMap((e) => entryChecks(ctx.host, e)) } : {}),
      }));
    },
  },
  {
    method: 'POST',
    path: '/cluster/mapping/pci',
    handler: (ctx) => {
      const id = str(ctx, 'id') ?? '';
      if (ctx.host.state.pciMappings[id]) throw dieError(`pci ID '${id}' already defined`);
      const map = list(ctx, 'map');
      map.forEach((e) => validateEntry(ctx.host, e));
      const mapping: PciMappingState = { id, map };
      const description = str(ctx, 'description');
      if (description !== undefined) mapping.description = description;
      if (bool(ctx, 'mdev')) mapping.mdev = 1;
      if (bool(ctx, 'live-migration-capable')) mapping['live-migration-capable'] = 1;
      ctx.host.state.pciMappings[id] = mapping;
      return null;
    },
  },
  {
    method: 'GET',
    path: '/cluster/mapping/pci/{id}',
    handler: (ctx) => ({ ...findMapping(ctx.host, ctx.pathParams.id), digest: mappingDigest(ctx.host) }),
  },
  {
    method: 'PUT',
    path: '/cluster/mapping/pci/{id}',
    handler: (ctx) => {
      const mapping = findMapping(ctx.host, ctx.pathParams.id);
      const digest = str(ctx, 'digest');
      if (digest && digest !== mappingDigest(ctx.host)) {
        throw dieError('detected modified configuration - file changed by other user? Try again.');
      }
      const updated: PciMappingState = { ...mapping };
      for (const key of deleteList(ctx)) delete (updated as unknown as Record<string, unknown>)[key];
      const map = list(ctx, 'map');
      if (map.length > 0) {
        map.forEach((e) => validateEntry(ctx.host, e));
        updated.map = map;
      }
      const description = str(ctx, 'description');
      if (description !== undefined) updated.description = description;
      if (str(ctx, 'mdev') !== undefined) updated.mdev = bool(ctx, 'mdev') ? 1 : 0;
      if (str(ctx, 'live-migration-capable') !== undefined) updated['live-migration-capable'] = bool(ctx, 'live-migration-capable') ? 1 : 0;
      updated.map ??= [];
      ctx.host.state.pciMappings[mapping.id] = updated;
      return null;
    },
  },
  {
    method: 'DELETE',
    path: '/cluster/mapping/pci/{id}',
    handler: (ctx) => {
      findMapping(ctx.host, ctx.pathParams.id);
      delete ctx.host.state.pciMappings[ctx.pathParams.id];
      return null;
    },
  },
];

/**
 * Resolves a VM's `hostpciN` value to host devices, failing like qemu-server's vm_start when the
 * mapping or device is missing.
 */
export function resolveHostpci(host: SimHost, key: string, value: string): PciDevice[] {
  const ps = parsePropertyString(value);
  const mappingId = getProp(ps, 'mapping');
  if (mappingId) {
    const mapping = host.state.pciMappings[mappingId];
    const entries = (mapping?.map ?? []).filter((e) => getProp(parsePropertyString(e), 'node') === host.node);
    if (!mapping || entries.length === 0) throw dieError(`PCI device mapping not found for '${mappingId}'`);
    const problems = entries.flatMap((e) => entryChecks(host, e)).filter((c) => c.severity === 'error');
    if (problems.length > 0) throw dieError(problems[0].message);
    return entries.flatMap((e) => devicesAt(host, getProp(parsePropertyString(e), 'path') ?? ''));
  }
  const path = getProp(ps, 'host') ?? ps.head ?? '';
  const devices = path.split(';').flatMap((p) => devicesAt(host, p));
  if (devices.length === 0) throw dieError(`${key}: no PCI device found for '${path}'`);
  return devices;
}
