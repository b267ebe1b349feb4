import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe as describeSim } from './cli';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { describeWithSchema, startTestSimulator } from './server/testing';

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

  it('rejects an unknown --pve-version, naming the releases it can be', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'cli.ts'), '--pve-version', '7.4'], { cwd: join(__dirname, '..', '..', '..') }, (error, _stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--pve-version '7.4' is not a simulated Proxmox VE release; use 9.1 or 8.4 (default 9.1)");
  }, 30000);

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

describeWithSchema('pve-sim serve --pve-version', () => {
  it.each([
    [[], '9.1.3'],
    [['--pve-version', '8.4'], '8.4.2'],
  ])('serve %j starts and /version says which release it is', async (flags, version) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'cli.ts'), '--port', '0', ...flags], {
      cwd: join(__dirname, '..', '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      while (!/PVE_TOKEN_SECRET=\S+/.test(out)) {
        if (child.exitCode !== null) throw new Error(`serve exited: ${out}`);
        await Promise.race([once(child.stdout, 'data'), once(child, 'exit')]);
      }
      expect(out).toContain(`pve-sim: Proxmox VE ${version} API simulator listening on https://127.0.0.1:`);
      const port = Number(/PVE_PORT=(\d+)/.exec(out)?.[1]);
      const [, id, secret] = /PVE_TOKEN_ID=(\S+) PVE_TOKEN_SECRET=(\S+)/.exec(out) ?? [];
      const fingerprint = /PVE_FINGERPRINT=(\S+)/.exec(out)?.[1];
      // Pinned by the printed fingerprint, as the engine's client pins a real host.
      const answer = await new Promise<{ fingerprint: string; body: string }>((resolve, reject) => {
        const req = httpsRequest(
          { host: '127.0.0.1', port, path: '/api2/json/version', rejectUnauthorized: false, agent: false, headers: { authorization: `PVEAPIToken=${id}=${secret}` } },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ fingerprint: (res.socket as TLSSocket).getPeerCertificate().fingerprint256, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(answer.fingerprint).toBe(fingerprint);
      expect(JSON.parse(answer.body).data).toMatchObject({ version, release: version.slice(0, 3) });
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  }, 60000);
});
