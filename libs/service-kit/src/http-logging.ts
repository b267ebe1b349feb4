// Owns how a service's HTTP server logs: pino with the service name, the Authorization header
// redacted, and every URL cut to its path before fastify routes it. A client that puts a secret
// in the query string (`/halt?token=…`) gets it into no log line, no 404 message and no error;
// `originalQuery` still tells a route that a query was sent, so it can refuse it.
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import type { LogLevel } from './env-config';

export interface ServiceHttpOptions {
  /** The `service` field of every log line. */
  service: string;
  level: LogLevel;
  /** Where pino writes; stdout by default. Tests capture it to prove secrets stay out. */
  stream?: NodeJS.WritableStream;
}

/** Spread into `Fastify({...})`. */
export function serviceHttpOptions(options: ServiceHttpOptions): Pick<FastifyServerOptions, 'logger' | 'rewriteUrl'> {
  return {
    logger: {
      level: options.level,
      base: { service: options.service },
      ...(options.stream ? { stream: options.stream } : {}),
      // Defence in depth: these serializers never log headers; keep it that way.
      redact: ['req.headers.authorization', 'headers.authorization'],
      serializers: { req: requestForLog },
    },
    // fastify keeps the untouched URL as request.originalUrl; everything else sees the path.
    rewriteUrl: (req) => pathOf(req.url ?? '/'),
  };
}

/** The query string a client sent, without its `?`; empty when there was none. */
export function originalQuery(request: FastifyRequest): string {
  const url = request.originalUrl;
  const mark = url.indexOf('?');
  return mark === -1 ? '' : url.slice(mark + 1);
}

function pathOf(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? url : url.slice(0, mark);
}

/** fastify's own request serializer, with the path only and a marker where a query was cut. */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: pathOf(request.url),
    ...(originalQuery(request) ? { query: '[redacted]' } : {}),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
