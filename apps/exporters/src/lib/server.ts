/**
 * The HTTP face: GET /metrics (the page rendered at the last sample), /healthz (alive), /readyz
 * (first samples taken). Three fixed routes on node:http rather than fastify: the exporter's memory
 * goal (issue 16: under 80 MB) leaves no room for a framework's 15 MB, and a scrape is a buffer copy.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Exporter } from './exporter';

export interface MetricsServer {
  server: Server;
  listen(options: { host: string; port: number }): Promise<AddressInfo>;
  close(): Promise<void>;
}

function json(reply: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  reply.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  reply.end(text);
}

export function createServer(exporter: Exporter, logger: Logger): MetricsServer {
  const handle = (request: IncomingMessage, reply: ServerResponse) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return json(reply, 405, { error: 'only GET and HEAD' });
    const path = (request.url ?? '/').split('?')[0];
    switch (path) {
      case '/metrics': {
        // Rendered when the last sample arrived; a scrape only copies it out.
        const [body, tail] = exporter.page.parts();
        reply.writeHead(200, { 'content-type': exporter.page.contentType, 'content-length': body.length + tail.length });
        if (request.method === 'HEAD') return reply.end();
        reply.write(body);
        return reply.end(tail);
      }
      case '/healthz':
        return json(reply, 200, { status: 'ok' });
      case '/readyz': {
        const pending = exporter.samplers.filter((s) => !s.ready).map((s) => s.name);
        if (pending.length) return json(reply, 503, { status: 'starting', waitingFor: pending });
        return json(reply, 200, { status: 'ready', collectors: exporter.samplers.map((s) => s.name) });
      }
      default:
        return json(reply, 404, { error: `no route ${path}: try /metrics, /healthz or /readyz` });
    }
  };
  const server = createHttpServer((request, reply) => {
    try {
      handle(request, reply);
    } catch (error) {
      logger.error({ err: (error as Error).message, url: request.url }, 'request failed');
      if (!reply.headersSent) json(reply, 500, { error: 'internal error' });
      else reply.destroy();
    }
  });
  // Scrapers keep connections alive; a stopped exporter must not wait for them.
  server.keepAliveTimeout = 65_000;
  return {
    server,
    listen: ({ host, port }) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
