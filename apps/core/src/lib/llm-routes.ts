// Owns the OpenAI-compatible routes: each request is forwarded to the LLM server unchanged,
// the answer (whole JSON or a server-sent-event stream) comes back unchanged, and its latency
// and token throughput are recorded once it is complete.
import { Readable, Transform, pipeline } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoreMetrics, LlmEndpoint } from './metrics';
import { SseUsageCounter, usageFromBody, type TokenUsage } from './usage';
import { RETURNED_RESPONSE_HEADERS, UpstreamTimeoutError, type LlmUpstream } from './upstream';

interface LlmRoute {
  method: 'GET' | 'POST';
  url: string;
  upstreamPath: string;
  endpoint: LlmEndpoint;
}

export const LLM_ROUTES: readonly LlmRoute[] = [
  { method: 'POST', url: '/v1/chat/completions', upstreamPath: '/chat/completions', endpoint: 'chat_completions' },
  { method: 'POST', url: '/v1/completions', upstreamPath: '/completions', endpoint: 'completions' },
  { method: 'GET', url: '/v1/models', upstreamPath: '/models', endpoint: 'models' },
];

/** nginx's convention for "the client closed the connection before the answer was complete". */
const CLIENT_CLOSED = 499;

export function registerLlmRoutes(app: FastifyInstance, upstream: LlmUpstream, metrics: CoreMetrics): void {
  for (const route of LLM_ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      handler: (request, reply) => forward(route, request, reply, upstream, metrics),
    });
  }
}

async function forward(
  route: LlmRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  upstream: LlmUpstream,
  metrics: CoreMetrics,
): Promise<FastifyReply> {
  const started = performance.now();
  const model = (request.body as { model?: unknown } | undefined)?.model;
  const seconds = () => (performance.now() - started) / 1000;
  const record = (status: number, usage: TokenUsage, firstTokenAt?: number) =>
    metrics.record({
      endpoint: route.endpoint,
      model: typeof model === 'string' ? model : 'unknown',
      status,
      durationSeconds: seconds(),
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      timeToFirstTokenSeconds: firstTokenAt === undefined ? undefined : (firstTokenAt - started) / 1000,
    });

  // The client leaving must stop generation upstream, not just our write.
  const clientGone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) clientGone.abort();
  });

  const body = route.method === 'POST' && request.body !== undefined ? JSON.stringify(request.body) : undefined;
  let res: Response;
  try {
    res = await upstream.send(route.method, route.upstreamPath, request.headers, body, clientGone.signal);
  } catch (err) {
    if (clientGone.signal.aborted) {
      record(CLIENT_CLOSED, { source: 'none' });
      return reply;
    }
    const timedOut = err instanceof UpstreamTimeoutError;
    const status = timedOut ? 504 : 502;
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    request.log.warn({ upstreamError: cause, endpoint: route.endpoint }, 'LLM server request failed');
    record(status, { source: 'none' });
    return reply.code(status).send({
      error: {
        message: timedOut ? (err as Error).message : `the LLM server cannot be reached: ${cause}`,
        type: 'upstream_error',
        code: timedOut ? 'upstream_timeout' : 'upstream_unreachable',
      },
    });
  }

  reply.code(res.status);
  for (const name of RETURNED_RESPONSE_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) reply.header(name, value);
  }

  const contentType = res.headers.get('content-type') ?? '';
  if (!contentType.includes('text/event-stream') || res.body === null) {
    const payload = Buffer.from(await res.arrayBuffer());
    let usage: TokenUsage = { source: 'none' };
    if (contentType.includes('json')) {
      try {
        usage = usageFromBody(JSON.parse(payload.toString('utf8')));
      } catch {
        // an upstream that says JSON and sends something else: pass it on, count nothing
      }
    }
    record(res.status, usage);
    return reply.send(payload);
  }

  const counter = new SseUsageCounter();
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      counter.push(chunk);
      done(null, chunk);
    },
  });
  reply.header('x-accel-buffering', 'no');
  pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), tap, (err) => {
    const usage = counter.finish();
    if (!err) record(res.status, usage, counter.firstTokenAt);
    else if (clientGone.signal.aborted) record(CLIENT_CLOSED, usage, counter.firstTokenAt);
    else {
      request.log.warn({ upstreamError: err.message, endpoint: route.endpoint }, 'LLM stream broke off');
      record(502, usage, counter.firstTokenAt);
    }
  });
  return reply.send(tap);
}
