// Owns the OpenAI-compatible routes: each request is forwarded to the LLM server unchanged and
// its answer comes back unchanged as it arrives, under the request's two deadlines (deadline.ts).
// Memory per request is bounded: a server-sent-event stream is passed on chunk by chunk; any other
// answer is held only up to HOLD_BYTES (so a stall or a broken body before that still becomes a
// clean 504/502) and streamed beyond. Token counts are read on the way (usage.ts,
// json-usage.ts), and latency and throughput are recorded once the answer is over.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RequestDeadline } from './deadline';
import { JsonUsageScanner } from './json-usage';
import type { CoreMetrics, LlmEndpoint } from './metrics';
import { SseUsageCounter, type TokenUsage } from './usage';
import { RETURNED_RESPONSE_HEADERS, type LlmUpstream } from './upstream';

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

/**
 * A non-streaming answer up to this size is held and sent whole, with the right status if the
 * upstream fails half-way; past it, it is streamed on and a failure aborts the connection.
 */
export const HOLD_BYTES = 1024 * 1024;

/** nginx's convention for "the client closed the connection before the answer was complete". */
const CLIENT_CLOSED = 499;

export interface ForwardSettings {
  totalTimeoutMs: number;
  idleTimeoutMs: number;
}

interface Failure {
  status: number;
  code: 'upstream_timeout' | 'upstream_unreachable' | 'upstream_broken' | 'client_closed';
  message: string;
}

export function registerLlmRoutes(app: FastifyInstance, upstream: LlmUpstream, metrics: CoreMetrics, settings: ForwardSettings): void {
  for (const route of LLM_ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      handler: (request, reply) => forward(route, request, reply, upstream, metrics, settings),
    });
  }
}

async function forward(
  route: LlmRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  upstream: LlmUpstream,
  metrics: CoreMetrics,
  settings: ForwardSettings,
): Promise<FastifyReply> {
  const deadline = new RequestDeadline(settings.totalTimeoutMs, settings.idleTimeoutMs);
  try {
    return await relay(route, request, reply, upstream, metrics, deadline);
  } finally {
    deadline.clear(); // whatever happened, no timer outlives its request
  }
}

