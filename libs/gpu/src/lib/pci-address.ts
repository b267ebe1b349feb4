export interface PciAddress {
  domain: string;
  bus: string;
  device: string;
  func: string;
}

export function parsePciAddress(text: string): PciAddress {
  const match = /^(?:([0-9a-f]{4,8}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a PCI address: expected [DDDD:]BB:DD.F, for example 0000:01:00.0`);
  return { domain: (match[1] ?? '0000').slice(-4).toLowerCase(), bus: match[2].toLowerCase(), device: match[3].toLowerCase(), func: match[4] };
}
