// Runs the real entry point as a process: bad configuration exits 78 naming the variable;
// SIGTERM exits 0 after a clean stop.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../../..');
const entry = resolve(__dirname, 'main.ts');

function run(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('banker main', () => {
  jest.setTimeout(20_000);

  it('refuses to start without a control token', async () => {
    const p = run({ PORT: '0' });
    expect(await p.exited).toBe(78);
    expect(p.err()).toMatch(/BANKER_CONTROL_TOKEN: is required but not set; fix:/);
  });

  it('exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'banker-main-'));
    const p = run({ PORT: '0', HOST: '127.0.0.1', BANKER_CONTROL_TOKEN: 'a-long-enough-token', BANKER_DATA_DIR: dataDir });
    await new Promise<void>((ready, fail) => {
      p.exited.then((code) => fail(new Error(`banker exited early (${code}): ${p.err()}`)));
      const check = () => (p.out().includes('banker ready') ? ready() : setTimeout(check, 50));
      check();
    });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('stopped cleanly');
    expect(p.out()).not.toContain('a-long-enough-token');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
