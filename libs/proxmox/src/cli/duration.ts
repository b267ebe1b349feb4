/**
 * Durations a person writes in a flag or an environment variable: `90s`, `10m`, `1h`, `1500ms`,
 * or a bare number of seconds. Only positive ones: a deadline of nothing is a mistake, and the
 * error names the setting and how to write it.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, setting: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 's'] : NaN;
  if (!Number.isFinite(ms) || ms < 1) throw new Error(`${setting}: "${text}" is not a positive duration; write it as e.g. 90s, 10m or 1h (a bare number is seconds)`);
  return Math.round(ms);
}

/** The way parseDuration reads it back: `10m`, `90s`, `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
