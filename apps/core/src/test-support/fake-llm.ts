// A real OpenAI-compatible HTTP server on loopback for core's tests: answers /v1/models,
// /v1/chat/completions and /v1/completions (JSON or server-sent events, like vLLM does) and
// remembers what it received, so tests see exactly what the gateway forwarded.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeLlmOptions {
  tokens?: string[];
  /** Delay before the answer's headers. */
  delayMs?: number;
  /** Delay between streamed chunks. */
  chunkDelayMs?: number;
  /** Answer every request with this status and an OpenAI-style error. */
  failWith?: number;
  /** Expected bearer token; others get 401. */
  apiKey?: string;
}

export interface FakeLlm {
  /** Base URL including /v1, as LLM_BASE_URL expects. */
  baseUrl: string;
  requests: ReceivedRequest[];
  options: FakeLlmOptions;
  /** Exact bytes of the last streamed answer. */
  lastStream: string;
  close(): Promise<void>;
}

export const FAKE_MODEL = 'fake-llama-3-8b';
const PROMPT_TOKENS = 7;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const fake: FakeLlm = { baseUrl: '', requests: [], options, lastStream: '', close: async () => undefined };
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = req.url ?? '/';
    fake.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
    const o = fake.options;
    const tokens = o.tokens ?? ['Hello', ',', ' world', '!'];
    if (o.delayMs) await sleep(o.delayMs);
    if (o.apiKey && req.headers.authorization !== `Bearer ${o.apiKey}`) {
      return json(res, 401, { error: { message: 'invalid api key', type: 'invalid_request_error' } });
    }
    if (o.failWith) return json(res, o.failWith, { error: { message: `fake failure ${o.failWith}`, type: 'server_error' } });
    if (req.method === 'GET' && path === '/v1/models') {
      return json(res, 200, { object: 'list', data: [{ id: FAKE_MODEL, object: 'model', owned_by: 'fake' }] });
    }
    const chat = path === '/v1/chat/completions';
    if (req.method !== 'POST' || (!chat && path !== '/v1/completions')) return json(res, 404, { error: { message: 'no route' } });
    const request = JSON.parse(body || '{}') as { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
    const model = request.model ?? FAKE_MODEL;
    const usage = { prompt_tokens: PROMPT_TOKENS, completion_tokens: tokens.length, total_tokens: PROMPT_TOKENS + tokens.length };
    if (!request.stream) {
      const text = tokens.join('');
      const choice = chat ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' } : { index: 0, text, finish_reason: 'stop' };
      return json(res, 200, { id: 'cmpl-1', object: chat ? 'chat.completion' : 'text_completion', model, choices: [choice], usage });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'fake-req-1' });
    fake.lastStream = '';
    const send = (data: string) => {
      const event = `data: ${data}\n\n`;
      fake.lastStream += event;
      res.write(event);
    };
    for (const token of tokens) {
      if (res.destroyed) return; // the client left: stop generating, like a real server
      const choice = chat ? { index: 0, delta: { content: token }, finish_reason: null } : { index: 0, text: token, finish_reason: null };
      send(JSON.stringify({ id: 'cmpl-1', object: chat ? 'chat.completion.chunk' : 'text_completion', model, choices: [choice] }));
      if (o.chunkDelayMs) await sleep(o.chunkDelayMs);
    }
    if (request.stream_options?.include_usage) {
      // A server's own count wins over counting chunks; make it differ so tests can tell.
      send(JSON.stringify({ id: 'cmpl-1', object: 'chat.completion.chunk', model, choices: [], usage: { ...usage, completion_tokens: tokens.length + 100 } }));
    }
    send('[DONE]');
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.baseUrl = `http://127.0.0.1:${port}/v1`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
