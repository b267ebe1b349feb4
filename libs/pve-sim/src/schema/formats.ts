// The named string formats PVE registers with a check function (pve-common's JSONSchema.pm and
// a few from pve-storage / pve-firewall / qemu-server), with the same acceptance rules and the
// same `die` messages, which PVE reports as `invalid format - <message>`. A format missing here
// is accepted unchecked (PVE itself knows ~200; we cover the ones a provisioning client sends).

import { isIPv4, isIPv6 } from 'node:net';

/** Thrown by a format check; `message` is PVE's text, newline included, as PVE sends it. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

type FormatCheck = (value: string) => void;

const CONFIGID_RE = /^[a-z][a-z0-9_-]+$/i;
const EMAIL_USER = String.raw`[\w+\-~]+(\.[\w+\-~]+)*`;
const EMAIL_RE = new RegExp(String.raw`^${EMAIL_USER}@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$`);
const EMAIL_USER_RE = new RegExp(`^${EMAIL_USER}$`);
const DNS_NAME_RE = /^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)\.)*([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/;
const VOLUME_ID_RE = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/is;
const IPV4_MASKS = new Set(
  Array.from({ length: 33 }, (_v, bits) => {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
  }),
);

/** PVE's IPv6 regex has no zone index (`fe80::1%eth0`), which node:net accepts. */
const isIPv6Plain = (v: string): boolean => !v.includes('%') && isIPv6(v);

function fail(message: string): never {
  throw new FormatError(`${message}\n`);
}

function cidr(value: string, family: 4 | 6): boolean {
  const m = /^(.*)\/(\d+)$/s.exec(value);
  if (!m) return false;
  const bits = Number(m[2]);
  const max = family === 4 ? 32 : 128;
  const ipOk = family === 4 ? isIPv4(m[1]) : isIPv6Plain(m[1]);
  return ipOk && bits > 7 && bits <= max;
}

function parseId(value: string, type: string): void {
  if (value.length < 2) fail(`${type} ID '${value}' cannot be shorter than 2 characters`);
  if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(value)) fail(`${type} ID '${value}' contains illegal characters`);
}

function startupOrderOk(value: string): boolean {
  if (!value || value === '0') return false; // Perl truthiness
  for (const part of value.split(',')) {
    if (/^\s*$/.test(part)) continue;
    if (!/^(?:(?:order=)?\d+|up=\d+|down=\d+)$/.test(part)) return false;
  }
  return true;
}

function vlanIdOrRange(value: string): void {
  const m = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (!m) fail(`invalid VLAN configuration '${value}'`);
  const start = Number(m[1]);
  if (start < 2 || start > 4094) fail(`invalid VLAN tag '${m[1]}'`);
  // Perl's `if ($end)`: an end of 0 counts as no end.
  if (m[2] !== undefined && Number(m[2]) !== 0) {
    const end = Number(m[2]);
    if (end < 2 || end > 4094) fail(`invalid VLAN tag '${m[2]}'`);
    if (start >= end) fail(`VLAN range must go from lower to higher tag '${value}'`);
  }
}

function volumeId(value: string): void {
  if (!VOLUME_ID_RE.test(value)) fail(`unable to parse volume ID '${value}'`);
}

