/**
 * `nvidia-smi --query-gpu=<fields> --format=csv,noheader[,nounits]`: one line per GPU, values joined
 * by ", " in the order asked. Values the driver cannot give read `[N/A]` (or `N/A`), unsupported
 * ones `[Not Supported]`; both come back as undefined. Units stay in the value (`24576 MiB`).
 */
export type QueryGpuRow = Record<string, string | undefined>;

export class QueryGpuCsvError extends Error {
  constructor(line: number, text: string, expected: number) {
    super(`nvidia-smi --query-gpu CSV, line ${line}: "${text}" has ${text.split(', ').length} values, expected ${expected} (one per queried field)`);
    this.name = 'QueryGpuCsvError';
  }
}

const MISSING = new Set(['[N/A]', 'N/A', '[Not Supported]', '[Unknown Error]', '[Insufficient Permissions]']);

export function parseQueryGpuCsv(text: string, fields: string[]): QueryGpuRow[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim());
  // A header line (format=csv without noheader) names the fields, with units in brackets.
  if (lines.length && lines[0].split(', ')[0] === fields[0]) lines.shift();
  return lines.map((line, i) => {
    const values = line.split(', ');
    if (values.length !== fields.length) throw new QueryGpuCsvError(i + 1, line, fields.length);
    return Object.fromEntries(fields.map((f, j) => [f, MISSING.has(values[j].trim()) ? undefined : values[j].trim()]));
  });
}

/** `24576 MiB` → bytes; undefined for a missing value. */
export function mibToBytes(value: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(?: MiB)?$/.exec(value ?? '');
  return m ? Number(m[1]) * 1024 * 1024 : undefined;
}
