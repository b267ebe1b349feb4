import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe as describeSim } from './cli';
import { startTestSimulator } from './server/testing';

describe('pve-sim CLI', () => {
  it('prints the URL, tokens, fingerprint and the env lines a client needs', async () => {
    const sim = await startTestSimulator();
    try {
      const text = describeSim(sim, { latencyMs: 20, faults: [{ kind: 'http500', method: 'GET', path: '/nodes/.*', rate: 0.2 }] });
      expect(text).toContain('latency:     20 ms per request');
      expect(text).toContain('fault:       http500 GET /nodes/.* rate=0.2');
      expect(text).toContain(`listening on ${sim.url}/api2/json`);
      expect(text).toContain(`id=root@pam!genesis secret=${sim.tokens.root.secret}`);
      expect(text).toContain(`id=monitor@pve!exporter secret=${sim.tokens.auditor.secret}`);
      expect(text).toContain(`PVE_HOST=127.0.0.1 PVE_PORT=${sim.port} PVE_NODE=pve PVE_FINGERPRINT=${sim.fingerprint}`);
    } finally {
      await sim.stop();
    }
  });

  it('rejects a bad flag with the usage', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'cli.ts'), '--fault', 'nope'], { cwd: join(__dirname, '..', '..', '..') }, (error, _stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--fault 'nope': kind must be http500, lockTimeout or taskFail");
    expect(result.stderr).toContain('Usage: pve-sim');
  }, 20000);
});
