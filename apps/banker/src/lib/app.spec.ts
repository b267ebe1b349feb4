import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildBankerApp } from './app';
import { AuditLogError } from './audit-log';
import type { BankerConfig } from './config';

const TOKEN = 'watchdog-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('banker app', () => {
  let dataDir: string;
  let config: BankerConfig;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'banker-'));
    config = { host: '127.0.0.1', port: 0, controlToken: TOKEN, dataDir, initialState: 'running', auditMaxBytes: 1024 * 1024, logLevel: 'silent', shutdownTimeoutMs: 1000 };
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is alive and ready with a writable data directory', async () => {
    const { app } = await buildBankerApp(config);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready', trading: 'running', audit: 'ok' });
    await app.close();
  });

  it('rejects control requests without the right token and never logs it', async () => {
    let logs = '';
    const logStream = new PassThrough();
    logStream.on('data', (c: Buffer) => (logs += c.toString()));
    const { app } = await buildBankerApp({ ...config, logLevel: 'info' }, { logStream });
    expect((await app.inject({ method: 'POST', url: '/halt', payload: { reason: 'x' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/state', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/halt', headers: auth, payload: {} })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/halt', headers: auth, payload: { reason: 'drawdown', actor: 'watchdog' } })).statusCode).toBe(200);
    expect(logs).toContain('trading halted by watchdog');
    expect(logs).not.toContain(TOKEN);
    await app.close();
  });

  it('halts and resumes, audits each change once, and reports it in metrics', async () => {
    const { app } = await buildBankerApp(config);
    const halt = await app.inject({ method: 'POST', url: '/halt', headers: auth, payload: { reason: 'GPU temp 95C', actor: 'watchdog' } });
    expect(halt.json()).toMatchObject({ trading: 'halted', changed: true, actor: 'watchdog', reason: 'GPU temp 95C' });
    const again = await app.inject({ method: 'POST', url: '/halt', headers: auth, payload: { reason: 'again' } });
    expect(again.json()).toMatchObject({ trading: 'halted', changed: false, reason: 'GPU temp 95C' });
    let metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/^banker_trading_halted 1$/m);
    await app.inject({ method: 'POST', url: '/resume', headers: auth, payload: { actor: 'ops', reason: 'cooled down' } });
    metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/^banker_trading_halted 0$/m);
    expect(metrics).toMatch(/^banker_state_changes_total\{to="halted"\} 1$/m);
    expect(metrics).toMatch(/^banker_state_changes_total\{to="running"\} 1$/m);
    const lines = readFileSync(join(dataDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { time: expect.any(String), actor: 'watchdog', from: 'running', to: 'halted', reason: 'GPU temp 95C' },
      { time: expect.any(String), actor: 'ops', from: 'halted', to: 'running', reason: 'cooled down' },
    ]);
    await app.close();
  });

  it('restores the last state from the audit log after a restart', async () => {
    const first = await buildBankerApp(config);
    await first.app.inject({ method: 'POST', url: '/halt', headers: auth, payload: { reason: 'maintenance' } });
    await first.app.close();
    const second = await buildBankerApp(config);
    expect((await second.app.inject({ url: '/state', headers: auth })).json()).toMatchObject({ trading: 'halted', actor: 'api', reason: 'maintenance' });
    expect((await second.app.inject('/metrics')).body).toMatch(/^banker_trading_halted 1$/m);
    await second.app.close();
  });

  it('starts halted when the log is empty and the fail-safe default applies', async () => {
    const { app } = await buildBankerApp({ ...config, initialState: 'halted' });
    expect((await app.inject({ url: '/state', headers: auth })).json()).toEqual({
      trading: 'halted',
      since: null,
      actor: null,
      reason: null,
      audit: { status: 'ok', pendingEntries: 0, lastError: null, failingSince: null },
    });
    await app.close();
  });

  it('refuses to start on a damaged audit log, naming file, line and fix', async () => {
    writeFileSync(join(dataDir, 'audit.jsonl'), '{"time":"t","actor":"a","from":"running","to":"halted","reason":"r"}\nnot json\n');
    await expect(buildBankerApp(config)).rejects.toThrow(AuditLogError);
    await expect(buildBankerApp(config)).rejects.toThrow(/audit\.jsonl:2: .*fix: repair or delete line 2/);
    writeFileSync(join(dataDir, 'audit.jsonl'), '{"time":"t","actor":"a","from":"running","to":"hal');
    await expect(buildBankerApp(config)).rejects.toThrow(/audit\.jsonl:1: the last entry is incomplete/);
  });
});
