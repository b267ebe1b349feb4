/**
 * What every HostChannel must do, as one set of Jest cases run against each implementation.
 * `base` is a host directory the channel may write in (a temp dir; `/` inside a directory host).
 */
import { BACKUP_SUFFIX, HostCommandError, type HostChannel } from '../channel';

export function channelContract(name: string, setup: () => Promise<{ channel: HostChannel; base: string; cleanup: () => Promise<void> }>): void {
  describe(`${name}: the HostChannel contract`, () => {
    let channel: HostChannel;
    let base: string;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ channel, base, cleanup } = await setup());
    });
    afterAll(async () => {
      await channel?.close();
      await cleanup?.();
    });

    it('reads what it wrote, keeps the old content as a backup, and keeps the mode', async () => {
      const file = `${base}/etc/default/grub`;
      expect(await channel.readFile(file)).toBeUndefined();
      expect(await channel.writeFile(file, 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n', { mode: 0o600 })).toEqual({ path: file, backup: undefined });
      expect(await channel.stat(file)).toEqual({ type: 'file', size: 35, mode: 0o600 });
      const second = await channel.writeFile(file, "it's \"quoted\" $HOME `id`\n");
      expect(second).toEqual({ path: file, backup: `${file}${BACKUP_SUFFIX}` });
      expect(await channel.readFile(file)).toBe("it's \"quoted\" $HOME `id`\n");
      expect(await channel.readFile(`${file}${BACKUP_SUFFIX}`)).toBe('GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n');
      expect((await channel.stat(file))?.mode).toBe(0o600);
      // No temporary file is left beside it.
      expect(await channel.listDir(`${base}/etc/default`)).toEqual(['grub', `grub${BACKUP_SUFFIX}`]);
    });

    it('lists directories and tells files, directories and missing paths apart', async () => {
      await channel.writeFile(`${base}/sys/kernel/iommu_groups/14/devices/0000:01:00.0`, '');
      await channel.writeFile(`${base}/sys/kernel/iommu_groups/14/devices/0000:01:00.1`, '');
      expect(await channel.listDir(`${base}/sys/kernel/iommu_groups/14/devices`)).toEqual(['0000:01:00.0', '0000:01:00.1']);
      expect(await channel.listDir(`${base}/sys/kernel/iommu_groups/15`)).toBeUndefined();
      expect((await channel.stat(`${base}/sys/kernel`))?.type).toBe('directory');
      expect(await channel.stat(`${base}/nope`)).toBeUndefined();
    });

    it('runs commands, passes input, and reports a failing one with its exit code and message', async () => {
      const out = await channel.run(['sh', '-c', 'cat; echo " $1"', 'sh', "it's"], { input: 'piped' });
      expect(out).toEqual({ stdout: "piped it's\n", stderr: '', exitCode: 0 });
      const failing = channel.run(['sh', '-c', 'echo no such thing >&2; exit 7']);
      await expect(failing).rejects.toBeInstanceOf(HostCommandError);
      await expect(failing).rejects.toThrow(/exited with 7: no such thing/);
      expect((await channel.run(['sh', '-c', 'exit 3'], { okExitCodes: [0, 3] })).exitCode).toBe(3);
    });
  });
}
