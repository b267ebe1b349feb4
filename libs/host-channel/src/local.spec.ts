import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostUnreachableError } from './channel';
import { LocalHostChannel } from './local';
import type { ProcessRunner } from './runner';
import { channelContract } from './testing/contract';

jest.setTimeout(30_000);

channelContract('LocalHostChannel', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'genesis-local-'));
  return { channel: new LocalHostChannel(), base: dir, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe('LocalHostChannel as another user', () => {
  it('runs every command through sudo -n and names the fix when sudo wants a password', async () => {
    const calls: string[][] = [];
    const runner: ProcessRunner = async (file, args) => {
      calls.push([file, ...args]);
      // sudo 1.9.13's exact words when -n meets a password prompt.
      return { stdout: '', stderr: 'sudo: a password is required\n', exitCode: 1 };
    };
    const channel = new LocalHostChannel({ runner, isRoot: false });
    await expect(channel.run(['update-initramfs', '-u', '-k', 'all'])).rejects.toBeInstanceOf(HostUnreachableError);
    await expect(channel.readFile('/etc/kernel/cmdline')).rejects.toThrow(/sudo asks for a password.*NOPASSWD/);
    expect(calls[0]).toEqual(['sudo', '-n', '--', 'update-initramfs', '-u', '-k', 'all']);
  });
});
