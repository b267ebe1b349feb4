/**
 * The passthrough checks a person would run by hand: `lspci -nnk` says vfio-pci for every function,
 * the card's IOMMU group is its own, and `nvidia-smi` inside the VM (through the guest agent) lists
 * the card.
 */
import type { HostChannel } from '@genesis/host-channel';
import { parseQueryGpuCsv } from '../nvidia-smi/csv';
import { groupOf, readIommuGroups } from './iommu';
import { isBridge, parseLspciNnk, slotOf } from './lspci';
import type { GpuHostSpec } from './plan';

export interface GpuCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** The query the guest check sends, and the fields it reads back. */
export const GUEST_QUERY = ['name', 'driver_version', 'memory.total'] as const;
export const GUEST_NVIDIA_SMI = ['nvidia-smi', `--query-gpu=${GUEST_QUERY.join(',')}`, '--format=csv,noheader'];

export async function verifyHostBinding(host: HostChannel, spec: GpuHostSpec): Promise<GpuCheck[]> {
  const [lspci, groups] = await Promise.all([host.run(['lspci', '-nnk']), readIommuGroups(host)]);
  const devices = parseLspciNnk(lspci.stdout);
  const card = spec.ids.map((id) => ({ id, dev: devices.find((d) => d.id === id) }));
  const bound = card.every((c) => c.dev?.driverInUse === 'vfio-pci');
  const checks: GpuCheck[] = [
    {
      name: `lspci shows vfio-pci for ${spec.mapping} (${spec.ids.join(', ')})`,
      ok: bound,
      detail: card.map((c) => (c.dev ? `${c.dev.address} [${c.id}] Kernel driver in use: ${c.dev.driverInUse ?? '(none)'}` : `${c.id} not found`)).join('; '),
    },
  ];
  const first = card[0]?.dev;
  const group = first ? groupOf(groups, first.address) : undefined;
  const members = group === undefined ? [] : (groups.get(group) ?? []);
  const foreign = members.filter((a) => slotOf(a) !== slotOf(first!.address) && !devices.some((d) => d.address === a && isBridge(d)));
  checks.push({
    name: `IOMMU group of ${spec.mapping} holds only the card`,
    ok: group !== undefined && foreign.length === 0,
    detail: group === undefined ? 'the card is in no IOMMU group (IOMMU off?)' : `group ${group}: ${members.join(', ')}${foreign.length ? ` (not the card's: ${foreign.join(', ')})` : ''}`,
  });
  return checks;
}

/** Runs nvidia-smi in the guest (through whatever `exec` reaches it) and reads the CSV back. */
export async function verifyGuestGpu(
  vmLabel: string,
  exec: (argv: string[]) => Promise<{ exitcode: number; out?: string; err?: string }>,
): Promise<GpuCheck> {
  const name = `nvidia-smi works in ${vmLabel}`;
  try {
    const r = await exec(GUEST_NVIDIA_SMI);
    if (r.exitcode !== 0) return { name, ok: false, detail: `nvidia-smi exited with ${r.exitcode}: ${(r.out ?? r.err ?? '').trim().split('\n')[0]}` };
    const rows = parseQueryGpuCsv(r.out ?? '', [...GUEST_QUERY]);
    if (!rows.length) return { name, ok: false, detail: 'nvidia-smi listed no GPU' };
    return { name, ok: true, detail: rows.map((g) => `${g.name ?? '?'}, driver ${g.driver_version ?? 'N/A'}, ${g['memory.total'] ?? 'N/A'}`).join('; ') };
  } catch (e) {
    return { name, ok: false, detail: (e as Error).message };
  }
}
