/**
 * The LLM collector: samples every configured endpoint in parallel and swaps the `genesis_llm_*`
 * families in. An endpoint that does not answer reads `genesis_llm_up 0` and loses its other
 * series, like Prometheus' own `up`; the collector run itself still succeeds.
 */
import type { Logger } from 'pino';
import type { LlmEndpoint, LlmKind } from '../../lib/config';
import { type FamilySet, type Labels, type MetricType, SampleBatch } from '../../lib/snapshot-family';
import { sampleLlamacpp } from './llamacpp';
import { sampleOllama } from './ollama';
import { type HistogramValue, type HttpGet, type LlmReading, type ModelValue, emptyReading } from './reading';
import { sampleVllm } from './vllm';

export const LLM_FAMILIES: Array<[name: string, help: string, type?: MetricType]> = [
  ['genesis_llm_up', 'Whether the LLM endpoint answered its last sample (1) or not (0).'],
  ['genesis_llm_metrics_enabled', 'Whether the endpoint serves its metrics page (0: llama.cpp started without --metrics).'],
  ['genesis_llm_sample_duration_seconds', 'How long sampling the endpoint took.'],
  ['genesis_llm_requests_running', 'Requests being processed.'],
  ['genesis_llm_requests_waiting', 'Requests queued, waiting to be processed.'],
  ['genesis_llm_kv_cache_usage_ratio', 'KV cache usage (0..1).'],
  ['genesis_llm_prompt_tokens_total', 'Prompt (prefill) tokens processed.', 'counter'],
  ['genesis_llm_generation_tokens_total', 'Generated tokens.', 'counter'],
  ['genesis_llm_preemptions_total', 'Requests preempted by the engine.', 'counter'],
  ['genesis_llm_request_success_total', 'Finished requests by finish reason.', 'counter'],
  ['genesis_llm_prompt_throughput_tokens_per_second', 'Average prompt throughput reported by the server.'],
  ['genesis_llm_generation_throughput_tokens_per_second', 'Average generation throughput reported by the server.'],
  ['genesis_llm_time_to_first_token_seconds', 'Time to first token.', 'histogram'],
  ['genesis_llm_e2e_request_latency_seconds', 'End-to-end request latency.', 'histogram'],
  ['genesis_llm_inter_token_latency_seconds', 'Time between output tokens.', 'histogram'],
  ['genesis_llm_requests_waiting_by_reason', 'Requests waiting, by reason (vLLM V1: capacity, deferred).'],
  ['genesis_llm_prefix_cache_queried_tokens_total', 'Prompt tokens looked up in the prefix cache (vLLM).', 'counter'],
  ['genesis_llm_prefix_cache_hit_tokens_total', 'Prompt tokens found in the prefix cache (vLLM).', 'counter'],
  ['genesis_llm_request_queue_time_seconds', 'Time requests spent waiting before they ran (vLLM).', 'histogram'],
  ['genesis_llm_request_prefill_time_seconds', 'Time requests spent in prefill (vLLM).', 'histogram'],
  ['genesis_llm_request_decode_time_seconds', 'Time requests spent in decode (vLLM).', 'histogram'],
  ['genesis_llm_request_prompt_tokens', 'Prompt tokens per finished request (vLLM).', 'histogram'],
  ['genesis_llm_request_generation_tokens', 'Generated tokens per finished request (vLLM).', 'histogram'],
  ['genesis_llm_models_loaded', 'Models loaded in memory (Ollama).'],
  ['genesis_llm_model_loaded_size_bytes', 'Size of a loaded model (Ollama).'],
  ['genesis_llm_model_loaded_vram_bytes', 'VRAM used by a loaded model (Ollama).'],
  ['genesis_llm_model_loaded_expiry_timestamp_seconds', 'When a loaded model will be unloaded (Ollama).'],
  ['genesis_llm_models_available', 'Models installed on the server (Ollama).'],
];

const SAMPLERS: Record<LlmKind, (url: string, get: HttpGet, signal: AbortSignal, apiKey?: string) => Promise<LlmReading>> = {
  vllm: sampleVllm,
  llamacpp: sampleLlamacpp,
  ollama: sampleOllama,
};

function addValues(batch: SampleBatch, name: string, base: Labels, values: ModelValue[]): void {
  for (const v of values) batch.add(name, { ...base, model: v.model }, v.value);
}

function formatLe(le: number): string {
  return le === Infinity ? '+Inf' : String(le);
}

function addHistograms(batch: SampleBatch, name: string, base: Labels, histograms: HistogramValue[]): void {
  for (const h of histograms) {
    const labels = { ...base, model: h.model };
    const bounds = [...h.buckets.keys()].sort((a, b) => a - b);
    if (!bounds.includes(Infinity)) {
      h.buckets.set(Infinity, h.count);
      bounds.push(Infinity);
    }
    for (const le of bounds) batch.add(name, { ...labels, le: formatLe(le) }, h.buckets.get(le), '_bucket');
    batch.add(name, labels, h.sum, '_sum');
    batch.add(name, labels, h.count, '_count');
  }
}

