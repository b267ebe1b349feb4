// The fakes themselves: shellcheck-clean, and as strict as the real tools, so a watchdog that
// spoke the wrong generation's dialect would fail against them the way it would on a Pi.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FAKE_TOOLS_DIR, FakeGpio } from './fake-gpio';

const TOOLS = ['gpiomon', 'gpioset', 'gpioget', 'gpiodetect', 'common.sh'];

function run(fake: FakeGpio, tool: string, args: string[]) {
  const r = spawnSync(join(FAKE_TOOLS_DIR, tool), args, { env: { ...process.env, ...fake.env }, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('fake libgpiod tools', () => {
  jest.setTimeout(30_000);

  it('pass shellcheck', () => {
    try {
      execFileSync('shellcheck', ['--version'], { stdio: 'ignore' });
    } catch {
      if (process.env.CI === 'true') throw new Error('shellcheck not found; run scripts/setup/install-dependencies.sh');
      console.warn('shellcheck not found: fake libgpiod tools not checked');
      return;
    }
    execFileSync('shellcheck', ['-x', ...TOOLS], { cwd: FAKE_TOOLS_DIR, stdio: 'pipe' });
  });

  it('refuse the other generation’s options with the real tools’ messages', () => {
    const v1 = new FakeGpio('1.6.3');
    const v2 = new FakeGpio('2.2.1');
    try {
      // tools/gpiomon.c (1.6): no --chip; getopt_long's message, then die("try %s --help").
      expect(run(v1, 'gpiomon', ['--chip=gpiochip0', '17'])).toEqual({ code: 1, out: '', err: "gpiomon: unrecognized option '--chip=gpiochip0'\ngpiomon: try gpiomon --help\n" });
      // 2.x: -b is --bias and needs a value; a 1.6 `-b` (line-buffered) swallows the next argument.
      expect(run(v2, 'gpiomon', ['-b', '--format=%e', 'gpiochip0', '17']).err).toBe('gpiomon: invalid bias: --format=%e\n');
      // 2.x spells the bias "disabled", 1.6 "disable".
      expect(run(v2, 'gpiomon', ['--chip=gpiochip0', '--bias=disable', '17']).err).toBe('gpiomon: invalid bias: disable\n');
      // 1.6 gpioset has no --toggle; 2.x has no --mode.
      expect(run(v1, 'gpioset', ['--toggle=1ms,0', 'gpiochip0', '27=1']).code).toBe(1);
      expect(run(v2, 'gpioset', ['--mode=time', '--chip=gpiochip0', '27=1']).err).toContain("unrecognized option '--mode=time'");
      expect(run(v2, 'gpiodetect', ['--version']).out).toMatch(/^gpiodetect \(libgpiod\) v2\.2\.1\nCopyright \(C\) 2017-2023 Bartosz Golaszewski\nLicense: GPL-2\.0-or-later\n/);
    } finally {
      v1.cleanup();
      v2.cleanup();
    }
  });
});
