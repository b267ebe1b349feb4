/**
 * Issue 15: a wrong setting stops the process with one line naming the variable and the fix, never
 * a stack trace. Runs the real entry point (from source) as a child process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '../../..');

function start(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/exporters/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, EXPORTERS_HOST: '127.0.0.1', EXPORTERS_PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 45_000,
  });
  return { status: result.status, stderr: result.stderr.trim(), stdout: result.stdout.trim() };
}

describe('exporters start-up errors', () => {
  it.each([
    [
      'a malformed PVE_FINGERPRINT',
      { EXPORTERS_PROXMOX_ENABLED: 'true', PVE_HOST: '192.168.1.10', PVE_TOKEN_ID: 'genesis@pve!exporters', PVE_TOKEN_SECRET: '0b1c2d3e-0000-4000-8000-000000000000', PVE_FINGERPRINT: 'AB:CD:not-hex' },
      /PVE_FINGERPRINT.*64 hex digits/,
    ],
    ['PVE_HOST missing with the Proxmox collector on', { EXPORTERS_PROXMOX_ENABLED: 'true' }, /PVE_HOST is not set/],
    ['a wrong type in the exporter settings', { EXPORTERS_GPU_INTERVAL_SECONDS: '-1' }, /gpu\.intervalSeconds/],
    ['a maximum sample age shorter than the interval', { EXPORTERS_GPU_INTERVAL_SECONDS: '10', EXPORTERS_GPU_MAX_SAMPLE_AGE_SECONDS: '5' }, /gpu\.maxSampleAgeSeconds.*must be longer/],
  ])('%s: exit 2 and one line', (_what, env, message) => {
    const r = start(env);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^exporters: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // The secret is never echoed.
    expect(r.stderr).not.toContain('0b1c2d3e');
  });
});
