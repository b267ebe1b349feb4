/**
 * bench/provision: what a person waits for on a converged host, in one run (issue 16):
 *   - `nx run infra:provision` (Nx, then the bundled CLI: one process, one connection, all steps),
 *   - the CLI's own `plan` (node dist/libs/proxmox/cli/main.js plan),
 *   - the CLI's start-up (`--version`), beside a bare `node -e ''` for this machine's floor,
 * and where the difference goes: `nx run infra:plan` (provision against plan under the same runner),
 * the same provision without Nx, the provision with Nx's plugin isolation off
 * (NX_ISOLATE_PLUGINS=false: Nx otherwise starts one worker process per plugin, six here, each
 * loading Nx), and Nx alone (a cache hit of proxmox:build-cli, no process started). NX_DAEMON passes
 * through (Nx leaves its daemon off in containers and CI; a workstation has it on):
 * `NX_DAEMON=true npx nx run bench:provision`.
 * Goals: provision within 1.5x of plan; start-up under 300 ms. Without PVE_HOST every run uses the
 * embedded simulator and its state in .genesis/sim/state.json, which the first (unmeasured)
 * provision converges. Medians of RUNS (default 3) runs each, alternating.
 *   npx nx run bench:provision   (builds the CLI bundle first)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/libs/proxmox/cli/main.js');
const NX = join(ROOT, 'node_modules/nx/dist/bin/nx.js');
const RUNS = Number(process.env.RUNS ?? 3);

// This bench runs as an Nx task itself: the nested `nx run` must not take the outer task's settings.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_TASK') && k !== 'NX_CLI_SET'));

const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);

interface Sample {
  ms: number;
  /** CPU seconds of the process and what it waited for (user + sys, GNU time); NaN without it. */
  cpuMs: number;
}

/** Wall time, and CPU time: on a loaded machine the second says what a run costs, the first what it waited. */
function timed(label: string, args: string[], expect?: RegExp, extraEnv: NodeJS.ProcessEnv = {}): Sample {
  const started = process.hrtime.bigint();
  const options = { cwd: ROOT, env: { ...env, ...extraEnv }, encoding: 'utf8' as const, maxBuffer: 64 * 1024 * 1024 };
  const run = haveTime ? spawnSync(TIME, ['-f', '__cpu %U %S', process.execPath, ...args], options) : spawnSync(process.execPath, args, options);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`${label} exited with ${run.status}:\n${output.slice(-4000)}`);
  if (expect && !expect.test(output)) throw new Error(`${label}: expected ${expect} in its output:\n${output.slice(-4000)}`);
  const cpu = /__cpu ([\d.]+) ([\d.]+)/.exec(run.stderr ?? '');
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const medians = (samples: Sample[]): Sample => ({ ms: median(samples.map((x) => x.ms)), cpuMs: median(samples.map((x) => x.cpuMs)) });

function main(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npx nx run proxmox:build-cli (bench:provision does it first)`);
  const converged = /No changes: the host matches the desired state\./;
  // Converge first (unmeasured): from here on every provision is the converged case.
  timed('genesis provision', [CLI, 'provision', '--file', 'infra/genesis.yaml']);
  const loadBefore = loadAverage();
  const runs = {
    provision: [] as Sample[],
    nxPlan: [] as Sample[],
    unisolated: [] as Sample[],
    direct: [] as Sample[],
    nx: [] as Sample[],
    plan: [] as Sample[],
    version: [] as Sample[],
    node: [] as Sample[],
  };
  for (let i = 0; i < RUNS; i++) {
    runs.provision.push(timed('nx run infra:provision', [NX, 'run', 'infra:provision'], converged));
    runs.nxPlan.push(timed('nx run infra:plan', [NX, 'run', 'infra:plan'], converged));
    runs.unisolated.push(timed('NX_ISOLATE_PLUGINS=false nx run infra:provision', [NX, 'run', 'infra:provision'], converged, { NX_ISOLATE_PLUGINS: 'false' }));
    runs.plan.push(timed('genesis plan', [CLI, 'plan', '--file', 'infra/genesis.yaml'], converged));
    runs.direct.push(timed('genesis provision', [CLI, 'provision', '--file', 'infra/genesis.yaml'], converged));
    runs.nx.push(timed('nx run proxmox:build-cli', [NX, 'run', 'proxmox:build-cli'], /local cache|existing outputs match the cache/));
    runs.version.push(timed('genesis --version', [CLI, '--version'], /^genesis \d+\.\d+\.\d+/));
    runs.node.push(timed("node -e ''", ['-e', '']));
  }
  const [provision, plan, version, node, direct, nx, nxPlan, unisolated] = [
    runs.provision,
    runs.plan,
    runs.version,
    runs.node,
    runs.direct,
    runs.nx,
    runs.nxPlan,
    runs.unisolated,
  ].map(medians);
  const ratio = provision.ms / plan.ms;
  const load = `${loadBefore} before, ${loadAverage()} after`;
  console.log(
    `converged host (embedded simulator unless PVE_HOST), Nx daemon ${process.env.NX_DAEMON === 'true' ? 'on' : process.env.NX_DAEMON === 'false' ? 'off' : 'as Nx decides (off in containers and CI)'}, ` +
      `median of ${RUNS} runs each, alternating; ${cpus().length} CPUs, load average ${load}:`,
  );
  const row = (label: string, x: Sample, note: string) =>
    console.log(`  ${label.padEnd(26)} ${x.ms.toFixed(0).padStart(6)} ms wall ${Number.isNaN(x.cpuMs) ? '' : `${x.cpuMs.toFixed(0).padStart(6)} ms CPU`}   ${note}`);
  row('nx run infra:provision', provision, `${ratio.toFixed(2)}x the CLI's plan (goal ≤ 1.5x: ${ratio <= 1.5 ? 'met' : 'NOT met'}; CPU ${(provision.cpuMs / plan.cpuMs).toFixed(2)}x)`);
  row('nx run infra:plan', nxPlan, `provision is ${(provision.ms / nxPlan.ms).toFixed(2)}x plan under the same runner (CPU ${(provision.cpuMs / nxPlan.cpuMs).toFixed(2)}x)`);
  row('  plugin isolation off', unisolated, `NX_ISOLATE_PLUGINS=false nx run infra:provision: ${(unisolated.ms / plan.ms).toFixed(2)}x the CLI's plan (CPU ${(unisolated.cpuMs / plan.cpuMs).toFixed(2)}x)`);
  row('genesis plan', plan, '');
  row('genesis provision', direct, `the same run without Nx: ${(direct.ms / plan.ms).toFixed(2)}x the plan`);
  row('Nx alone', nx, 'nx run proxmox:build-cli, a cache hit: what any nx run costs here');
  // provision under Nx ≈ Nx's own cost + the CLI's provision: the 1.5x goal holds only while Nx costs under half a plan.
  console.log(
    `  Nx's own cost is ${(nx.ms / plan.ms).toFixed(2)}x the CLI's plan; provision under Nx less the CLI's provision is ${(provision.ms - direct.ms).toFixed(0)} ms ` +
      `(the goal needs Nx under ${(0.5 * plan.ms).toFixed(0)} ms here)`,
  );
  row('genesis --version', version, `goal < 300 ms: ${version.ms < 300 ? 'met' : 'NOT met'}`);
  row("node -e ''", node, `this machine's floor; --version is ${(version.ms / node.ms).toFixed(2)}x it: ${(version.ms - node.ms).toFixed(0)} ms wall, ${(version.cpuMs - node.cpuMs).toFixed(0)} ms CPU above it`);
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
