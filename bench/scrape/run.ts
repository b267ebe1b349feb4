/**
 * bench/scrape: scrape latency and memory of the background-sampling exporter against an exporter
 * that calls nvidia-smi per scrape, in the same run, while a fake nvidia-smi takes 2 s per call.
 * Loopback only; a bounded number of scrapes at a bounded concurrency.
 *   npx nx run bench:scrape      (SCRAPES=40 CONCURRENCY=8 NVIDIA_SMI_DELAY_SECONDS=2 to change)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFakeNvidiaSmi } from '../../apps/exporters/src/testing/fake-nvidia-smi';

const ROOT = join(__dirname, '../..');
const SCRAPES = Number(process.env.SCRAPES ?? 40);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const DELAY = Number(process.env.NVIDIA_SMI_DELAY_SECONDS ?? 2);
const FIXTURE = join(ROOT, 'libs/gpu/src/nvidia-smi/fixtures/2x-rtx-3090-v13.xml');

interface Target {
  name: string;
  child: ChildProcess;
  port: number;
}

function start(name: string, script: string, env: NodeJS.ProcessEnv): Promise<Target> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function load(target: Target): Promise<{ p50: number; p99: number; max: number; failures: number; rssMiB: number; peakMiB: number }> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const url = `http://127.0.0.1:${target.port}/metrics`;
  const worker = async () => {
    while (next < SCRAPES) {
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

async function main(): Promise<void> {
  const fake = createFakeNvidiaSmi();
  fake.replay(FIXTURE);
  fake.setDelaySeconds(DELAY);
  const env = { ...process.env, PATH: fake.pathEnv(), LOG_LEVEL: 'warn' };
  const targets: Target[] = [];
  try {
    const background = await start('background sampling (apps/exporters)', 'apps/exporters/src/main.ts', {
      ...env,
      EXPORTERS_HOST: '127.0.0.1',
      EXPORTERS_PORT: '0',
      LOG_LEVEL: 'info',
      EXPORTERS_LLM_ENABLED: 'false',
      EXPORTERS_GPU_INTERVAL_SECONDS: '5',
      EXPORTERS_GPU_TIMEOUT_SECONDS: String(DELAY + 8),
    });
    targets.push(background);
    const perScrape = await start('nvidia-smi per scrape (baseline)', 'bench/scrape/per-scrape-server.ts', env);
    targets.push(perScrape);
    await waitReady(background.port);

    console.log(`bench/scrape: ${SCRAPES} scrapes of /metrics, ${CONCURRENCY} concurrent, loopback; fake nvidia-smi takes ${DELAY} s per call (2 GPUs, v13)`);
    const calls0 = fake.pids().length;
    const a = await load(background);
    const calls1 = fake.pids().length;
    const b = await load(perScrape);
    const calls2 = fake.pids().length;
    const row = (name: string, r: typeof a) =>
      `${name.padEnd(40)} p50 ${r.p50.toFixed(1).padStart(8)} ms   p99 ${r.p99.toFixed(1).padStart(8)} ms   max ${r.max.toFixed(1).padStart(8)} ms   RSS ${r.rssMiB.toFixed(1)} MiB (peak ${r.peakMiB.toFixed(1)})   failures ${r.failures}`;
    console.log(row(background.name, a));
    console.log(row(perScrape.name, b));
    console.log(
      `ratio baseline / background: p50 ${(b.p50 / a.p50).toFixed(0)}x, p99 ${(b.p99 / a.p99).toFixed(0)}x, RSS ${(b.rssMiB / a.rssMiB).toFixed(2)}x; nvidia-smi calls during the load: background ${calls1 - calls0}, per scrape ${calls2 - calls1}`,
    );
    if (a.failures || b.failures) process.exitCode = 1;
  } finally {
    for (const t of targets) t.child.kill('SIGTERM');
    fake.remove();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
