import { pveConfigFromEnv, validateConnectionConfig } from './config';
import { PveConfigError } from './errors';

const SECRET = '5f0c1f0e-3c1a-4d55-9b7e-0a1b2c3d4e5f';
const FP = 'e6deb581d52f75c708c5a1766898170 92be7f59a21fca8e30f8b1fcec9ee63e8'.replace(' ', '');
const base = { PVE_HOST: '192.168.1.10', PVE_TOKEN_ID: 'root@pam!genesis', PVE_TOKEN_SECRET: SECRET };

function errorOf(env: NodeJS.ProcessEnv): PveConfigError {
  try {
    pveConfigFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(PveConfigError);
    expect((error as Error).message).not.toContain(SECRET);
    return error as PveConfigError;
  }
  throw new Error('expected pveConfigFromEnv to throw');
}

describe('pveConfigFromEnv', () => {
  it('applies defaults: port 8006, node pve, no pin, no trace', () => {
    expect(pveConfigFromEnv(base)).toEqual({
      host: '192.168.1.10',
      port: 8006,
      node: 'pve',
      tokenId: 'root@pam!genesis',
      tokenSecret: SECRET,
    });
  });

  it('reads every variable and normalises the fingerprint to AA:BB:… form', () => {
    const config = pveConfigFromEnv({
      ...base,
      PVE_PORT: '18006',
      PVE_NODE: 'gpu-host',
      PVE_FINGERPRINT: FP,
      PVE_CA_FILE: '/etc/pve/pve-root-ca.pem',
      PVE_TRACE: '/tmp/pve.trace.jsonl',
    });
    expect(config).toMatchObject({
      port: 18006,
      node: 'gpu-host',
      caFile: '/etc/pve/pve-root-ca.pem',
      traceFile: '/tmp/pve.trace.jsonl',
    });
    expect(config.fingerprint).toMatch(/^E6:DE:B5:.*:63:E8$/);
  });

  it('treats blank variables as unset', () => {
    expect(pveConfigFromEnv({ ...base, PVE_PORT: '', PVE_NODE: ' ', PVE_FINGERPRINT: '' })).toMatchObject({
      port: 8006,
      node: 'pve',
    });
  });

  it.each([
    [{ PVE_HOST: undefined }, 'PVE_HOST', /PVE_HOST is not set/],
    [{ PVE_HOST: 'https://pve:8006' }, 'PVE_HOST', /bare host name/],
    [{ PVE_PORT: 'eighty' }, 'PVE_PORT', /not a port number/],
    [{ PVE_PORT: '70000' }, 'PVE_PORT', /1-65535/],
    [{ PVE_NODE: 'pve_1' }, 'PVE_NODE', /not a PVE node name/],
    [{ PVE_TOKEN_ID: undefined }, 'PVE_TOKEN_ID', /PVE_TOKEN_ID is not set.*USER@REALM!TOKENID/],
    [
      { PVE_TOKEN_ID: 'root@pam' },
      'PVE_TOKEN_ID',
      /PVE_TOKEN_ID=root@pam is not in the form USER@REALM!TOKENID.*"!TOKENID" part is missing/,
    ],
    [{ PVE_TOKEN_SECRET: undefined }, 'PVE_TOKEN_SECRET', /PVE_TOKEN_SECRET is not set/],
    [{ PVE_TOKEN_SECRET: 'abc def' }, 'PVE_TOKEN_SECRET', /whitespace/],
    [
      { PVE_FINGERPRINT: 'AB:CD' },
      'PVE_FINGERPRINT',
      /PVE_FINGERPRINT=AB:CD is not a SHA-256 fingerprint: expected 64 hex digits/,
    ],
  ])('%j fails naming %s', (override, variable, message) => {
    const error = errorOf({ ...base, ...override });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
  });

  it('never echoes a secret pasted into PVE_TOKEN_ID', () => {
    const whole = errorOf({ ...base, PVE_TOKEN_ID: `root@pam!genesis=${SECRET}` });
    expect(whole.message).toMatch(/contains '='.*PVE_TOKEN_SECRET/);
    const swapped = errorOf({ ...base, PVE_TOKEN_ID: SECRET, PVE_TOKEN_SECRET: 'root@pam!genesis' });
    expect(swapped.message).toMatch(/looks like the token secret/);
    const other = errorOf({ ...base, PVE_TOKEN_ID: 'x' + SECRET });
    expect(other.message).not.toContain(SECRET);
  });
});

describe('validateConnectionConfig', () => {
  it('checks a hand-built config the same way', () => {
    const config = { host: 'pve', port: 8006, node: 'pve', tokenId: 'root@pam!genesis', tokenSecret: SECRET };
    expect(validateConnectionConfig(config)).toEqual(config);
    expect(() => validateConnectionConfig({ ...config, requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
  });
});
