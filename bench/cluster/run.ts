/**
 * `plan` of a cluster genesis.yaml on converged simulated clusters of 1, 3 and 8 nodes (each node
 * its own HTTPS server, 20 ms injected latency per request), in one run: the cluster plan (every
 * node's reads at once, as `nx run-many -t plan` or `genesis plan` does) against the sum of the
 * single-node plans run one after another (`plan --node X` per node). Median of N runs each,
 * alternating; requests counted from PVE_TRACE. Each size also runs at 0 ms: the CPU floor of
 * simulators, schema validation and client sharing this one process.
 *   node -r @swc-node/register bench/cluster/run.ts [rounds] [latencyMs] [nodes…]   (npx nx run bench:cluster)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { planCluster, planNodes, provisionCluster } from '@genesis/proxmox';
import { simulatedCluster } from '@genesis/proxmox/src/testing/sim-cluster';

const rounds = Number(process.argv[2] ?? 5);
const latencyMs = Number(process.argv[3] ?? 20);
const sizes = process.argv.length > 4 ? process.argv.slice(4).map(Number) : [1, 3, 8];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  console.log(`plan of a cluster genesis.yaml on converged simulated clusters, ${latencyMs} ms latency per request, median of ${rounds} runs each (simulators and client share this process's CPU)`);
  console.log(`  ${'nodes'.padStart(5)}  ${'latency'.padStart(7)}  ${'cluster plan'.padStart(12)}  ${'sum of single-node plans'.padStart(24)}  ${'speed-up'.padStart(8)}  requests (cluster / sum)`);
  for (const size of sizes) {
    const c = await simulatedCluster({ nodes: size });
    const conns = c.connect();
    try {
      const state = c.load();
      await provisionCluster(conns, state, c.env, () => undefined);
      const names = state.nodes!.map((n) => n.name);
      const count = () => readFileSync(c.trace, 'utf8').split('\n').filter(Boolean).length;
      // At 0 ms the CPU work alone (simulators, schema validation and client in this one process), then the latency case.
      for (const latency of [0, latencyMs]) {
        c.sims.setLatency(latency);
        const cluster: number[] = [];
        const sum: number[] = [];
        const requests = { cluster: 0, sum: 0 };
        // One unmeasured run opens the connections.
        await planCluster(conns, state, c.env);
        for (let i = 0; i < rounds; i++) {
          writeFileSync(c.trace, '');
          cluster.push(await timed(() => planCluster(conns, state, c.env)));
          requests.cluster = count();
          writeFileSync(c.trace, '');
          let total = 0;
          for (const node of names) total += await timed(() => planNodes(conns, state, [node]));
          sum.push(total);
          requests.sum = count();
        }
        const [mc, ms] = [median(cluster), median(sum)];
        console.log(
          `  ${String(size).padStart(5)}  ${`${latency} ms`.padStart(7)}  ${`${mc.toFixed(0)} ms`.padStart(12)}  ${`${ms.toFixed(0)} ms`.padStart(24)}  ${`${(ms / mc).toFixed(1)}x`.padStart(8)}  ${requests.cluster} / ${requests.sum}` +
            (latency ? `  (cluster plan: ${(mc / latency).toFixed(1)} latency rounds)` : '  (CPU floor)'),
        );
      }
    } finally {
      conns.close();
      await c.close();
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
