/**
 * vLLM's /metrics (prometheus_client, `vllm:` prefix, `model_name` label, one series per engine).
 * Names changed across releases; each list puts the current name first and the deprecated ones
 * after it, so a server that still exports both is not counted twice.
 */
import { parsePrometheusText } from './prometheus-text';
import { EndpointError, type HttpGet, type LlmReading, emptyReading } from './reading';
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
  return reading;
}

export async function sampleVllm(baseUrl: string, get: HttpGet, signal: AbortSignal): Promise<LlmReading> {
  const url = new URL('/metrics', baseUrl).toString();
  const response = await get(url, { signal });
  if (response.status !== 200) throw new EndpointError(url, `HTTP ${response.status}`);
  return readVllmMetrics(response.body);
}
