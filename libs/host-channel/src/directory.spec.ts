import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaRunner } from './runner';
import { DirectoryHostChannel } from './directory';
import { channelContract } from './testing/contract';

jest.setTimeout(30_000);

channelContract('DirectoryHostChannel', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'genesis-dirhost-'));
  // Commands run for real here, so the contract's shell cases hold as on a host.
  const channel = new DirectoryHostChannel(dir, ([file, ...args], { input }) => execaRunner(file, args, { input, timeoutMs: 30_000 }));
  return { channel, base: '', cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe('DirectoryHostChannel paths', () => {
  it('keeps every host path inside its root', () => {
    const channel = new DirectoryHostChannel('/srv/host', () => ({ stdout: '', stderr: '', exitCode: 0 }));
    expect(channel.resolve('/etc/../../../etc/passwd')).toBe('/srv/host/etc/passwd');
    expect(() => channel.resolve('etc/passwd')).toThrow(/absolute/);
  });
});
