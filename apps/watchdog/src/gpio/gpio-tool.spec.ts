// GpioTool against the fake libgpiod tools on PATH, in both generations' exact dialects: a tool
// given the other generation's options fails the way the real one does, so passing proves the
// arguments are right.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGpio, LIBGPIOD_VERSIONS } from '../testing/fake-gpio';
import { createExecaRunner } from './command-runner';
import type { EdgeEvent } from './dialects';
import { GpioTool } from './gpio-tool';

jest.setTimeout(30_000);

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(LIBGPIOD_VERSIONS)('GpioTool with libgpiod %s', (version) => {
  let fake: FakeGpio;
  let gpio: GpioTool;
  beforeEach(() => {
    fake = new FakeGpio(version);
    gpio = new GpioTool(createExecaRunner(fake.env));
  });
  afterEach(() => fake.cleanup());

  it('detects the generation and checks chip and lines with gpiodetect', async () => {
    expect(await gpio.detect()).toEqual({ generation: Number(version[0]), version });
    await expect(gpio.assertLines('gpiochip0', [17, 27], 'gpio.chip')).resolves.toBeUndefined();
    await expect(gpio.assertLines('gpiochip4', [17], 'gpio.chip')).rejects.toThrow(
      'gpio.chip: GPIO chip gpiochip4 not found (gpiodetect lists: gpiochip0 [pinctrl-bcm2711] (58 lines), gpiochip1 [raspberrypi-exp-gpio] (8 lines)); fix: set gpio.chip to one of those chips',
    );
    await expect(gpio.assertLines('gpiochip1', [17], 'gpio.chip')).rejects.toThrow(/gpiochip1 has 8 lines, so line 17 does not exist/);
  });

  it('streams edges from gpiomon with the kernel timestamps', async () => {
    const events: EdgeEvent[] = [];
    const monitor = await gpio.monitor({ chip: 'gpiochip0', offsets: [17], bias: 'pull-up', debounceMs: 5 }, (e) => events.push(e));
    await fake.edges(17, [['falling', 1000], ['rising', 0.000001]]);
    await fake.edges(22, [['falling', 10]]); // not a watched line
    await until(() => events.length === 2, 'two events');
    expect(events[0]).toMatchObject({ offset: 17, edge: 'falling' });
    expect(events[1].timestampNs - events[0].timestampNs).toBe(1n);
    await monitor.stop();
    await expect(monitor.exited).resolves.toBeUndefined();
    expect(fake.calls('gpiomon').at(-1)).toBe(
      version.startsWith('1') ? 'gpiomon --bias=pull-up --line-buffered --format=%e %o %s %n gpiochip0 17' : 'gpiomon --chip=gpiochip0 --bias=pull-up --debounce-period=5ms --format=%e %o %S 17',
    );
  });

  it('reports a gpiomon that dies with what it said', async () => {
    const monitor = await gpio.monitor({ chip: 'gpiochip7', offsets: [17], bias: 'pull-up', debounceMs: 0 }, () => undefined);
    await expect(monitor.exited).rejects.toThrow(version.startsWith('1') ? /gpiomon exited with 1: gpiomon: error waiting for events/ : /gpiomon exited with 1: gpiomon: cannot find GPIO chip character device 'gpiochip7'/);
  });

  it('reads a line with gpioget, honouring active-low', async () => {
    fake.setLevel('gpiochip0', 22, 0);
    expect(await gpio.read({ chip: 'gpiochip0', offset: 22, bias: 'pull-up', activeLow: true })).toBe(true);
    fake.setLevel('gpiochip0', 22, 1);
    expect(await gpio.read({ chip: 'gpiochip0', offset: 22, bias: 'pull-up', activeLow: true })).toBe(false);
  });

  it('plays a relay pulse sequence with gpioset and releases the line inactive', async () => {
    await gpio.pulse({ chip: 'gpiochip0', offset: 27, activeLow: false, sequenceMs: [60, 40, 30] });
    const driven = fake.driven().map((r) => `${r.offset}=${r.level}`);
    // 2.x: one process, set 1 then three toggles; 1.6: one process per segment (the last one
    // exits with the line released, which the relay board's pull resistor holds inactive).
    expect(driven).toEqual(version.startsWith('1') ? ['27=1', '27=0', '27=1'] : ['27=1', '27=0', '27=1', '27=0']);
    expect(fake.calls('gpioset')).toHaveLength(version.startsWith('1') ? 3 : 1);
  });
});

describe('GpioTool without the tools', () => {
  it('says gpiomon is missing and how to install it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-gpiod-'));
    const gpio = new GpioTool(createExecaRunner({ PATH: empty }));
    await expect(gpio.detect()).rejects.toThrow(
      'gpiomon was not found on PATH; fix: install the tools with `apt-get install gpiod` (Debian package gpiod: libgpiod 1.6 on Debian 12, 2.x on Debian 13)',
    );
  });
});
