/**
 * llama.cpp server's /metrics (`llamacpp:` prefix, no model label). The page exists only when the
 * server runs with `--metrics`; otherwise it answers 501, which means "up, metrics disabled".
 */
import { parsePrometheusText } from './prometheus-text';
import { EndpointError, type HttpGet, type LlmReading, emptyReading } from './reading';
import { meanByModel, sumByModel } from './series';

export const LLAMACPP_NAMES = {
  running: ['llamacpp:requests_processing'],
  waiting: ['llamacpp:requests_deferred'],
  kvCache: ['llamacpp:kv_cache_usage_ratio'],
  promptTokens: ['llamacpp:prompt_tokens_total'],
  generationTokens: ['llamacpp:tokens_predicted_total'],
  promptThroughput: ['llamacpp:prompt_tokens_seconds'],
  generationThroughput: ['llamacpp:predicted_tokens_seconds'],
};

export function readLlamacppMetrics(text: string): LlmReading {
  const samples = parsePrometheusText(text);
  const reading = emptyReading(true);
  reading.metricsEnabled = true;
  reading.requestsRunning = sumByModel(samples, LLAMACPP_NAMES.running, undefined);
  reading.requestsWaiting = sumByModel(samples, LLAMACPP_NAMES.waiting, undefined);
  reading.kvCacheUsageRatio = meanByModel(samples, LLAMACPP_NAMES.kvCache, undefined);
  reading.promptTokensTotal = sumByModel(samples, LLAMACPP_NAMES.promptTokens, undefined);
  reading.generationTokensTotal = sumByModel(samples, LLAMACPP_NAMES.generationTokens, undefined);
  reading.promptThroughput = sumByModel(samples, LLAMACPP_NAMES.promptThroughput, undefined);
  reading.generationThroughput = sumByModel(samples, LLAMACPP_NAMES.generationThroughput, undefined);
  return reading;
}

export async function sampleLlamacpp(baseUrl: string, get: HttpGet, signal: AbortSignal): Promise<LlmReading> {
  const url = new URL('/metrics', baseUrl).toString();
  const response = await get(url, { signal });
  if (response.status === 501) {
    const reading = emptyReading(true);
    reading.metricsEnabled = false;
    return reading;
  }
  if (response.status !== 200) throw new EndpointError(url, `HTTP ${response.status}`);
  return readLlamacppMetrics(response.body);
}
