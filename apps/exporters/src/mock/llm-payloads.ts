/**
 * Mock mode's LLM servers: the pages a vLLM, a llama.cpp server and an Ollama server answer, in
 * their own formats, growing with the step number like a server under steady load. No network:
 * the mock HttpGet answers by URL.
 */
import type { LlmEndpoint } from '../lib/config';
import type { HttpGet } from '../collectors/llm/reading';

export const MOCK_LLM_ENDPOINTS: LlmEndpoint[] = [
  { name: 'brain-vllm', kind: 'vllm', url: 'http://vllm.mock.invalid:8000' },
  { name: 'edge-llamacpp', kind: 'llamacpp', url: 'http://llamacpp.mock.invalid:8080' },
  { name: 'lab-ollama', kind: 'ollama', url: 'http://ollama.mock.invalid:11434' },
];

const VLLM_MODEL = 'Qwen/Qwen2.5-14B-Instruct-AWQ';
/** vLLM's request_latency_buckets and build_1_2_5_buckets(32768). */
const LATENCY_BUCKETS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const TOKEN_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];

function histogram(name: string, help: string, labels: string, bounds: number[], requests: number, typical: number): string {
  // A log-normal-ish spread around `typical`, cumulative per bucket.
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  for (const le of bounds) {
    const share = 1 / (1 + Math.pow(typical / le, 3));
    // prometheus_client writes bounds as Python floats: 1.0, 0.3, 1000.0.
    lines.push(`${name}_bucket{${labels},le="${Number.isInteger(le) ? `${le}.0` : String(le)}"} ${Math.round(requests * share)}.0`);
  }
  lines.push(`${name}_bucket{${labels},le="+Inf"} ${requests}.0`);
  lines.push(`${name}_count{${labels}} ${requests}.0`);
  lines.push(`${name}_sum{${labels}} ${(requests * typical).toFixed(6)}`);
  return lines.join('\n');
}

export function vllmMetricsPage(step: number): string {
  const labels = `engine="0",model_name="${VLLM_MODEL}"`;
  const requests = 40 + step * 6;
  const wave = (Math.sin(step / 6) + 1) / 2;
  return [
    '# HELP vllm:num_requests_running Number of requests in model execution batches.',
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running{${labels}} ${Math.round(2 + wave * 10)}.0`,
    '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting{${labels}} ${Math.round(wave * 3)}.0`,
    '# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.',
    '# TYPE vllm:kv_cache_usage_perc gauge',
    `vllm:kv_cache_usage_perc{${labels}} ${(0.2 + wave * 0.55).toFixed(4)}`,
    '# HELP vllm:prompt_tokens_total Number of prefill tokens processed.',
    '# TYPE vllm:prompt_tokens_total counter',
    `vllm:prompt_tokens_total{${labels}} ${requests * 812}.0`,
    '# HELP vllm:generation_tokens_total Number of generation tokens processed.',
    '# TYPE vllm:generation_tokens_total counter',
    `vllm:generation_tokens_total{${labels}} ${requests * 236}.0`,
    '# HELP vllm:num_preemptions_total Cumulative number of preemption from the engine.',
    '# TYPE vllm:num_preemptions_total counter',
    `vllm:num_preemptions_total{${labels}} ${Math.floor(step / 20)}.0`,
    '# HELP vllm:request_success_total Count of successfully processed requests.',
    '# TYPE vllm:request_success_total counter',
    `vllm:request_success_total{${labels},finished_reason="stop"} ${requests - Math.floor(requests / 10)}.0`,
    `vllm:request_success_total{${labels},finished_reason="length"} ${Math.floor(requests / 10)}.0`,
    histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', labels, [0.02, 0.04, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5], requests, 0.18 + wave * 0.2),
    histogram('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', labels, [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30], requests, 3.5 + wave * 2),
    histogram('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', labels, [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3], requests * 236, 0.031 + wave * 0.02),
    // V1 engine series (vllm/v1/metrics/loggers.py): waiting by reason, prefix cache, phase times,
    // tokens per request (1-2-5 buckets up to max_model_len 32768).
    '# HELP vllm:num_requests_waiting_by_reason Number of requests waiting, by reason.',
    '# TYPE vllm:num_requests_waiting_by_reason gauge',
    `vllm:num_requests_waiting_by_reason{${labels},reason="capacity"} ${Math.round(wave * 3)}.0`,
    `vllm:num_requests_waiting_by_reason{${labels},reason="deferred"} 0.0`,
    '# HELP vllm:prefix_cache_queries_total Prefix cache queries, in terms of number of queried tokens.',
    '# TYPE vllm:prefix_cache_queries_total counter',
    `vllm:prefix_cache_queries_total{${labels}} ${requests * 812}.0`,
    '# HELP vllm:prefix_cache_hits_total Prefix cache hits, in terms of number of cached tokens.',
    '# TYPE vllm:prefix_cache_hits_total counter',
    `vllm:prefix_cache_hits_total{${labels}} ${requests * 512}.0`,
    histogram('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', labels, LATENCY_BUCKETS, requests, 0.2 + wave * 0.6),
    histogram('vllm:request_prefill_time_seconds', 'Histogram of time spent in PREFILL phase for request.', labels, LATENCY_BUCKETS, requests, 0.15 + wave * 0.1),
    histogram('vllm:request_decode_time_seconds', 'Histogram of time spent in DECODE phase for request.', labels, LATENCY_BUCKETS, requests, 3.1 + wave * 1.8),
    histogram('vllm:request_prompt_tokens', 'Number of prefill tokens processed.', labels, TOKEN_BUCKETS, requests, 812),
    histogram('vllm:request_generation_tokens', 'Number of generation tokens processed.', labels, TOKEN_BUCKETS, requests, 236),
    '',
  ].join('\n');
}

