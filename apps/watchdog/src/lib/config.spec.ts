import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadWatchdogConfig, parseWatchdogConfig, WatchdogConfigError } from './config';

const EXAMPLE = resolve(__dirname, '../../../../infra/watchdog/watchdog.example.yaml');
const SECRETS = { PVE_TOKEN_SECRET: '5f0e6a3c-1111-2222-3333-444455556666', BANKER_CONTROL_TOKEN: 'banker-token-0123456789' };

const MINIMAL = `gpio:
  chip: gpiochip0
  button: { line: 17 }
  relay: { line: 27 }
proxmox:
  host: 192.168.1.10
  tokenId: genesis@pve!watchdog
banker:
  url: http://10.0.1.110:3002
killSwitch:
  vms:
    - { vmid: 200 }
heartbeat: {}
`;

function problems(text: string, env: NodeJS.ProcessEnv = SECRETS): string {
  try {
    parseWatchdogConfig(text, '/etc/genesis/watchdog.yaml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(WatchdogConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a WatchdogConfigError');
}

describe('watchdog configuration', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'watchdog-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the example in infra/watchdog once its secret files exist', () => {
    const pve = join(dir, 'pve');
    const banker = join(dir, 'banker');
    writeFileSync(pve, `${SECRETS.PVE_TOKEN_SECRET}\n`, { mode: 0o600 });
    writeFileSync(banker, SECRETS.BANKER_CONTROL_TOKEN, { mode: 0o600 });
    const text = readFileSync(EXAMPLE, 'utf8').replace('/etc/genesis/watchdog/pve-token-secret', pve).replace('/etc/genesis/watchdog/banker-token', banker);
    const config = parseWatchdogConfig(text, EXAMPLE, {});
    expect(config.proxmox.tokenSecret).toBe(SECRETS.PVE_TOKEN_SECRET);
    expect(config.banker.token).toBe(SECRETS.BANKER_CONTROL_TOKEN);
    expect(config.killSwitch.vms.map((v) => `${v.vmid}:${v.action}`)).toEqual(['200:suspend', '110:shutdown']);
    expect(config.gpio.relay.sequenceMs).toEqual([6000, 10_000, 500]);
  });

  it('fills defaults and takes the secrets from the environment', () => {
    const config = parseWatchdogConfig(MINIMAL, 'w.yaml', SECRETS);
    expect(config.gpio.button).toEqual({ line: 17, activeLow: true, bias: 'pull-up', debounceMs: 50 });
    expect(config.heartbeat).toMatchObject({ missesBeforeRelay: 6, startupGraceMs: 300_000, relayMinIntervalMs: 1_800_000, missWhen: 'all-fail' });
    expect(config.killSwitch.vms).toEqual([{ vmid: 200, action: 'stop', timeoutMs: 60_000 }]);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 9102 });
  });

  it('names file, line, field and fix for every problem', () => {
    const text = MINIMAL.replace('button: { line: 17 }', 'button: { line: 27, debounce: 5 }').replace('{ vmid: 200 }', '{ vmid: 200, action: pause }');
    const message = problems(text);
    expect(message).toContain('/etc/genesis/watchdog.yaml:3: gpio.button: unknown key "debounce"; fix: remove it or correct the spelling');
    expect(message).toContain('/etc/genesis/watchdog.yaml:12: killSwitch.vms[0].action: must be one of "stop", "shutdown", "suspend"');
    expect(problems(MINIMAL.replace('  relay: { line: 27 }\n', ''))).toContain(
      '/etc/genesis/watchdog.yaml:1: gpio.relay: is missing; fix: add relay: <object> (see infra/watchdog/watchdog.example.yaml)',
    );
    expect(problems(MINIMAL.replace('button: { line: 17 }', 'button: { line: 27 }'))).toMatch(
      /:3: gpio\.button\.line: is line 27, the same as gpio\.relay\.line; fix: wire each function to its own GPIO/,
    );
    expect(problems(MINIMAL.replace('{ vmid: 200 }', '{ vmid: 200 }\n    - { vmid: 200 }'))).toMatch(/:13: killSwitch\.vms\[1\]\.vmid: VM 200 is listed twice/);
    expect(problems(MINIMAL.replace('relay: { line: 27 }', 'relay: { line: 27, sequenceMs: [100, 100] }'))).toMatch(/gpio\.relay\.sequenceMs: must have an odd number of entries/);
    expect(problems('gpio: [\n')).toMatch(/^watchdog: invalid configuration\n {2}\/etc\/genesis\/watchdog\.yaml:\d+: YAML syntax:/);
  });

  it('never takes a secret it cannot find, and never echoes one', () => {
    const message = problems(MINIMAL, {});
    expect(message).toContain('proxmox: the Proxmox API token secret is not configured; fix: set proxmox.tokenSecretFile to a file holding it, or set PVE_TOKEN_SECRET in the environment');
    expect(message).toContain("banker: Banker's control token is not configured; fix: set banker.tokenFile");
    const loose = join(dir, 'loose');
    writeFileSync(loose, 'a-secret-value-here');
    chmodSync(loose, 0o644);
    const withFile = MINIMAL.replace('  tokenId: genesis@pve!watchdog', `  tokenId: genesis@pve!watchdog\n  tokenSecretFile: ${loose}`);
    const looseMessage = problems(withFile);
    expect(looseMessage).toContain(`:8: proxmox.tokenSecretFile: ${loose} is readable by group or others (mode 644); fix: chmod 600 ${loose}`);
    expect(looseMessage).not.toContain('a-secret-value-here');
    expect(problems(withFile.replace(loose, join(dir, 'absent')))).toMatch(/cannot read .*absent \(ENOENT\); fix: create it/);
  });

  it('says how to get a file that is not there', () => {
    expect(() => loadWatchdogConfig(join(dir, 'none.yaml'), SECRETS)).toThrow(/none\.yaml:0: cannot read the file .*fix: create it from infra\/watchdog\/watchdog\.example\.yaml/);
  });
});
