// Property-string formats that the schema names but does not spell out (`format:
// 'pve-qm-hostpci'`): PVE registers their key definitions in Perl, and the dump keeps only the
// `typetext` generated from them, e.g.
//   [[host=]<HOSTPCIID[;HOSTPCIID2...]>] [,mapping=<mapping-id>] [,pcie=<1|0>] ...
// This module rebuilds a key -> schema map from that text: which keys exist, which one is the
// default (`[key=]`), which are required, and what `<1|0>` / `<a|b>` / `<integer>` say about
// their values. For the formats a provisioning client sends, KNOWN_KEY_RULES adds what the
// typetext cannot carry (the format or pattern of a key), taken from qemu-server.

import type { PropertySchema, PropertyStringFormat } from './types';

const HEX_ID = String.raw`(?^:^0x[0-9a-fA-F]{4}$)`;
const PCI_ID = String.raw`(?:[a-f0-9]{4,}:)?[a-f0-9]{2}:[a-f0-9]{2}(?:\.[a-f0-9])?`;

/** Key details the typetext cannot express, per named format (only applied to listed keys). */
const KNOWN_KEY_RULES: Record<string, Record<string, Partial<PropertySchema>>> = {
  'pve-qm-hostpci': {
    host: { pattern: `${PCI_ID}(;${PCI_ID})*` },
    mapping: { format: 'pve-configid' },
    romfile: { pattern: '[^,;]+' },
    mdev: { pattern: String.raw`[^/\.:]+` },
    'vendor-id': { pattern: HEX_ID },
    'device-id': { pattern: HEX_ID },
    'sub-vendor-id': { pattern: HEX_ID },
    'sub-device-id': { pattern: HEX_ID },
  },
  'pve-qm-ipconfig': {
    ip: { format: 'pve-ipv4-config' },
    gw: { format: 'ipv4', requires: 'ip' },
    ip6: { format: 'pve-ipv6-config' },
    gw6: { format: 'ipv6', requires: 'ip6' },
  },
  'backup-fleecing': { storage: { format: 'pve-storage-id' } },
};

const cache = new Map<string, PropertyStringFormat | null>();

/** Splits a typetext at top-level spaces (spaces inside `<...>` or `[...]` belong to a token). */
function tokens(typetext: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of typetext) {
    if (ch === '<' || ch === '[' || ch === '(') depth++;
    if (ch === '>' || ch === ']' || ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ' ' && depth === 0) {
      if (current) out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current) out.push(current);
  return out;
}

/** Index of the bracket closing the one at `open`, or -1. */
function closingBracket(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '[') depth++;
    if (text[i] === ']' && --depth === 0) return i;
  }
  return -1;
}

/** What a `<...>` placeholder says about the value. */
function valueSchema(spec: string): PropertySchema {
  const inner = /^<(.*)>$/s.exec(spec)?.[1];
  if (inner === undefined) return { type: 'string' };
  if (inner === '1|0') return { type: 'boolean' };
  if (inner === 'integer') return { type: 'integer' };
  if (inner === 'number') return { type: 'number' };
  const alternatives = inner.split('|');
  const isEnum =
    alternatives.length > 1 &&
    alternatives.every((a) => /^[\w/.-]+$/.test(a) && !/^\d+-\d+$/.test(a));
  return isEnum ? { type: 'string', enum: alternatives } : { type: 'string' };
}

/**
 * The key definitions behind a named property-string format, rebuilt from its typetext; null
 * when the typetext does not describe `key=value` pairs (e.g. `<string>`).
 */
export function formatFromTypetext(formatName: string, typetext: string | undefined): PropertyStringFormat | null {
  if (!typetext) return null;
  const cacheKey = `${formatName}\u0000${typetext}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;

  const format: PropertyStringFormat = {};
  let valid = true;
  for (let token of tokens(typetext)) {
    let optional = false;
    if (token.startsWith('[') && closingBracket(token, 0) === token.length - 1) {
      optional = true;
      token = token.slice(1, -1);
    }
    token = token.replace(/^,/, '');
    const defaultKey = /^\[([\w-]+)=\](.*)$/s.exec(token);
    const plainKey = /^([\w-]+)=(.*)$/s.exec(token);
    const m = defaultKey ?? plainKey;
    if (!m) {
      valid = false;
      break;
    }
    const schema: PropertySchema = { ...valueSchema(m[2]), format_description: m[2] };
    if (optional) schema.optional = 1;
    if (defaultKey) schema.default_key = 1;
    format[m[1]] = schema;
  }

  let result: PropertyStringFormat | null = valid && Object.keys(format).length > 0 ? format : null;
  const rules = KNOWN_KEY_RULES[formatName];
  if (result && rules) {
    result = { ...result };
    for (const [key, rule] of Object.entries(rules)) {
      if (result[key]) result[key] = { ...result[key], ...rule };
    }
  }
  cache.set(cacheKey, result);
  return result;
}
