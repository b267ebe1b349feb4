/**
 * The built exporter (dist/apps/exporters/main.js) scraped by the real Prometheus on loopback:
 * mock mode for all three sources, then real mode with a fake nvidia-smi on PATH, both queried
 * back through Prometheus' HTTP API. Random free ports, temp dirs, every process stopped after.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
// The process loads @genesis/proxmox lazily (apps/exporters/src/lib/settings.ts); a test may load it at once.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { exporterTargets } from '@genesis/proxmox';
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

/** Prometheus on loopback scraping one exporter (the compose `exporters` job), or the given scrape configs. */
async function startPrometheus(exporterPort: number | ((dir: string) => unknown[])): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'genesis-prometheus-'));
  dirs.push(dir);
  const config = join(dir, 'prometheus.yml');
  const scrapeConfigs = typeof exporterPort === 'number' ? [{ job_name: 'exporters', static_configs: [{ targets: [`127.0.0.1:${exporterPort}`] }] }] : exporterPort(dir);
  writeFileSync(
    config,
    stringifyYaml({ global: { scrape_interval: '1s', evaluation_interval: '1s' }, rule_files: [`${RULES}/*.yml`], scrape_configs: scrapeConfigs }),
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

// ---- The anchor dashboards (fixtures/anchors/SOURCE.md) through rules/compat.yml ---------------------

interface DashboardPanel {
  targets?: Array<{ expr?: string }>;
  panels?: DashboardPanel[];
}

function dashboardQueries(file: string): string[] {
  const d = JSON.parse(readFileSync(join(__dirname, 'fixtures/anchors', file), 'utf8')) as {
    panels: DashboardPanel[];
    templating: { list: Array<{ type: string; query?: string | { query: string } }> };
  };
  const exprs: string[] = [];
  const walk = (panels: DashboardPanel[] = []) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) exprs.push(t.expr);
      walk(p.panels);
    }
  };
  walk(d.panels);
  for (const v of d.templating.list) {
    if (v.type !== 'query' || !v.query) continue;
    const q = typeof v.query === 'string' ? v.query : v.query.query;
    // label_values(metric{…}, label) reads the metric; query_result(expr) runs the expression.
    const labelValues = /^label_values\((.+),\s*\w+\)$/.exec(q);
    const queryResult = /^query_result\((.+)\)$/.exec(q);
    exprs.push(labelValues ? labelValues[1] : queryResult ? queryResult[1] : q);
  }
  return [...new Set(exprs)];
}

/**
 * Queries whose data cannot exist without the exporter the dashboard was made for: nvidia-smi -q -x
 * has no XID events (NVML event API), no energy counter in every schema, no NVLink fabric state or
 * compute mode in what libs/gpu parses, and no profiling counters (DCGM_FI_PROF_*, MIG SM/tensor
 * activity need DCGM).
 */
const NEEDS_SOURCE_EXPORTER = /nvidia_smi_xid_|nvidia_smi_energy_joules_total|nvidia_smi_fabric_state|nvidia_smi_compute_mode|nvidia_smi_mig_(info|sm_activity|tensor_activity)|DCGM_FI_PROF_/;

