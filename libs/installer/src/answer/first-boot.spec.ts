/**
 * The first-boot script: shellcheck-clean, and run for real by bash against a stand-in for
 * `pveum`/`pveversion` (a PVE host cannot exist here) that keeps users, roles, ACLs and tokens in
 * files and answers `--output-format json` lists the way pveum prints them (compact JSON arrays).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ENGINE_PRIVILEGES, renderFirstBootScript } from './first-boot';

const script = renderFirstBootScript({ user: 'genesis@pve', token: 'genesis', role: 'Genesis' });

const hasShellcheck = (() => {
  try {
    execFileSync('shellcheck', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// pveum stand-in: state in $STATE/{roles,users,tokens,acl,calls}; prints JSON lists like pveum does.
const PVEUM = `#!/bin/bash
set -eu
echo "$*" >>"$STATE/calls"
touch "$STATE/roles" "$STATE/users" "$STATE/tokens"
json() { local f=$1 key=$2 sep='' out='['; while read -r v; do [ -n "$v" ] && out="$out$sep{\\"$key\\":\\"$v\\"}" && sep=','; done <"$f"; echo "$out]"; }
case "$1 $2" in
  "role list") json "$STATE/roles" roleid ;;
  "role add") echo "$3" >>"$STATE/roles" ;;
  "role modify") ;;
  "user list") json "$STATE/users" userid ;;
  "user add") echo "$3" >>"$STATE/users" ;;
  "acl modify") echo "$*" >>"$STATE/acl" ;;
  "user token")
    case "$3" in
      list) json "$STATE/tokens" tokenid ;;
      add) echo "$5" >>"$STATE/tokens"; echo '{"full-tokenid":"'"$4!$5"'","value":"SECRET-0000"}' ;;
    esac ;;
  *) echo "unexpected pveum $*" >&2; exit 2 ;;
esac
`;

describe('first-boot script', () => {
  (hasShellcheck ? it : it.skip)('is shellcheck-clean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genesis-fb-'));
    try {
      writeFileSync(join(dir, 'first-boot.sh'), script);
      expect(() => execFileSync('shellcheck', ['-s', 'bash', join(dir, 'first-boot.sh')], { encoding: 'utf8' })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('creates role, user, ACL and token once, keeps the secret out of the log, and changes nothing on a rerun', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genesis-fb-'));
    try {
      const bin = join(dir, 'bin');
      const state = join(dir, 'state');
      execFileSync('mkdir', ['-p', bin, state]);
      writeFileSync(join(bin, 'pveum'), PVEUM);
      writeFileSync(join(bin, 'pveversion'), '#!/bin/sh\necho "pve-manager/9.1.2/0123456789abcdef (running kernel: 6.14.8-2-pve)"\n');
      chmodSync(join(bin, 'pveum'), 0o755);
      chmodSync(join(bin, 'pveversion'), 0o755);
      const tokenFile = join(dir, 'token.json');
      const body = script.replace("TOKEN_FILE='/root/genesis-api-token.json'", `TOKEN_FILE='${tokenFile}'`);
      writeFileSync(join(dir, 'first-boot.sh'), body);
      const run = () =>
        execFileSync('bash', [join(dir, 'first-boot.sh')], { env: { PATH: `${bin}:/usr/bin:/bin`, STATE: state }, encoding: 'utf8' });

      const first = run();
      expect(first).toContain('role Genesis created');
      expect(first).toContain('user genesis@pve created');
      expect(first).toContain('token genesis@pve!genesis created');
      expect(first).not.toContain('SECRET-0000');
      expect(readFileSync(tokenFile, 'utf8')).toContain('SECRET-0000');
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const calls = readFileSync(join(state, 'calls'), 'utf8');
      expect(calls).toContain(`role add Genesis --privs ${ENGINE_PRIVILEGES.pve9.join(',')}`);
      expect(calls).toContain('user token add genesis@pve genesis --privsep 0');

      const second = run();
      expect(second).toContain('role Genesis updated');
      expect(second).toContain('user genesis@pve exists');
      expect(second).toContain('token genesis@pve!genesis exists');
      expect(readFileSync(join(state, 'users'), 'utf8').trim().split('\n')).toEqual(['genesis@pve']);
      expect(readFileSync(join(state, 'tokens'), 'utf8').trim().split('\n')).toEqual(['genesis']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('refuses names that would need shell quoting', () => {
    expect(() => renderFirstBootScript({ user: 'genesis@pve', token: "x'; rm -rf /", role: 'Genesis' })).toThrow(/cannot be written into the first-boot script/);
  });

  const apiDir = process.env.PVE_API_DIR ?? resolve(__dirname, '../../../../../shared/pve-api');
  const api = (v: string) => join(apiDir, `pve-${v}-apischema.json`);
  (existsSync(api('9.1.3')) ? it : it.skip)('grants only privileges the official PVE 8.4 / 9.1 schemas know', () => {
    const known = (v: string) => new Set(readFileSync(api(v), 'utf8').match(/\b(?:VM|Sys|Datastore|SDN|Mapping)\.[A-Za-z.]*[A-Za-z]/g));
    const pve8 = known('8.4.2');
    const pve9 = known('9.1.3');
    expect(ENGINE_PRIVILEGES.pve8.filter((p) => !pve8.has(p))).toEqual([]);
    expect(ENGINE_PRIVILEGES.pve9.filter((p) => !pve9.has(p))).toEqual([]);
  });
});
