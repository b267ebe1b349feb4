/**
 * PVE property strings (`local-zfs:32,ssd=1`, `virtio,bridge=vmbr1,firewall=1`): a leading
 * positional value followed by `key=value` pairs, order preserved so that written configs read
 * back byte-for-byte.
 */
export interface PropertyString {
  /** The value before the first `key=` pair (`file` for drives, `model` for nics), if any. */
  head?: string;
  pairs: Array<[string, string]>;
}

export function parsePropertyString(value: string): PropertyString {
  const result: PropertyString = { pairs: [] };
  value.split(',').forEach((part, index) => {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (index === 0) result.head = part;
      return;
    }
    result.pairs.push([part.slice(0, eq), part.slice(eq + 1)]);
  });
  return result;
}

export function formatPropertyString(ps: PropertyString): string {
  const parts = ps.pairs.map(([k, v]) => `${k}=${v}`);
  return ps.head !== undefined ? [ps.head, ...parts].join(',') : parts.join(',');
}

export function getProp(ps: PropertyString, key: string): string | undefined {
  return ps.pairs.find(([k]) => k === key)?.[1];
}

export function setProp(ps: PropertyString, key: string, value: string): void {
  const existing = ps.pairs.find(([k]) => k === key);
  if (existing) existing[1] = value;
  else ps.pairs.push([key, value]);
}

export function removeProp(ps: PropertyString, key: string): void {
  ps.pairs = ps.pairs.filter(([k]) => k !== key);
}
