/** Reading parameters off the wire and writing answers in pve-http-server's shape. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawParams } from '../model/context';
import { PveError } from '../model/errors';

const MAX_BODY = 1024 * 1024;

function add(params: RawParams, key: string, value: string): void {
  const existing = params[key];
  if (existing === undefined) params[key] = value;
  else params[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
}

function fromSearchParams(search: URLSearchParams, into: RawParams = {}): RawParams {
  for (const [key, value] of search) add(into, key, value);
  return into;
}

function fromJson(body: unknown): RawParams {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PveError(400, 'Parameter verification failed.', { body: 'expected a JSON object' });
  }
  const out: RawParams = {};
  const text = (v: unknown) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    out[key] = Array.isArray(value) ? value.map(text) : text(value);
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new PveError(413, 'Request Entity Too Large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Query string and body merged, repeated keys as arrays (`map=..&map=..`, `command=..`). */
export async function readParams(req: IncomingMessage, url: URL): Promise<RawParams> {
  const params = fromSearchParams(url.searchParams);
  const body = await readBody(req);
  if (body.length === 0) return params;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  let fromBody: RawParams;
  if (type === 'application/json') {
    try {
      fromBody = fromJson(JSON.parse(body));
    } catch (error) {
      if (error instanceof PveError) throw error;
      throw new PveError(400, 'Parameter verification failed.', { body: `invalid JSON: ${(error as Error).message}` });
    }
  } else {
    fromBody = fromSearchParams(new URLSearchParams(body));
  }
  return { ...params, ...fromBody };
}

/** Status lines must be one line of latin-1; PVE puts its message there. */
function statusLine(message: string): string {
  return message.split('\n')[0].replace(/[^\t\x20-\x7e\xa0-\xff]/g, '?').slice(0, 512);
}

export function sendData(res: ServerResponse, data: unknown, attributes: Record<string, unknown> = {}): void {
  const body = JSON.stringify({ ...attributes, data: data === undefined ? null : data });
  res.writeHead(200, 'OK', {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'max-age=0',
    pragma: 'no-cache',
  });
  res.end(body);
}

export function sendError(res: ServerResponse, error: PveError): void {
  const payload: Record<string, unknown> = { data: null };
  if (error.status === 400 && error.errors) payload.errors = error.errors;
  else payload.message = error.message;
  const body = JSON.stringify(payload);
  res.writeHead(error.status, statusLine(error.message), {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
