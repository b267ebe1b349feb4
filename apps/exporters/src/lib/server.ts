/** The HTTP face: GET /metrics (the page rendered at the last sample), /healthz (alive), /readyz (first samples taken). */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Exporter } from './exporter';

export function createServer(exporter: Exporter, logger: Logger): FastifyInstance {
  // Scrapes every few seconds would drown the log at info; fastify logs warnings and errors only.
  const app = Fastify({ loggerInstance: logger.child({}, { level: 'warn' }) as unknown as FastifyBaseLogger });
  // The page was rendered when the last sample arrived; a scrape only copies it out.
  app.get('/metrics', (_request, reply) => {
    void reply.header('content-type', exporter.page.contentType).send(exporter.page.current());
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const pending = exporter.samplers.filter((s) => !s.ready).map((s) => s.name);
    if (pending.length) return reply.code(503).send({ status: 'starting', waitingFor: pending });
    return { status: 'ready', collectors: exporter.samplers.map((s) => s.name) };
  });
  return app;
}
