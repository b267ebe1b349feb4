// The watchdog as systemd runs it: its real entry point as a process, the fake libgpiod tools on
// PATH in each generation's exact dialect, the project's PVE simulator over HTTPS and a real
// Banker process. What an operator would notice: a press halts trading and stops the VMs in
// order; a bouncing contact is one press; Banker being down does not keep the VMs running; the
// relay fires once per interval, not under maintenance, not again after a restart.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunningSimulator } from '@genesis/pve-sim';
import { spawnService, waitForOutput, type SpawnedService } from '@genesis/service-kit/testing';
import { FakeGpio, LIBGPIOD_VERSIONS, type LibgpiodVersion } from './testing/fake-gpio';
import { BANKER_TOKEN, startBanker, startHost, until, writeConfig, type ConfigOptions, type RunningBanker } from './testing/hive';

jest.setTimeout(120_000);

const ENTRY = resolve(__dirname, 'main.ts');

interface Watchdog {
  process: SpawnedService;
  port: number;
  logs(): Array<Record<string, unknown> & { msg: string }>;
  metric(name: string): Promise<number>;
  stop(): Promise<number | null>;
}

/** Every watchdog a test started: one left running by a failed test would keep Jest from exiting. */
const started = new Set<SpawnedService>();
afterEach(async () => {
  for (const service of started) {
    if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    await service.exited;
  }
  started.clear();
});

async function startWatchdog(fake: FakeGpio, configFile: string): Promise<Watchdog> {
  const process = spawnService(ENTRY, { ...fake.env, WATCHDOG_CONFIG: configFile });
  started.add(process);
  await waitForOutput(process, 'watchdog ready', 'watchdog');
  const logs = () =>
    process
      .out()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string });
  const port = Number(logs().find((l) => l.msg === 'watchdog ready')?.port);
  return {
    process,
    port,
    logs,
    async metric(series: string) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : NaN;
    },
    async stop() {
      process.child.kill('SIGTERM');
      return process.exited;
    },
  };
}

/** `running`, `paused` (suspended) or `stopped`, as `qm status --verbose` would put it. */
const vmStatus = (sim: RunningSimulator, vmid: number) => {
  const vm = sim.state.read().vms[String(vmid)];
  return vm?.paused ? 'paused' : vm?.status;
};

