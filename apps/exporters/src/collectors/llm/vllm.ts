/**
 * vLLM's /metrics (prometheus_client, `vllm:` prefix, `model_name` label, one series per engine).
 * Names changed across releases; each list puts the current name first and the deprecated ones
 * after it, so a server that still exports both is not counted twice.
 */
import { parsePrometheusText } from './prometheus-text';
import { EndpointError, type HttpGet, type LlmReading, authHeaders, emptyReading, endpointUrl } from './reading';
import { histogramByModel, meanByModel, sumByModel } from './series';

export const VLLM_NAMES = {
  running: ['vllm:num_requests_running'],
  waiting: ['vllm:num_requests_waiting'],
  // v0.10 renamed the KV cache gauge; both read 0..1 (1 = 100 %).
  kvCache: ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'],
  promptTokens: ['vllm:prompt_tokens_total'],
  generationTokens: ['vllm:generation_tokens_total'],
  preemptions: ['vllm:num_preemptions_total'],
  requestSuccess: ['vllm:request_success_total'],
  ttft: ['vllm:time_to_first_token_seconds'],
  e2e: ['vllm:e2e_request_latency_seconds'],
  // v0.11 renamed time per output token to inter-token latency.
  interToken: ['vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds'],
  // V1 engine (vllm/v1/metrics/loggers.py, PrometheusStatLogger): prefix cache in tokens (0.9
  // renamed gpu_prefix_cache_* to prefix_cache_*), per-request phase times and token counts.
  prefixCacheQueries: ['vllm:prefix_cache_queries_total', 'vllm:gpu_prefix_cache_queries_total'],
  prefixCacheHits: ['vllm:prefix_cache_hits_total', 'vllm:gpu_prefix_cache_hits_total'],
  waitingByReason: ['vllm:num_requests_waiting_by_reason'],
  queueTime: ['vllm:request_queue_time_seconds'],
  prefillTime: ['vllm:request_prefill_time_seconds'],
  decodeTime: ['vllm:request_decode_time_seconds'],
  promptTokensPerRequest: ['vllm:request_prompt_tokens'],
  generationTokensPerRequest: ['vllm:request_generation_tokens'],
};

export function readVllmMetrics(text: string): LlmReading {
  const samples = parsePrometheusText(text);
  const m = 'model_name';
  const reading = emptyReading(true);
  reading.metricsEnabled = true;
  reading.requestsRunning = sumByModel(samples, VLLM_NAMES.running, m);
  reading.requestsWaiting = sumByModel(samples, VLLM_NAMES.waiting, m);
  reading.kvCacheUsageRatio = meanByModel(samples, VLLM_NAMES.kvCache, m);
  reading.promptTokensTotal = sumByModel(samples, VLLM_NAMES.promptTokens, m);
  reading.generationTokensTotal = sumByModel(samples, VLLM_NAMES.generationTokens, m);
  reading.preemptionsTotal = sumByModel(samples, VLLM_NAMES.preemptions, m);
  const success = new Map<string, { model: string; finishedReason: string; value: number }>();
  for (const s of samples.filter((x) => VLLM_NAMES.requestSuccess.includes(x.name))) {
    const key = `${s.labels[m] ?? ''}\u0000${s.labels.finished_reason ?? ''}`;
    const e = success.get(key) ?? { model: s.labels[m] ?? '', finishedReason: s.labels.finished_reason ?? '', value: 0 };
    e.value += s.value;
    success.set(key, e);
  }
  reading.requestSuccessTotal = [...success.values()];
  reading.timeToFirstToken = histogramByModel(samples, VLLM_NAMES.ttft, m);
  reading.e2eRequestLatency = histogramByModel(samples, VLLM_NAMES.e2e, m);
  reading.interTokenLatency = histogramByModel(samples, VLLM_NAMES.interToken, m);
  reading.prefixCacheQueriesTotal = sumByModel(samples, VLLM_NAMES.prefixCacheQueries, m);
  reading.prefixCacheHitsTotal = sumByModel(samples, VLLM_NAMES.prefixCacheHits, m);
  const waiting = new Map<string, { model: string; reason: string; value: number }>();
  for (const s of samples.filter((x) => VLLM_NAMES.waitingByReason.includes(x.name))) {
    const key = `${s.labels[m] ?? ''}\u0000${s.labels.reason ?? ''}`;
    const e = waiting.get(key) ?? { model: s.labels[m] ?? '', reason: s.labels.reason ?? '', value: 0 };
    e.value += s.value;
    waiting.set(key, e);
  }
  reading.requestsWaitingByReason = [...waiting.values()];
  reading.requestQueueTime = histogramByModel(samples, VLLM_NAMES.queueTime, m);
  reading.requestPrefillTime = histogramByModel(samples, VLLM_NAMES.prefillTime, m);
  reading.requestDecodeTime = histogramByModel(samples, VLLM_NAMES.decodeTime, m);
  reading.requestPromptTokens = histogramByModel(samples, VLLM_NAMES.promptTokensPerRequest, m);
  reading.requestGenerationTokens = histogramByModel(samples, VLLM_NAMES.generationTokensPerRequest, m);
  return reading;
}

export async function sampleVllm(baseUrl: string, get: HttpGet, signal: AbortSignal, apiKey?: string): Promise<LlmReading> {
  const url = endpointUrl(baseUrl, 'metrics');
  const response = await get(url, { signal, headers: authHeaders(apiKey) });
  if (response.status === 401) throw new EndpointError(url, 'HTTP 401: the server wants an API key; set apiKeyFile or apiKeyEnv for this endpoint');
  if (response.status !== 200) throw new EndpointError(url, `HTTP ${response.status}`);
  return readVllmMetrics(response.body);
}
