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
  };
}

/** A GET as the adapters need it; production uses fetch, mock mode serves synthetic payloads. */
export interface HttpGet {
  (url: string, options: { signal: AbortSignal }): Promise<{ status: number; body: string }>;
}

export const fetchGet: HttpGet = async (url, { signal }) => {
  const response = await fetch(url, { signal, headers: { accept: 'text/plain, application/json' } });
  return { status: response.status, body: await response.text() };
};

export class EndpointError extends Error {
  constructor(url: string, message: string) {
    super(`${url}: ${message}`);
    this.name = 'EndpointError';
  }
}
