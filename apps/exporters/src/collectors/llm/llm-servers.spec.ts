/**
 * The LLM collector against real HTTP servers on 127.0.0.1 that answer exactly as current servers
 * do (fixtures/SOURCE.md): vLLM V1 with two engines behind a reverse-proxy path prefix, llama-server
 * with --api-key, llama-server in router mode. Every request the collector makes is recorded.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../lib/config';
import { FamilySet } from '../../lib/snapshot-family';
import { llamacppMetricsPage } from '../../mock/llm-payloads';
import { createLlmCollector } from './llm-collector';
import { type TextSample, parsePrometheusText } from './prometheus-text';
import { fetchGet } from './reading';

jest.setTimeout(30_000);

interface Seen {
  url: string;
  authorization?: string;
}

const KEY = 'sk-genesis-test-0123456789';
const seen: Seen[] = [];
let server: Server;
let base: string;

const json = (reply: ServerResponse, status: number, body: unknown) => {
  reply.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  reply.end(JSON.stringify(body));
};
const text = (reply: ServerResponse, body: string) => {
  reply.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  reply.end(body);
};

/** One server plays three: /vllm/ (behind a proxy), /secured/ (--api-key), /router/ (router mode). */
function route(request: IncomingMessage, reply: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://x');
  seen.push({ url: url.pathname + url.search, authorization: request.headers.authorization });
  if (url.pathname === '/vllm/metrics') return text(reply, readFileSync(join(__dirname, 'fixtures/vllm-v1-2-engines.metrics'), 'utf8'));
  if (url.pathname.startsWith('/secured/')) {
    // server-http.cpp middleware_validate_api_key: Authorization, "Bearer " prefix optional.
    const given = (request.headers.authorization ?? request.headers['x-api-key'] ?? '').toString().replace(/^Bearer /, '');
    if (given !== KEY) return json(reply, 401, { error: { code: 401, message: 'Invalid API Key', type: 'authentication_error' } });
    if (url.pathname === '/secured/metrics') return text(reply, llamacppMetricsPage(3));
  }
  if (url.pathname === '/router/models') {
    return json(reply, 200, {
      data: [
        { id: 'qwen2.5-7b-instruct-q4_k_m', object: 'model', owned_by: 'llamacpp', status: { value: 'loaded', args: ['llama-server', '--port', '41001'] } },
        { id: 'gemma-3-12b-it-q4_k_m', object: 'model', owned_by: 'llamacpp', status: { value: 'unloaded', args: [] } },
        { id: 'llama-3.2-3b-instruct-q8_0', object: 'model', owned_by: 'llamacpp', status: { value: 'loaded', args: ['llama-server', '--port', '41002'] } },
      ],
      object: 'list',
    });
  }
  if (url.pathname === '/router/metrics') {
    const model = url.searchParams.get('model');
    if (!model) return json(reply, 400, { error: { code: 400, message: 'model name is missing from the request', type: 'invalid_request_error' } });
    return text(reply, llamacppMetricsPage(model.startsWith('qwen') ? 10 : 2));
  }
  json(reply, 404, { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } });
}

beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function collect(yaml: string, env: Record<string, string> = {}): Promise<TextSample[]> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-servers-'));
  writeFileSync(join(dir, 'exporters.yaml'), yaml);
  const config = loadConfig({ EXPORTERS_CONFIG: join(dir, 'exporters.yaml'), ...env });
  const registry = new Registry();
  const run = createLlmCollector({ endpoints: config.llm.endpoints, requestTimeoutMs: 10_000, get: fetchGet, families: new FamilySet(registry), logger: pino({ level: 'silent' }) });
  await run(new AbortController().signal);
  return parsePrometheusText(await registry.metrics());
}

const pick = (samples: TextSample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);

describe('vLLM V1, two engines, behind a reverse proxy at /vllm/', () => {
  it('keeps the path prefix and reads the V1 series, engines summed per model', async () => {
    const m = await collect(`llm:\n  endpoints:\n    - { name: brain, kind: vllm, url: "${base}/vllm/" }\n`);
    expect(seen.map((s) => s.url)).toContain('/vllm/metrics');
    expect(seen.map((s) => s.url)).not.toContain('/metrics');
    const model = { endpoint: 'brain', model: 'Qwen/Qwen2.5-14B-Instruct-AWQ' };
    expect(pick(m, 'genesis_llm_up', { endpoint: 'brain' })).toEqual([1]);
    expect(pick(m, 'genesis_llm_requests_running', model)).toEqual([16]);
    expect(pick(m, 'genesis_llm_kv_cache_usage_ratio', model)).toEqual([0.75]);
    expect(pick(m, 'genesis_llm_requests_waiting_by_reason', { ...model, reason: 'capacity' })).toEqual([4]);
    expect(pick(m, 'genesis_llm_requests_waiting_by_reason', { ...model, reason: 'deferred' })).toEqual([1]);
    expect(pick(m, 'genesis_llm_prefix_cache_queried_tokens_total', model)).toEqual([2_000_000]);
    expect(pick(m, 'genesis_llm_prefix_cache_hit_tokens_total', model)).toEqual([800_000]);
    expect(pick(m, 'genesis_llm_preemptions_total', model)).toEqual([15]);
    expect(pick(m, 'genesis_llm_request_success_total', { ...model, finished_reason: 'stop' })).toEqual([2350]);
    for (const h of ['request_queue_time_seconds', 'request_prefill_time_seconds', 'request_decode_time_seconds', 'request_prompt_tokens', 'request_generation_tokens', 'time_to_first_token_seconds']) {
      expect({ h, count: pick(m, `genesis_llm_${h}_count`, model) }).toEqual({ h, count: [2500] });
      expect({ h, inf: pick(m, `genesis_llm_${h}_bucket`, { ...model, le: '+Inf' }) }).toEqual({ h, inf: [2500] });
    }
    expect(pick(m, 'genesis_llm_request_decode_time_seconds_sum', model)[0]).toBeCloseTo(6003.3 + 3998.1, 6);
  });
});

