/** The Ubuntu template's user data, rendered with keys and checked by the real `cloud-init schema`. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { renderUserData, UserDataError } from './user-data';

const dir = resolve(__dirname, '../../../../infra/cloud-init');
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly0000000000000000000000 genesis@test';
const hasCloudInit = (() => {
  try {
    execFileSync('cloud-init', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function schema(text: string): string {
  const tmp = mkdtempSync(join(tmpdir(), 'genesis-ud-'));
  try {
    writeFileSync(join(tmp, 'user-data.yaml'), text);
    return execFileSync('cloud-init', ['schema', '--config-file', join(tmp, 'user-data.yaml')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe.each(readdirSync(dir).filter((f) => f.endsWith('.yaml')))('infra/cloud-init/%s', (name) => {
  const text = readFileSync(join(dir, name), 'utf8');

  (hasCloudInit ? it : it.skip)('passes the real cloud-init schema, with the keys from config', () => {
    expect(schema(text)).toContain('Valid cloud-config');
    expect(schema(renderUserData(text, [KEY]))).toContain('Valid cloud-config');
  }, 60_000);

  it('installs Python 3.10 with venv and pip, the NVIDIA server driver and container toolkit, the guest agent; no password', () => {
    const ud = parse(renderUserData(text, [KEY])) as { packages: string[]; users: Record<string, unknown>[]; ssh_pwauth: boolean; apt: { sources: Record<string, { source: string }> } };
    expect(ud.packages).toEqual(expect.arrayContaining(['python3.10', 'python3.10-venv', 'python3-pip', 'qemu-guest-agent', 'nvidia-container-toolkit']));
    expect(ud.packages.some((p) => /^nvidia-driver-\d+-server$/.test(p))).toBe(true);
    expect(Object.values(ud.apt.sources).some((s) => s.source.includes('nvidia.github.io/libnvidia-container'))).toBe(true);
    expect(ud.ssh_pwauth).toBe(false);
    expect(ud.users[0]).toMatchObject({ lock_passwd: true, ssh_authorized_keys: [KEY] });
    expect(Object.keys(ud.users[0])).not.toEqual(expect.arrayContaining(['passwd']));
    expect(renderUserData(text, [KEY])).toContain('# User data for Template-Ubuntu-AI'); // comments kept
  });

  it('refuses no keys, a malformed key, and a password', () => {
    expect(() => renderUserData(text, ['', ' '], name)).toThrow(UserDataError);
    expect(() => renderUserData(text, ['not-a-key'], name)).toThrow(/SSH key 1 is not an OpenSSH public key/);
    expect(() => renderUserData(text.replace('    lock_passwd: true\n', '    lock_passwd: true\n    passwd: $6$x$y\n'), [KEY], name)).toThrow(/users\[0\]\.passwd: sets a password/);
    expect(() => renderUserData(text.replace('ssh_pwauth: false', 'ssh_pwauth: true'), [KEY], name)).toThrow(/ssh_pwauth: false/);
  });
});
