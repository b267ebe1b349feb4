// `plan` on a converged host with 20 ms injected latency per request: the engine's parallel reads
// against a one-request-at-a-time baseline (the same plan code behind SerialApi), in the same run,
// several rounds alternating; prints requests made, median wall time of each and their ratio.
//   node -r @swc-node/register bench/plan/run.ts [rounds] [latencyMs]      (npx nx run bench:plan)
import { startSimulator } from '@genesis/pve-sim';
import {
  apply,
  CountingApi,
  pendingChanges,
  plan,
  PveClient,
  SerialApi,
  type PveApi,
} from '@genesis/proxmox';
import { simulatorConnectionConfig, simulatorPlaceFile } from '@genesis/proxmox/src/cli/connect';
import { genesisState } from '@genesis/proxmox/src/testing/desired-state';

const rounds = Number(process.argv[2] ?? 5);
const latencyMs = Number(process.argv[3] ?? 20);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function timedPlan(api: PveApi, state: ReturnType<typeof genesisState>, serial: boolean) {
  const counting = new CountingApi(api);
  const target = serial ? new SerialApi(counting) : counting;
  const started = process.hrtime.bigint();
  const result = await plan(target, state);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (pendingChanges(result).length)
    throw new Error('bench: the host is not converged; the plan has changes');
  return { ms, requests: counting.total };
}

async function main(): Promise<void> {
  const sim = await startSimulator({ taskDurationMs: 10, warn: () => undefined });
  const client = new PveClient(simulatorConnectionConfig(sim));
  try {
    const state = genesisState();
    await apply(client, state, { progress: () => undefined, placeFile: simulatorPlaceFile(sim) });
    sim.setLatency(latencyMs);
    console.log(
      `plan of infra/genesis.yaml on a converged simulator, ${latencyMs} ms latency per request, ${rounds} rounds`,
    );

    const parallel: number[] = [];
    const sequential: number[] = [];
    let requests = { parallel: 0, sequential: 0 };
    for (let i = 0; i < rounds; i++) {
      const p = await timedPlan(client, state, false);
      const s = await timedPlan(client, state, true);
      parallel.push(p.ms);
      sequential.push(s.ms);
      requests = { parallel: p.requests, sequential: s.requests };
    }
    const mp = median(parallel);
    const ms = median(sequential);
    console.log(`  parallel reads (engine):      ${requests.parallel} requests, median ${mp.toFixed(0)} ms`);
    console.log(
      `  one request at a time:        ${requests.sequential} requests, median ${ms.toFixed(0)} ms`,
    );
    console.log(
      `  speed-up: ${(ms / mp).toFixed(2)}x (same requests: ${requests.parallel === requests.sequential ? 'yes' : 'NO'})`,
    );
  } finally {
    client.close();
    await sim.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