async function anchorDashboardsReturnData(base: string, exporterPort: number): Promise<void> {
  const instance = `127.0.0.1:${exporterPort}`;
  await waitFor(async () => (await query(base, 'nvidia_smi_gpu_info')).length === 2 && (await query(base, 'DCGM_FI_DEV_GPU_TEMP')).length === 2, 20_000, () => 'compat series not recorded');
  // rate() over the dashboards' intervals needs a few evaluations of the recording rules.
  await waitFor(async () => (await query(base, 'count_over_time(nvidia_smi_gpu_info[1m]) >= 4')).length === 2, 30_000, () => 'too few compat samples');
  const uuids = (await query(base, 'nvidia_smi_gpu_info')).map((s) => s.metric.uuid);
  const indexes = (await query(base, 'DCGM_FI_DEV_GPU_TEMP')).map((s) => s.metric.gpu);
  expect(uuids.every((u) => /^[0-9a-f-]{36}$/.test(u))).toBe(true);

  const report: Record<string, { withData: string[]; empty: string[] }> = {};
  for (const [file, gpus] of [
    ['nvidia_gpu_exporter-14574.json', uuids],
    ['dcgm-exporter-12239.json', indexes],
  ] as const) {
    const withData: string[] = [];
    const empty: string[] = [];
    for (const expr of dashboardQueries(file)) {
      let found = false;
      for (const gpu of gpus) {
        const promql = expr
          .replaceAll('$__rate_interval', '1m')
          .replaceAll('$__interval', '15s')
          .replaceAll('$job', 'exporters')
          .replaceAll('$node', instance)
          .replaceAll('$instance', instance)
          .replaceAll('$gpu', gpu);
        if ((await query(base, promql)).length > 0) found = true;
      }
      (found ? withData : empty).push(expr);
    }
    report[file] = { withData, empty };
  }
  // Every query returns data, except those that read only what the source exporter alone has.
  for (const [file, r] of Object.entries(report)) {
    expect({ file, emptyWithoutReason: r.empty.filter((e) => !NEEDS_SOURCE_EXPORTER.test(e)) }).toEqual({ file, emptyWithoutReason: [] });
    expect(r.withData.length).toBeGreaterThan(r.empty.length);
  }
  console.info(
    Object.entries(report)
      .map(([file, r]) => `${file}: ${r.withData.length} queries return data, ${r.empty.length} need the source exporter:\n  ${r.empty.join('\n  ')}`)
      .join('\n'),
  );
}

const MOCK_ALL = { EXPORTERS_MODE: 'mock', EXPORTERS_PROXMOX_ENABLED: 'true', EXPORTERS_GPU_INTERVAL_SECONDS: '1', EXPORTERS_LLM_INTERVAL_SECONDS: '1' };

