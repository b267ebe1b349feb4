/**
 * `plan` of infra/genesis.yaml on a converged simulator, at 20 ms and at 80 ms injected latency per
 * request, in one run: the engine (one read memo, two rounds of parallel reads, the CLI's
 * connection pool) against a one-request-at-a-time baseline (the same plan code behind SerialApi).
 * For each: requests sent, median wall time, and wall time / latency = the latency rounds the user
 * waits for (goal, issue 16: the engine's ≤ 2), and the longest chain of requests (the rounds
 * whatever the CPU). The same plan at 0 ms shows the CPU work, which overlaps the waits. A third line adds the GPU host step through the
 * simulated host channel (files and commands of the simulated node, in process): what it costs on
 * top, counted separately.
 *   node -r @swc-node/register bench/plan/run.ts [rounds] [latencyMs…]      (npx nx run bench:plan)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryHostChannel } from '@genesis/host-channel';
import { prepareHostRoot, simulatedHostCommands, startSimulator } from '@genesis/pve-sim';
import { apply, CountingApi, pendingChanges, plan, PveClient, RoundCountingApi, SerialApi, type HostContext, type PveApi } from '@genesis/proxmox';
import { READ_CONNECTIONS, simulatorConnectionConfig, simulatorPlaceFile } from '@genesis/proxmox/src/cli/connect';
import { genesisState } from '@genesis/proxmox/src/testing/desired-state';
import { placeUserIsos } from '@genesis/proxmox/src/cli/rehearsal';

const rounds = Number(process.argv[2] ?? 5);
const latencies = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [20, 80];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

type State = ReturnType<typeof genesisState>;

async function timedPlan(api: PveApi, state: State, serial: boolean, host?: HostContext) {
  const rounds = new RoundCountingApi(api);
  const counting = new CountingApi(rounds);
  const target = serial ? new SerialApi(counting) : counting;
  const started = process.hrtime.bigint();
  const result = await plan(target, state, { host });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (pendingChanges(result).length)
    throw new Error(`bench: the host is not converged; the plan has changes: ${pendingChanges(result).map((c) => c.id).join(', ')}`);
  return { ms, requests: counting.total, depth: rounds.rounds };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-plan-'));
  const sim = await startSimulator({ taskDurationMs: 10, warn: () => undefined });
  const client = new PveClient(simulatorConnectionConfig(sim), { maxSockets: READ_CONNECTIONS });
  const hostRoot = join(dir, 'host');
  prepareHostRoot(hostRoot, sim.state.read().pci);
  const channel = new DirectoryHostChannel(hostRoot, simulatedHostCommands(() => sim.state.read().pci), 'simulated host');
  const host: HostContext = { host: channel };
  try {
    const state = genesisState();
    // The ISOs a user uploads before provisioning the Windows template.
    await placeUserIsos(state, simulatorPlaceFile(sim), () => undefined);
    await apply(client, state, { progress: () => undefined, placeFile: simulatorPlaceFile(sim), host });
    console.log(
      `plan of infra/genesis.yaml on a converged simulator (in this process: its CPU time shares the client's); ` +
        `median of ${rounds} runs each, alternating`,
    );
    const row = (label: string, requests: number, ms: number, latency: number, chain: number) =>
      console.log(
        `    ${label.padEnd(38)} ${String(requests).padStart(3)} requests  ${ms.toFixed(0).padStart(5)} ms  ` +
          `${(ms / latency).toFixed(2).padStart(5)} rounds (wall / latency)  ${String(chain).padStart(2)} rounds (longest chain of requests)`,
      );
    // The CPU floor: the same plan with no injected latency (client and simulator share this
    // process's CPU; on a loaded machine that alone is worth several rounds at 20 ms).
    sim.setLatency(0);
    const floorRuns: number[] = [];
    for (let i = 0; i <= rounds; i++) floorRuns.push((await timedPlan(client, state, false)).ms);
    const floor = median(floorRuns.slice(1));
    console.log(`  at 0 ms latency (CPU work only; it overlaps the waits below): engine ${floor.toFixed(0)} ms`);
    for (const latencyMs of latencies) {
      sim.setLatency(latencyMs);
      const runs = { engine: [] as number[], serial: [] as number[], withHost: [] as number[] };
      const requests = { engine: 0, serial: 0, withHost: 0 };
      const depth = { engine: 0, serial: 0, withHost: 0 };
      // One unmeasured run opens the pool's connections (a CLI run pays that once, in parallel).
      await timedPlan(client, state, false);
      for (let i = 0; i < rounds; i++) {
        const e = await timedPlan(client, state, false);
        const s = await timedPlan(client, state, true);
        const h = await timedPlan(client, state, false, host);
        runs.engine.push(e.ms);
        runs.serial.push(s.ms);
        runs.withHost.push(h.ms);
        requests.engine = e.requests;
        requests.serial = s.requests;
        requests.withHost = h.requests;
        Object.assign(depth, { engine: e.depth, serial: s.depth, withHost: h.depth });
      }
      const [me, ms, mh] = [median(runs.engine), median(runs.serial), median(runs.withHost)];
      console.log(`  ${latencyMs} ms latency per request:`);
      row('engine (parallel, read once)', requests.engine, me, latencyMs, depth.engine);
      row('one request at a time (baseline)', requests.serial, ms, latencyMs, depth.serial);
      row('engine + GPU host step (host channel)', requests.withHost, mh, latencyMs, depth.withHost);
      console.log(
        `    speed-up ${(ms / me).toFixed(1)}x; the GPU host step adds ${(mh - me).toFixed(0)} ms ` +
          `(${((mh - me) / latencyMs).toFixed(2)} rounds; the simulated channel is in process, an ssh host adds its own round trips)`,
      );
    }
  } finally {
    client.close();
    await channel.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
