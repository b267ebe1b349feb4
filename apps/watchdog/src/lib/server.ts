/**
 * The watchdog's HTTP side: /healthz for liveness and /metrics for Prometheus. Nothing on it
 * changes state: the kill switch is the physical button only.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { WatchdogMetrics } from './metrics';

export async function buildServer(options: { metrics: WatchdogMetrics; log: Logger }): Promise<FastifyInstance> {
  // Request logs (info) would be one line per scrape; warnings and errors still come through.
  const app = Fastify({ loggerInstance: options.log.child({ part: 'http' }, { level: 'warn' }) as FastifyBaseLogger, return503OnClosing: true });
  const { registry } = options.metrics;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
  return app;
}
