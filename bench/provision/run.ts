/**
 * bench/provision: what a person waits for on a converged host, in one run (issue 16):
 *   - `nx run infra:provision` (Nx, then the bundled CLI: one process, one connection, all steps),
 *   - the CLI's own `plan` (node dist/libs/proxmox/cli/main.js plan),
 *   - the CLI's start-up (`--version`), beside a bare `node -e ''` for this machine's floor.
 * Goals: provision within 1.5x of plan; start-up under 300 ms. Without PVE_HOST every run uses the
 * embedded simulator and its state in .genesis/sim/state.json, which the first (unmeasured)
 * provision converges. Medians of RUNS (default 3) runs each, alternating.
 *   npx nx run bench:provision   (builds the CLI bundle first)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/libs/proxmox/cli/main.js');
const NX = join(ROOT, 'node_modules/nx/dist/bin/nx.js');
const RUNS = Number(process.env.RUNS ?? 3);

// This bench runs as an Nx task itself: the nested `nx run` must not take the outer task's settings.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_TASK') && k !== 'NX_CLI_SET'));

function timed(label: string, args: string[], expect?: RegExp): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`${label} exited with ${run.status}:\n${output.slice(-4000)}`);
  if (expect && !expect.test(output)) throw new Error(`${label}: expected ${expect} in its output:\n${output.slice(-4000)}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npx nx run proxmox:build-cli (bench:provision does it first)`);
  const converged = /No changes: the host matches the desired state\./;
  // Converge first (unmeasured): from here on every provision is the converged case.
  timed('genesis provision', [CLI, 'provision', '--file', 'infra/genesis.yaml']);
  const runs = { provision: [] as number[], plan: [] as number[], version: [] as number[], node: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    runs.provision.push(timed('nx run infra:provision', [NX, 'run', 'infra:provision'], converged));
    runs.plan.push(timed('genesis plan', [CLI, 'plan', '--file', 'infra/genesis.yaml'], converged));
    runs.version.push(timed('genesis --version', [CLI, '--version'], /^genesis \d+\.\d+\.\d+/));
    runs.node.push(timed("node -e ''", ['-e', '']));
  }
  const [provision, plan, version, node] = [median(runs.provision), median(runs.plan), median(runs.version), median(runs.node)];
  const ratio = provision / plan;
  console.log(`converged host (embedded simulator unless PVE_HOST), median of ${RUNS} runs each, alternating:`);
  console.log(`  nx run infra:provision   ${provision.toFixed(0).padStart(6)} ms   ${ratio.toFixed(2)}x the CLI's plan (goal ≤ 1.5x: ${ratio <= 1.5 ? 'met' : 'NOT met'})`);
  console.log(`  genesis plan             ${plan.toFixed(0).padStart(6)} ms`);
  console.log(`  genesis --version        ${version.toFixed(0).padStart(6)} ms   (goal < 300 ms: ${version < 300 ? 'met' : 'NOT met'})`);
  console.log(`  node -e '' (this machine) ${node.toFixed(0).padStart(5)} ms   start-up above bare node: ${(version - node).toFixed(0)} ms`);
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
