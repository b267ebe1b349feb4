/**
 * A real OpenSSH server on loopback for tests: its own host key, a client key authorized for the
 * current user, a known_hosts file naming the server, a free port. `forceCommand` wraps every
 * session (the GPU integration test runs the session inside a chroot with it).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshTarget } from '../ssh';

export const SSHD = '/usr/sbin/sshd';
export const haveSshd = () => existsSync(SSHD) && process.getuid?.() === 0;

export interface TestSshd {
  target: SshTarget;
  port: number;
  dir: string;
  /** What sshd wrote to stderr (for failures). */
  log(): string;
  /** Ends every open connection (what a reboot does to them); the listener stays. */
  dropConnections(): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    // ECONNREFUSED and ECONNRESET both mean: not accepting yet.
    c.once('error', () => resolve(false));
  });
}

export async function startTestSshd(options: { forceCommand?: string } = {}): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'genesis-sshd-'));
  chmodSync(dir, 0o700);
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'genesis-test', '-f', file]);
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o600 });
  // What the ssh.service unit's RuntimeDirectory= makes; sshd refuses to start without it.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      // MaxSessions stays at its default (10 per connection), as on a real host.
      ...(options.forceCommand ? [`ForceCommand ${options.forceCommand}`] : []),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!(await accepting(port))) {
    const failure = child.exitCode !== null ? `sshd exited with ${child.exitCode}: ${stderr}` : Date.now() > deadline ? `sshd did not accept on 127.0.0.1:${port} within 30 s: ${stderr}` : undefined;
    if (failure) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(failure);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    dir,
    target: {
      destination: `${userInfo().username}@127.0.0.1`,
      port,
      identityFile: join(dir, 'client_key'),
      knownHostsFile: join(dir, 'known_hosts'),
      // Nothing of the developer's own ~/.ssh/config leaks into the test.
      configFile: '/dev/null',
    },
    log: () => stderr,
    dropConnections: () => {
      const children = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
      for (const pid of children) process.kill(Number(pid), 'SIGKILL');
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
