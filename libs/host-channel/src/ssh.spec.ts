import { HostUnreachableError } from './channel';
import type { ProcessRunner } from './runner';
import { sshArgs, SshHostChannel } from './ssh';
import { channelContract } from './testing/contract';
import { haveSshd, startTestSshd, type TestSshd } from './testing/sshd';

jest.setTimeout(60_000);

describe('ssh arguments', () => {
  it('batch mode, timeouts and one multiplexed connection; the user config stays in force', () => {
    const args = sshArgs({ destination: 'root@192.168.1.10', port: 2222 }, '/tmp/genesis-ssh-x/%C');
    expect(args).toEqual([
      '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=10',
      '-o', 'ControlMaster=auto',
      '-o', 'ControlPath=/tmp/genesis-ssh-x/%C',
      '-o', 'ControlPersist=60',
      '-o', 'ServerAliveInterval=15',
      '-o', 'ServerAliveCountMax=4',
      '-p', '2222',
    ]);
    // No -F, no UserKnownHostsFile, no StrictHostKeyChecking: ~/.ssh/config and known_hosts decide.
    expect(args.join(' ')).not.toMatch(/StrictHostKeyChecking|UserKnownHostsFile|-F /);
  });

  it('sends one quoted command, switches to sudo -n for a non-root login, and explains ssh failures', async () => {
    const remote: string[] = [];
    const runner: ProcessRunner = async (_file, args) => {
      const command = args[args.length - 1];
      remote.push(command);
      if (command === 'id -u') return { stdout: '1000\n', stderr: '', exitCode: 0 };
      return { stdout: 'ok\n', stderr: '', exitCode: 0 };
    };
    const channel = new SshHostChannel({ destination: 'admin@pve' }, { runner });
    await channel.run(['sh', '-c', 'echo "$1"', 'sh', "it's"]);
    expect(remote).toEqual(['id -u', `sudo -n -- sh -c 'echo "$1"' sh 'it'\\''s'`]);
    await channel.close();

    const refused: ProcessRunner = async () => ({
      stdout: '',
      // OpenSSH 9.2's words for a host whose key is not in known_hosts under BatchMode.
      stderr: 'No ED25519 host key is known for 192.168.1.10 and you have requested strict checking.\r\nHost key verification failed.\r\n',
      exitCode: 255,
    });
    const unknown = new SshHostChannel({ destination: 'root@192.168.1.10' }, { runner: refused });
    const failure = unknown.readFile('/etc/kernel/cmdline');
    await expect(failure).rejects.toBeInstanceOf(HostUnreachableError);
    await expect(failure).rejects.toThrow(/Host key verification failed.*add the host's key to known_hosts/);
    await unknown.close();
  });
});

const describeSshd = haveSshd() || process.env.CI === 'true' ? describe : describe.skip;

describeSshd('SshHostChannel over a real OpenSSH server on loopback', () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startTestSshd();
  });
  afterAll(async () => sshd?.stop());

  it('refuses a server whose key is not known, without asking', async () => {
    const channel = new SshHostChannel({ ...sshd.target, knownHostsFile: '/dev/null' });
    await expect(channel.run(['true'])).rejects.toThrow(/Host key verification failed/);
    await channel.close();
  });

  it('after the host drops the connection (a reboot), the next command connects again', async () => {
    const channel = new SshHostChannel(sshd.target);
    await channel.run(['true']);
    sshd.dropConnections();
    const deadline = Date.now() + 30_000;
    let out = await channel.run(['echo', 'back']).catch((e: Error) => e);
    while (out instanceof Error && Date.now() < deadline) out = await channel.run(['echo', 'back']).catch((e: Error) => e);
    expect(out).toEqual({ stdout: 'back\n', stderr: '', exitCode: 0 });
    await channel.close();
  });

  it('multiplexes: one master connection serves every command of the run, and close() ends it', async () => {
    const accepted = () => sshd.log().match(/Accepted publickey/g)?.length ?? 0;
    const before = accepted();
    const channel = new SshHostChannel(sshd.target);
    try {
      for (let i = 0; i < 5; i++) await channel.run(['true']);
      // sshd logs one accepted publickey authentication per TCP connection.
      expect(accepted() - before).toBe(1);
    } finally {
      await channel.close();
    }
    const again = new SshHostChannel(sshd.target);
    await again.run(['true']);
    await again.close();
    expect(accepted() - before).toBe(2);
  });
});

if (haveSshd() || process.env.CI === 'true') {
  channelContract('SshHostChannel', async () => {
    const sshd = await startTestSshd();
    const { mkdtempSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/genesis-ssh-contract-');
    return { channel: new SshHostChannel(sshd.target), base: dir, cleanup: async () => { rmSync(dir, { recursive: true, force: true }); await sshd.stop(); } };
  });
}
