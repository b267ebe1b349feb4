/**
 * A real HTTPS server on 127.0.0.1 with a fresh self-signed certificate, for the transport's own
 * tests (TLS pinning, wire format, failures the simulator does not produce). Not exported.
 */
import { X509Certificate } from 'node:crypto';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

export interface SeenRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type TestHandler = (req: SeenRequest, res: import('node:http').ServerResponse) => void | Promise<void>;

export interface TestServer {
  port: number;
  /** SHA-256 of the certificate, `AA:BB:…`. */
  fingerprint: string;
  certPem: string;
  requests: SeenRequest[];
  handler: TestHandler;
  close(): Promise<void>;
}

export async function generateCertificate(): Promise<{ key: string; cert: string; fingerprint: string }> {
  const pems = await generate([{ name: 'commonName', value: 'pve-test.local' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}

/** JSON answer in PVE's shape. */
export function sendJson(
  res: import('node:http').ServerResponse,
  status: number,
  body: unknown,
  reason?: string,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, reason ?? '', {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startTestServer(handler: TestHandler): Promise<TestServer> {
  const { key, cert, fingerprint } = await generateCertificate();
  const state: TestServer = {
    port: 0,
    fingerprint,
    certPem: cert,
    requests: [],
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      state.requests.push(seen);
      Promise.resolve(state.handler(seen, res)).catch((error: Error) =>
        sendJson(res, 599, { data: null, message: error.message }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}
