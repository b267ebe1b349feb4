import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DesiredStateError, loadDesiredState, parseDesiredState } from '@genesis/proxmox';
import { main } from '../cli/main';
import { checkAnswer } from './check';
import { parse } from './toml';
import { InstallerConfigError, renderInstall } from './render';

const repo = resolve(__dirname, '../../../..');
const genesis = join(repo, 'infra/genesis.yaml');
const HASH = '$6$rounds=5000$saltsalt$0123456789abcdefABCDEF./';
const env = { GENESIS_ROOT_PASSWORD_HASH: HASH, GENESIS_ROOT_SSH_KEY: 'ssh-ed25519 AAAAC3Nza genesis@test', PVE_HOST: '' };

function capture() {
  const io = { stdout: '', stderr: '', out: (s: string) => void (io.stdout += s), err: (s: string) => void (io.stderr += s) };
  return io;
}

describe('answer.toml from infra/genesis.yaml', () => {
  const state = () => loadDesiredState(genesis, env, repo);

  it('renders ZFS root, static network from vmbr0, hashed password, SSH key and first-boot, and passes the check', () => {
    const { answerToml } = renderInstall(state());
    const doc = parse(answerToml) as Record<string, Record<string, unknown>>;
    expect(doc.global).toMatchObject({ fqdn: 'pve.hive.lan', 'root-password-hashed': HASH, 'root-ssh-keys': ['ssh-ed25519 AAAAC3Nza genesis@test'] });
    expect(doc.global['root-password']).toBeUndefined();
    expect(doc.network).toEqual({ source: 'from-answer', cidr: '192.168.1.10/24', gateway: '192.168.1.1', dns: '192.168.1.1', filter: { ID_NET_NAME: 'enp3s0' } });
    expect(doc['disk-setup']).toEqual({ filesystem: 'zfs', 'disk-list': ['nvme0n1', 'nvme1n1'], zfs: { raid: 'RAID1', ashift: 12, 'arc-max': 8192, compress: 'lz4' } });
    expect(doc['first-boot']).toEqual({ source: 'from-iso', ordering: 'fully-up' });
    expect(checkAnswer(answerToml)).toMatchObject({ ok: true });
    expect(answerToml).toContain('proxmox-auto-install-assistant prepare-iso --fetch-from iso --answer-file dist/infra/answer.toml');
  });

  it('refuses a plain-text root password with the fix, before anything is written', () => {
    const text = readFileSync(genesis, 'utf8').replace(/ {2}root_password_hashed: .*\n/, "  root_password: hunter2hunter2\n");
    let error: unknown;
    try {
      parseDesiredState(text, 'infra/genesis.yaml', env, join(repo, 'infra'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DesiredStateError);
    const message = (error as Error).message;
    expect(message).toMatch(/infra\/genesis\.yaml:\d+: installer: .*root_password is a plain-text password.*mkpasswd -m sha-512.*openssl passwd -6/);
    expect(message).not.toContain('hunter2');
  });

  it('refuses a hash field holding plain text, an empty hash and a bridge without ports', () => {
    const text = readFileSync(genesis, 'utf8');
    const plainInHash = () => parseDesiredState(text.replace(/root_password_hashed: .*\n/, 'root_password_hashed: secret123\n'), 'g.yaml', env, join(repo, 'infra'));
    expect(plainInHash).toThrow(/installer: .*root_password_hashed does not look like a crypt\(3\) hash/);
    expect(plainInHash).not.toThrow(/secret123/);
    expect(() => renderInstall(loadDesiredState(genesis, { ...env, GENESIS_ROOT_PASSWORD_HASH: '' }, repo))).toThrow(/root_password_hashed: is empty; .*mkpasswd -m sha-512/);
    const noPorts = parseDesiredState(text.replace('    ports: [enp3s0]\n', ''), 'g.yaml', env, join(repo, 'infra'));
    expect(() => renderInstall(noPorts)).toThrow(InstallerConfigError);
    expect(() => renderInstall(noPorts)).toThrow(/bridges\.vmbr0\.ports: is empty/);
  });

  it('CLI: writes dist files (answer 0600, script 0755), checks a file, refuses a bad one with the reason', () => {
    const out = mkdtempSync(join(tmpdir(), 'genesis-answer-'));
    try {
      const saved = { ...process.env };
      Object.assign(process.env, env);
      const io = capture();
      const cwd = process.cwd();
      process.chdir(repo);
      let code: number;
      try {
        code = main(['answer', '--file', 'infra/genesis.yaml', '--out', out], io);
      } finally {
        process.chdir(cwd);
        process.env = saved;
      }
      expect(io.stderr).toBe('');
      expect(code).toBe(0);
      expect(statSync(join(out, 'answer.toml')).mode & 0o777).toBe(0o600);
      expect(statSync(join(out, 'first-boot.sh')).mode & 0o777).toBe(0o755);

      const ok = capture();
      expect(main(['answer', '--check', join(out, 'answer.toml')], ok)).toBe(0);
      expect(ok.stdout).toContain('accepted');

      const bad = join(out, 'bad.toml');
      writeFileSync(bad, readFileSync(join(out, 'answer.toml'), 'utf8').replace('raid = "RAID1"', 'raid = "RAID10"'));
      const refused = capture();
      expect(main(['answer', '--check', bad], refused)).toBe(1);
      expect(refused.stderr).toBe(`${bad}: refused by the installer's rules: ZFS RAID10 needs at least 4 disks, got 2\n`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  const corpus = resolve(repo, '../shared/fixtures/pve-installer');
  (existsSync(corpus) ? it : it.skip)('CLI --env: checks against the installer test machine', () => {
    const io = capture();
    expect(main(['answer', '--check', join(corpus, 'parse_answer/zfs.toml'), '--env', corpus], io)).toBe(0);
    expect(io.stdout).toContain('root disks: /dev/sda, /dev/sdb');
  });

  it('runs as a process (the infra:answer command line)', () => {
    const out = mkdtempSync(join(tmpdir(), 'genesis-answer-'));
    try {
      const stdout = execFileSync(process.execPath, ['-r', '@swc-node/register', 'libs/installer/src/cli/main.ts', 'answer', '--file', 'infra/genesis.yaml', '--out', out], {
        cwd: repo,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      expect(stdout).toContain('answer.toml');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
