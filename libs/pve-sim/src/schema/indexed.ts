// Indexed parameters: the schema dump folds `net0` … `net31` into one `net[n]` entry and drops
// the count, so the highest index comes from the description where it says `(n is 0 to N)`,
// and otherwise from the constant PVE builds the entries from.

import type { PropertySchema } from './types';

/** How many entries PVE defines, where the description does not say (qemu-server,
 *  pve-container, pve-cluster and pve-manager constants). */
const COUNTS: Record<string, number> = {
  net: 32, // qemu-server MAX_NETS; pve-container MAX_LXC_NETWORKS
  ipconfig: 32, // one per net
  hostpci: 16, // MAX_HOSTPCI_DEVICES
  numa: 8, // MAX_NUMA
  unused: 256, // MAX_UNUSED_DISKS
  usb: 14, // MAX_USB_DEVICES (the description gives the pre-7.1 limit first)
  virtiofs: 10, // MAX_VIRTIOFS
  mp: 256, // MAX_MOUNT_POINTS
  dev: 256, // MAX_DEVICES
  link: 8, // corosync links 0..7
  acmedomain: 5, // MAXDOMAINS
};

export interface IndexedParam {
  prefix: string;
  schema: PropertySchema;
  /** Number of valid indexes (0 … count-1); Infinity when unknown. */
  count: number;
}

export function indexedParam(name: string, schema: PropertySchema): IndexedParam | undefined {
  const m = /^(.+)\[n\]$/.exec(name);
  if (!m) return undefined;
  const prefix = m[1];
  const described = /\(n is 0 to (\d+)\)/.exec(schema.description ?? '');
  const count = described ? Number(described[1]) + 1 : (COUNTS[prefix] ?? Infinity);
  return { prefix, schema, count };
}

/** `net7` -> { prefix: 'net', index: 7 }; only canonical decimals, as PVE names its keys. */
export function splitIndexedName(name: string): { prefix: string; index: number } | undefined {
  const m = /^(.*\D)(0|[1-9]\d*)$/.exec(name);
  return m ? { prefix: m[1], index: Number(m[2]) } : undefined;
}
