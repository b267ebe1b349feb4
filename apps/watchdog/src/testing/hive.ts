/**
 * The Hive as the watchdog's tests meet it: the project's PVE simulator over HTTPS with running
 * trading VMs, a real Banker process (apps/banker's entry point, as its own main.spec runs it), and
 * a watchdog config file pointing at both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator, type RunningSimulator } from '@genesis/pve-sim';
import { spawnService, waitForOutput, type SpawnedService } from '@genesis/service-kit/testing';
import { stringify } from 'yaml';

export const BANKER_TOKEN = 'watchdog-test-token-0123456789';
const BANKER_ENTRY = resolve(__dirname, '../../../banker/src/main.ts');

export interface RunningBanker {
  url: string;
  process: SpawnedService;
  dataDir: string;
  /** GET /state with the token. */
  state(): Promise<{ trading: string; actor: string | null; reason: string | null }>;
  stop(): Promise<void>;
}

export async function startBanker(): Promise<RunningBanker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'watchdog-banker-'));
  const process = spawnService(BANKER_ENTRY, {
    HOST: '127.0.0.1',
    PORT: '0',
    BANKER_CONTROL_TOKEN: BANKER_TOKEN,
    BANKER_DATA_DIR: dataDir,
    BANKER_INITIAL_STATE: 'running',
  });
  await waitForOutput(process, 'banker ready', 'banker');
  const port = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(process.out())?.[1];
  if (!port) throw new Error(`banker did not print its port: ${process.out()}`);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    process,
    dataDir,
    async state() {
      const res = await fetch(`${url}/state`, { headers: { authorization: `Bearer ${BANKER_TOKEN}` } });
      return (await res.json()) as { trading: string; actor: string | null; reason: string | null };
    },
    async stop() {
      process.child.kill('SIGTERM');
      await process.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh simulated host with these VMs running (fast tasks, quiet). */
export async function startHost(vmids: number[]): Promise<RunningSimulator> {
  const sim = await startSimulator({ taskDurationMs: 30, warn: () => undefined });
  sim.state.update((s) => {
    for (const vmid of vmids) {
      s.vms[String(vmid)] = {
        vmid,
        config: { name: `trading-${vmid}`, memory: '2048', cores: '2', ostype: 'l26' },
        status: 'running',
        startedAt: Date.now(),
        snapshots: {},
      };
    }
  });
  return sim;
}

export interface ConfigOptions {
  sim: RunningSimulator;
  bankerUrl: string;
  stateDir: string;
  vms: Array<{ vmid: number; action: 'stop' | 'shutdown' | 'suspend'; timeoutMs?: number }>;
  heartbeat?: Record<string, unknown>;
  services?: Array<{ name: string; url: string }>;
}

/** Writes the config file; the secrets go to files beside it (mode 600), as on the Pi. */
export function writeConfig(o: ConfigOptions): string {
  const pveSecret = join(o.stateDir, 'pve-token-secret');
  const bankerToken = join(o.stateDir, 'banker-token');
  writeFileSync(pveSecret, o.sim.tokens.provisioner.secret, { mode: 0o600 });
  writeFileSync(bankerToken, BANKER_TOKEN, { mode: 0o600 });
  const config = {
    gpio: {
      chip: 'gpiochip0',
      button: { line: 17, activeLow: true, bias: 'pull-up', debounceMs: 50 },
      maintenance: { line: 22, activeLow: true, bias: 'pull-up' },
      relay: { line: 27, activeLow: false, sequenceMs: [40, 20, 20] },
    },
    maintenanceFlagFile: join(o.stateDir, 'maintenance'),
    stateFile: join(o.stateDir, 'state.json'),
    listen: { host: '127.0.0.1', port: 0 },
    proxmox: {
      host: o.sim.host,
      port: o.sim.port,
      node: o.sim.node,
      tokenId: o.sim.tokens.provisioner.id,
      tokenSecretFile: pveSecret,
      fingerprint: o.sim.fingerprint,
    },
    // Banker's answer deadline is not what these tests check; on a loaded machine a real Banker
    // process can take seconds to answer its first /halt (an unreachable one still fails at once).
    banker: { url: o.bankerUrl, tokenFile: bankerToken, timeoutMs: 20_000 },
    killSwitch: { vms: o.vms.map((v) => ({ timeoutMs: 20_000, ...v })) },
    heartbeat: { intervalMs: 60_000, startupGraceMs: 300_000, services: o.services ?? [], ...o.heartbeat },
    logLevel: 'info',
  };
  const file = join(o.stateDir, 'watchdog.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/** Resolves once `check` holds; polls, never sleeps a fixed time. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