/**
 * A number as llama-server prints it: `std::stringstream << double`, six significant digits,
 * exponent form from 1e6 (`1.23457e+06`).
 */
export function cppDouble(value: number): string {
  if (value === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, exp] = value.toExponential(5).split('e');
    const trimmed = mantissa.replace(/\.?0+$/, '');
    const n = Number(exp);
    return `${trimmed}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(Number(value.toPrecision(6)));
}

/**
 * The page of a current llama-server started with --metrics: the metric set, order, help texts and
 * number format of ggml-org/llama.cpp tools/server/server-context.cpp (get_metrics, llama.cpp
 * master as of 2026-11, commit 00dd0816129a5210351c78bb90e0828f8eb69f99 for server-http.cpp and
 * server-models.cpp): counters first, then gauges, no labels, no KV-cache gauge any more.
 */
export function llamacppMetricsPage(step: number): string {
  const wave = (Math.cos(step / 5) + 1) / 2;
  const decodes = 900 + step * 160;
  const metric = (type: 'counter' | 'gauge', name: string, help: string, value: number) =>
    `# HELP llamacpp:${name} ${help}\n# TYPE llamacpp:${name} ${type}\nllamacpp:${name} ${cppDouble(value)}`;
  return [
    metric('counter', 'prompt_tokens_total', 'Number of prompt tokens processed.', 3000 + step * 410),
    metric('counter', 'prompt_seconds_total', 'Prompt process time', 12 + step * 0.9),
    metric('counter', 'tokens_predicted_total', 'Number of generation tokens processed.', 1200 + step * 150),
    metric('counter', 'tokens_predicted_seconds_total', 'Predict process time', 31 + step * 3.6),
    metric('counter', 'n_decode_total', 'Total number of llama_decode() calls', decodes),
    metric('counter', 'n_tokens_max', 'Largest observed n_tokens.', 6144),
    metric('counter', 'n_busy_slots_per_decode', 'Average number of busy slots per llama_decode() call', 1 + wave * 0.6),
    metric('gauge', 'prompt_tokens_seconds', 'Average prompt throughput in tokens/s.', 420 + wave * 80),
    metric('gauge', 'predicted_tokens_seconds', 'Average generation throughput in tokens/s.', 38 + wave * 9),
    metric('gauge', 'requests_processing', 'Number of requests processing.', Math.round(wave * 2)),
    metric('gauge', 'requests_deferred', 'Number of requests deferred.', 0),
    '',
  ].join('\n');
}

export function ollamaPs(): string {
  return JSON.stringify({
    models: [
      {
        name: 'llama3.1:8b',
        model: 'llama3.1:8b',
        size: 6654289920,
        digest: '46e0c10c039e019119339687c3c1757cc81b9da49709a3b3924863ba87ca666e',
        details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '8.0B', quantization_level: 'Q4_K_M' },
        expires_at: '2026-11-23T10:05:00.000Z',
        size_vram: 6654289920,
      },
    ],
  });
}

export function ollamaTags(): string {
  const model = (name: string, size: number) => ({
    name,
    model: name,
    modified_at: '2026-11-20T08:00:00.000Z',
    size,
    digest: 'sha256:' + '0'.repeat(64),
    details: { format: 'gguf', family: 'llama', parameter_size: '8.0B', quantization_level: 'Q4_K_M' },
  });
  return JSON.stringify({ models: [model('llama3.1:8b', 4920753328), model('nomic-embed-text:latest', 274302450)] });
}

/** Answers the mock endpoints' URLs; each call to a /metrics page advances that server by one step. */
export function mockLlmGet(): HttpGet {
  const steps = new Map<string, number>();
  const next = (host: string) => {
    const step = steps.get(host) ?? 0;
    steps.set(host, step + 1);
    return step;
  };
  return async (url) => {
    const u = new URL(url);
    const ok = (body: string) => ({ status: 200, body });
    if (u.hostname === 'vllm.mock.invalid' && u.pathname === '/metrics') return ok(vllmMetricsPage(next(u.hostname)));
    if (u.hostname === 'llamacpp.mock.invalid' && u.pathname === '/metrics') return ok(llamacppMetricsPage(next(u.hostname)));
    if (u.hostname === 'ollama.mock.invalid' && u.pathname === '/api/ps') return ok(ollamaPs());
    if (u.hostname === 'ollama.mock.invalid' && u.pathname === '/api/tags') return ok(ollamaTags());
    return { status: 404, body: '404 page not found' };
  };
}
