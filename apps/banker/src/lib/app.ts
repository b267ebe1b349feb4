// Builds banker's HTTP app: health, readiness, metrics and the token-protected trading switch
// (POST /halt, POST /resume, GET /state). No listening and no signals here.
// The token is read from the Authorization header only; a control request with a query string is
// refused before anything else (and query strings never reach a log: see serviceHttpOptions).
// Bodies are checked strictly: no coercion (`{"reason": 12345}` is a 400), no unknown fields.
import { createHash, timingSafeEqual } from 'node:crypto';
import { originalQuery, serviceHttpOptions } from '@genesis/service-kit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { AuditLog } from './audit-log';
import type { RetryPolicy } from './audit-writer';
import { bodyErrorMessage } from './body-errors';
import type { BankerConfig } from './config';
import { ResumeRefusedError, TradingSwitch } from './trading-switch';

export interface BankerAppOptions {
  logStream?: NodeJS.WritableStream;
  /** How failed audit writes are retried; tests shorten it. */
  auditRetry?: RetryPolicy;
  /** How long /halt waits for its audit entry before answering with it still pending. */
  haltAuditWaitMs?: number;
}

export interface BankerApp {
  app: FastifyInstance;
  tradingSwitch: TradingSwitch;
  registry: Registry;
}

const HALT_AUDIT_WAIT_MS = 1000;
const digest = (s: string) => createHash('sha256').update(s).digest();

const changeBody = {
  type: 'object',
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 }, actor: { type: 'string', minLength: 1, maxLength: 100 } },
  additionalProperties: false,
} as const;

export async function buildBankerApp(config: BankerConfig, options: BankerAppOptions = {}): Promise<BankerApp> {
  const app = Fastify({
    ...serviceHttpOptions({ service: 'banker', level: config.logLevel, stream: options.logStream }),
    return503OnClosing: true,
    // fastify's defaults coerce ("12345" from 12345) and silently drop unknown fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
    schemaErrorFormatter: (errors) => new Error(bodyErrorMessage(errors)),
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const halted = new Gauge({ name: 'banker_trading_halted', help: '1 while trading is halted, 0 while it runs.', registers: [registry] });
  const changes = new Counter({
    name: 'banker_state_changes_total',
    help: 'Trading-state changes that took effect, by new state.',
    labelNames: ['to'],
    registers: [registry],
  });
  const auditFailures = new Counter({
    name: 'banker_audit_write_failures_total',
    help: 'Failed attempts to write the audit log (each retry counts).',
    registers: [registry],
  });

  const log = new AuditLog(config.dataDir, config.auditMaxBytes);
  const { tradingSwitch, loaded } = await TradingSwitch.open(log, {
    initialState: config.initialState,
    retry: options.auditRetry,
    onChange: (entry) => {
      changes.inc({ to: entry.to });
      halted.set(entry.to === 'halted' ? 1 : 0);
      app.log.warn({ audit: entry }, `trading ${entry.to} by ${entry.actor}`);
    },
    audit: {
      onFailure: (error, attempt, retryInMs, pendingEntries) => {
        auditFailures.inc();
        app.log.error(
          { err: error.message, attempt, retryInMs, pendingEntries, auditFile: log.file },
          'AUDIT LOG WRITE FAILED: trading-state changes stay in effect in memory and are retried; resume is refused until it is written',
        );
      },
      onRecovered: (failedAttempts) => app.log.warn({ failedAttempts, auditFile: log.file }, 'audit log writable again; pending entries written'),
    },
  });
  app.log.info({ auditFile: loaded.file ?? null, bytesRead: loaded.bytesRead }, 'trading state restored from the audit log');
  new Gauge({
    name: 'banker_audit_degraded',
    help: '1 while the audit log cannot be written or entries are waiting for it, else 0.',
    registers: [registry],
    collect() {
      this.set(tradingSwitch.current().audit.status === 'degraded' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'banker_audit_pending_entries',
    help: 'Trading-state changes in effect whose audit entry is not written yet.',
    registers: [registry],
    collect() {
      this.set(tradingSwitch.current().audit.pendingEntries);
    },
  });
  halted.set(tradingSwitch.current().trading === 'halted' ? 1 : 0);
  changes.inc({ to: 'halted' }, 0);
  changes.inc({ to: 'running' }, 0);
  app.addHook('onClose', async () => {
    const lost = tradingSwitch.close();
    if (lost.length > 0) app.log.error({ lost }, 'stopping with audit entries that were never written');
  });

  const expected = digest(config.controlToken);
  const refuseQuery = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!originalQuery(request)) return undefined;
    request.log.warn('control request with a query string refused');
    return reply.code(400).send({
      error:
        'banker reads its token from the Authorization header only and its control routes take no query parameters; ' +
        'send Authorization: Bearer <BANKER_CONTROL_TOKEN> (a token that was put in a URL may sit in proxy and shell histories: rotate it)',
    });
  };
  const authorize = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    // Comparing digests keeps the comparison constant-time whatever the lengths.
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      return reply.code(401).send({ error: 'missing or wrong bearer token (Authorization: Bearer <BANKER_CONTROL_TOKEN>)' });
    }
    return undefined;
  };
  const control = { onRequest: [refuseQuery, authorize] };

  app.get('/healthz', async () => ({ status: 'ok' }));
  // Ready means "a halt sent now takes effect": true even while the audit is degraded, so a
  // watchdog is never routed away from the one endpoint that makes things safe.
  app.get('/readyz', async () => {
    const state = tradingSwitch.current();
    return { status: 'ready', trading: state.trading, audit: state.audit.status };
  });
  app.get('/metrics', async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
  app.get('/state', control, async () => tradingSwitch.current());
  app.post<{ Body: { reason: string; actor?: string } }>(
    '/halt',
    { ...control, schema: { body: { ...changeBody, required: ['reason'] } } },
    async (request) => {
      const { written, ...result } = tradingSwitch.halt(request.body.actor ?? 'api', request.body.reason);
      // Answer promptly either way; the entry keeps being retried if it is not on disk yet.
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([written.catch(() => undefined), new Promise((r) => (wait = setTimeout(r, options.haltAuditWaitMs ?? HALT_AUDIT_WAIT_MS)))]);
      clearTimeout(wait);
      return { ...result, audit: tradingSwitch.current().audit };
    },
  );
  app.post<{ Body: { reason?: string; actor?: string } }>(
    '/resume',
    {
      ...control,
      // No body at all is fine here (every field is optional); a body that is there is checked.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: { body: changeBody },
    },
    async (request, reply) => {
      try {
        return await tradingSwitch.resume(request.body.actor ?? 'api', request.body.reason ?? 'resumed');
      } catch (err) {
        if (!(err instanceof ResumeRefusedError)) throw err;
        request.log.warn({ reason: err.message }, 'resume refused');
        return reply.code(err.status).send({ error: err.message, ...tradingSwitch.current() });
      }
    },
  );
  return { app, tradingSwitch, registry };
}
