/** When to retry and how long to wait: pure, so the policy is testable without a server. */
import { isLockTimeoutMessage, PveHttpError, PveNetworkError } from './errors';

export interface PveRetryOptions {
  /** Total attempts per call, the first included (default 6). */
  attempts?: number;
  /** Delay before the first retry (default 250 ms); doubles each retry. */
  baseDelayMs?: number;
  /** Upper bound of one delay (default 8 s). */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<PveRetryOptions> = { attempts: 6, baseDelayMs: 250, maxDelayMs: 8000 };

/**
 * Exponential backoff with "equal jitter": half the exponential step is fixed, half random, so
 * concurrent callers spread out but the delay still grows. `retry` counts from 1.
 */
export function backoffDelay(
  retry: number,
  options: PveRetryOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const step = Math.min(max, base * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

// PVE answers 500 for definitive "no" too; repeating those only delays the caller.
const PERMANENT_500_RE = /does not exist|^no such /i;

/**
 * Reads may be repeated after any transient failure. Writes only after a lock timeout, where PVE
 * guarantees nothing was done; on any other failure a write may have taken effect, so repeating it
 * could apply it twice.
 */
export function isRetryable(method: string, error: unknown): boolean {
  if (error instanceof PveHttpError) {
    if (isLockTimeoutMessage(error.pveMessage)) return true;
    if (method !== 'GET') return false;
    return error.status >= 500 && error.status !== 501 && !PERMANENT_500_RE.test(error.pveMessage);
  }
  // Nothing came up within the connect limit: repeating would multiply the wait (6 × 30 s was 188 s).
  if (error instanceof PveNetworkError) return method === 'GET' && error.code !== 'ECONNECTTIMEOUT';
  return false;
}