const FORMATS: Record<string, FormatCheck> = {
  string: () => undefined,
  urlencoded: (v) => {
    if (!/^[-%a-zA-Z0-9_.!~*'()]*$/.test(v)) fail(`invalid urlencoded string: ${v}`);
  },
  'pve-configid': (v) => {
    if (!CONFIGID_RE.test(v)) fail(`invalid configuration ID '${v}'`);
  },
  'pve-storage-id': (v) => parseId(v, 'storage'),
  'acme-plugin-id': (v) => parseId(v, 'ACME plugin'),
  'pve-bridge-id': (v) => {
    if (!/^[-_.\w]+$/.test(v)) fail(`invalid bridge ID '${v}'`);
  },
  'pve-vmid': (v) => {
    if (!/^[1-9][0-9]{2,8}$/.test(v)) fail('value does not look like a valid VM ID');
  },
  'pve-node': (v) => {
    if (!/^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/.test(v)) fail('value does not look like a valid node name');
  },
  'mac-addr': (v) => {
    if (!/^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i.test(v)) fail('value does not look like a valid unicast MAC address');
  },
  ipv4: (v) => {
    if (!isIPv4(v)) fail('value does not look like a valid IPv4 address');
  },
  ipv6: (v) => {
    if (!isIPv6Plain(v)) fail('value does not look like a valid IPv6 address');
  },
  ip: (v) => {
    if (!isIPv4(v) && !isIPv6Plain(v)) fail('value does not look like a valid IP address');
  },
  ipv4mask: (v) => {
    if (!IPV4_MASKS.has(v)) fail('value does not look like a valid IP netmask');
  },
  CIDRv4: (v) => {
    if (!cidr(v, 4)) fail('value does not look like a valid IPv4 CIDR network');
  },
  CIDRv6: (v) => {
    if (!cidr(v, 6)) fail('value does not look like a valid IPv6 CIDR network');
  },
  CIDR: (v) => {
    if (!cidr(v, 4) && !cidr(v, 6)) fail('value does not look like a valid CIDR network');
  },
  // pve-firewall
  IPorCIDR: (v) => {
    if (!isIPv4(v) && !isIPv6Plain(v) && !cidr(v, 4) && !cidr(v, 6)) {
      fail('value does not look like a valid IP address or CIDR network');
    }
  },
  'pve-ipv4-config': (v) => {
    if (!/^(?:dhcp|manual)$/.test(v) && !cidr(v, 4)) fail('value does not look like a valid ipv4 network configuration');
  },
  'pve-ipv6-config': (v) => {
    if (!/^(?:auto|dhcp|manual)$/.test(v) && !cidr(v, 6)) fail('value does not look like a valid ipv6 network configuration');
  },
  email: (v) => {
    if (!EMAIL_RE.test(v)) fail('value does not look like a valid email address');
  },
  'email-or-username': (v) => {
    if (!EMAIL_RE.test(v) && !EMAIL_USER_RE.test(v)) fail('value does not look like a valid email address or user name');
  },
  'dns-name': (v) => {
    if (!DNS_NAME_RE.test(v)) fail('value does not look like a valid DNS name');
  },
  'pve-iface': (v) => {
    if (!/^[a-z][a-z0-9_]{1,20}([:.]\d+)?$/i.test(v)) fail(`invalid network interface name '${v}'`);
  },
  'pve-vlan-id-or-range': vlanIdOrRange,
  address: (v) => {
    if (!isIPv4(v) && !isIPv6Plain(v) && !DNS_NAME_RE.test(v)) fail(`value does not look like a valid address: ${v}`);
  },
  'disk-size': (v) => {
    if (!/^(\d+(\.\d+)?)([KMGT](?:iB)?)?$/.test(v)) fail(`value does not look like a valid disk size: ${v}`);
  },
  'pve-startup-order': (v) => {
    if (!startupOrderOk(v)) fail('unable to parse startup options');
  },
  'pve-tag': (v) => {
    if (!/^[a-z0-9_][a-z0-9_\-+.]*$/i.test(v)) fail('invalid characters in tag');
  },
  'pve-task-status-type': (v) => {
    if (!/^(ok|error|warning|unknown)$/i.test(v)) fail(`invalid status '${v}'`);
  },
  // pve-storage
  'pve-volume-id': volumeId,
  // qemu-server: a drive's `file` is a volume ID, an absolute path, or none/cdrom.
  'pve-volume-id-or-qm-path': (v) => {
    if (v === 'none' || v === 'cdrom' || v.startsWith('/')) return;
    volumeId(v);
  },
};

/** PVE's split_list: NUL-separated if any NUL, else split on commas, semicolons and spaces. */
export function splitList(text: string): string[] {
  // Perl's split drops trailing empty fields; none can occur elsewhere after the trim.
  const fields = text.includes('\0') ? text.split('\0') : text.replace(/[,;]/g, ' ').replace(/^\s+/, '').split(/\s+/);
  while (fields.length > 0 && fields[fields.length - 1] === '') fields.pop();
  return fields;
}

/** `<name>`, `<name>-list` or `<name>-opt`, as check_format splits a format name. */
export function splitFormatName(format: string): { name: string; kind: 'none' | 'list' | 'opt' } {
  const m = /^(.*?)(?:-(list|opt))?$/s.exec(format) as RegExpExecArray;
  return { name: m[1], kind: (m[2] as 'list' | 'opt' | undefined) ?? 'none' };
}

/** The check for a registered code format, or undefined when this module doesn't know it. */
export function formatCheck(name: string): FormatCheck | undefined {
  return Object.prototype.hasOwnProperty.call(FORMATS, name) ? FORMATS[name] : undefined;
}

/** Names of the formats checked (for the coverage report). */
export function knownFormats(): string[] {
  return Object.keys(FORMATS).sort();
}
