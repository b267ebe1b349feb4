/** IPv4 arithmetic for validation and plan checks (subnet overlap, address inside a bridge). */

export interface Ipv4Cidr {
  address: string;
  prefix: number;
  /** Network address as an unsigned 32-bit number. */
  network: number;
  /** Broadcast address as an unsigned 32-bit number. */
  broadcast: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseCidr(text: string): Ipv4Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const ip = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const network = Math.floor(ip / size) * size;
  return { address: m[1], prefix, network, broadcast: network + size - 1 };
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network <= b.broadcast && b.network <= a.broadcast;
}

export function cidrContains(c: Ipv4Cidr, ip: string): boolean {
  const n = parseIpv4(ip);
  return n !== undefined && n >= c.network && n <= c.broadcast;
}

/** `10.0.1.1/24` → `10.0.1.0/24`. */
export function networkOf(c: Ipv4Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

/** Netmask `255.255.255.0` → prefix 24; undefined for a non-contiguous mask. */
export function maskToPrefix(mask: string): number | undefined {
  const n = parseIpv4(mask);
  if (n === undefined) return undefined;
  const bits = n.toString(2).padStart(32, '0');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : undefined;
}
