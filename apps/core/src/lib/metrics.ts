// Owns core's Prometheus metrics: one registry per app instance (tests build many apps), the
// LLM request histograms, the guard that keeps client-chosen model names from exploding label
// cardinality, and the guard that keeps anything but a token count away from a counter (a
// counter throws on a negative increment; that must never take a request, or core, down).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type LlmEndpoint = 'chat_completions' | 'completions' | 'models';

export interface LlmRequestOutcome {
  endpoint: LlmEndpoint;
  model: string;
  /** Upstream HTTP status, or 502/504 when the upstream failed, 499 when the client left. */
  status: number;
  durationSeconds: number;
  promptTokens?: number;
  completionTokens?: number;
  timeToFirstTokenSeconds?: number;
}

/** Model names arrive from clients; past this many distinct names the rest share "other". */
export const MAX_MODEL_LABELS = 32;

export class CoreMetrics {
  readonly registry = new Registry();
  private readonly models = new Set<string>();
  private readonly duration: Histogram<'endpoint' | 'model' | 'status'>;
  private readonly tokensPerSecond: Histogram<'endpoint' | 'model' | 'status'>;
  private readonly ttft: Histogram<'endpoint' | 'model'>;
  private readonly promptTokens: Counter<'endpoint' | 'model'>;
  private readonly completionTokens: Counter<'endpoint' | 'model'>;
  readonly rejectedTokenCounts: Counter<'endpoint'>;
  readonly upstreamUp: Gauge;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.duration = new Histogram({
      name: 'core_llm_request_duration_seconds',
      help: 'Time from receiving an LLM request to sending its last byte, by endpoint, model and status.',
      labelNames: ['endpoint', 'model', 'status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [this.registry],
    });
    this.tokensPerSecond = new Histogram({
      name: 'core_llm_tokens_per_second',
      help: 'Completion tokens divided by the whole request duration, per successful request.',
      labelNames: ['endpoint', 'model', 'status'],
      buckets: [1, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 1000],
      registers: [this.registry],
    });
    this.ttft = new Histogram({
      name: 'core_llm_time_to_first_token_seconds',
      help: 'Time from receiving a streaming request to the first generated token.',
      labelNames: ['endpoint', 'model'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [this.registry],
    });
    this.promptTokens = new Counter({
      name: 'core_llm_prompt_tokens_total',
      help: 'Prompt tokens reported by the LLM server.',
      labelNames: ['endpoint', 'model'],
      registers: [this.registry],
    });
    this.completionTokens = new Counter({
      name: 'core_llm_completion_tokens_total',
      help: 'Completion tokens reported by the LLM server, or counted from streamed chunks.',
      labelNames: ['endpoint', 'model'],
      registers: [this.registry],
    });
    this.rejectedTokenCounts = new Counter({
      name: 'core_llm_rejected_token_counts_total',
      help: 'Token counts from the LLM server that were not plausible counts (negative, fractional, infinite, huge) and were left out.',
      labelNames: ['endpoint'],
      registers: [this.registry],
    });
    this.rejectedTokenCounts.inc({ endpoint: 'chat_completions' }, 0);
    this.rejectedTokenCounts.inc({ endpoint: 'completions' }, 0);
    this.upstreamUp = new Gauge({
      name: 'core_llm_upstream_up',
      help: '1 when the last readiness probe reached the LLM server, else 0.',
      registers: [this.registry],
    });
  }

  modelLabel(model: unknown): string {
    if (typeof model !== 'string' || model.length === 0) return 'unknown';
    if (this.models.has(model)) return model;
    if (this.models.size >= MAX_MODEL_LABELS) return 'other';
    this.models.add(model);
    return model;
  }

  record(o: LlmRequestOutcome): void {
    const model = this.modelLabel(o.model);
    const status = String(o.status);
    const labels = { endpoint: o.endpoint, model, status };
    this.duration.observe(labels, o.durationSeconds);
    if (o.promptTokens !== undefined && isCount(o.promptTokens)) this.promptTokens.inc({ endpoint: o.endpoint, model }, o.promptTokens);
    if (o.completionTokens !== undefined && isCount(o.completionTokens)) {
      this.completionTokens.inc({ endpoint: o.endpoint, model }, o.completionTokens);
      if (o.status >= 200 && o.status < 300 && o.durationSeconds > 0) {
        this.tokensPerSecond.observe(labels, o.completionTokens / o.durationSeconds);
      }
    }
    if (o.timeToFirstTokenSeconds !== undefined && o.timeToFirstTokenSeconds >= 0) {
      this.ttft.observe({ endpoint: o.endpoint, model }, o.timeToFirstTokenSeconds);
    }
  }
}

/** usage.ts rejects implausible counts already; this keeps a counter safe whatever the caller. */
const isCount = (n: number) => Number.isSafeInteger(n) && n > 0;