maybe('Prometheus scraping the exporter', () => {
  it('stores the mock GPU, LLM and Proxmox series, loads the rules, and the anchor dashboards queries return data through the compatibility rules', async () => {
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
    // Every group of every rule file in the folder is loaded (the list comes from the files, so a new
    // rule file is covered from its first commit).
    const declared = readdirSync(RULES)
      .filter((f) => f.endsWith('.yml'))
      .flatMap((f) => (parseYaml(readFileSync(join(RULES, f), 'utf8')) as { groups: Array<{ name: string }> }).groups.map((g) => g.name));
    expect(declared).toEqual(expect.arrayContaining(['compat-dcgm-exporter', 'compat-nvidia-gpu-exporter', 'compat-prometheus-pve-exporter', 'gpu', 'llm', 'proxmox']));
    expect(rules.data.groups.map((g) => g.name).sort()).toEqual([...declared].sort());

    await anchorDashboardsReturnData(base, exporter.port);

    // Genesis' own dashboards: every panel query returns data for the mock host (rates need a few
    // scrapes, and counters that move slowly a few more, so this waits for the condition).
    const ownQueries = ['gpu.json', 'llm-servers.json', 'proxmox-host.json'].flatMap((file) =>
      (JSON.parse(readFileSync(join(ROOT, 'infra/compose/grafana/dashboards', file), 'utf8')) as { panels: DashboardPanel[] }).panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({ file, expr: t.expr ?? '' })),
      ),
    );
    let own: string[] = [];
    const deadline = Date.now() + 45_000;
    do {
      own = [];
      for (const { file, expr } of ownQueries) {
        // "All" nodes is the node variable's allValue, .*: a single host's series have no node label.
        const promql = expr.replaceAll('$__rate_interval', '1m').replaceAll('node=~"$node"', 'node=~".*"').replace(/=~"\$\w+"/g, '=~".+"');
        if ((await query(base, promql)).length === 0) own.push(`${file}: ${expr}`);
      }
      if (own.length) await new Promise((r) => setTimeout(r, 1000));
    } while (own.length && Date.now() < deadline);
    expect(own).toEqual([]);

    // prometheus-pve-exporter's names and labels, recorded from the Proxmox collector.
    const value = async (promql: string) => (await query(base, promql)).map((s) => s.value[1]);
    await waitFor(async () => (await query(base, 'pve_up')).length > 0, 20_000, () => 'pve_* not recorded');
    expect(await value('pve_up{id="qemu/100"}')).toEqual(['1']);
    expect(await value('pve_up{id="node/pve"}')).toEqual(['1']);
    expect(await value('pve_up{id="storage/pve/local"}')).toEqual(['1']);
    expect(await value('pve_onboot_status{id="qemu/100",node="pve",type="qemu"}')).toEqual(['1']);
    expect(await value('pve_lock_state{id="qemu/200",state="backup"}')).toEqual(['1']);
    expect(await value('pve_ha_state{id="qemu/100",state="started"}')).toEqual(['1']);
    expect(await value('pve_not_backed_up_info{id="qemu/9000"}')).toEqual(['1']);
    expect(await value('pve_guest_info{id="qemu/100",name="brain",node="pve",type="qemu",template="0",tags="ai;gpu"}')).toEqual(['1']);
    expect(await value('pve_storage_info{id="storage/pve/local-zfs",plugintype="zfspool"}')).toEqual(['1']);
    expect(await value('pve_version_info{release="8.4",repoid="2a5fa54a8503f96d",version="8.4.1"}')).toEqual(['1']);
  });

  it('scrapes every cluster node through the exporters-nodes job of prometheus.yml: series carry their node, Proxmox series keep theirs (issue 19)', async () => {
    const [a, b] = [await startExporter(MOCK_ALL), await startExporter(MOCK_ALL)];
    // The job exactly as infra/compose/prometheus/prometheus.yml declares it, on a target file that
    // exporterTargets renders for two nodes (their endpoints are this machine's loopback exporters).
    const declared = (parseYaml(readFileSync(join(ROOT, 'infra/compose/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: Array<Record<string, unknown>> }).scrape_configs;
    const job = declared.find((j) => j.job_name === 'exporters-nodes');
    expect(job).toBeDefined();
    const base = await startPrometheus((dir) => {
      const groups = [
        ...exporterTargets({ nodes: [{ name: 'pve1', endpoint: { host: '127.0.0.1' } }] as never }, a.port),
        ...exporterTargets({ nodes: [{ name: 'pve2', endpoint: { host: '127.0.0.1' } }] as never }, b.port),
      ];
      writeFileSync(join(dir, 'exporters-nodes.yml'), stringifyYaml(groups));
      return [{ ...job, file_sd_configs: [{ files: [join(dir, 'exporters-nodes.yml')] }] }];
    });
    await waitFor(async () => (await query(base, 'genesis_gpu_devices')).length === 2 && (await query(base, 'genesis_pve_node_up')).length === 2, 20_000, () => 'both nodes not scraped');

    const nodesOf = async (promql: string) => (await query(base, promql)).map((s) => `${s.metric.node}@${s.metric.instance}`).sort();
    expect(await nodesOf('up{job="exporters-nodes"}')).toEqual([`pve1@127.0.0.1:${a.port}`, `pve2@127.0.0.1:${b.port}`].sort());
    expect(await nodesOf('genesis_gpu_devices')).toEqual([`pve1@127.0.0.1:${a.port}`, `pve2@127.0.0.1:${b.port}`].sort());
    expect(await nodesOf('genesis_exporter_collector_success{collector="llm"}')).toEqual([`pve1@127.0.0.1:${a.port}`, `pve2@127.0.0.1:${b.port}`].sort());
    // The mock PVE API's node is "pve": a Proxmox series keeps the node it is about (honor_labels),
    // never renamed to exported_node.
    expect(await nodesOf('genesis_pve_node_up')).toEqual([`pve@127.0.0.1:${a.port}`, `pve@127.0.0.1:${b.port}`].sort());
    expect(await query(base, '{exported_node!=""}')).toEqual([]);
    // A dashboard query with the node variable set to pve2 reads pve2's exporter only.
    const gpu = JSON.parse(readFileSync(join(ROOT, 'infra/compose/grafana/dashboards/gpu.json'), 'utf8')) as { panels: DashboardPanel[] };
    const expr = gpu.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr ?? '').find((e) => e.startsWith('genesis_gpu_temperature_celsius{'));
    const promql = (expr as string).replaceAll('$node', 'pve2').replace(/=~"\$\w+"/g, '=~".+"');
    const temps = await query(base, promql);
    expect(temps.length).toBeGreaterThan(0);
    expect([...new Set(temps.map((t) => t.metric.node))]).toEqual(['pve2']);
  });

  it('carries a fake nvidia-smi replay through the bundle (process-group runner) into Prometheus', async () => {
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
