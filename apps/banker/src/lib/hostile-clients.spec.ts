// Banker against clients that get it wrong (issue 15): a token in the query string (refused and
// never logged), bodies of the wrong types (refused with a message naming the field).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildBankerApp, type BankerApp } from './app';

const TOKEN = 'watchdog-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('banker against careless and hostile clients', () => {
  jest.setTimeout(30_000);
  let dataDir: string;
  let banker: BankerApp;
  let logs = '';

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'banker-clients-'));
    logs = '';
    const logStream = new PassThrough();
    logStream.on('data', (c: Buffer) => (logs += c.toString()));
    banker = await buildBankerApp(
      { host: '127.0.0.1', port: 0, controlToken: TOKEN, dataDir, initialState: 'running', auditMaxBytes: 1024 * 1024, logLevel: 'info', shutdownTimeoutMs: 1000 },
      { logStream },
    );
  });
  afterEach(async () => {
    await banker.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('a token in the query string', () => {
    it.each([
      ['POST', `/halt?token=${TOKEN}`, undefined],
      ['POST', `/halt?access_token=${TOKEN}`, auth],
      ['GET', `/state?token=${TOKEN}`, undefined],
      ['POST', `/resume?x=1&token=${TOKEN}`, auth],
    ])('%s %s is refused with 400, changes nothing and is never logged', async (method, url, headers) => {
      const res = await banker.app.inject({ method: method as 'GET' | 'POST', url, headers, ...(method === 'POST' ? { payload: { reason: 'x' } } : {}) });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toContain('Authorization header only');
      expect(banker.tradingSwitch.current().trading).toBe('running');
      expect(logs).toContain('control request with a query string refused');
      expect(logs).toContain('"query":"[redacted]"');
      expect(logs).not.toContain(TOKEN);
    });

    it('stays out of the logs of routes that do not exist or do not take it either', async () => {
      await banker.app.inject({ url: `/halt/now?token=${TOKEN}` });
      await banker.app.inject({ url: `/metrics?token=${TOKEN}` });
      expect(logs).not.toContain(TOKEN);
    });
  });

  describe('strict bodies', () => {
    const halt = (payload: unknown) => banker.app.inject({ method: 'POST', url: '/halt', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });

    it.each([
      [{ reason: 12345 }, '"reason" must be text (a JSON string)'],
      [{ reason: true }, '"reason" must be text (a JSON string)'],
      [{ reason: ['a'] }, '"reason" must be text (a JSON string)'],
      [{ reason: 'x', actor: 7 }, '"actor" must be text (a JSON string)'],
      [{ reason: 'x', urgent: true }, '"urgent" is not a field here (allowed: reason (text, required for /halt), actor (text))'],
      [{ actor: 'watchdog' }, '"reason" is required'],
      [{ reason: '' }, '"reason" must not be empty'],
      [{ reason: 'x'.repeat(501) }, '"reason" must be at most 500 characters'],
      ['halt now', 'the body must be a JSON object'],
      [[{ reason: 'x' }], 'the body must be a JSON object'],
    ])('%j is refused with 400: %s', async (payload, message) => {
      const res = await halt(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toBe(`invalid body: ${message}; send e.g. {"reason": "GPU temperature 95C", "actor": "watchdog"}`);
      expect(banker.tradingSwitch.current().trading).toBe('running');
    });

    it('names every problem at once', async () => {
      const res = await halt({ reason: 1, actor: 2 });
      expect(res.json().message).toContain('"reason" must be text (a JSON string); "actor" must be text (a JSON string)');
    });

    it('still accepts a good body, and /resume without one', async () => {
      expect((await halt({ reason: 'drawdown', actor: 'watchdog' })).statusCode).toBe(200);
      expect((await banker.app.inject({ method: 'POST', url: '/resume', headers: auth })).json()).toMatchObject({ trading: 'running', reason: 'resumed' });
    });
  });
});
