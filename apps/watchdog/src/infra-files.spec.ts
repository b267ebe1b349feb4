// The files an operator installs on the Pi (infra/watchdog): the systemd unit restarts on failure
// but not on a configuration error, and passes `systemd-analyze verify` where systemd is present.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '../../../infra/watchdog');

describe('infra/watchdog', () => {
  const unit = readFileSync(join(DIR, 'genesis-watchdog.service'), 'utf8');

  it('runs the bundle with --config only, restarts on failure, never on exit 78', () => {
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/genesis-watchdog\/main\.js --config \/etc\/genesis\/watchdog\.yaml$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=78$/m);
    expect(unit).toMatch(/^StateDirectory=genesis-watchdog$/m);
    expect(unit).not.toMatch(/^(Environment|ExecStart)=.*(TOKEN|SECRET)/m);
  });

  it('passes systemd-analyze verify', () => {
    try {
      execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    } catch {
      console.warn('systemd-analyze not found: unit file not verified');
      return;
    }
    // Missing /usr/bin/node or user on this machine are reported but are not unit-file errors.
    let output = '';
    try {
      output = execFileSync('systemd-analyze', ['verify', join(DIR, 'genesis-watchdog.service')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      output = String((err as { stderr?: string }).stderr ?? '');
    }
    const problems = output.split('\n').filter((l) => l.trim() && !/Command .* is not executable|No such file or directory|node/.test(l));
    expect(problems).toEqual([]);
  });
});
