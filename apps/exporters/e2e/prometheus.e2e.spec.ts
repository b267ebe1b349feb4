/**
 * The built exporter (dist/apps/exporters/main.js) scraped by the real Prometheus on loopback:
 * mock mode for all three sources, then real mode with a fake nvidia-smi on PATH, both queried
 * back through Prometheus' HTTP API. Random free ports, temp dirs, every process stopped after.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeNvidiaSmi } from '../src/testing/fake-nvidia-smi';

const ROOT = join(__dirname, '../../..');
const BUNDLE = join(ROOT, 'dist/apps/exporters/main.js');
const PROMETHEUS = '/usr/bin/prometheus';
const RULES = join(ROOT, 'infra/compose/prometheus/rules');
const have = existsSync(PROMETHEUS) && existsSync(BUNDLE);
if (!have && process.env.CI === 'true') throw new Error(`CI=true but ${existsSync(PROMETHEUS) ? BUNDLE + ' (run nx run exporters:build)' : PROMETHEUS + ' (scripts/setup/install-dependencies.sh)'} is missing`);
if (!have) console.warn(`skipping: needs ${PROMETHEUS} and ${BUNDLE}`);
const maybe = have ? describe : describe.skip;

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
          setTimeout(() => c.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startExporter(env: Record<string, string>): Promise<{ port: number; output: () => string }> {
  const child = spawn(process.execPath, [BUNDLE], {
    env: { ...process.env, EXPORTERS_HOST: '127.0.0.1', EXPORTERS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exporter did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+).*exporters listening/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exporter exited with ${code}:\n${output}`)));
  });
}

async function startPrometheus(exporterPort: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'genesis-prometheus-'));
  dirs.push(dir);
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${RULES}/*.yml`,
      'scrape_configs:',
      '  - job_name: exporters',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${exporterPort}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/-/ready`).catch(() => undefined))?.status === 200, 20_000, () => `Prometheus not ready:\n${log}`);
  return base;
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(base: string, promql: string): Promise<VectorSample[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: VectorSample[] } };
  if (body.status !== 'success') throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, why: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(why());
}

maybe('Prometheus scraping the exporter', () => {
  it('stores the mock GPU, LLM and Proxmox series and loads the alert rules', async () => {
    const exporter = await startExporter({ EXPORTERS_MODE: 'mock', EXPORTERS_PROXMOX_ENABLED: 'true', EXPORTERS_GPU_INTERVAL_SECONDS: '1', EXPORTERS_LLM_INTERVAL_SECONDS: '1' });
    const base = await startPrometheus(exporter.port);
    await waitFor(async () => (await query(base, 'genesis_gpu_devices')).length > 0, 20_000, () => `no scrape stored:\n${exporter.output()}`);

    expect((await query(base, 'up{job="exporters"}'))[0].value[1]).toBe('1');
    expect((await query(base, 'genesis_gpu_devices'))[0].value[1]).toBe('2');
    const temps = await query(base, 'genesis_gpu_temperature_celsius{sensor="gpu"}');
    expect(temps.map((s) => s.metric.gpu).sort()).toEqual(['0', '1']);
    const up = await query(base, 'genesis_llm_up');
    expect(up.map((s) => `${s.metric.endpoint}=${s.value[1]}`).sort()).toEqual(['brain-vllm=1', 'edge-llamacpp=1', 'lab-ollama=1']);
    expect((await query(base, 'genesis_pve_guest_up{vmid="100"}'))[0].value[1]).toBe('1');
    const ttft = await query(base, 'histogram_quantile(0.95, sum by (endpoint, le) (genesis_llm_time_to_first_token_seconds_bucket))');
    expect(Number(ttft[0].value[1])).toBeGreaterThan(0);

    const rules = (await (await fetch(`${base}/api/v1/rules`)).json()) as { data: { groups: Array<{ name: string }> } };
    expect(rules.data.groups.map((g) => g.name).sort()).toEqual(['exporters', 'gpu', 'llm', 'proxmox']);
  });

  it('carries a fake nvidia-smi replay through the bundle (execa inside esbuild) into Prometheus', async () => {
    const fake = createFakeNvidiaSmi();
    dirs.push(fake.dir);
    fake.replay(join(ROOT, 'libs/gpu/src/nvidia-smi/fixtures/2x-rtx-3090-v13.xml'));
    const exporter = await startExporter({ PATH: fake.pathEnv(), EXPORTERS_LLM_ENABLED: 'false', EXPORTERS_GPU_INTERVAL_SECONDS: '1' });
    const base = await startPrometheus(exporter.port);
    await waitFor(async () => (await query(base, 'genesis_gpu_devices')).length > 0, 20_000, () => `no GPU series stored:\n${exporter.output()}`);
    const power = await query(base, 'genesis_gpu_power_draw_watts');
    expect(power.map((s) => [s.metric.gpu, s.value[1]])).toEqual([['0', '312.48']]);
    expect((await query(base, 'genesis_exporter_collector_success{collector="gpu"}'))[0].value[1]).toBe('1');
  });
});