async function relay(
  route: LlmRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  upstream: LlmUpstream,
  metrics: CoreMetrics,
  deadline: RequestDeadline,
): Promise<FastifyReply> {
  const started = performance.now();
  const model = (request.body as { model?: unknown } | undefined)?.model;
  // The client leaving must stop generation upstream, not just our write.
  const clientGone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) clientGone.abort();
  });
  const signal = AbortSignal.any([clientGone.signal, deadline.signal]);
  const failureOf = (err: unknown, phase: 'connect' | 'body'): Failure => {
    const expired = deadline.expired;
    if (expired) return { status: 504, code: 'upstream_timeout', message: expired.message };
    if (clientGone.signal.aborted) return { status: CLIENT_CLOSED, code: 'client_closed', message: 'the client closed the connection' };
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    return phase === 'connect'
      ? { status: 502, code: 'upstream_unreachable', message: `the LLM server cannot be reached: ${cause}` }
      : { status: 502, code: 'upstream_broken', message: `the LLM server's answer broke off: ${cause}` };
  };
  const finish = (status: number, usage: TokenUsage, firstTokenAt?: number) => {
    deadline.clear();
    recordOutcome(request.log, metrics, route.endpoint, usage, {
      endpoint: route.endpoint,
      model: typeof model === 'string' ? model : 'unknown',
      status,
      durationSeconds: (performance.now() - started) / 1000,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      timeToFirstTokenSeconds: firstTokenAt === undefined ? undefined : (firstTokenAt - started) / 1000,
    });
  };

  const body = route.method === 'POST' && request.body !== undefined ? JSON.stringify(request.body) : undefined;
  let res: Response;
  try {
    res = await upstream.send(route.method, route.upstreamPath, request.headers, body, signal);
  } catch (err) {
    const failure = failureOf(err, 'connect');
    finish(failure.status, { source: 'none' });
    if (failure.status === CLIENT_CLOSED) return reply;
    request.log.warn({ upstreamError: failure.message, endpoint: route.endpoint }, 'LLM server request failed');
    return reply.code(failure.status).send(errorBody(failure));
  }
  // The server started answering: from now on its silences are bounded too.
  deadline.touch();

  const contentType = res.headers.get('content-type') ?? '';
  const sse = contentType.includes('text/event-stream');
  const counter = sse ? new SseUsageCounter() : undefined;
  const scanner = !sse && contentType.includes('json') ? new JsonUsageScanner() : undefined;
  const usage = (): TokenUsage => counter?.finish() ?? scanner?.result() ?? { source: 'none' };
  const out = new PassThrough();
  let committed = false;
  let held: Buffer[] = [];
  let heldBytes = 0;
  const answerHead = () => {
    reply.code(res.status);
    for (const name of RETURNED_RESPONSE_HEADERS) {
      const value = res.headers.get(name);
      if (value !== null) reply.header(name, value);
    }
    if (sse) reply.header('x-accel-buffering', 'no');
  };
  const commit = () => {
    committed = true;
    answerHead();
    reply.send(out);
    for (const piece of held) out.write(piece);
    held = [];
  };

  if (res.body === null) {
    finish(res.status, { source: 'none' });
    answerHead();
    return reply.send();
  }
  if (sse) commit(); // a stream's client wants every event as soon as it exists
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      deadline.touch();
      const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      counter?.push(chunk);
      scanner?.push(chunk);
      if (!committed) {
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes > HOLD_BYTES) commit();
      } else if (!out.destroyed) {
        out.write(chunk);
      }
      if (out.writableNeedDrain) {
        // The client reads slower than the server writes: wait for it rather than buffer, and
        // do not count our wait against the server's idle deadline.
        deadline.pauseIdle();
        await once(out, 'drain', { signal });
        deadline.touch();
      }
    }
  } catch (err) {
    reader.cancel().catch(() => undefined);
    const failure = failureOf(err, 'body');
    finish(failure.status, usage(), counter?.firstTokenAt);
    if (failure.status === CLIENT_CLOSED) {
      out.destroy();
      return reply;
    }
    request.log.warn({ upstreamError: failure.message, endpoint: route.endpoint, committed }, 'LLM answer did not complete');
    if (!committed) return reply.code(failure.status).send(errorBody(failure));
    // Headers (and part of the answer) are out. A stream can still say why in its own framing;
    // any other answer is cut off, so the client sees an incomplete response, never a short one.
    if (sse) out.end(`\n\ndata: ${JSON.stringify(errorBody(failure))}\n\n`);
    else out.destroy(new Error(failure.message));
    return reply;
  }
  finish(res.status, usage(), counter?.firstTokenAt);
  if (!committed) {
    answerHead();
    return reply.send(Buffer.concat(held, heldBytes));
  }
  out.end();
  return reply;
}

function errorBody(failure: Failure) {
  return { error: { message: failure.message, type: 'upstream_error', code: failure.code } };
}

/** Metrics and the one warning per answer about rejected counts; never throws into a request. */
function recordOutcome(
  log: FastifyBaseLogger,
  metrics: CoreMetrics,
  endpoint: LlmEndpoint,
  usage: TokenUsage,
  outcome: Parameters<CoreMetrics['record']>[0],
): void {
  try {
    if (usage.rejected) {
      metrics.rejectedTokenCounts.inc({ endpoint }, usage.rejected.length);
      log.warn({ endpoint, rejected: usage.rejected }, 'the LLM server sent token counts that are not counts; left out of the metrics');
    }
    metrics.record(outcome);
  } catch (err) {
    log.error({ err, endpoint }, 'recording the LLM request metrics failed');
  }
}