async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe.each(LIBGPIOD_VERSIONS)('watchdog with libgpiod %s', (version: LibgpiodVersion) => {
  let fake: FakeGpio;
  let sim: RunningSimulator;
  let banker: RunningBanker;
  let stateDir: string;
  const base = (): ConfigOptions => ({
    sim,
    bankerUrl: banker.url,
    stateDir,
    vms: [
      { vmid: 201, action: 'suspend' },
      { vmid: 202, action: 'shutdown' },
      { vmid: 203, action: 'stop' },
    ],
  });

  beforeAll(async () => {
    banker = await startBanker();
  });
  afterAll(async () => banker.stop());
  beforeEach(async () => {
    fake = new FakeGpio(version);
    sim = await startHost([201, 202, 203]);
    stateDir = mkdtempSync(join(tmpdir(), 'watchdog-run-'));
  });
  afterEach(async () => {
    await sim.stop();
    fake.cleanup();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('a bouncing press halts Banker once, then suspends and stops the VMs in the configured order', async () => {
    // VM 203 is already off: its step is logged as skipped, nothing is sent.
    sim.state.update((s) => void (s.vms['203'].status = 'stopped'));
    const watchdog = await startWatchdog(fake, writeConfig(base()));
    // "ready" follows the spawn of gpiomon; the fake logs its arguments once bash runs it.
    await until(() => fake.calls('gpiomon').length === 2, 'gpiomon to start');
    expect(fake.calls('gpiomon')[1]).toBe(
      version === '1.6.3'
        ? 'gpiomon --bias=pull-up --line-buffered --format=%e %o %s %n gpiochip0 17'
        : 'gpiomon --chip=gpiochip0 --bias=pull-up --debounce-period=10ms --format=%e %o %S 17',
    );
    await fake.bouncyPress(17);
    await until(async () => (await banker.state()).trading === 'halted', 'Banker halted');
    await until(() => watchdog.logs().some((l) => l.msg.startsWith('kill switch: sequence finished')), 'the sequence to finish');
    expect([vmStatus(sim, 201), vmStatus(sim, 202), vmStatus(sim, 203)]).toEqual(['paused', 'stopped', 'stopped']);
    expect(await banker.state()).toMatchObject({ trading: 'halted', actor: 'watchdog', reason: 'kill switch pressed on the watchdog' });

    const steps = watchdog.logs().filter((l) => l.msg.startsWith('kill switch step'));
    expect(steps.map((s) => `${s.step}:${s.result}`)).toEqual(['banker-halt:ok', 'vm-201-suspend:ok', 'vm-202-shutdown:ok', 'vm-203-stop:skipped']);
    expect(watchdog.logs().filter((l) => l.msg === 'kill switch pressed')).toHaveLength(1);
    // The relay stays held until a person removes the flag: the stopped VMs must stay stopped.
    expect(readFileSync(join(stateDir, 'maintenance'), 'utf8')).toMatch(/^written by the kill switch at .*; remove this file to re-arm the power-cycle relay\n$/);
    expect(await watchdog.metric('genesis_watchdog_button_presses_total')).toBe(1);
    expect(await watchdog.metric('genesis_watchdog_button_edges_total')).toBe(8);
    expect(watchdog.process.out()).not.toContain(BANKER_TOKEN);
    expect(watchdog.process.out()).not.toContain(sim.tokens.provisioner.secret);
    expect(await watchdog.stop()).toBe(0);
    await fetch(`${banker.url}/resume`, { method: 'POST', headers: { authorization: `Bearer ${BANKER_TOKEN}` } });
  });

  it('stops the VMs when Banker is unreachable', async () => {
    const watchdog = await startWatchdog(fake, writeConfig({ ...base(), bankerUrl: `http://127.0.0.1:${await closedPort()}` }));
    await fake.press(17);
    await until(() => watchdog.logs().some((l) => l.msg.startsWith('kill switch: sequence finished')), 'the sequence to finish');
    const steps = watchdog.logs().filter((l) => l.msg.startsWith('kill switch step'));
    expect(steps.map((s) => `${s.step}:${s.result}`)).toEqual(['banker-halt:failed', 'vm-201-suspend:ok', 'vm-202-shutdown:ok', 'vm-203-stop:ok']);
    expect(String(steps[0].detail)).toMatch(/^Banker at http:\/\/127\.0\.0\.1:\d+ unreachable: (ECONNREFUSED|ECONNRESET)$/);
    expect([vmStatus(sim, 201), vmStatus(sim, 202), vmStatus(sim, 203)]).toEqual(['paused', 'stopped', 'stopped']);
    expect(await watchdog.stop()).toBe(0);
  });

  it('fires the relay once per interval when the server is silent, not under maintenance, not after a restart', async () => {
    // Nothing answers: the Proxmox API fails every /version and the service is gone.
    sim.setFaults([{ kind: 'http500', method: 'GET', path: '^/version$' }]);
    const config = writeConfig({
      ...base(),
      services: [{ name: 'banker', url: `http://127.0.0.1:${await closedPort()}/healthz` }],
      heartbeat: { intervalMs: 100, timeoutMs: 1000, missesBeforeRelay: 3, startupGraceMs: 0, relayMinIntervalMs: 3_600_000 },
    });
    fake.setLevel('gpiochip0', 22, 0); // maintenance switch closed
    const first = await startWatchdog(fake, config);
    const outcome = (o: string) => first.metric(`genesis_watchdog_relay_actions_total{outcome="${o}"}`);
    await until(async () => (await outcome('suppressed_maintenance')) >= 3, 'three held-back decisions');
    expect(fake.driven()).toEqual([]);

    fake.setLevel('gpiochip0', 22, 1); // maintenance over
    await until(async () => (await outcome('fired')) === 1, 'the relay to fire');
    // Misses go on; the next decisions are held back by the minimum interval.
    await until(async () => (await outcome('suppressed_interval')) >= 5, 'five held-back decisions');
    expect(await outcome('fired')).toBe(1);
    expect(fake.driven().map((d) => `${d.offset}=${d.level}`)).toEqual(
      version === '1.6.3' ? ['27=1', '27=0', '27=1'] : ['27=1', '27=0', '27=1', '27=0'],
    );
    expect(await first.stop()).toBe(0);

    const second = await startWatchdog(fake, config);
    await until(async () => (await second.metric('genesis_watchdog_relay_actions_total{outcome="suppressed_interval"}')) >= 3, 'the restarted daemon to hold back');
    expect(await second.metric('genesis_watchdog_relay_actions_total{outcome="fired"}')).toBe(0);
    expect(fake.driven().filter((d) => d.level === 1)).toHaveLength(2);
    expect(await second.stop()).toBe(0);
  });
});

describe('watchdog start-up errors', () => {
  let fake: FakeGpio;
  let stateDir: string;
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startHost([]);
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    fake = new FakeGpio('2.2.1');
    stateDir = mkdtempSync(join(tmpdir(), 'watchdog-err-'));
  });
  afterEach(() => {
    fake.cleanup();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const config = () => writeConfig({ sim, bankerUrl: 'http://127.0.0.1:9', stateDir, vms: [{ vmid: 201, action: 'stop' }] });

  it('exits 78 with the fix when gpiomon is missing', async () => {
    const p = spawnService(ENTRY, { WATCHDOG_CONFIG: config(), PATH: join(stateDir, 'empty') });
    // PATH without the tools; node itself is found by its absolute path.
    expect(await p.exited).toBe(78);
    expect(p.err()).toContain('gpiomon was not found on PATH; fix: install the tools with `apt-get install gpiod`');
  });

  it('exits 78 naming the chips that exist when the configured one does not', async () => {
    // A Raspberry Pi 5 on an early bookworm kernel: the header is gpiochip4.
    fake.setChips('gpiochip4 [pinctrl-rp1] (54 lines)\n');
    const q = spawnService(ENTRY, { ...fake.env, WATCHDOG_CONFIG: config() });
    expect(await q.exited).toBe(78);
    expect(q.err()).toContain('gpio.chip: GPIO chip gpiochip0 not found (gpiodetect lists: gpiochip4 [pinctrl-rp1] (54 lines)); fix: set gpio.chip to one of those chips');
  });

  it('refuses secrets or anything else on the command line', async () => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', ENTRY, '--banker-token', 'secret-on-argv'], {
      cwd: resolve(__dirname, '../../..'),
      env: { PATH: process.env.PATH },
    });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(78);
    expect(err).toContain('unexpected arguments; usage: watchdog [--config PATH]');
    expect(err).not.toContain('secret-on-argv');
  });
});
