import pino from 'pino';
import { Registry } from 'prom-client';
import { FamilySet } from '../../lib/snapshot-family';
import { llamacppMetricsPage, mockLlmGet, ollamaPs, vllmMetricsPage } from '../../mock/llm-payloads';
import { createLlmCollector } from './llm-collector';
import { readLlamacppMetrics, sampleLlamacpp } from './llamacpp';
import { sampleOllama } from './ollama';
import { PrometheusTextError, parsePrometheusText } from './prometheus-text';
import type { HttpGet } from './reading';
import { readVllmMetrics } from './vllm';

const signal = new AbortController().signal;
const answer =
  (routes: Record<string, { status: number; body: string }>): HttpGet =>
  async (url) =>
    routes[new URL(url).pathname] ?? { status: 404, body: 'not found' };

describe('Prometheus text', () => {
  it('reads labels with escapes, special values and timestamps', () => {
    const samples = parsePrometheusText(
      ['# HELP x y', 'a{b="c\\"d",e="f\\\\g"} 1.5 1700000000000', 'h_bucket{le="+Inf"} +Inf', 'n NaN', 'plain 3'].join('\n'),
    );
    expect(samples[0]).toEqual({ name: 'a', labels: { b: 'c"d', e: 'f\\g' }, value: 1.5 });
    expect(samples[1].value).toBe(Infinity);
    expect(Number.isNaN(samples[2].value)).toBe(true);
    expect(samples[3]).toEqual({ name: 'plain', labels: {}, value: 3 });
  });

  it('names the line of a malformed sample', () => {
    expect(() => parsePrometheusText('ok 1\n{bad} 2')).toThrow(PrometheusTextError);
    expect(() => parsePrometheusText('ok 1\nx{a="1"} notanumber')).toThrow(/line 2/);
  });
});

describe('vLLM', () => {
  it('reads the current names, summing engines per model', () => {
    // Step 0 of the mock runs 7 requests on engine 0; a second engine adds 3.
    const page = vllmMetricsPage(0) + 'vllm:num_requests_running{engine="1",model_name="Qwen/Qwen2.5-14B-Instruct-AWQ"} 3.0\n';
    const r = readVllmMetrics(page);
    expect(r.requestsRunning).toEqual([{ model: 'Qwen/Qwen2.5-14B-Instruct-AWQ', value: 7 + 3 }]);
    expect(r.promptTokensTotal[0].value).toBe(40 * 812);
    expect(r.timeToFirstToken[0].count).toBe(40);
    expect(r.timeToFirstToken[0].buckets.get(Infinity)).toBe(40);
    expect(r.interTokenLatency).toHaveLength(1);
  });

  it('reads the deprecated names of older releases (gpu_cache_usage_perc, time_per_output_token_seconds)', () => {
    const old = [
      'vllm:num_requests_running{model_name="m"} 1.0',
      'vllm:num_requests_waiting{model_name="m"} 4.0',
      'vllm:gpu_cache_usage_perc{model_name="m"} 0.5',
      'vllm:time_per_output_token_seconds_bucket{model_name="m",le="0.05"} 7.0',
      'vllm:time_per_output_token_seconds_bucket{model_name="m",le="+Inf"} 9.0',
      'vllm:time_per_output_token_seconds_sum{model_name="m"} 0.4',
      'vllm:time_per_output_token_seconds_count{model_name="m"} 9.0',
    ].join('\n');
    const r = readVllmMetrics(old);
    expect(r.kvCacheUsageRatio).toEqual([{ model: 'm', value: 0.5 }]);
    expect(r.requestsWaiting).toEqual([{ model: 'm', value: 4 }]);
    expect(r.interTokenLatency[0]).toMatchObject({ model: 'm', sum: 0.4, count: 9 });
  });

  it('prefers the current name when a release exports both, so nothing counts twice', () => {
    const both = 'vllm:kv_cache_usage_perc{model_name="m"} 0.25\nvllm:gpu_cache_usage_perc{model_name="m"} 0.25\n';
    expect(readVllmMetrics(both).kvCacheUsageRatio).toEqual([{ model: 'm', value: 0.25 }]);
  });
});

