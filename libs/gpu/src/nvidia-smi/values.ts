/**
 * Reading nvidia-smi's text values. nvidia-smi writes numbers with a unit (`24576 MiB`, `27.23 W`,
 * `37 C`, `1410 MHz`, `4 %`, `488 KB/s`, `9840338777 us`) and marks what it cannot read with text
 * (`N/A`, `[N/A]`, `[Not Supported]`, `Requested functionality has been deprecated`, `[Unknown Error]`,
 * `[REDACTED]`, …). Anything that is not a number in the expected unit is absent.
 */

const MIB = 1024 * 1024;

/** Multiplier from each unit nvidia-smi prints to the base unit we report. */
const UNIT_SCALE: Record<string, number> = {
  MiB: MIB,
  GiB: 1024 * MIB,
  KiB: 1024,
  W: 1,
  mW: 1e-3,
  C: 1,
  MHz: 1e6,
  '%': 0.01,
  // NVML reports PCIe throughput in KB/s with 1 KB = 1024 bytes, like its memory figures.
  'KB/s': 1024,
  us: 1e-6,
  ms: 1e-3,
  mV: 1e-3,
  V: 1,
  x: 1,
  'bank(s)': 1,
};

const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z%/()]*)$/;

/** Text nvidia-smi prints instead of a value; compared without brackets and case. */
const ABSENT_MARKERS = new Set([
  'n/a',
  'not supported',
  'requested functionality has been deprecated',
  'unknown error',
  'redacted',
  'insufficient permissions',
  'not available',
  'gpu is lost',
  'none',
  '',
]);

export function isAbsent(text: unknown): boolean {
  if (text === undefined || text === null) return true;
  if (typeof text !== 'string' && typeof text !== 'number') return true;
  const bare = String(text)
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .trim()
    .toLowerCase();
  return ABSENT_MARKERS.has(bare);
}

/**
 * A quantity in base units, or undefined when absent. `unit` is the unit nvidia-smi is expected to
 * print; a bare number is accepted for unit-less counters (pass `''`).
 */
export function quantity(text: unknown, unit: string): number | undefined {
  if (isAbsent(text)) return undefined;
  const match = NUMBER_WITH_UNIT.exec(String(text).trim());
  if (!match) return undefined;
  const printed = match[2];
  if (printed !== '' && printed !== unit) return undefined;
  const value = Number(match[1]);
  if (!Number.isFinite(value)) return undefined;
  const scale = unit === '' ? 1 : UNIT_SCALE[unit];
  if (scale === undefined) throw new Error(`nvidia-smi parser: no scale for unit "${unit}" (add it to UNIT_SCALE)`);
  // Round away binary floating point noise from the scaling (e.g. 0.07 * 1e6).
  return Number((value * scale).toPrecision(15));
}

export function count(text: unknown): number | undefined {
  const value = quantity(text, '');
  return value !== undefined && Number.isInteger(value) ? value : undefined;
}

/** Free text, or undefined for the absent markers (but `None` is kept where it is meaningful). */
export function text(value: unknown, options: { keepNone?: boolean } = {}): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (options.keepNone && trimmed.toLowerCase() === 'none') return trimmed;
  return isAbsent(trimmed) ? undefined : trimmed;
}

/** `Enabled`/`Disabled`, `Yes`/`No`, `Active`/`Not Active` → boolean; anything else absent. */
export function flag(value: unknown): boolean | undefined {
  const t = text(value);
  if (t === undefined) return undefined;
  switch (t.toLowerCase()) {
    case 'enabled':
    case 'yes':
    case 'active':
    case 'true':
      return true;
    case 'disabled':
    case 'no':
    case 'not active':
    case 'false':
      return false;
    default:
      return undefined;
  }
}

/** `P8` → 8. */
export function performanceState(value: unknown): number | undefined {
  const t = text(value);
  const match = t ? /^P(\d{1,2})$/.exec(t) : null;
  return match ? Number(match[1]) : undefined;
}

/** `16x` → 16. */
export function linkWidth(value: unknown): number | undefined {
  return quantity(value, 'x');
}
