/**
 * A reader for the Prometheus text exposition format (version 0.0.4), enough for the pages vLLM and
 * llama.cpp serve: comments, labels with escapes, NaN/±Inf, optional timestamps.
 */
export interface TextSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class PrometheusTextError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'PrometheusTextError';
  }
}

/** Like Go's ParseFloat, which Prometheus uses: NaN and Inf in any case (prom-client writes `Nan`). */
function parseValue(raw: string): number {
  const lower = raw.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  return raw === '' ? NaN : Number(raw);
}

export function parsePrometheusText(text: string): TextSample[] {
  const samples: TextSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!nameMatch) throw new PrometheusTextError(i + 1, `no metric name in "${line.slice(0, 80)}"`);
    const name = nameMatch[1];
    let pos = name.length;
    const labels: Record<string, string> = {};
    if (line[pos] === '{') {
      pos++;
      for (;;) {
        while (line[pos] === ' ' || line[pos] === ',') pos++;
        if (line[pos] === '}') {
          pos++;
          break;
        }
        const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(pos));
        if (!labelMatch) throw new PrometheusTextError(i + 1, `bad label in "${line.slice(0, 120)}"`);
        pos += labelMatch[0].length;
        let value = '';
        while (pos < line.length && line[pos] !== '"') {
          if (line[pos] === '\\') {
            const next = line[pos + 1];
            value += next === 'n' ? '\n' : next;
            pos += 2;
          } else {
            value += line[pos++];
          }
        }
        if (line[pos] !== '"') throw new PrometheusTextError(i + 1, `unterminated label value in "${line.slice(0, 120)}"`);
        pos++;
        labels[labelMatch[1]] = value;
      }
    }
    const rest = line.slice(pos).trim().split(/\s+/);
    const value = parseValue(rest[0] ?? '');
    if (rest[0] === undefined || (Number.isNaN(value) && rest[0].toLowerCase() !== 'nan')) {
      throw new PrometheusTextError(i + 1, `no numeric value in "${line.slice(0, 120)}"`);
    }
    samples.push({ name, labels, value });
  }
  return samples;
}
