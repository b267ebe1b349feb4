/**
 * End to end through a real child process: a fake `nvidia-smi` on PATH replays real and synthetic
 * captures, the exporter runs it with execa in the background, and we read /metrics over HTTP.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { CommandError, processGroupRunner } from '../../lib/command-runner';
import { loadConfig } from '../../lib/config';
import { type Exporter, createExporter } from '../../lib/exporter';
import { type MetricsServer, createServer } from '../../lib/server';
import { type FakeNvidiaSmi, createFakeNvidiaSmi, isAlive } from '../../testing/fake-nvidia-smi';
import { type TextSample, parsePrometheusText } from '../llm/prometheus-text';

const MiB = 1024 * 1024;
const SHARED = join(__dirname, '../../../../../../shared/fixtures/nvidia-smi');
const OWN = join(__dirname, '../../../../../libs/gpu/src/nvidia-smi/fixtures');
const haveShared = existsSync(SHARED);
if (!haveShared && process.env.CI === 'true') throw new Error(`CI=true but ${SHARED} is missing: check out ../shared beside the repo`);
if (!haveShared) console.warn(`skipping the real nvidia-smi captures: ${SHARED} not found`);
const withShared = haveShared ? it : it.skip;

let fake: FakeNvidiaSmi;
let exporter: Exporter;
let server: MetricsServer;
let base: string;
const originalPath = process.env.PATH;

jest.setTimeout(60_000);

beforeAll(async () => {
  fake = createFakeNvidiaSmi();
  process.env.PATH = fake.pathEnv();
  // The interval is long: the tests drive every run with sampleNow().
  const config = loadConfig({ EXPORTERS_LLM_ENABLED: 'false', EXPORTERS_GPU_INTERVAL_SECONDS: '3600', EXPORTERS_GPU_TIMEOUT_SECONDS: '1' });
  exporter = createExporter(config, pino({ level: 'silent' }));
  server = createServer(exporter, pino({ level: 'silent' }));
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server.close();
  await exporter.stop();
  process.env.PATH = originalPath;
  fake.remove();
});

async function scrape(): Promise<TextSample[]> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
}

async function replay(path: string): Promise<TextSample[]> {
  fake.setMode('ok');
  fake.replay(path);
  await exporter.sampleNow();
  return scrape();
}

function values(samples: TextSample[], name: string, labels: Record<string, string> = {}): number[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);
}

const one = (samples: TextSample[], name: string, labels: Record<string, string> = {}) => {
  const found = values(samples, name, labels);
  expect({ name, labels, found: found.length }).toEqual({ name, labels, found: 1 });
  return found[0];
};

describe('GPU collector through a fake nvidia-smi on PATH', () => {
  withShared('v12 schema, one GPU (RTX 3090 in a VM): power_readings and throttle reasons', async () => {
    const m = await replay(join(SHARED, 'rtx-3090-v12.xml'));
    expect(one(m, 'genesis_gpu_devices')).toBe(1);
    const info = m.find((s) => s.name === 'genesis_gpu_info');
    expect(info?.labels).toMatchObject({ gpu: '0', uuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab', driver_version: '525.147.05', cuda_version: '12.0', pci_bus_id: '00000000:00:10.0', schema_version: '12' });
    expect(one(m, 'genesis_gpu_power_draw_watts')).toBe(27.23);
    expect(one(m, 'genesis_gpu_power_limit_watts')).toBe(200);
    expect(one(m, 'genesis_gpu_power_default_limit_watts')).toBe(350);
    expect(one(m, 'genesis_gpu_temperature_celsius', { sensor: 'gpu' })).toBe(37);
    expect(one(m, 'genesis_gpu_memory_total_bytes')).toBe(24576 * MiB);
    expect(one(m, 'genesis_gpu_memory_used_bytes')).toBe(1 * MiB);
    expect(one(m, 'genesis_gpu_clocks_event_reason_active', { reason: 'gpu_idle' })).toBe(1);
    // N/A in the capture: no series at all, never a 0.
    expect(values(m, 'genesis_gpu_temperature_celsius', { sensor: 'memory' })).toEqual([]);
    expect(values(m, 'genesis_gpu_ecc_errors_total')).toEqual([]);
    expect(values(m, 'genesis_gpu_ecc_mode_enabled')).toEqual([]);
    expect(values(m, 'genesis_gpu_power_draw_instant_watts')).toEqual([]);
    expect(one(m, 'genesis_exporter_collector_success', { collector: 'gpu' })).toBe(1);
  });

  withShared('v13 schema, one GPU: average and instant power, event reasons and their counters', async () => {
    const m = await replay(join(SHARED, '3090-v13.xml'));
    expect(one(m, 'genesis_gpu_power_draw_watts')).toBe(35.06);
    expect(one(m, 'genesis_gpu_power_draw_instant_watts')).toBe(35.15);
    expect(one(m, 'genesis_gpu_power_limit_watts')).toBe(350);
    expect(one(m, 'genesis_gpu_clocks_event_reason_active', { reason: 'sw_power_cap' })).toBe(1);
    expect(one(m, 'genesis_gpu_clocks_event_reason_seconds_total', { reason: 'sw_power_cap' })).toBeCloseTo(9840.338777, 6);
    expect(one(m, 'genesis_gpu_utilization_ratio')).toBe(0);
    expect(one(m, 'genesis_gpu_memory_utilization_ratio')).toBe(0.01);
    expect(one(m, 'genesis_gpu_pcie_transmit_bytes_per_second')).toBe(488 * 1024);
    expect(one(m, 'genesis_gpu_recovery_action', { action: 'none' })).toBe(1);
  });

  withShared('MIG (A100 with four MIG devices): per-device memory, no GPU utilisation under MIG', async () => {
    const m = await replay(join(SHARED, 'a100-sxm4-v12.xml'));
    expect(one(m, 'genesis_gpu_mig_mode_enabled')).toBe(1);
    expect(one(m, 'genesis_gpu_mig_devices')).toBe(4);
    expect(values(m, 'genesis_gpu_mig_device_memory_total_bytes')).toEqual([19968 * MiB, 19968 * MiB, 19968 * MiB, 19968 * MiB]);
    expect(one(m, 'genesis_gpu_mig_device_memory_used_bytes', { mig_device: '2', gpu_instance_id: '5' })).toBe(12 * MiB);
    expect(values(m, 'genesis_gpu_utilization_ratio')).toEqual([]);
    expect(one(m, 'genesis_gpu_power_draw_watts')).toBe(67.03);
    expect(one(m, 'genesis_gpu_temperature_celsius', { sensor: 'memory' })).toBe(44);
    expect(values(m, 'genesis_gpu_ecc_errors_total')).toHaveLength(8);
    expect(one(m, 'genesis_gpu_reset_required')).toBe(0);
  });

  it('several GPUs in one report: one series per GPU, each with its own values', async () => {
    const m = await replay(join(OWN, '2x-rtx-3090-v13.xml'));
    expect(one(m, 'genesis_gpu_devices')).toBe(2);
    expect(values(m, 'genesis_gpu_info').length).toBe(2);
    expect(one(m, 'genesis_gpu_memory_used_bytes', { gpu: '0', uuid: 'GPU-3a1f0c52-5b7e-4d21-9c3e-7f00a1b2c301' })).toBe(21813 * MiB);
    expect(one(m, 'genesis_gpu_memory_used_bytes', { gpu: '1', uuid: 'GPU-8d42e9b0-1c6a-4f3b-a5d8-2e9f40c7d402' })).toBe(3 * MiB);
    expect(one(m, 'genesis_gpu_utilization_ratio', { gpu: '0' })).toBe(0.87);
    expect(one(m, 'genesis_gpu_power_draw_watts', { gpu: '0' })).toBe(312.48);
    expect(values(m, 'genesis_gpu_power_draw_watts', { gpu: '1' })).toEqual([]);
    expect(one(m, 'genesis_gpu_power_draw_instant_watts', { gpu: '1' })).toBe(21.87);
    expect(values(m, 'genesis_gpu_fan_speed_ratio', { gpu: '1' })).toEqual([]);
    expect(one(m, 'genesis_gpu_process_memory_used_bytes', { gpu: '0', pid: '2417' })).toBe(21796 * MiB);
    expect(one(m, 'genesis_gpu_processes', { gpu: '1' })).toBe(0);
  });

  it('an XID-class fault: recovery action, ECC errors, remapped rows, hardware slowdown', async () => {
    const m = await replay(join(OWN, 'a100-pcie-v13-xid-throttled.xml'));
    expect(one(m, 'genesis_gpu_recovery_action', { action: 'drain_and_reset' })).toBe(1);
    expect(one(m, 'genesis_gpu_ecc_errors_total', { scope: 'volatile', location: 'dram', type: 'uncorrectable' })).toBe(2);
    expect(one(m, 'genesis_gpu_remapped_rows_total', { cause: 'uncorrectable' })).toBe(5);
    expect(one(m, 'genesis_gpu_remapped_rows_pending')).toBe(1);
    expect(one(m, 'genesis_gpu_clocks_event_reason_active', { reason: 'hw_slowdown' })).toBe(1);
    expect(one(m, 'genesis_gpu_temperature_celsius', { sensor: 'gpu' })).toBe(89);
  });

  it('keeps serving the last good sample when nvidia-smi fails, and says so', async () => {
    await replay(join(OWN, 'a100-pcie-v13-xid-throttled.xml'));
    const errorsBefore = one(await scrape(), 'genesis_exporter_collector_runs_total', { collector: 'gpu', result: 'error' });
    fake.setMode('fail');
    await exporter.sampleNow();
    const m = await scrape();
    expect(one(m, 'genesis_exporter_collector_success', { collector: 'gpu' })).toBe(0);
    expect(one(m, 'genesis_exporter_collector_runs_total', { collector: 'gpu', result: 'error' })).toBe(errorsBefore + 1);
    expect(one(m, 'genesis_gpu_temperature_celsius', { sensor: 'gpu' })).toBe(89);
    expect(one(m, 'genesis_exporter_collector_sample_age_seconds', { collector: 'gpu' })).toBeGreaterThanOrEqual(0);
    expect(one(m, 'genesis_exporter_collector_last_success_timestamp_seconds', { collector: 'gpu' })).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('kills a hung nvidia-smi after the timeout, and scrapes stay fast while it hangs', async () => {
    fake.setMode('hang');
    const callsBefore = fake.pids().length;
    const started = Date.now();
    let runFinished = false;
    const run = exporter.sampleNow().then(() => {
      runFinished = true;
    });
    // Let the child start, then scrape while it hangs: the scrape must not wait for it.
    await new Promise((r) => setTimeout(r, 200));
    const during = await scrape();
    expect(runFinished).toBe(false);
    expect(values(during, 'genesis_gpu_devices')).toEqual([1]);
    await run;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5000);
    const pid = fake.pids()[callsBefore];
    expect(pid).toBeGreaterThan(0);
    // The runner SIGKILLs the child; give the kernel a moment to reap it.
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(false);
    const m = await scrape();
    expect(one(m, 'genesis_exporter_collector_runs_total', { collector: 'gpu', result: 'timeout' })).toBeGreaterThanOrEqual(1);
    expect(one(m, 'genesis_exporter_collector_success', { collector: 'gpu' })).toBe(0);
  });

  it('kills a hung wrapper with its whole process group: no orphaned child after the timeout', async () => {
    fake.setMode('hang-child');
    const callsBefore = fake.pids().length;
    const childrenBefore = fake.children().length;
    await expect(processGroupRunner.run('nvidia-smi', ['-q', '-x'], { timeoutMs: 1000 })).rejects.toThrow(/killed with its process group/);
    const wrapper = fake.pids()[callsBefore];
    const child = fake.children()[childrenBefore];
    expect(wrapper).toBeGreaterThan(0);
    expect(child).toBeGreaterThan(0);
    // SIGKILL is delivered at once; reaping by init may take a moment on a loaded machine.
    const deadline = Date.now() + 10_000;
    while ((isAlive(wrapper) || isAlive(child)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect({ wrapperAlive: isAlive(wrapper), childAlive: isAlive(child) }).toEqual({ wrapperAlive: false, childAlive: false });
  });

  it('reports a missing binary clearly', async () => {
    await expect(processGroupRunner.run('/nonexistent/nvidia-smi', ['-q', '-x'], { timeoutMs: 1000 })).rejects.toThrow(CommandError);
    await expect(processGroupRunner.run('/nonexistent/nvidia-smi', ['-q', '-x'], { timeoutMs: 1000 })).rejects.toThrow(/NVIDIA_SMI/);
  });
});
