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

function histogram(name: string, help: string, labels: string, bounds: number[], requests: number, typical: number): string {
  // A log-normal-ish spread around `typical`, cumulative per bucket.
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  for (const le of bounds) {
    const share = 1 / (1 + Math.pow(typical / le, 3));
    lines.push(`${name}_bucket{${labels},le="${le.toFixed(3).replace(/\.?0+$/, '') || '0'}"} ${Math.round(requests * share)}.0`);
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
    '',
  ].join('\n');
}

export function llamacppMetricsPage(step: number): string {
  const wave = (Math.cos(step / 5) + 1) / 2;
  return [
    '# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.',
    '# TYPE llamacpp:prompt_tokens_total counter',
    `llamacpp:prompt_tokens_total ${3000 + step * 410}`,
    '# HELP llamacpp:prompt_seconds_total Prompt process time',
    '# TYPE llamacpp:prompt_seconds_total counter',
    `llamacpp:prompt_seconds_total ${(12 + step * 0.9).toFixed(3)}`,
    '# HELP llamacpp:tokens_predicted_total Number of generation tokens processed.',
    '# TYPE llamacpp:tokens_predicted_total counter',
    `llamacpp:tokens_predicted_total ${1200 + step * 150}`,
    '# HELP llamacpp:prompt_tokens_seconds Average prompt throughput in tokens/s.',
    '# TYPE llamacpp:prompt_tokens_seconds gauge',
    `llamacpp:prompt_tokens_seconds ${(420 + wave * 80).toFixed(3)}`,
    '# HELP llamacpp:predicted_tokens_seconds Average generation throughput in tokens/s.',
    '# TYPE llamacpp:predicted_tokens_seconds gauge',
    `llamacpp:predicted_tokens_seconds ${(38 + wave * 9).toFixed(3)}`,
    '# HELP llamacpp:kv_cache_usage_ratio KV-cache usage. 1 means 100 percent usage.',
    '# TYPE llamacpp:kv_cache_usage_ratio gauge',
    `llamacpp:kv_cache_usage_ratio ${(0.1 + wave * 0.3).toFixed(4)}`,
    '# HELP llamacpp:requests_processing Number of requests processing.',
    '# TYPE llamacpp:requests_processing gauge',
    `llamacpp:requests_processing ${Math.round(wave * 2)}`,
    '# HELP llamacpp:requests_deferred Number of requests deferred.',
    '# TYPE llamacpp:requests_deferred gauge',
    'llamacpp:requests_deferred 0',
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
