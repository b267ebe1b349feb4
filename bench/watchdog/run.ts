/**
 * bench/watchdog: time from a kill-switch press to the first API call (Banker's POST /halt), goal
 * under 100 ms, for both libgpiod generations in the same run. The press is written to the fake
 * gpiomon's event FIFO (apps/watchdog/src/testing/fake-gpio, bash, as gpiomon prints it); the
 * watchdog daemon, Banker and the PVE simulator (HTTPS) run in this process, so one clock times
 * everything: press → Banker receives /halt, split into press → detected (gpiomon's pipe, parsing,
 * debouncing) and detected → received (the HTTP call), and press → the whole sequence (halt + 2
 * VM stops through the Proxmox API) finished.
 *   npx nx run bench:watchdog      (PRESSES=20 to change)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildBankerApp } from '../../apps/banker/src/lib/app';
import { createExecaRunner } from '../../apps/watchdog/src/gpio/command-runner';
import { loadWatchdogConfig } from '../../apps/watchdog/src/lib/config';
import { startDaemon } from '../../apps/watchdog/src/lib/daemon';
import { FakeGpio, LIBGPIOD_VERSIONS, type LibgpiodVersion } from '../../apps/watchdog/src/testing/fake-gpio';
import { BANKER_TOKEN, startHost, until, writeConfig } from '../../apps/watchdog/src/testing/hive';

const PRESSES = Number(process.env.PRESSES ?? 20);
const GOAL_MS = 100;
const VMS = [201, 202];

interface Sample {
  toBankerMs: number;
  toDetectedMs: number;
  sequenceMs: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function measure(version: LibgpiodVersion): Promise<Sample[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-watchdog-'));
  const fake = new FakeGpio(version);
  const sim = await startHost(VMS);
  let haltAt = 0;
  let detectedAt = 0;
  const banker = await buildBankerApp({
    host: '127.0.0.1',
    port: 0,
    controlToken: BANKER_TOKEN,
    dataDir: dir,
    initialState: 'running',
    logLevel: 'silent',
    shutdownTimeoutMs: 1000,
  });
  banker.app.addHook('onRequest', async (request) => {
    if (request.url === '/halt') haltAt = performance.now();
  });
  await banker.app.listen({ host: '127.0.0.1', port: 0 });
  const bankerUrl = `http://127.0.0.1:${(banker.app.server.address() as { port: number }).port}`;
  const file = writeConfig({ sim, bankerUrl, stateDir: dir, vms: VMS.map((vmid) => ({ vmid, action: 'stop' as const })) });
  const daemon = await startDaemon(loadWatchdogConfig(file, {}), {
    runner: createExecaRunner(fake.env),
    log: pino({ level: 'silent' }),
    onPress: () => (detectedAt = performance.now()),
  });
  const finished = () => !daemon.killSwitch.busy && haltAt > 0;
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < PRESSES + 1; i++) {
      sim.state.update((s) => VMS.forEach((vmid) => void Object.assign(s.vms[String(vmid)], { status: 'running', startedAt: Date.now() })));
      haltAt = 0;
      const pressedAt = performance.now();
      await fake.press(17);
      await until(() => haltAt > 0, 'Banker to receive /halt');
      await until(finished, 'the sequence to finish');
      const doneAt = performance.now();
      // The first press warms up connections and JIT; it is not counted.
      if (i > 0) samples.push({ toBankerMs: haltAt - pressedAt, toDetectedMs: detectedAt - pressedAt, sequenceMs: doneAt - pressedAt });
    }
  } finally {
    await daemon.stop();
    await banker.app.close();
    await sim.stop();
    fake.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}

async function main(): Promise<void> {
  console.log(`bench/watchdog: ${PRESSES} presses per libgpiod generation (after one warm-up), goal press → first API call < ${GOAL_MS} ms`);
  const rows: string[][] = [['libgpiod', 'press→/halt p50', 'p95', 'max', 'p50 / goal', 'press→detected p50', 'detected→/halt p50', 'press→VMs stopped p50']];
  for (const version of LIBGPIOD_VERSIONS) {
    const s = await measure(version);
    const toBanker = s.map((x) => x.toBankerMs);
    const p50 = percentile(toBanker, 50);
    rows.push([
      version,
      `${p50.toFixed(1)} ms`,
      `${percentile(toBanker, 95).toFixed(1)} ms`,
      `${Math.max(...toBanker).toFixed(1)} ms`,
      `${(p50 / GOAL_MS).toFixed(2)}×`,
      `${percentile(s.map((x) => x.toDetectedMs), 50).toFixed(1)} ms`,
      `${percentile(s.map((x) => x.toBankerMs - x.toDetectedMs), 50).toFixed(1)} ms`,
      `${percentile(s.map((x) => x.sequenceMs), 50).toFixed(0)} ms`,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) console.log('  ' + row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
  console.log('  press→detected includes the fake gpiomon (bash) relaying the line through a pipe, as the real one does through stdout');
}

main().catch((err: Error) => {
  console.error(`bench/watchdog failed: ${err.message}`);
  process.exit(1);
});
