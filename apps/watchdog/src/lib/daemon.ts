/**
 * Wires the watchdog together: checks the GPIO tools and lines, starts gpiomon on the kill-switch
 * line, the heartbeat loop and the HTTP server (/metrics, /healthz). No signals and no process
 * exit here (main.ts owns those), so tests run the whole daemon in-process or as a process.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PveClient, type PveConnectionConfig } from '@genesis/proxmox';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CommandRunner } from '../gpio/command-runner';
import { ButtonDebouncer } from '../gpio/debounce';
import { GpioTool, type Monitor } from '../gpio/gpio-tool';
import { Heartbeat } from '../heartbeat/heartbeat';
import { httpProbe, proxmoxProbe } from '../heartbeat/probes';
import { RelayStateFile } from '../heartbeat/relay-state';
import { BankerClient } from '../kill-switch/banker-client';
import { KillSwitch } from '../kill-switch/kill-switch';
import type { WatchdogConfig } from './config';
import { WatchdogMetrics } from './metrics';
import { buildServer } from './server';

export interface Daemon {
  app: FastifyInstance;
  metrics: WatchdogMetrics;
  killSwitch: KillSwitch;
  heartbeat: Heartbeat;
  /** Rejects when gpiomon ends unexpectedly: the kill switch is deaf, the process must restart. */
  monitorExited: Promise<void>;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  runner: CommandRunner;
  log: Logger;
  /** Extra PveClient settings (tests: faster retries). */
  pveOverrides?: Partial<PveConnectionConfig>;
  /** Called when a debounced press is detected, before the kill switch runs (bench/watchdog). */
  onPress?: () => void;
}

/**
 * After a kill the trading VMs are down on purpose: their health checks fail, and a heartbeat
 * that power-cycled the server now would start them again (onboot). The maintenance flag holds
 * the relay until a person has looked and removes it (infra/watchdog/RUNBOOK.md).
 */
function holdRelayAfterKill(flagFile: string, log: Logger): void {
  try {
    mkdirSync(dirname(flagFile), { recursive: true });
    writeFileSync(flagFile, `written by the kill switch at ${new Date().toISOString()}; remove this file to re-arm the power-cycle relay\n`);
    log.warn({ flagFile }, 'relay held back until the maintenance flag is removed');
  } catch (err) {
    log.error({ flagFile, err: (err as Error).message }, 'could not write the maintenance flag after the kill switch');
  }
}

export async function startDaemon(config: WatchdogConfig, options: DaemonOptions): Promise<Daemon> {
  const { log } = options;
  const gpio = new GpioTool(options.runner);
  const { generation, version } = await gpio.detect();
  const { chip, button, maintenance, relay } = config.gpio;
  await gpio.assertLines(chip, [button.line, relay.line, ...(maintenance ? [maintenance.line] : [])], 'gpio.chip');
  const metrics = new WatchdogMetrics();
  metrics.info.set({ libgpiod_version: version, generation: String(generation) }, 1);

  const connection: PveConnectionConfig = { ...config.proxmox, ...options.pveOverrides };
  // Kill-switch writes are never retried by the client (only lock timeouts); reads may be.
  const killPve = new PveClient(connection, { retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 500 } });
  // A heartbeat probe is one attempt within the probe timeout: the next round is the retry.
  const beatPve = new PveClient({ ...connection, requestTimeoutMs: config.heartbeat.timeoutMs }, { retry: { attempts: 1 } });

  let lastPressNs = 0n;
  let lastPressAt = 0;
  const killSwitch = new KillSwitch({
    banker: new BankerClient(config.banker),
    pve: killPve,
    vms: config.killSwitch.vms,
    log: log.child({ part: 'kill-switch' }),
    metrics,
    onFirstCall: () => metrics.firstCallSeconds.set((performance.now() - lastPressAt) / 1000),
  });

  const debouncer = new ButtonDebouncer({ offset: button.line, activeLow: button.activeLow, debounceMs: button.debounceMs });
  const monitor: Monitor = await gpio.monitor(
    // 2.x debounces in the kernel too; ours runs on both generations, so it is the one relied on.
    { chip, offsets: [button.line], bias: button.bias, debounceMs: generation === 2 ? Math.min(button.debounceMs, 10) : 0 },
    (event) => {
      metrics.buttonEdges.inc();
      if (!debouncer.accept(event)) return;
      lastPressNs = event.timestampNs;
      lastPressAt = performance.now();
      metrics.buttonPresses.inc();
      options.onPress?.();
      log.warn({ line: event.offset, timestampNs: String(lastPressNs) }, 'kill switch pressed');
      void killSwitch.trigger('kill switch pressed on the watchdog');
      holdRelayAfterKill(config.maintenanceFlagFile, log);
    },
  );

  const state = new RelayStateFile(config.stateFile);
  const heartbeat = new Heartbeat(config.heartbeat, {
    probes: [proxmoxProbe(beatPve), ...config.heartbeat.services.map((s) => httpProbe(s.name, s.url, config.heartbeat.timeoutMs))],
    maintenance: async () =>
      existsSync(config.maintenanceFlagFile) ||
      (maintenance ? await gpio.read({ chip, offset: maintenance.line, bias: maintenance.bias, activeLow: maintenance.activeLow }) : false),
    powerCycle: () => gpio.pulse({ chip, offset: relay.line, activeLow: relay.activeLow, sequenceMs: relay.sequenceMs }),
    state,
    metrics,
    log: log.child({ part: 'heartbeat' }),
  });

  const app = await buildServer({ metrics, log });
  await app.listen({ host: config.listen.host, port: config.listen.port });
  heartbeat.start();
  const address = app.server.address();
  log.info(
    {
      libgpiod: version,
      generation,
      chip,
      button: button.line,
      relay: relay.line,
      maintenance: maintenance?.line,
      vms: config.killSwitch.vms.map((v) => v.vmid),
      port: typeof address === 'object' && address ? address.port : config.listen.port,
    },
    'watchdog ready',
  );

  return {
    app,
    metrics,
    killSwitch,
    heartbeat,
    monitorExited: monitor.exited,
    async stop() {
      await heartbeat.stop();
      await monitor.stop();
      await app.close();
      killPve.close();
      beatPve.close();
    },
  };
}
