/**
 * Assembles the exporter from its config: one registry, one background sampler per enabled
 * collector, and the sources each collector reads (real or mock). Sources are parameters so tests
 * and the benchmark can swap them.
 */
import type { PveApi } from '@genesis/proxmox';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createGpuCollector } from '../collectors/gpu/gpu-collector';
import { createLlmCollector } from '../collectors/llm/llm-collector';
import { type HttpGet, fetchGet } from '../collectors/llm/reading';
import { createProxmoxCollector } from '../collectors/proxmox/proxmox-collector';
import { MOCK_LLM_ENDPOINTS, mockLlmGet } from '../mock/llm-payloads';
import { mockNvidiaSmiRunner } from '../mock/nvidia-smi-xml';
import { MockPveApi } from '../mock/proxmox';
import { type CommandRunner, processGroupRunner } from './command-runner';
import type { ExporterConfig } from './config';
import { MetricsPage } from './metrics-page';
import { CollectorHealth, Sampler } from './sampler';
import { FamilySet } from './snapshot-family';

export interface ExporterSources {
  runner?: CommandRunner;
  httpGet?: HttpGet;
  /** Called only when the Proxmox collector is enabled in real mode. */
  createPveApi?: () => PveApi;
}

/** How often the page is formatted again when no sample arrives (process_* and nodejs_* series). */
const IDLE_REFRESH_MS = 10_000;

export interface Exporter {
  registry: Registry;
  /** The /metrics page, rendered once per sample. */
  page: MetricsPage;
  samplers: Sampler[];
  start(): void;
  stop(): Promise<void>;
  /** Every sampler has finished its first run. */
  ready(): boolean;
  /** One run of every collector now (tests). */
  sampleNow(): Promise<void>;
}

export function createExporter(config: ExporterConfig, logger: Logger, sources: ExporterSources = {}): Exporter {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges `_total`, which `promtool check metrics` rejects; they say
  // little about an exporter, so they go rather than fail the lint in CI.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  const health = new CollectorHealth(registry);
  const page = new MetricsPage(registry, () => health.sampleAgeText());
  const refresh = () => void page.refresh();
  const mock = config.mode === 'mock';
  const samplers: Sampler[] = [];
  const sampler = (
    name: string,
    section: { intervalSeconds: number; maxSampleAgeSeconds: number },
    timeoutMs: number,
    families: FamilySet,
    run: (signal: AbortSignal) => Promise<void>,
  ) =>
    samplers.push(
      new Sampler({
        name,
        intervalMs: section.intervalSeconds * 1000,
        timeoutMs,
        maxAgeMs: section.maxSampleAgeSeconds * 1000,
        expire: () => families.clear(),
        onChange: refresh,
        run,
        health,
        logger: logger.child({ collector: name }),
      }),
    );

  if (config.gpu.enabled) {
    const timeoutMs = config.gpu.timeoutSeconds * 1000;
    const runner = mock ? mockNvidiaSmiRunner() : (sources.runner ?? processGroupRunner);
    // The sampler's own timeout is a backstop; the runner kills nvidia-smi at timeoutMs.
    const families = new FamilySet(registry);
    sampler('gpu', config.gpu, timeoutMs + 1000, families, createGpuCollector({ nvidiaSmi: config.gpu.nvidiaSmi, timeoutMs, runner, families }));
  }
  if (config.llm.enabled) {
    const endpoints = mock && config.llm.endpoints.length === 0 ? MOCK_LLM_ENDPOINTS : config.llm.endpoints;
    const requestTimeoutMs = config.llm.timeoutSeconds * 1000;
    const get = mock ? mockLlmGet() : (sources.httpGet ?? fetchGet);
    const families = new FamilySet(registry);
    sampler('llm', config.llm, requestTimeoutMs + 1000, families, createLlmCollector({ endpoints, requestTimeoutMs, get, families, logger }));
  }
  if (config.proxmox.enabled) {
    let api: PveApi;
    if (mock) api = new MockPveApi();
    else if (sources.createPveApi) api = sources.createPveApi();
    else throw new Error('proxmox collector enabled in real mode but no Proxmox client was given (main.ts builds one from PVE_* variables)');
    const families = new FamilySet(registry);
    sampler('proxmox', config.proxmox, config.proxmox.timeoutSeconds * 1000, families, createProxmoxCollector({ api, families }));
  }

  let idle: NodeJS.Timeout | undefined;
  return {
    registry,
    page,
    samplers,
    start: () => {
      refresh();
      idle = setInterval(refresh, IDLE_REFRESH_MS);
      idle.unref();
      samplers.forEach((s) => s.start());
    },
    stop: async () => {
      if (idle) clearInterval(idle);
      await Promise.all(samplers.map((s) => s.stop()));
    },
    ready: () => samplers.every((s) => s.ready),
    sampleNow: async () => {
      await Promise.all(samplers.map((s) => s.runOnce()));
      await page.refresh();
    },
  };
}
