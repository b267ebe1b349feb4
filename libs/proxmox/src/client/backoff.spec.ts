import { backoffDelay, isRetryable } from './backoff';
import { PveHttpError, PveNetworkError } from './errors';

describe('backoffDelay', () => {
  it('doubles per retry, capped, with the random half on top of a fixed half', () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, opts, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, opts, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('spreads concurrent callers between the bounds', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(3, { baseDelayMs: 100 }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...delays)).toBeLessThanOrEqual(400);
    expect(new Set(delays).size).toBeGreaterThan(20);
  });
});

describe('isRetryable', () => {
  const http = (status: number, message: string) => new PveHttpError('X', '/p', status, message);
  const lock = http(500, "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout");
  const network = new PveNetworkError('X', '/p', 'ECONNRESET', 'socket hang up');

  it('retries reads on 5xx and network errors', () => {
    expect(isRetryable('GET', http(500, 'Internal Server Error'))).toBe(true);
    expect(isRetryable('GET', http(503, 'Service Unavailable'))).toBe(true);
    expect(isRetryable('GET', http(595, 'Connection refused'))).toBe(true);
    expect(isRetryable('GET', network)).toBe(true);
  });

  it('does not repeat answers that will not change', () => {
    expect(isRetryable('GET', http(400, 'Parameter verification failed.'))).toBe(false);
    expect(isRetryable('GET', http(401, 'authentication failure'))).toBe(false);
    expect(isRetryable('GET', http(501, 'Method not implemented'))).toBe(false);
    expect(
      isRetryable('GET', http(500, "Configuration file 'nodes/pve/qemu-server/100.conf' does not exist")),
    ).toBe(false);
    expect(isRetryable('GET', new Error('bug'))).toBe(false);
  });

  it.each(['POST', 'PUT', 'DELETE'])('retries %s only after a lock timeout', (method) => {
    expect(isRetryable(method, lock)).toBe(true);
    expect(isRetryable(method, http(500, 'Internal Server Error'))).toBe(false);
    expect(isRetryable(method, network)).toBe(false);
  });
});