describe('llama.cpp', () => {
  it('reads the llamacpp: names', () => {
    const r = readLlamacppMetrics(llamacppMetricsPage(0));
    expect(r.promptTokensTotal).toEqual([{ model: '', value: 3000 }]);
    expect(r.generationTokensTotal).toEqual([{ model: '', value: 1200 }]);
    expect(r.requestsWaiting).toEqual([{ model: '', value: 0 }]);
  });

  it('reads 501 as up with metrics disabled, not down', async () => {
    const r = await sampleLlamacpp(
      'http://127.0.0.1:8080',
      answer({ '/metrics': { status: 501, body: '{"error":{"code":501,"message":"This server does not support metrics endpoint.","type":"not_supported_error"}}' } }),
      signal,
    );
    expect(r.up).toBe(true);
    expect(r.metricsEnabled).toBe(false);
  });
});

describe('Ollama', () => {
  it('reads loaded models and their VRAM from /api/ps and the installed ones from /api/tags', async () => {
    const r = await sampleOllama(
      'http://127.0.0.1:11434',
      answer({ '/api/ps': { status: 200, body: ollamaPs() }, '/api/tags': { status: 200, body: '{"models":[]}' } }),
      signal,
    );
    expect(r.loadedModels).toEqual([{ model: 'llama3.1:8b', sizeBytes: 6654289920, vramBytes: 6654289920, expiresAt: Date.parse('2026-11-23T10:05:00.000Z') / 1000 }]);
    expect(r.availableModels).toEqual([]);
  });

  it('rejects a page that is not Ollama', async () => {
    await expect(sampleOllama('http://127.0.0.1:1', answer({ '/api/ps': { status: 200, body: '<html>' }, '/api/tags': { status: 200, body: '{}' } }), signal)).rejects.toThrow(/not JSON/);
  });
});

describe('LLM collector', () => {
  it('marks an endpoint that does not answer as down and keeps the others', async () => {
    const registry = new Registry();
    const mock = mockLlmGet();
    const get: HttpGet = async (url, options) => {
      if (url.includes('dead.invalid')) throw new Error('ECONNREFUSED');
      return mock(url, options);
    };
    const run = createLlmCollector({
      endpoints: [
        { name: 'brain', kind: 'vllm', url: 'http://vllm.mock.invalid:8000' },
        { name: 'dead', kind: 'vllm', url: 'http://dead.invalid:8000' },
        { name: 'nometrics', kind: 'llamacpp', url: 'http://127.0.0.1:9' },
      ],
      requestTimeoutMs: 1000,
      get: async (url, o) => (url.startsWith('http://127.0.0.1:9') ? { status: 501, body: '' } : get(url, o)),
      families: new FamilySet(registry),
      logger: pino({ level: 'silent' }),
    });
    await run(signal);
    const text = await registry.metrics();
    expect(text).toContain('genesis_llm_up{endpoint="brain",kind="vllm"} 1');
    expect(text).toContain('genesis_llm_up{endpoint="dead",kind="vllm"} 0');
    expect(text).toContain('genesis_llm_up{endpoint="nometrics",kind="llamacpp"} 1');
    expect(text).toContain('genesis_llm_metrics_enabled{endpoint="nometrics",kind="llamacpp"} 0');
    expect(text).not.toContain('genesis_llm_requests_running{endpoint="dead"');
    expect(text).toMatch(/genesis_llm_time_to_first_token_seconds_bucket\{endpoint="brain",kind="vllm",model="[^"]+",le="\+Inf"\} 40/);
    expect(text).toContain('# TYPE genesis_llm_time_to_first_token_seconds histogram');
  });
});
