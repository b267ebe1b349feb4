/**
 * llama.cpp server's /metrics (`llamacpp:` prefix, no model label), as the current server writes it
 * (ggml-org/llama.cpp tools/server/server-context.cpp, the get_metrics handler): counters
 * prompt_tokens_total, prompt_seconds_total, tokens_predicted_total, tokens_predicted_seconds_total,
 * n_decode_total, n_tokens_max, n_busy_slots_per_decode; gauges prompt_tokens_seconds,
 * predicted_tokens_seconds, requests_processing, requests_deferred. The KV-cache gauges
 * (kv_cache_usage_ratio, kv_cache_tokens) are gone from current servers; older ones are still read.
 *
 * - Without `--metrics` the page answers 501: up, metrics disabled.
 * - With `--api-key` every route but /health and /models wants `Authorization: Bearer <key>` and
 *   answers 401 `{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}`
 *   otherwise (tools/server/server-http.cpp, middleware_validate_api_key).
 * - In router mode (llama-server started without a model, tools/server/server-models.cpp) GET
 *   /metrics needs `?model=`; without it the router answers 400 "model name is missing from the
 *   request". The models come from GET /models (`data[].id`, `data[].status.value`); only loaded
 *   ones are read, with `autoload=false` so that sampling never loads a model.
 */
import { z } from 'zod';
import { parsePrometheusText } from './prometheus-text';
import { EndpointError, type HttpGet, type LlmReading, authHeaders, emptyReading, endpointUrl, mergeReadings } from './reading';
import { meanByModel, sumByModel } from './series';

export const LLAMACPP_NAMES = {
  running: ['llamacpp:requests_processing'],
  waiting: ['llamacpp:requests_deferred'],
  /** Only servers older than the current one export it. */
  kvCache: ['llamacpp:kv_cache_usage_ratio'],
  promptTokens: ['llamacpp:prompt_tokens_total'],
  generationTokens: ['llamacpp:tokens_predicted_total'],
  promptThroughput: ['llamacpp:prompt_tokens_seconds'],
  generationThroughput: ['llamacpp:predicted_tokens_seconds'],
};

/** Reads one page; `model` labels it (router mode), otherwise the model label is empty. */
export function readLlamacppMetrics(text: string, model = ''): LlmReading {
  const samples = parsePrometheusText(text);
  const reading = emptyReading(true);
  reading.metricsEnabled = true;
  const label = (values: Array<{ model: string; value: number }>) => values.map((v) => ({ ...v, model }));
  reading.requestsRunning = label(sumByModel(samples, LLAMACPP_NAMES.running, undefined));
  reading.requestsWaiting = label(sumByModel(samples, LLAMACPP_NAMES.waiting, undefined));
  reading.kvCacheUsageRatio = label(meanByModel(samples, LLAMACPP_NAMES.kvCache, undefined));
  reading.promptTokensTotal = label(sumByModel(samples, LLAMACPP_NAMES.promptTokens, undefined));
  reading.generationTokensTotal = label(sumByModel(samples, LLAMACPP_NAMES.generationTokens, undefined));
  reading.promptThroughput = label(sumByModel(samples, LLAMACPP_NAMES.promptThroughput, undefined));
  reading.generationThroughput = label(sumByModel(samples, LLAMACPP_NAMES.generationThroughput, undefined));
  return reading;
}

const routerModelsSchema = z.object({
  data: z.array(z.object({ id: z.string(), status: z.object({ value: z.string() }).optional() })),
});

function checkAuth(url: string, status: number): void {
  if (status === 401) {
    throw new EndpointError(url, 'HTTP 401 Invalid API Key: llama-server runs with --api-key; set apiKeyFile or apiKeyEnv for this endpoint');
  }
}

async function sampleRouter(baseUrl: string, get: HttpGet, signal: AbortSignal, headers: Record<string, string>): Promise<LlmReading> {
  const listUrl = endpointUrl(baseUrl, 'models');
  const list = await get(listUrl, { signal, headers });
  checkAuth(listUrl, list.status);
  if (list.status !== 200) throw new EndpointError(listUrl, `HTTP ${list.status}`);
  let parsed;
  try {
    parsed = routerModelsSchema.parse(JSON.parse(list.body));
  } catch {
    throw new EndpointError(listUrl, 'not the model list of a llama-server router');
  }
  const loaded = parsed.data.filter((m) => m.status?.value === 'loaded').map((m) => m.id);
  const pages = await Promise.all(
    loaded.map(async (model) => {
      const url = endpointUrl(baseUrl, 'metrics', { model, autoload: 'false' });
      const response = await get(url, { signal, headers });
      checkAuth(url, response.status);
      // A model unloaded between the list and its page is no error.
      if (response.status === 400) return undefined;
      if (response.status === 501) return { ...emptyReading(true), metricsEnabled: false };
      if (response.status !== 200) throw new EndpointError(url, `HTTP ${response.status}`);
      return readLlamacppMetrics(response.body, model);
    }),
  );
  const readings = pages.filter((p): p is LlmReading => p !== undefined);
  const merged = mergeReadings(true, readings);
  merged.metricsEnabled = readings.length === 0 ? true : readings.some((r) => r.metricsEnabled);
  return merged;
}

export async function sampleLlamacpp(baseUrl: string, get: HttpGet, signal: AbortSignal, apiKey?: string): Promise<LlmReading> {
  const url = endpointUrl(baseUrl, 'metrics');
  const headers = authHeaders(apiKey);
  const response = await get(url, { signal, headers });
  checkAuth(url, response.status);
  if (response.status === 501) {
    const reading = emptyReading(true);
    reading.metricsEnabled = false;
    return reading;
  }
  if (response.status === 400 && response.body.includes('model name is missing')) return sampleRouter(baseUrl, get, signal, headers);
  if (response.status !== 200) throw new EndpointError(url, `HTTP ${response.status}`);
  return readLlamacppMetrics(response.body);
}
