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

/**
 * PVE::Mapping::PCI::assert_valid for one map entry: every path exists, and `id`, `iommugroup`
 * (first device only) and `subsystem-id` are configured and match the hardware.
 */
function assertValidEntry(host: SimHost, mappingId: string, entry: string): void {
  const ps = parsePropertyString(entry);
  const configured: Record<string, string | undefined> = {
    id: getProp(ps, 'id'),
    iommugroup: getProp(ps, 'iommugroup'),
    'subsystem-id': getProp(ps, 'subsystem-id'),
  };
  (getProp(ps, 'path') ?? '').split(';').forEach((rawPath, index) => {
    const path = /\.[0-7]$/.test(rawPath) ? normalizePciPath(rawPath) : `${normalizePciPath(rawPath)}.0`;
    const device = host.state.pci.find((d) => d.id === path);
    if (!device) throw dieError(`pci device '${path}' not found`);
    const expected: Record<string, string | undefined> = {
      id: `${strip(device.vendor)}:${strip(device.device)}`,
      iommugroup: String(device.iommugroup),
      'subsystem-id': device.subsystem_vendor && device.subsystem_device
        ? `${strip(device.subsystem_vendor)}:${strip(device.subsystem_device)}` : undefined,
    };
    for (const prop of Object.keys(expected).sort()) {
      if (prop === 'iommugroup' && index > 0) continue;
      if (expected[prop] === undefined && configured[prop] === undefined) continue;
      if (configured[prop] === undefined) throw dieError(`missing expected property '${prop}' for device '${path}'`);
      if (expected[prop] === undefined) throw dieError(`unexpected property '${prop}' configured for device '${path}'`);
      const want = String(expected[prop]).replace(/0x/g, '');
      const got = String(configured[prop]).replace(/0x/g, '');
      if (want !== got) throw dieError(`'${prop}' does not match for '${mappingId}' (${want} != ${got})`);
    }
  });
}

function nodeEntries(host: SimHost, mapping: PciMappingState, node: string): string[] {
  return mapping.map.filter((e) => getProp(parsePropertyString(e), 'node') === node);
}

/** The `checks` of `GET /cluster/mapping/pci?check-node=`, worded as PVE words them. */
function mappingChecks(host: SimHost, mapping: PciMappingState, node: string): Array<{ severity: string; message: string }> {
  const entries = nodeEntries(host, mapping, node);
  if (entries.length === 0) return [{ severity: 'warning', message: `No mapping for node ${node}.` }];
  const checks: Array<{ severity: string; message: string }> = [];
  for (const entry of entries) {
    try {
      assertValidEntry(host, mapping.id, entry);
    } catch (error) {
      checks.push({ severity: 'error', message: `Invalid configuration: ${(error as Error).message}` });
    }
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
      // pve-manager `PVE/API2/Cluster/Mapping/PCI.pm` `index`: the hardware checked is this node's.
      if (checkNode !== undefined && checkNode !== 'localhost' && checkNode !== ctx.host.node) {
        throw dieError(`wrong node to check - ${checkNode} != ${ctx.host.node}`);
      }
      const digest = mappingDigest(ctx.host);
      return Object.values(ctx.host.state.pciMappings).map((m) => ({
        id: m.id,
        description: m.description ?? '',
        map: m.map,
        digest,
        ...(checkNode ? { checks: mappingChecks(ctx.host, m, checkNode) } : {}),
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
    const entries = mapping ? nodeEntries(host, mapping, host.node) : [];
    if (!mapping || entries.length === 0) throw dieError(`PCI device mapping not found for '${mappingId}'`);
    try {
      assertValidEntry(host, mappingId, entries[0]);
    } catch (error) {
      throw dieError(`PCI device mapping invalid (hardware probably changed): ${(error as Error).message}`);
    }
    return entries.flatMap((e) => devicesAt(host, getProp(parsePropertyString(e), 'path') ?? ''));
  }
  const path = getProp(ps, 'host') ?? ps.head ?? '';
  const devices = path.split(';').flatMap((p) => devicesAt(host, p));
  if (devices.length === 0) throw dieError(`${key}: no PCI device found for '${path}'`);
  return devices;
}
