// The relay rules, one round at a time with an injected clock: a real health endpoint on
// 127.0.0.1 that the test stops and starts, the real GpioTool driving the fake gpioset/gpioget
// (libgpiod 2.2.1 dialect; both dialects are covered in gpio-tool.spec.ts), a real state file.
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createExecaRunner } from '../gpio/command-runner';
import { GpioTool } from '../gpio/gpio-tool';
import { WatchdogMetrics } from '../lib/metrics';
import { FakeGpio } from '../testing/fake-gpio';
import { Heartbeat, type HeartbeatOptions } from './heartbeat';
import { httpProbe, type Probe } from './probes';
import { RelayStateFile } from './relay-state';

jest.setTimeout(60_000);

const MINUTE = 60_000;

describe('Heartbeat', () => {
  let fake: FakeGpio;
  let gpio: GpioTool;
  let dir: string;
  let server: Server;
  let port: number;
  let now: number;

  const serviceUp = () => new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const serviceDown = () => new Promise<void>((r) => server.close(() => r()));

  beforeEach(async () => {
    fake = new FakeGpio('2.2.1');
    gpio = new GpioTool(createExecaRunner(fake.env));
    dir = mkdtempSync(join(tmpdir(), 'heartbeat-'));
    server = createServer((_req, res) => res.end('ok'));
    port = 0;
    await serviceUp();
    port = (server.address() as { port: number }).port;
    now = Date.UTC(2026, 0, 1);
  });
  afterEach(async () => {
    if (server.listening) await serviceDown();
    fake.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function heartbeat(options: Partial<HeartbeatOptions> = {}, extraProbes: Probe[] = [], metrics = new WatchdogMetrics()) {
    const flag = join(dir, 'maintenance');
    const beat = new Heartbeat(
      { intervalMs: 10_000, missesBeforeRelay: 3, missWhen: 'all-fail', startupGraceMs: 5 * MINUTE, relayMinIntervalMs: 30 * MINUTE, ...options },
      {
        probes: [httpProbe('banker', `http://127.0.0.1:${port}/healthz`, 2000), ...extraProbes],
        maintenance: async () => existsSync(flag) || (await gpio.read({ chip: 'gpiochip0', offset: 22, bias: 'pull-up', activeLow: true })),
        powerCycle: () => gpio.pulse({ chip: 'gpiochip0', offset: 27, activeLow: false, sequenceMs: [30, 20, 10] }),
        state: new RelayStateFile(join(dir, 'state.json')),
        metrics,
        log: pino({ level: 'silent' }),
        now: () => now,
      },
    );
    return { beat, metrics, flag };
  }

  /** `n` rounds, 10 s of fake time apart; the relay outcomes that happened. */
  async function rounds(beat: Heartbeat, n: number, stepMs = 10_000): Promise<string[]> {
    const outcomes: string[] = [];
    for (let i = 0; i < n; i++) {
      now += stepMs;
      const r = await beat.round();
      if (r.result === 'miss' && r.relay) outcomes.push(r.relay);
    }
    return outcomes;
  }

  const relayPulses = () => fake.driven().filter((d) => d.offset === 27 && d.level === 1).length;

  it('fires after N misses in a row, once per minimum interval, and counts each decision', async () => {
    const { beat, metrics } = heartbeat();
    now += 6 * MINUTE; // past the start-up grace
    await serviceDown();
    expect(await rounds(beat, 2)).toEqual([]);
    expect(await rounds(beat, 1)).toEqual(['fired']);
    expect(relayPulses()).toBe(2); // the sequence [30 active, 20 inactive, 10 active]
    // The server stays down: misses count again, but the next 29 minutes hold the relay back.
    const held = await rounds(beat, 29, MINUTE);
    expect(held.filter((o) => o === 'fired')).toEqual([]);
    expect(held).toContain('suppressed_interval');
    // 30 minutes after the first power cycle, the next one.
    now += MINUTE;
    expect(await rounds(beat, 1)).toEqual(['fired']);
    expect(relayPulses()).toBe(4);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^genesis_watchdog_relay_actions_total\{outcome="fired"\} 2$/m);
    expect(text).toMatch(/^genesis_watchdog_heartbeat_success 0$/m);
  });

  it('resets the count when the server answers again', async () => {
    const { beat, metrics } = heartbeat();
    now += 6 * MINUTE;
    await serviceDown();
    await rounds(beat, 2);
    await serviceUp();
    await rounds(beat, 1);
    await serviceDown();
    expect(await rounds(beat, 2)).toEqual([]);
    expect(relayPulses()).toBe(0);
    expect(await metrics.registry.metrics()).toMatch(/^genesis_watchdog_heartbeat_consecutive_misses 2$/m);
  });

  it('never fires while the maintenance switch is on or the flag file exists', async () => {
    const { beat, flag, metrics } = heartbeat();
    now += 6 * MINUTE;
    await serviceDown();
    fake.setLevel('gpiochip0', 22, 0); // switch closed to ground: active-low line active
    expect(await rounds(beat, 5)).toEqual(['suppressed_maintenance', 'suppressed_maintenance', 'suppressed_maintenance']);
    fake.setLevel('gpiochip0', 22, 1);
    writeFileSync(flag, '');
    expect(await rounds(beat, 2)).toEqual(['suppressed_maintenance', 'suppressed_maintenance']);
    expect(relayPulses()).toBe(0);
    expect(await metrics.registry.metrics()).toMatch(/^genesis_watchdog_maintenance 1$/m);
    rmSync(flag);
    expect(await rounds(beat, 1)).toEqual(['fired']);
  });

  it('holds back in the start-up grace period, and a restart honours the last power cycle', async () => {
    await serviceDown();
    const first = heartbeat();
    expect(await rounds(first.beat, 29)).not.toContain('fired'); // 290 s < 5 min grace
    expect(await rounds(first.beat, 2)).toContain('fired');
    // A restart 1 minute later (the server still down): grace, then the state file's interval.
    now += MINUTE;
    const second = heartbeat({ startupGraceMs: 0 });
    expect(await rounds(second.beat, 20)).toEqual(expect.arrayContaining(['suppressed_interval']));
    expect(relayPulses()).toBe(2);
    const third = heartbeat();
    expect(await rounds(third.beat, 5)).toEqual(['suppressed_grace', 'suppressed_grace', 'suppressed_grace']);
    expect(relayPulses()).toBe(2);
  });

  it('with any-fail, one target down is a miss', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    // The live service plus one on a port nobody listens on.
    const { beat } = heartbeat({ missWhen: 'any-fail', missesBeforeRelay: 1 }, [httpProbe('gone', `http://127.0.0.1:${deadPort}/`, 1000)]);
    now += 6 * MINUTE;
    expect(await rounds(beat, 1)).toEqual(['fired']);
  });
});
