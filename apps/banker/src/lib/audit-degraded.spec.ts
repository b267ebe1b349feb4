// Banker when its audit log cannot be written (issue 15: /halt answered 500 and trading went on).
// A real directory is made unwritable, for root too (test-support/unwritable.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildBankerApp, type BankerApp } from './app';
import { AuditLog } from './audit-log';
import type { BankerConfig } from './config';
import { makeUnwritable } from '../test-support/unwritable';

const TOKEN = 'watchdog-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const fastRetry = { initialMs: 20, maxMs: 100 };

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('banker with an unwritable audit directory', () => {
  jest.setTimeout(30_000);
  let dataDir: string;
  let config: BankerConfig;
  let restore: (() => void) | undefined;
  let banker: BankerApp | undefined;
  let logs = '';

  async function start(overrides: Partial<BankerConfig> = {}) {
    logs = '';
    const logStream = new PassThrough();
    logStream.on('data', (c: Buffer) => (logs += c.toString()));
    banker = await buildBankerApp({ ...config, ...overrides }, { logStream, auditRetry: fastRetry, haltAuditWaitMs: 200 });
    return banker.app;
  }

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'banker-audit-'));
    config = { host: '127.0.0.1', port: 0, controlToken: TOKEN, dataDir, initialState: 'running', auditMaxBytes: 1024 * 1024, logLevel: 'info', shutdownTimeoutMs: 1000 };
  });
  afterEach(async () => {
    restore?.();
    restore = undefined;
    await banker?.app.close();
    banker = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('halts anyway, says so loudly, refuses to resume, and writes the entry once it can', async () => {
    const app = await start();
    restore = makeUnwritable(dataDir);

    const halt = await app.inject({ method: 'POST', url: '/halt', headers: auth, payload: { reason: 'GPU temp 95C', actor: 'watchdog' } });
    expect(halt.statusCode).toBe(200);
    expect(halt.json()).toMatchObject({ trading: 'halted', changed: true, audit: { status: 'degraded', pendingEntries: 1, lastError: expect.any(String) } });
    const state = await app.inject({ url: '/state', headers: auth });
    expect(state.json()).toMatchObject({ trading: 'halted', reason: 'GPU temp 95C', audit: { status: 'degraded', failingSince: expect.any(String) } });
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/^banker_trading_halted 1$/m);
    expect(metrics).toMatch(/^banker_audit_degraded 1$/m);
    expect(metrics).toMatch(/^banker_audit_pending_entries 1$/m);
    expect(Number(/^banker_audit_write_failures_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(logs).toMatch(/"level":50.*AUDIT LOG WRITE FAILED/);

    const resume = await app.inject({ method: 'POST', url: '/resume', headers: auth, payload: { reason: 'cooled down' } });
    expect(resume.statusCode).toBe(503);
    expect(resume.json().error).toMatch(/^resume refused: the audit log cannot be written .*; trading stays halted$/);
    expect((await app.inject({ url: '/state', headers: auth })).json().trading).toBe('halted');

    restore();
    restore = undefined;
    await until(async () => (await app.inject({ url: '/state', headers: auth })).json().audit.status === 'ok', 'the audit to recover');
    const lines = readFileSync(join(dataDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([{ time: expect.any(String), actor: 'watchdog', from: 'running', to: 'halted', reason: 'GPU temp 95C' }]);
    expect(logs).toContain('audit log writable again');
    expect((await app.inject('/metrics')).body).toMatch(/^banker_audit_degraded 0$/m);
    const resumed = await app.inject({ method: 'POST', url: '/resume', headers: auth, payload: { reason: 'cooled down' } });
    expect(resumed.json()).toMatchObject({ trading: 'running', changed: true });
  });

  it('starts halted, with the halt pending, when the log says running but cannot be written', async () => {
    await new AuditLog(dataDir).append({ time: 't0', actor: 'ops', from: 'halted', to: 'running', reason: 'go' });
    restore = makeUnwritable(dataDir);
    const app = await start();
    expect((await app.inject({ url: '/state', headers: auth })).json()).toMatchObject({
      trading: 'halted',
      actor: 'banker',
      reason: 'the audit log cannot be written at start',
      audit: { status: 'degraded', pendingEntries: 1 },
    });
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready', trading: 'halted', audit: 'degraded' });
    restore();
    restore = undefined;
    await until(async () => (await app.inject({ url: '/state', headers: auth })).json().audit.status === 'ok', 'the audit to recover');
    expect(readFileSync(join(dataDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).to)).toEqual(['running', 'halted']);
  });

  it('a halt that arrives while a resume is being written wins', async () => {
    const app = await start({ initialState: 'halted' });
    const resuming = app.inject({ method: 'POST', url: '/resume', headers: auth, payload: { reason: 'go' } });
    const halting = app.inject({ method: 'POST', url: '/halt', headers: auth, payload: { reason: 'stop now' } });
    const [resume, halt] = await Promise.all([resuming, halting]);
    expect(halt.statusCode).toBe(200);
    expect([200, 409]).toContain(resume.statusCode);
    const state = (await app.inject({ url: '/state', headers: auth })).json();
    expect(state.trading).toBe('halted');
    await app.close();
    banker = undefined;
    // what a restart reads back agrees
    expect((await new AuditLog(dataDir).loadLast()).entry?.to).toBe('halted');
  });
});
