import { PassThrough } from 'node:stream';
import { buildCoreApp, type CoreApp } from './app';
import type { CoreConfig } from './config';
import { FAKE_MODEL, closedPort, startFakeLlm, type FakeLlm } from '../test-support/fake-llm';

function config(overrides: Partial<CoreConfig>): CoreConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    llmBaseUrl: 'http://127.0.0.1:1/v1',
    llmApiKey: undefined,
    llmTimeoutMs: 5_000,
    llmIdleTimeoutMs: 5_000,
    readyCacheMs: 60_000,
    logLevel: 'info',
    shutdownTimeoutMs: 5_000,
    ...overrides,
  };
}

function metricValue(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(line + ' '));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('core app against a real fake LLM server', () => {
  jest.setTimeout(30_000);
  let llm: FakeLlm;
  let core: CoreApp;
  let logs: string;

  beforeEach(async () => {
    llm = await startFakeLlm();
    logs = '';
    const logStream = new PassThrough();
    logStream.on('data', (c: Buffer) => (logs += c.toString()));
    core = buildCoreApp(config({ llmBaseUrl: llm.baseUrl, llmApiKey: 'sk-upstream-secret' }), { logStream });
  });
  afterEach(async () => {
    await core.app.close();
    await llm.close();
  });

  it('answers liveness without touching the LLM server', async () => {
    const res = await core.app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(llm.requests).toHaveLength(0);
  });

  it('is ready when the LLM server answers, and reuses the probe result', async () => {
    const first = await core.app.inject('/readyz');
    const second = await core.app.inject('/readyz');
    expect(first.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ status: 'ready', upstream: { reachable: true, status: 200, url: llm.baseUrl } });
    expect(llm.requests.filter((r) => r.path === '/v1/models')).toHaveLength(1);
    expect(metricValue(await (await core.app.inject('/metrics')).body, 'core_llm_upstream_up')).toBe(1);
  });

  it('forwards a chat completion with the configured key and records latency and tokens', async () => {
    const res = await core.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: 'Bearer client-key' },
      payload: { model: FAKE_MODEL, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ choices: [{ message: { content: 'Hello, world!' } }], usage: { completion_tokens: 4 } });
    const forwarded = llm.requests[0];
    expect(forwarded.headers.authorization).toBe('Bearer sk-upstream-secret');
    expect(JSON.parse(forwarded.body)).toEqual({ model: FAKE_MODEL, messages: [{ role: 'user', content: 'hi' }] });

    const metrics = (await core.app.inject('/metrics')).body;
    const labels = `endpoint="chat_completions",model="${FAKE_MODEL}",status="200"`;
    expect(metricValue(metrics, `core_llm_request_duration_seconds_count{${labels}}`)).toBe(1);
    expect(metricValue(metrics, `core_llm_tokens_per_second_count{${labels}}`)).toBe(1);
    expect(metricValue(metrics, `core_llm_completion_tokens_total{endpoint="chat_completions",model="${FAKE_MODEL}"}`)).toBe(4);
    expect(metricValue(metrics, `core_llm_prompt_tokens_total{endpoint="chat_completions",model="${FAKE_MODEL}"}`)).toBe(7);
    expect(logs).not.toContain('sk-upstream-secret');
    expect(logs).not.toContain('client-key');
  });

  it('passes a server-sent-event stream through byte for byte and counts its chunks', async () => {
    const res = await core.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: FAKE_MODEL, stream: true, messages: [] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(res.headers['x-request-id']).toBe('fake-req-1');
    expect(res.body).toBe(llm.lastStream);
    const metrics = (await core.app.inject('/metrics')).body;
    expect(metricValue(metrics, `core_llm_completion_tokens_total{endpoint="chat_completions",model="${FAKE_MODEL}"}`)).toBe(4);
    expect(metricValue(metrics, `core_llm_time_to_first_token_seconds_count{endpoint="chat_completions",model="${FAKE_MODEL}"}`)).toBe(1);
  });

  it('uses the usage chunk of a stream when the client asked for it', async () => {
    await core.app.inject({
      method: 'POST',
      url: '/v1/completions',
      payload: { model: 'other-model', prompt: 'x', stream: true, stream_options: { include_usage: true } },
    });
    const metrics = (await core.app.inject('/metrics')).body;
    expect(metricValue(metrics, 'core_llm_completion_tokens_total{endpoint="completions",model="other-model"}')).toBe(104);
  });

  it('forwards GET /v1/models and passes upstream errors through with their status', async () => {
    expect((await core.app.inject('/v1/models')).json()).toMatchObject({ data: [{ id: FAKE_MODEL }] });
    llm.options.failWith = 400;
    const res = await core.app.inject({ method: 'POST', url: '/v1/completions', payload: { model: FAKE_MODEL, prompt: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { message: 'fake failure 400', type: 'server_error' } });
    const metrics = (await core.app.inject('/metrics')).body;
    expect(metricValue(metrics, `core_llm_request_duration_seconds_count{endpoint="completions",model="${FAKE_MODEL}",status="400"}`)).toBe(1);
  });

  it('answers 504 when the LLM server is slower than LLM_TIMEOUT_MS', async () => {
    await core.app.close();
    llm.options.delayMs = 1_000;
    core = buildCoreApp(config({ llmBaseUrl: llm.baseUrl, llmTimeoutMs: 150, logLevel: 'silent' }));
    const res = await core.app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: FAKE_MODEL } });
    expect(res.statusCode).toBe(504);
    expect(res.json().error.code).toBe('upstream_timeout');
  });
});

describe('core app without a reachable LLM server', () => {
  it('stays alive but not ready, and answers 502 to forwarded requests', async () => {
    const port = await closedPort();
    const core = buildCoreApp(config({ llmBaseUrl: `http://127.0.0.1:${port}/v1`, logLevel: 'silent' }));
    expect((await core.app.inject('/healthz')).statusCode).toBe(200);
    const ready = await core.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().upstream.reason).toContain('ECONNREFUSED');
    const res = await core.app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'm' } });
    expect(res.statusCode).toBe(502);
    expect(res.json().error.code).toBe('upstream_unreachable');
    const metrics = (await core.app.inject('/metrics')).body;
    expect(metricValue(metrics, 'core_llm_upstream_up')).toBe(0);
    expect(metricValue(metrics, 'core_llm_request_duration_seconds_count{endpoint="chat_completions",model="m",status="502"}')).toBe(1);
    await core.app.close();
  });
});
