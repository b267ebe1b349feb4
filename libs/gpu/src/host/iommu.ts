/**
 * The IOMMU groups as the kernel publishes them: `/sys/kernel/iommu_groups/<group>/devices/<address>`
 * (one symlink per device, drivers/iommu/iommu.c). No group directories at all means the IOMMU is
 * off: disabled in the firmware, or not enabled on the kernel command line.
 */
import type { HostChannel } from '@genesis/host-channel';

export const IOMMU_GROUPS = '/sys/kernel/iommu_groups';

/** Group number → device addresses in it. */
export type IommuGroups = Map<number, string[]>;

export async function readIommuGroups(host: HostChannel): Promise<IommuGroups> {
  const groups: IommuGroups = new Map();
  const names = (await host.listDir(IOMMU_GROUPS)) ?? [];
  const numbers = names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  const lists = await Promise.all(numbers.map((n) => host.listDir(`${IOMMU_GROUPS}/${n}/devices`)));
  numbers.forEach((n, i) => groups.set(n, (lists[i] ?? []).map((a) => a.toLowerCase()).sort()));
  return groups;
}

export function groupOf(groups: IommuGroups, address: string): number | undefined {
  for (const [n, devices] of groups) if (devices.includes(address)) return n;
  return undefined;
}
