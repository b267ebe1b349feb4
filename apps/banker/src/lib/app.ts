// Builds banker's HTTP app: health, readiness, metrics and the token-protected trading switch
// (POST /halt, POST /resume, GET /state). No listening and no signals here.
import { createHash, timingSafeEqual } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { AuditLog } from './audit-log';
import type { BankerConfig } from './config';
import { TradingSwitch } from './trading-switch';

export interface BankerAppOptions {
  logStream?: NodeJS.WritableStream;
}

export interface BankerApp {
  app: FastifyInstance;
  tradingSwitch: TradingSwitch;
  registry: Registry;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export async function buildBankerApp(config: BankerConfig, options: BankerAppOptions = {}): Promise<BankerApp> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      base: { service: 'banker' },
      ...(options.logStream ? { stream: options.logStream } : {}),
      redact: ['req.headers.authorization', 'headers.authorization'],
    },
    return503OnClosing: true,
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const halted = new Gauge({ name: 'banker_trading_halted', help: '1 while trading is halted, 0 while it runs.', registers: [registry] });
  const changes = new Counter({
    name: 'banker_state_changes_total',
    help: 'Trading-state changes written to the audit log, by new state.',
    labelNames: ['to'],
    registers: [registry],
  });
  const log = new AuditLog(config.dataDir);
  const tradingSwitch = await TradingSwitch.open(log, config.initialState, (entry) => {
    changes.inc({ to: entry.to });
    halted.set(entry.to === 'halted' ? 1 : 0);
    app.log.warn({ audit: entry }, `trading ${entry.to} by ${entry.actor}`);
  });
  halted.set(tradingSwitch.current().trading === 'halted' ? 1 : 0);
  changes.inc({ to: 'halted' }, 0);
  changes.inc({ to: 'running' }, 0);

  const expected = digest(config.controlToken);
  const authorize = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    // Comparing digests keeps the comparison constant-time whatever the lengths.
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      return reply.code(401).send({ error: 'missing or wrong bearer token (Authorization: Bearer <BANKER_CONTROL_TOKEN>)' });
    }
    return undefined;
  };
  const changeBody = {
    type: 'object',
    properties: { reason: { type: 'string', minLength: 1, maxLength: 500 }, actor: { type: 'string', minLength: 1, maxLength: 100 } },
    additionalProperties: false,
  } as const;

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await access(config.dataDir, constants.W_OK);
      return { status: 'ready', trading: tradingSwitch.current().trading };
    } catch {
      return reply.code(503).send({ status: 'not_ready', reason: `data directory ${config.dataDir} is not writable` });
    }
  });
  app.get('/metrics', async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
  app.get('/state', { onRequest: authorize }, async () => tradingSwitch.current());
  app.post<{ Body: { reason: string; actor?: string } }>(
    '/halt',
    { onRequest: authorize, schema: { body: { ...changeBody, required: ['reason'] } } },
    async (request) => tradingSwitch.halt(request.body.actor ?? 'api', request.body.reason),
  );
  app.post<{ Body: { reason?: string; actor?: string } | undefined }>(
    '/resume',
    { onRequest: authorize, schema: { body: changeBody } },
    async (request) => tradingSwitch.resume(request.body?.actor ?? 'api', request.body?.reason ?? 'resumed'),
  );
  return { app, tradingSwitch, registry };
}