export function addReading(batch: SampleBatch, endpoint: LlmEndpoint, reading: LlmReading, durationSeconds: number): void {
  const base: Labels = { endpoint: endpoint.name, kind: endpoint.kind };
  batch.add('genesis_llm_up', base, reading.up);
  batch.add('genesis_llm_sample_duration_seconds', base, durationSeconds);
  if (!reading.up) return;
  batch.add('genesis_llm_metrics_enabled', base, reading.metricsEnabled);
  addValues(batch, 'genesis_llm_requests_running', base, reading.requestsRunning);
  addValues(batch, 'genesis_llm_requests_waiting', base, reading.requestsWaiting);
  addValues(batch, 'genesis_llm_kv_cache_usage_ratio', base, reading.kvCacheUsageRatio);
  addValues(batch, 'genesis_llm_prompt_tokens_total', base, reading.promptTokensTotal);
  addValues(batch, 'genesis_llm_generation_tokens_total', base, reading.generationTokensTotal);
  addValues(batch, 'genesis_llm_preemptions_total', base, reading.preemptionsTotal);
  for (const s of reading.requestSuccessTotal) {
    batch.add('genesis_llm_request_success_total', { ...base, model: s.model, finished_reason: s.finishedReason }, s.value);
  }
  addValues(batch, 'genesis_llm_prompt_throughput_tokens_per_second', base, reading.promptThroughput);
  addValues(batch, 'genesis_llm_generation_throughput_tokens_per_second', base, reading.generationThroughput);
  addHistograms(batch, 'genesis_llm_time_to_first_token_seconds', base, reading.timeToFirstToken);
  addHistograms(batch, 'genesis_llm_e2e_request_latency_seconds', base, reading.e2eRequestLatency);
  addHistograms(batch, 'genesis_llm_inter_token_latency_seconds', base, reading.interTokenLatency);
  for (const w of reading.requestsWaitingByReason) {
    batch.add('genesis_llm_requests_waiting_by_reason', { ...base, model: w.model, reason: w.reason }, w.value);
  }
  addValues(batch, 'genesis_llm_prefix_cache_queried_tokens_total', base, reading.prefixCacheQueriesTotal);
  addValues(batch, 'genesis_llm_prefix_cache_hit_tokens_total', base, reading.prefixCacheHitsTotal);
  addHistograms(batch, 'genesis_llm_request_queue_time_seconds', base, reading.requestQueueTime);
  addHistograms(batch, 'genesis_llm_request_prefill_time_seconds', base, reading.requestPrefillTime);
  addHistograms(batch, 'genesis_llm_request_decode_time_seconds', base, reading.requestDecodeTime);
  addHistograms(batch, 'genesis_llm_request_prompt_tokens', base, reading.requestPromptTokens);
  addHistograms(batch, 'genesis_llm_request_generation_tokens', base, reading.requestGenerationTokens);
  if (reading.loadedModels) {
    batch.add('genesis_llm_models_loaded', base, reading.loadedModels.length);
    for (const m of reading.loadedModels) {
      batch.add('genesis_llm_model_loaded_size_bytes', { ...base, model: m.model }, m.sizeBytes);
      batch.add('genesis_llm_model_loaded_vram_bytes', { ...base, model: m.model }, m.vramBytes);
      batch.add('genesis_llm_model_loaded_expiry_timestamp_seconds', { ...base, model: m.model }, m.expiresAt);
    }
  }
  if (reading.availableModels) batch.add('genesis_llm_models_available', base, reading.availableModels.length);
}

export interface LlmCollectorOptions {
  endpoints: LlmEndpoint[];
  requestTimeoutMs: number;
  get: HttpGet;
  families: FamilySet;
  logger: Logger;
}

export function createLlmCollector(options: LlmCollectorOptions) {
  for (const [name, help, type] of LLM_FAMILIES) options.families.define(name, help, type);
  return async (signal: AbortSignal): Promise<void> => {
    const results = await Promise.all(
      options.endpoints.map(async (endpoint) => {
        const started = performance.now();
        const requestSignal = AbortSignal.any([signal, AbortSignal.timeout(options.requestTimeoutMs)]);
        try {
          const reading = await SAMPLERS[endpoint.kind](endpoint.url, options.get, requestSignal, endpoint.apiKey);
          return { endpoint, reading, seconds: (performance.now() - started) / 1000 };
        } catch (error) {
          options.logger.warn({ endpoint: endpoint.name, kind: endpoint.kind, err: (error as Error).message }, 'LLM endpoint sample failed');
          const down = emptyReading(false);
          return { endpoint, reading: down, seconds: (performance.now() - started) / 1000 };
        }
      }),
    );
    const batch = new SampleBatch();
    for (const r of results) addReading(batch, r.endpoint, r.reading, r.seconds);
    options.families.replaceAll(batch);
  };
}
