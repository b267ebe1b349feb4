/**
 * bench/scrape: scrape latency and memory, in one run, of
 *   - the exporter as shipped (the production bundle dist/apps/exporters/main.js, plain node),
 *   - the per-scrape baseline (nvidia-smi run inside every scrape; bundled with esbuild here too,
 *     so neither carries a compiler),
 *   - the limit: a bare node:http server returning the exporter's page from memory.
 * A fake nvidia-smi replays a 2-GPU capture and takes NVIDIA_SMI_DELAY_SECONDS per call. Loopback
 * only; a bounded number of scrapes at a bounded concurrency; goal (issue 16): exporter p99 within
 * 2x of the limit's and its RSS under 80 MB.
 *   npx nx run bench:scrape   (builds the bundle first; SCRAPES=400 CONCURRENCY=8 NVIDIA_SMI_DELAY_SECONDS=2)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeNvidiaSmi } from '../../apps/exporters/src/testing/fake-nvidia-smi';

const ROOT = join(__dirname, '../..');
const BUNDLE = join(ROOT, 'dist/apps/exporters/main.js');
const SCRAPES = Number(process.env.SCRAPES ?? 400);
const BASELINE_SCRAPES = Number(process.env.BASELINE_SCRAPES ?? 40);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const DELAY = Number(process.env.NVIDIA_SMI_DELAY_SECONDS ?? 2);
const FIXTURE = join(ROOT, 'libs/gpu/src/nvidia-smi/fixtures/2x-rtx-3090-v13.xml');

interface Target {
  name: string;
  child: ChildProcess;
  port: number;
}

function start(name: string, script: string, env: NodeJS.ProcessEnv): Promise<Target> {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ name, child, port: Number(match[1]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
}

function memory(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function load(target: Target, scrapes: number): Promise<{ p50: number; p99: number; max: number; failures: number; rssMiB: number; peakMiB: number }> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const url = `http://127.0.0.1:${target.port}/metrics`;
  const worker = async () => {
    while (next < scrapes) {
      next += 1;
      const started = performance.now();
      try {
        const response = await fetch(url);
        const body = await response.text();
        if (response.status !== 200 || !body.includes('genesis_gpu_power_draw_watts')) failures += 1;
      } catch {
        failures += 1;
      }
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1], failures, ...memory(target.child.pid as number) };
}

async function waitReady(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the exporter never became ready');
}

/** The baseline, bundled like the exporter so that neither run carries the TypeScript compiler. */
function bundleBaseline(dir: string): string {
  const out = join(dir, 'per-scrape-server.js');
  execFileSync(join(ROOT, 'node_modules/.bin/esbuild'), [join(__dirname, 'per-scrape-server.ts'), '--bundle', '--platform=node', '--format=cjs', `--outfile=${out}`, '--log-level=warning'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npx nx run exporters:build (bench:scrape depends on it)`);
  const work = mkdtempSync(join(tmpdir(), 'bench-scrape-'));
  const baselineScript = bundleBaseline(work);
  const fake = createFakeNvidiaSmi();
  fake.replay(FIXTURE);
  fake.setDelaySeconds(DELAY);
  const env = { ...process.env, PATH: fake.pathEnv(), LOG_LEVEL: 'warn' };
  const targets: Target[] = [];
  try {
    const background = await start('exporter (dist bundle)', BUNDLE, {
      ...env,
      EXPORTERS_HOST: '127.0.0.1',
      EXPORTERS_PORT: '0',
      LOG_LEVEL: 'info',
      EXPORTERS_LLM_ENABLED: 'false',
      EXPORTERS_GPU_INTERVAL_SECONDS: '5',
      EXPORTERS_GPU_TIMEOUT_SECONDS: String(DELAY + 8),
    });
    targets.push(background);
    const perScrape = await start('nvidia-smi per scrape (baseline)', baselineScript, env);
    targets.push(perScrape);
    await waitReady(background.port);
    const limit = await start('bytes from memory (limit)', join(__dirname, 'memory-server.js'), { ...env, SOURCE_URL: `http://127.0.0.1:${background.port}/metrics` });
    targets.push(limit);

    console.log(
      `bench/scrape: ${SCRAPES} scrapes of /metrics (baseline ${BASELINE_SCRAPES}), ${CONCURRENCY} concurrent, loopback; fake nvidia-smi takes ${DELAY} s per call (2 GPUs, v13)`,
    );
    // Warm-up: the first requests of each server pay for JIT compilation, not for serving.
    await load(background, 50);
    await load(limit, 50);
    const m = await load(limit, SCRAPES);
    const calls0 = fake.pids().length;
    const a = await load(background, SCRAPES);
    const calls1 = fake.pids().length;
    const b = await load(perScrape, BASELINE_SCRAPES);
    const calls2 = fake.pids().length;
    const row = (name: string, r: typeof a) =>
      `${name.padEnd(34)} p50 ${r.p50.toFixed(2).padStart(8)} ms   p99 ${r.p99.toFixed(2).padStart(8)} ms   max ${r.max.toFixed(1).padStart(8)} ms   RSS ${r.rssMiB.toFixed(1)} MiB (peak ${r.peakMiB.toFixed(1)})   failures ${r.failures}`;
    console.log(row(background.name, a));
    console.log(row(perScrape.name, b));
    console.log(row(limit.name, m));
    console.log(
      `exporter / limit: p50 ${(a.p50 / m.p50).toFixed(2)}x, p99 ${(a.p99 / m.p99).toFixed(2)}x (goal <= 2x); exporter RSS ${a.rssMiB.toFixed(1)} MiB (goal < 80 MB = ${(80e6 / 2 ** 20).toFixed(1)} MiB)`,
    );
    console.log(
      `baseline / exporter: p50 ${(b.p50 / a.p50).toFixed(0)}x, p99 ${(b.p99 / a.p99).toFixed(0)}x, RSS ${(b.rssMiB / a.rssMiB).toFixed(2)}x; nvidia-smi calls during the load: exporter ${calls1 - calls0}, per scrape ${calls2 - calls1}`,
    );
    if (a.failures || b.failures || m.failures) process.exitCode = 1;
  } finally {
    for (const t of targets) t.child.kill('SIGTERM');
    fake.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
