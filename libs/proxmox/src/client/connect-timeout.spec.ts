/**
 * An endpoint that accepts TCP but never speaks TLS (a wrong port, a filtering proxy): the client
 * gives up within the connect limit, says what it is waiting for meanwhile, and does not retry.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { PveClient } from './client';
import { PveNetworkError } from './errors';
import { rejection } from '../testing/rejection';

jest.setTimeout(30_000);

describe('connect and TLS handshake timeouts', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;

  beforeAll(async () => {
    server = createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fails within the connect timeout with a "waiting for …" line, once, without retries', async () => {
    const waiting: string[] = [];
    const client = new PveClient(
      { host: '127.0.0.1', port, node: 'pve', tokenId: 'root@pam!genesis', tokenSecret: 'x', fingerprint: 'AA'.repeat(32), connectTimeoutMs: 1500, requestTimeoutMs: 30_000 },
      { onWaiting: (l) => waiting.push(l), retry: { attempts: 6, baseDelayMs: 10, maxDelayMs: 20 } },
    );
    const started = Date.now();
    const error = await rejection(PveNetworkError, Promise.all([client.get('/version'), client.get('/nodes')]));
    const elapsed = Date.now() - started;
    client.close();

    expect(error.code).toBe('ECONNECTTIMEOUT');
    expect(error.message).toContain(`no TLS handshake with 127.0.0.1:${port} within 1500 ms (PVE_CONNECT_TIMEOUT_MS)`);
    expect(error.message).toContain('is PVE_PORT the PVE API');
    // The limit, not 6 attempts of the 30 s request timeout; generous for a loaded machine.
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(15_000);
    expect(waiting).toEqual([`waiting for 127.0.0.1:${port} (TLS handshake; giving up after 1.5 s) …`]);
    // Two parallel reads, each one connection, none repeated.
    expect(sockets.length).toBe(2);
  });

  it('reads PVE_CONNECT_TIMEOUT_MS and refuses a bad value by name', () => {
    const env = { PVE_HOST: 'pve.lan', PVE_TOKEN_ID: 'root@pam!genesis', PVE_TOKEN_SECRET: 's', PVE_CONNECT_TIMEOUT_MS: '2500' };
    expect(PveClient.fromEnv(env)).toBeInstanceOf(PveClient);
    expect(() => PveClient.fromEnv({ ...env, PVE_CONNECT_TIMEOUT_MS: '10s' })).toThrow(/PVE_CONNECT_TIMEOUT_MS=10s is not a positive number of milliseconds/);
  });
});
