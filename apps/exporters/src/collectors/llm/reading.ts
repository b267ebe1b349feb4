/**
 * What the LLM collector knows about one endpoint after a run, whatever the server kind. The
 * adapters (vllm.ts, llamacpp.ts, ollama.ts) fill it; llm-metrics.ts turns it into families.
 */
export interface ModelValue {
  model: string;
  value: number;
}

export interface HistogramValue {
  model: string;
  /** Upper bound → cumulative count, including +Inf. */
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

export interface LlmReading {
  up: boolean;
  metricsEnabled?: boolean;
  requestsRunning: ModelValue[];
  requestsWaiting: ModelValue[];
  kvCacheUsageRatio: ModelValue[];
  promptTokensTotal: ModelValue[];
  generationTokensTotal: ModelValue[];
  preemptionsTotal: ModelValue[];
  requestSuccessTotal: Array<ModelValue & { finishedReason: string }>;
  promptThroughput: ModelValue[];
  generationThroughput: ModelValue[];
  timeToFirstToken: HistogramValue[];
  e2eRequestLatency: HistogramValue[];
  interTokenLatency: HistogramValue[];
  /** vLLM V1: prompt tokens looked up in the prefix cache, and those found. */
  prefixCacheQueriesTotal: ModelValue[];
  prefixCacheHitsTotal: ModelValue[];
  /** vLLM V1: waiting requests by reason (capacity, deferred). */
  requestsWaitingByReason: Array<ModelValue & { reason: string }>;
  requestQueueTime: HistogramValue[];
  requestPrefillTime: HistogramValue[];
  requestDecodeTime: HistogramValue[];
  requestPromptTokens: HistogramValue[];
  requestGenerationTokens: HistogramValue[];
  loadedModels?: Array<{ model: string; sizeBytes: number; vramBytes: number; expiresAt?: number }>;
  availableModels?: Array<{ model: string; sizeBytes: number }>;
}

export function emptyReading(up: boolean): LlmReading {
  return {
    up,
    requestsRunning: [],
    requestsWaiting: [],
    kvCacheUsageRatio: [],
    promptTokensTotal: [],
    generationTokensTotal: [],
    preemptionsTotal: [],
    requestSuccessTotal: [],
    promptThroughput: [],
    generationThroughput: [],
    timeToFirstToken: [],
    e2eRequestLatency: [],
    interTokenLatency: [],
    prefixCacheQueriesTotal: [],
    prefixCacheHitsTotal: [],
    requestsWaitingByReason: [],
    requestQueueTime: [],
    requestPrefillTime: [],
    requestDecodeTime: [],
    requestPromptTokens: [],
    requestGenerationTokens: [],
  };
}

/** Appends readings of several models (llama.cpp router mode: one page per model). */
export function mergeReadings(up: boolean, readings: LlmReading[]): LlmReading {
  const merged = emptyReading(up);
  for (const r of readings) {
    merged.metricsEnabled = merged.metricsEnabled || r.metricsEnabled;
    for (const key of Object.keys(merged) as Array<keyof LlmReading>) {
      const target = merged[key];
      const source = r[key];
      if (Array.isArray(target) && Array.isArray(source)) (target as unknown[]).push(...source);
    }
  }
  return merged;
}

/** A GET as the adapters need it; production uses fetch, mock mode serves synthetic payloads. */
export interface HttpGet {
  (url: string, options: { signal: AbortSignal; headers?: Record<string, string> }): Promise<{ status: number; body: string }>;
}

export const fetchGet: HttpGet = async (url, { signal, headers }) => {
  const response = await fetch(url, { signal, headers: { accept: 'text/plain, application/json', ...headers } });
  return { status: response.status, body: await response.text() };
};

/**
 * `path` under the endpoint's URL, keeping its path prefix: a server behind a reverse proxy at
 * http://host/vllm/ is read at http://host/vllm/metrics, not http://host/metrics.
 */
export function endpointUrl(baseUrl: string, path: string, query: Record<string, string> = {}): string {
  const base = new URL(baseUrl);
  base.pathname = `${base.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  for (const [k, v] of Object.entries(query)) base.searchParams.set(k, v);
  return base.toString();
}

/** What an adapter needs besides the URL: the GET, the abort signal, and the endpoint's API key. */
export interface SampleContext {
  get: HttpGet;
  signal: AbortSignal;
  /** Sent as `Authorization: Bearer …` (llama-server --api-key, vLLM --api-key). Never logged. */
  apiKey?: string;
}

export function authHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

export class EndpointError extends Error {
  constructor(url: string, message: string) {
    super(`${url}: ${message}`);
    this.name = 'EndpointError';
  }
}
