import { encodeForm, normaliseParams, redactParams } from './params';

describe('normaliseParams', () => {
  it('sends booleans as 1/0, numbers as decimals and drops undefined', () => {
    expect(
      normaliseParams({
        onboot: true,
        agent: false,
        cores: 8,
        memory: 16384,
        name: 'llm',
        description: undefined,
      }),
    ).toEqual({
      onboot: '1',
      agent: '0',
      cores: '8',
      memory: '16384',
      name: 'llm',
    });
    expect(normaliseParams(undefined)).toEqual({});
  });

  it('refuses NaN and Infinity instead of sending "NaN"', () => {
    expect(() => normaliseParams({ cores: NaN })).toThrow(/cores must be a finite number/);
  });
});

describe('encodeForm', () => {
  it('percent-encodes property strings and keeps order', () => {
    expect(encodeForm({ net0: 'virtio,bridge=vmbr0,firewall=1', sshkeys: 'ssh-ed25519 AAAA a@b' })).toBe(
      'net0=virtio%2Cbridge%3Dvmbr0%2Cfirewall%3D1&sshkeys=ssh-ed25519+AAAA+a%40b',
    );
    expect(new URLSearchParams(encodeForm({ a: 'x&y=z' })).get('a')).toBe('x&y=z');
  });

  it('sends a list as the key repeated, as PVE reads array parameters (agent/exec command)', () => {
    const form = encodeForm(normaliseParams({ command: ['nvidia-smi', '--query-gpu=name,driver_version', '--format=csv,noheader'] }));
    expect(new URLSearchParams(form).getAll('command')).toEqual(['nvidia-smi', '--query-gpu=name,driver_version', '--format=csv,noheader']);
  });
});

describe('redactParams', () => {
  it('masks every parameter whose name looks secret', () => {
    const out = redactParams({
      password: 'p',
      cipassword: 'c',
      'smb-secret': 's',
      token: 't',
      sshkeys: 'k',
      'api-Key': 'k2',
      name: 'vm',
      net0: 'virtio,bridge=vmbr0',
    });
    expect(out).toEqual({
      password: '***',
      cipassword: '***',
      'smb-secret': '***',
      token: '***',
      sshkeys: '***',
      'api-Key': '***',
      name: 'vm',
      net0: 'virtio,bridge=vmbr0',
    });
  });

  it('masks a known secret value under an innocent name', () => {
    expect(redactParams({ description: 'x 1234-abcd y', name: 'vm' }, ['1234-abcd'])).toEqual({
      description: '***',
      name: 'vm',
    });
  });
});
