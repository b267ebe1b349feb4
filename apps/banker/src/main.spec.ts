// Runs the real entry point as a process: bad configuration exits 78 naming the variable;
// SIGTERM exits 0 after a clean stop.
import { spawnService, waitForOutput } from '@genesis/service-kit/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const entry = resolve(__dirname, 'main.ts');
const run = (env: NodeJS.ProcessEnv) => spawnService(entry, env);

describe('banker main', () => {
  jest.setTimeout(60_000);

  it('refuses to start without a control token', async () => {
    const p = run({ PORT: '0' });
    expect(await p.exited).toBe(78);
    expect(p.err()).toMatch(/BANKER_CONTROL_TOKEN: is required but not set; fix:/);
  });

  it('refuses the placeholder token of .env.example with one line naming the fix', async () => {
    const p = run({ PORT: '0', BANKER_CONTROL_TOKEN: 'change-me-to-a-long-random-secret' });
    expect(await p.exited).toBe(78);
    expect(p.err().trim().split('\n')).toEqual([expect.stringMatching(/^banker: invalid configuration: BANKER_CONTROL_TOKEN: is the placeholder .*fix: .*openssl rand -hex 32/)]);
  });

  it('exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'banker-main-'));
    const p = run({ PORT: '0', HOST: '127.0.0.1', BANKER_CONTROL_TOKEN: 'a-long-enough-token', BANKER_DATA_DIR: dataDir });
    await waitForOutput(p, 'banker ready', 'banker');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('stopped cleanly');
    expect(p.out()).not.toContain('a-long-enough-token');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
