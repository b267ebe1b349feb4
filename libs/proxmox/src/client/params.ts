/** Turning PveParams into what goes on the wire, and into what may be shown (trace, logs). */
import type { PveParams } from './types';

/** Booleans become 1/0 (PVE's boolean type), numbers decimal, undefined is dropped. */
export function normaliseParams(params: PveParams | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!params) return out;
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (typeof value === 'boolean') out[name] = value ? '1' : '0';
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        throw new TypeError(`parameter ${name} must be a finite number, got ${value}`);
      }
      out[name] = String(value);
    } else out[name] = typeof value === 'string' ? value : value.join(LIST_SEPARATOR);
  }
  return out;
}

/** Joins the values of a list parameter inside the normalised record; no PVE value holds a NUL. */
export const LIST_SEPARATOR = '\0';

/** application/x-www-form-urlencoded, also used for the query string of GET/DELETE. */
export function encodeForm(params: Record<string, string>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const v of value.split(LIST_SEPARATOR)) form.append(name, v);
  return form.toString();
}

export const SECRET_PARAM_RE = /password|secret|token|key|cipassword/i;
export const REDACTED = '***';

/**
 * A copy safe to write to a trace or log: parameters whose name looks secret are masked, and so
 * is any value equal to one of `secrets` (the token secret passed under an innocent name).
 */
export function redactParams(
  params: Record<string, string>,
  secrets: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const leaks = secrets.some((s) => s.length > 0 && value.includes(s));
    out[name] = SECRET_PARAM_RE.test(name) || leaks ? REDACTED : value;
  }
  return out;
}
