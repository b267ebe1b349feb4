// Builds core's HTTP app from a validated config: health, readiness, metrics and the
// OpenAI-compatible routes. No listening and no signals here, so tests can inject requests.
import { serviceHttpOptions } from '@genesis/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import { redactUrl, type CoreConfig } from './config';
import { registerLlmRoutes } from './llm-routes';
import { CoreMetrics } from './metrics';
import { CachedProbe, LlmUpstream } from './upstream';

/** Prompts can be long; the default 1 MiB body limit is too small for a chat history. */
const BODY_LIMIT_BYTES = 16 * 1024 * 1024;
const PROBE_TIMEOUT_MS = 2000;

export interface CoreApp {
  app: FastifyInstance;
  metrics: CoreMetrics;
  probe: CachedProbe;
}

export interface CoreAppOptions {
  /** Where pino writes; stdout by default. Tests capture it to prove secrets stay out. */
  logStream?: NodeJS.WritableStream;
}

export function buildCoreApp(config: CoreConfig, options: CoreAppOptions = {}): CoreApp {
  const app = Fastify({
    ...serviceHttpOptions({ service: 'core', level: config.logLevel, stream: options.logStream }),
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
  });
  const metrics = new CoreMetrics();
  const upstream = new LlmUpstream({
    baseUrl: config.llmBaseUrl,
    apiKey: config.llmApiKey,
  });
  const probe = new CachedProbe(upstream, config.readyCacheMs, Math.min(PROBE_TIMEOUT_MS, config.llmTimeoutMs), (r) =>
    metrics.upstreamUp.set(r.reachable ? 1 : 0),
  );
  const upstreamForHumans = redactUrl(config.llmBaseUrl);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const result = await probe.check();
    return reply
      .code(result.reachable ? 200 : 503)
      .send({ status: result.reachable ? 'ready' : 'not_ready', upstream: { url: upstreamForHumans, ...result } });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  registerLlmRoutes(app, upstream, metrics, { totalTimeoutMs: config.llmTimeoutMs, idleTimeoutMs: config.llmIdleTimeoutMs });
  return { app, metrics, probe };
}
