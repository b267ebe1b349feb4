/** One HTTPS exchange with an overall deadline; no retries, no PVE semantics. */
import * as https from 'node:https';

export interface HttpExchange {
  agent: https.Agent;
  host: string;
  port: number;
  method: string;
  /** Absolute request path including the query string. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  statusMessage: string;
  body: string;
}

export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

export function exchange(x: HttpExchange): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      agent: x.agent,
      host: x.host,
      port: x.port,
      method: x.method,
      path: x.path,
      headers: x.headers,
    });
    // Covers connect, handshake, upload and the whole body, not only socket idleness.
    const timer = setTimeout(() => req.destroy(new RequestTimeoutError(x.timeoutMs)), x.timeoutMs);
    const finish = (fn: () => void): void => {
      clearTimeout(timer);
      fn();
    };
    req.once('error', (error) => finish(() => reject(error)));
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', (error) => finish(() => reject(error)));
      res.once('end', () =>
        finish(() =>
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        ),
      );
    });
    req.end(x.body);
  });
}
