// Arguments and outputs of both libgpiod generations, as libgpiod's own sources and tests have
// them (github.com/brgl/libgpiod: v1.6.x tools/gpiomon.c + tools/gpio-tools-test.bats, v2.2.x
// tools/gpiomon.c + tools/gpio-tools-test.bash).
import { chipName, getArgs, monitorArgs, parseChips, parseGetOutput, parseMonitorLine, parseVersion, pulseCommands } from './dialects';

describe('libgpiod dialects', () => {
  it('tells the generations apart by --version, and refuses what predates --bias', () => {
    expect(parseVersion('gpiomon (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski\n')).toEqual({ generation: 1, version: '1.6.3' });
    expect(parseVersion('gpiomon (libgpiod) v2.2.1\n')).toEqual({ generation: 2, version: '2.2.1' });
    expect(parseVersion('gpiomon (libgpiod) v2.1-rc1\n')).toEqual({ generation: 2, version: '2.1-rc1' });
    expect(parseVersion('gpiomon (libgpiod) v1.4.1\n')).toBeUndefined();
    expect(parseVersion('gpiomon 0.1 (something else)\n')).toBeUndefined();
  });

  it('reads gpiodetect (same line in both: "%s [%s] (%u lines)")', () => {
    expect(parseChips('gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n')).toEqual([
      { name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 },
      { name: 'gpiochip1', label: 'raspberrypi-exp-gpio', lines: 8 },
    ]);
    expect([chipName('0'), chipName('gpiochip4'), chipName('/dev/gpiochip0')]).toEqual(['gpiochip0', 'gpiochip4', 'gpiochip0']);
  });

  it('builds gpiomon arguments in each style: chip positional and -b buffered (1.6), --chip and kernel debounce (2.x)', () => {
    const o = { chip: 'gpiochip0', offsets: [17], bias: 'pull-up' as const, debounceMs: 10 };
    expect(monitorArgs(1, o)).toEqual(['--bias=pull-up', '--line-buffered', '--format=%e %o %s %n', 'gpiochip0', '17']);
    expect(monitorArgs(2, o)).toEqual(['--chip=gpiochip0', '--bias=pull-up', '--debounce-period=10ms', '--format=%e %o %S', '17']);
    expect(monitorArgs(1, { ...o, bias: 'disabled' })[0]).toBe('--bias=disable');
    expect(monitorArgs(2, { ...o, bias: 'as-is', debounceMs: 0 })).toEqual(['--chip=gpiochip0', '--format=%e %o %S', '17']);
  });

  it('parses the event lines: %e is 1/0 in 1.6 but 1/2 in 2.x; 1.6 nanoseconds are not zero-padded', () => {
    // v1.6.x gpio-tools-test.bats "custom format (timestamp)": "1 4 [0-9]+\.[0-9]+" from "%e %o %s.%n".
    expect(parseMonitorLine(1, '0 17 1234 5')).toEqual({ edge: 'falling', offset: 17, timestampNs: 1_234_000_000_005n });
    expect(parseMonitorLine(1, '1 17 1234 567890123')).toEqual({ edge: 'rising', offset: 17, timestampNs: 1_234_567_890_123n });
    // v2.2.x gpio-tools-test.bash "custom format seconds timestamp": "1 4 [0-9]+\.[0-9]+" from "%e %o %S".
    expect(parseMonitorLine(2, '2 17 1234.000000005')).toEqual({ edge: 'falling', offset: 17, timestampNs: 1_234_000_000_005n });
    expect(parseMonitorLine(2, '1 17 1234.567890123')).toEqual({ edge: 'rising', offset: 17, timestampNs: 1_234_567_890_123n });
    expect(parseMonitorLine(2, '0 17 1234.000000005')).toBeUndefined();
    expect(parseMonitorLine(1, 'event: FALLING EDGE offset: 17 timestamp: [    1234.000000005]')).toBeUndefined();
  });

  it('reads a line with gpioget in both styles', () => {
    const line = { chip: 'gpiochip0', offset: 22, bias: 'pull-up' as const, activeLow: true };
    expect(getArgs(1, line)).toEqual(['--active-low', '--bias=pull-up', 'gpiochip0', '22']);
    expect(getArgs(2, line)).toEqual(['--chip=gpiochip0', '--active-low', '--bias=pull-up', '--numeric', '22']);
    expect([parseGetOutput('1\n'), parseGetOutput('0\n'), parseGetOutput('"22"=active\n')]).toEqual([true, false, undefined]);
  });

  it('plays a pulse sequence: one --toggle process (2.x), one --mode=time process per segment (1.6)', () => {
    const o = { chip: 'gpiochip0', offset: 27, activeLow: false, sequenceMs: [6000, 10_000, 500] };
    expect(pulseCommands(2, o)).toEqual([['--chip=gpiochip0', '--toggle=6000ms,10000ms,500ms,0', '27=1']]);
    expect(pulseCommands(1, { ...o, activeLow: true })).toEqual([
      ['--active-low', '--mode=time', '--sec=6', '--usec=0', 'gpiochip0', '27=1'],
      ['--active-low', '--mode=time', '--sec=10', '--usec=0', 'gpiochip0', '27=0'],
      ['--active-low', '--mode=time', '--sec=0', '--usec=500000', 'gpiochip0', '27=1'],
    ]);
  });
});
