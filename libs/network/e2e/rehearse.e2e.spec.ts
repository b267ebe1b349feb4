/**
 * `network:e2e`: the rehearsal for real (root, network namespaces, ifupdown2, nft). genesis.yaml
 * passes every expectation; the same file broken on purpose fails the expectation it breaks; and an
 * interrupted rehearsal leaves no namespace behind. Needs root: skipped without it, except in CI.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { rehearse, type RehearsalResult } from '../src/rehearsal/rehearse';
import { REPO_ROOT, asRoot, genesisWith } from '../src/testing';

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
const failed = (r: RehearsalResult) => r.expectations.filter((e) => !e.ok).map((e) => e.name);

describe('infra:rehearse', () => {
  asRoot('passes every expectation for infra/genesis.yaml, and removes what it made', async () => {
    const r = await rehearse(genesisWith());
    expect(failed(r)).toEqual([]);
    expect(r.expectations.length).toBe(13);
    expect(r.ok).toBe(true);
    expect(namespaces()).not.toContain(r.prefix);
  });

  asRoot('fails when the desired state lets the DMZ reach the intranet (and opens a declared port forward)', async () => {
    const r = await rehearse(
      genesisWith(
        ['    comment: DMZ (The Arena)\n', '    comment: DMZ (The Arena)\n    reach: [vmbr1]\n'],
        ['    comment: Intranet\n', '    comment: Intranet\n    forwards: [{ port: 8443, to: 10.0.1.100, to_port: 9443 }]\n'],
      ),
    );
    expect(r.expectations.find((e) => e.name.startsWith('outside 198.51.100.10 opens the declared forward'))).toMatchObject({
      name: 'outside 198.51.100.10 opens the declared forward 192.168.1.10:8443 to 10.0.1.100:9443 on vmbr1',
      ok: true,
    });
    expect(r.ok).toBe(false);
    expect(failed(r)).toEqual([
      'VM on vmbr2 cannot ping the VM on vmbr1 (10.0.1.100)',
      'VM on vmbr2 cannot open TCP to the VM on vmbr1 (10.0.1.100:8080)',
    ]);
  });

  asRoot('fails when the desired state drops NAT from the intranet', async () => {
    const r = await rehearse(genesisWith(['    cidr: 10.0.1.1/24\n    nat: vmbr0\n', '    cidr: 10.0.1.1/24\n']));
    expect(r.ok).toBe(false);
    expect(failed(r)).toEqual(['VM on vmbr1 opens TCP to 198.51.100.10:8080 through NAT; the outside sees 192.168.1.10']);
    expect(r.expectations.find((e) => !e.ok)?.detail).toBe('outside saw 10.0.1.100, not 192.168.1.10');
  });

  asRoot('removes every namespace it made when interrupted (SIGTERM)', async () => {
    const cli = spawn(process.execPath, ['-r', '@swc-node/register', join(REPO_ROOT, 'libs/network/src/cli/main.ts'), 'rehearse', '--file', 'infra/genesis.yaml'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    const prefix = await new Promise<string>((resolve, reject) => {
      cli.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Interrupt once ifup is running: namespaces and links exist.
        const m = /rehearsal (gn[0-9a-f]+):[\s\S]*applying the rendered interfaces/.exec(out);
        if (m) resolve(m[1]);
      });
      cli.stderr.on('data', (d: Buffer) => (out += d.toString()));
      void exited.then(() => reject(new Error(`the rehearsal ended before it was interrupted: ${out}`)));
    });
    expect(namespaces()).toContain(prefix);
    cli.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(namespaces()).not.toContain(prefix);
  });
});
