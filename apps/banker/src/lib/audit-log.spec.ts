// The audit log on disk: rotation by size with every segment kept, and a start that reads only
// the newest segment however long the history (issue 15: 18 MB took 12 s to load).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_FILE_NAME, AuditLog, AuditLogError, segmentName, type AuditEntry } from './audit-log';
import { buildBankerApp } from './app';

const entry = (i: number): AuditEntry => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  actor: 'watchdog',
  from: i % 2 ? 'running' : 'halted',
  to: i % 2 ? 'halted' : 'running',
  reason: `change ${i}`,
});
const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);

describe('AuditLog', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'banker-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rotates by size into numbered segments, keeping every entry in order', async () => {
    const log = new AuditLog(dir, 1000);
    for (let i = 1; i <= 40; i++) await log.append(entry(i));
    const segments = await log.segments();
    expect(segments.length).toBeGreaterThanOrEqual(4);
    expect(segments.map((s) => s.path)).toEqual(segments.map((s, i) => join(dir, segmentName(i + 1))));
    const all = [...segments.map((s) => s.path), join(dir, AUDIT_FILE_NAME)].flatMap(lines);
    expect(all).toEqual(Array.from({ length: 40 }, (_, i) => entry(i + 1)));
    for (const s of segments) expect(readFileSync(s.path).length).toBeLessThanOrEqual(1000);
  });

  it('restarts from the newest segment only, whatever lies in the older ones', async () => {
    // 20 MB of history that a start must not read: if it did, the damage would stop it.
    writeFileSync(join(dir, segmentName(1)), 'not json\n'.repeat(2_000_000));
    writeFileSync(join(dir, segmentName(2)), JSON.stringify(entry(1)) + '\n');
    const log = new AuditLog(dir, 1000);
    for (let i = 2; i <= 30; i++) await log.append(entry(i));
    const restarted = await new AuditLog(dir, 1000).loadLast();
    expect(restarted.entry).toEqual(entry(30));
    expect(restarted.file).toBe(join(dir, AUDIT_FILE_NAME));
    expect(restarted.bytesRead).toBeLessThanOrEqual(1000);
    expect(readdirSync(dir).length).toBeGreaterThan(3);
  });

  it('reads the newest rotated segment back when the current one is gone or empty (a crash right after rotating)', async () => {
    const log = new AuditLog(dir, 400);
    for (let i = 1; i <= 6; i++) await log.append(entry(i));
    rmSync(join(dir, AUDIT_FILE_NAME));
    writeFileSync(join(dir, AUDIT_FILE_NAME), '');
    const last = await new AuditLog(dir, 400).loadLast();
    const newest = (await log.segments()).at(-1);
    expect(last.file).toBe(newest?.path);
    expect(last.entry).toEqual(lines(newest?.path ?? '').at(-1));
  });

  it('numbers on from the highest segment after a restart', async () => {
    writeFileSync(join(dir, segmentName(7)), JSON.stringify(entry(1)) + '\n');
    const log = new AuditLog(dir, 300);
    for (let i = 2; i <= 6; i++) await log.append(entry(i));
    expect((await log.segments()).map((s) => s.n)).toEqual(expect.arrayContaining([7, 8]));
    expect(existsSync(join(dir, segmentName(1)))).toBe(false);
  });

  it('still names file, line and fix for a damaged newest segment', async () => {
    writeFileSync(join(dir, AUDIT_FILE_NAME), JSON.stringify(entry(1)) + '\n{"oops"\n');
    await expect(new AuditLog(dir).loadLast()).rejects.toThrow(AuditLogError);
    await expect(new AuditLog(dir).loadLast()).rejects.toThrow(/audit\.jsonl:2: not an audit entry .*fix: repair or delete line 2/);
  });

  it('keeps the history across restarts of the whole app', async () => {
    const config = { host: '127.0.0.1', port: 0, controlToken: 'watchdog-token-0123456789', dataDir: dir, initialState: 'running' as const, auditMaxBytes: 4096, logLevel: 'silent' as const, shutdownTimeoutMs: 1000 };
    const auth = { authorization: `Bearer ${config.controlToken}` };
    for (let run = 0; run < 3; run++) {
      const { app } = await buildBankerApp(config);
      for (let i = 0; i < 15; i++) {
        await app.inject({ method: 'POST', url: '/halt', headers: auth, payload: { reason: `run ${run} halt ${i}` } });
        await app.inject({ method: 'POST', url: '/resume', headers: auth, payload: { reason: `run ${run} resume ${i}` } });
      }
      await app.inject({ method: 'POST', url: '/halt', headers: auth, payload: { reason: `run ${run} last` } });
      await app.close();
    }
    const { app } = await buildBankerApp(config);
    expect((await app.inject({ url: '/state', headers: auth })).json()).toMatchObject({ trading: 'halted', reason: 'run 2 last' });
    await app.close();
    const log = new AuditLog(dir, 4096);
    const history = [...(await log.segments()).map((s) => s.path), join(dir, AUDIT_FILE_NAME)].flatMap(lines);
    // 31 changes per run, less the first halt of runs 2 and 3: they start halted already.
    expect(history).toHaveLength(3 * 31 - 2);
    expect(history.every((e, i) => i === 0 || e.from === history[i - 1].to)).toBe(true);
  });
});
