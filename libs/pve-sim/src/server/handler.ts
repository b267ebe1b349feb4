/**
 * One request, end to end: management-link check, auth, latency, faults, schema validation,
 * permissions, the model, persistence.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpMethod, RequestContext } from '../model/context';
import { ReplyWithAttributes } from '../model/context';
import { PveError } from '../model/errors';
import type { SimHost } from '../model/host';
import { checkPermission } from '../model/permissions';
import type { Router } from '../model/router';
import type { ApiSchema } from '../schema';
import { authenticate, type SimulatorTokens } from './auth';
import type { FaultInjector } from './faults';
import { readParams, sendData, sendError } from './wire';
import { isUploadPath, readUpload } from './multipart';
import { stageUpload } from '../model/storage-upload';

export interface HandlerDeps {
  host: SimHost;
  router: Router;
  schema?: ApiSchema;
  tokens: SimulatorTokens;
  faults: FaultInjector;
  latency: { ms: number };
  /** Set on a member of a simulated cluster (src/cluster): which node answers, quorum, replication. */
  cluster?: ClusterHook;
}

export interface ClusterHook {
  /** The host and routes that answer this request (another member for `/nodes/{other}/…`); throws when refused. */
  resolve(method: HttpMethod, path: string): { host: SimHost; router: Router };
  /** After a successful write on `host`: what pmxcfs replicates reaches the other members. */
  written(host: SimHost): void;
}

const METHODS = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'DELETE']);
const API_PREFIX = '/api2/json';

export function createRequestHandler(deps: HandlerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // After a reload took the management address away nothing answers, as on the real wire.
    if (deps.host.state.network.managementCut) {
      req.socket.destroy();
      return;
    }
    try {
      await handle(deps, req, res);
    } catch (error) {
      const pveError = error instanceof PveError ? error : new PveError(500, (error as Error).message ?? String(error));
      if (!res.headersSent) sendError(res, pveError);
    }
  };
}

async function handle(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const method = (req.method ?? 'GET').toUpperCase() as HttpMethod;
  if (!url.pathname.startsWith(API_PREFIX)) throw new PveError(404, 'Not Found');
  if (!METHODS.has(method)) throw new PveError(501, `Method '${method}' not implemented`);
  const path = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '') || '/';
  const auth = authenticate(req.headers.authorization, deps.tokens);
  // In a cluster the node the path names answers (its own state, its own uploads).
  const { host, router } = deps.cluster?.resolve(method, path) ?? { host: deps.host, router: deps.router };
  const upload = method === 'POST' && isUploadPath(path) ? await readUpload(req, url) : undefined;
  const params = upload ? upload.params : await readParams(req, url);
  if (upload) stageUpload(host, String(upload.params.tmpfilename), upload.data);
  if (deps.latency.ms > 0) await sleep(deps.latency.ms);

  const fault = deps.faults.decide(method, path, params);
  if (fault.error) throw fault.error;

  let pathParams: Record<string, string> = {};
  if (deps.schema) {
    const verdict = deps.schema.validateRequest(method, path, params);
    if (!verdict.ok) {
      if (verdict.status === 400) throw new PveError(400, verdict.message, verdict.errors);
      throw new PveError(verdict.status, verdict.message);
    }
    pathParams = verdict.pathParams;
  }
  const match = router.match(method, path);
  if (!match) {
    throw new PveError(
      501,
      deps.schema
        ? `Method '${method} ${path}' exists in the PVE API but is not simulated by pve-sim`
        : `Method '${method} ${path}' not implemented`,
    );
  }
  checkPermission(auth, method, path);
  const ctx: RequestContext = {
    method,
    path,
    pathParams: { ...match.pathParams, ...pathParams },
    // Path parameters win, as PVE merges URI parameters into the call.
    params: { ...params, ...match.pathParams },
    auth,
    host,
    taskFailure: fault.taskFailure,
  };
  // A write that fails leaves nothing half-applied, as PVE's lock-and-write-at-end does.
  const before = method === 'GET' ? undefined : structuredClone(host.state);
  let result: unknown;
  try {
    result = match.route.handler(ctx);
  } catch (error) {
    if (before) host.state = before;
    throw error;
  } finally {
    if (before) host.save();
  }
  if (before) deps.cluster?.written(host);
  if (result instanceof ReplyWithAttributes) sendData(res, result.data, result.attributes);
  else sendData(res, result);
}
