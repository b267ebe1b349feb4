/**
 * `lspci -nnk` → devices. The layout is pciutils' lspci.c (show_device, then show_kernel for -k):
 *
 *   01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA102 [GeForce RTX 3090] [10de:2204] (rev a1)
 *   \tSubsystem: ASUSTeK Computer Inc. Device [1043:87b3]
 *   \tKernel driver in use: vfio-pci
 *   \tKernel modules: nvidiafb, nouveau
 *
 * The domain prefix (`0000:`) appears with -D or when the machine has several domains; a device
 * without a bound driver has no "in use" line; `DeviceName:` appears where the firmware names it.
 */
export interface LspciDevice {
  /** Always with the domain: `0000:01:00.0`. */
  address: string;
  /** `0300` */
  classCode: string;
  className: string;
  /** `10de:2204` */
  id: string;
  description: string;
  revision?: string;
  subsystem?: { name: string; id?: string };
  driverInUse?: string;
  modules: string[];
}

export class LspciParseError extends Error {
  constructor(line: number, text: string, expected: string) {
    super(`lspci -nnk output, line ${line}: "${text}" is not ${expected}`);
    this.name = 'LspciParseError';
  }
}

const HEAD = /^((?:[0-9a-f]{4,8}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) (.+?) \[([0-9a-f]{4})\]: (.*) \[([0-9a-f]{4}:[0-9a-f]{4})\](?: \(rev ([0-9a-f]{2})\))?(?: \(prog-if [^)]*\))?$/i;
const FIELD = /^\s+([A-Za-z ]+): ?(.*)$/;

export function parseLspciNnk(text: string): LspciDevice[] {
  const devices: LspciDevice[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const head = HEAD.exec(line);
    if (head) {
      // Without a domain lspci means 0000; VMD domains (10000) keep all their digits.
      const address = head[1].length === 7 ? `0000:${head[1]}` : head[1];
      devices.push({
        address: address.toLowerCase(),
        className: head[2],
        classCode: head[3].toLowerCase(),
        description: head[4],
        id: head[5].toLowerCase(),
        revision: head[6],
        modules: [],
      });
      return;
    }
    const field = FIELD.exec(line);
    const device = devices[devices.length - 1];
    if (!field || !device) throw new LspciParseError(i + 1, line, 'a device line ("01:00.0 Class [0300]: Vendor Device [10de:2204]") or a tab-indented field');
    const [, key, value] = field;
    if (key === 'Kernel driver in use') device.driverInUse = value.trim();
    else if (key === 'Kernel modules') device.modules = value.split(',').map((m) => m.trim()).filter(Boolean);
    else if (key === 'Subsystem') {
      const m = /^(.*?)(?: \[([0-9a-f]{4}:[0-9a-f]{4})\])?$/i.exec(value.trim());
      device.subsystem = { name: m?.[1] ?? value.trim(), id: m?.[2]?.toLowerCase() };
    }
  });
  return devices;
}

/** The slot of a function: `0000:01:00.1` → `0000:01:00`. */
export const slotOf = (address: string) => address.replace(/\.[0-7]$/, '');

/** PCI class 03xx: display controllers (VGA, 3D, other). */
export const isDisplay = (d: LspciDevice) => d.classCode.startsWith('03');
/** PCI class 0604: PCI-to-PCI bridges (root ports); sharing a group with one is fine for passthrough. */
export const isBridge = (d: LspciDevice) => d.classCode === '0604' || d.classCode === '0600';