describe('llama-server with --api-key', () => {
  it('without a key: 401 is reported as down, naming the fix', async () => {
    const logs: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'llm-servers-'));
    writeFileSync(join(dir, 'e.yaml'), `llm:\n  endpoints:\n    - { name: edge, kind: llamacpp, url: "${base}/secured" }\n`);
    const config = loadConfig({ EXPORTERS_CONFIG: join(dir, 'e.yaml') });
    const registry = new Registry();
    const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(line) });
    await createLlmCollector({ endpoints: config.llm.endpoints, requestTimeoutMs: 10_000, get: fetchGet, families: new FamilySet(registry), logger })(new AbortController().signal);
    expect(pick(parsePrometheusText(await registry.metrics()), 'genesis_llm_up', { endpoint: 'edge' })).toEqual([0]);
    expect(logs.join('')).toMatch(/401 Invalid API Key.*apiKeyFile or apiKeyEnv/);
  });

  it('with the key from a file (apiKeyFile) or the environment (apiKeyEnv): sent as Bearer, never logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-key-'));
    writeFileSync(join(dir, 'key'), `${KEY}\n`);
    for (const source of [`apiKeyFile: "${join(dir, 'key')}"`, 'apiKeyEnv: LLAMACPP_API_KEY']) {
      seen.length = 0;
      const m = await collect(`llm:\n  endpoints:\n    - { name: edge, kind: llamacpp, url: "${base}/secured/", ${source} }\n`, { LLAMACPP_API_KEY: KEY });
      expect(pick(m, 'genesis_llm_up', { endpoint: 'edge' })).toEqual([1]);
      expect(pick(m, 'genesis_llm_prompt_tokens_total', { endpoint: 'edge' })).toEqual([3000 + 3 * 410]);
      expect(seen).toEqual([{ url: '/secured/metrics', authorization: `Bearer ${KEY}` }]);
    }
  });

  it('refuses a key setting that cannot work, before sampling', () => {
    expect(() => loadConfig({ EXPORTERS_CONFIG: writeYaml('llm:\n  endpoints:\n    - { name: edge, kind: llamacpp, url: "http://x:8080", apiKeyEnv: NOT_SET_ANYWHERE }\n') })).toThrow(
      /"edge": apiKeyEnv names NOT_SET_ANYWHERE, which is not set/,
    );
    expect(() => loadConfig({ EXPORTERS_CONFIG: writeYaml('llm:\n  endpoints:\n    - { name: edge, kind: llamacpp, url: "http://x:8080", apiKeyFile: /nonexistent/key }\n') })).toThrow(
      /apiKeyFile \/nonexistent\/key cannot be read \(ENOENT\)/,
    );
  });
});

describe('llama-server in router mode', () => {
  it('reads /metrics?model= for each loaded model, never loading one, labelled by model', async () => {
    seen.length = 0;
    const m = await collect(`llm:\n  endpoints:\n    - { name: router, kind: llamacpp, url: "${base}/router" }\n`);
    expect(seen.map((s) => s.url).sort()).toEqual([
      '/router/metrics',
      '/router/metrics?model=llama-3.2-3b-instruct-q8_0&autoload=false',
      '/router/metrics?model=qwen2.5-7b-instruct-q4_k_m&autoload=false',
      '/router/models',
    ]);
    expect(pick(m, 'genesis_llm_up', { endpoint: 'router' })).toEqual([1]);
    expect(pick(m, 'genesis_llm_metrics_enabled', { endpoint: 'router' })).toEqual([1]);
    expect(pick(m, 'genesis_llm_prompt_tokens_total', { endpoint: 'router', model: 'qwen2.5-7b-instruct-q4_k_m' })).toEqual([3000 + 10 * 410]);
    expect(pick(m, 'genesis_llm_prompt_tokens_total', { endpoint: 'router', model: 'llama-3.2-3b-instruct-q8_0' })).toEqual([3000 + 2 * 410]);
    expect(pick(m, 'genesis_llm_prompt_tokens_total', { endpoint: 'router', model: 'gemma-3-12b-it-q4_k_m' })).toEqual([]);
  });
});

describe('mock mode follows current servers', () => {
  it('the llama.cpp mock serves no KV-cache gauge, like current llama-server', () => {
    const page = llamacppMetricsPage(0);
    expect(page).not.toContain('kv_cache');
    expect(page).toContain('llamacpp:n_busy_slots_per_decode');
    expect(page.indexOf('# TYPE llamacpp:n_busy_slots_per_decode counter')).toBeLessThan(page.indexOf('# TYPE llamacpp:prompt_tokens_seconds gauge'));
  });
});

function writeYaml(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-yaml-'));
  writeFileSync(join(dir, 'c.yaml'), text);
  return join(dir, 'c.yaml');
}
