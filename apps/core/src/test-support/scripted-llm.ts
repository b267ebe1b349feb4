// Real HTTP servers on loopback for the upstream faults core must survive, each scripted by the
// test: bad token counts, bodies that stall after the headers, answers of hundreds of megabytes
// generated on the fly (never held in memory, by the server or by the test). The bench
// bench/core-memory serves its answers with the same writers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedLlm {
  /** Base URL including /v1, as LLM_BASE_URL expects. */
  baseUrl: string;
  /** Requests received so far. */
  requests: number;
  close(): Promise<void>;
}

/** `body` is the request body as text (requests here are small). */
export type Script = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export async function startScriptedLlm(script: Script, port = 0): Promise<ScriptedLlm> {
  const llm: ScriptedLlm = { baseUrl: '', requests: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    llm.requests += 1;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      Promise.resolve(script(req, res, body)).catch((err: Error) => res.destroy(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  llm.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  llm.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections(); // stalled answers included
      server.close(() => resolve());
    });
  return llm;
}

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
export const JSON_HEADERS = { 'content-type': 'application/json' };

export const sseEvent = (data: unknown) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
export const contentChunk = (content: string) => ({ id: 'cmpl-s', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] });

/** A complete chat answer whose usage carries `usage` verbatim (JSON text, so 1e999 stays). */
export function chatAnswerWithUsage(usageJson: string): string {
  return `{"id":"cmpl-u","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":${usageJson}}`;
}

/** Resolves when `res` can take more, or false when the client left. */
async function writeOrWait(res: ServerResponse, data: Buffer | string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(data)) return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

// 64 KiB of text per write; JSON-safe, so it can sit inside a string as is.
const FILLER = Buffer.from('All work and no play makes the gateway a dull proxy. '.repeat(1237).slice(0, 64 * 1024));

export interface BigAnswer {
  /** Bytes of the whole answer body, known before it is written. */
  bytes: number;
  completionTokens: number;
}

/**
 * A chat completion of about `approxBytes` written on the fly: one long `content` string, then
 * the usage object at the very end, where OpenAI-compatible servers put it. Returns its size.
 */
export function bigJsonAnswer(approxBytes: number): { answer: BigAnswer; write: (res: ServerResponse) => Promise<void> } {
  const pieces = Math.max(1, Math.round(approxBytes / FILLER.length));
  const completionTokens = pieces * 1000;
  const head = '{"id":"cmpl-big","object":"chat.completion","model":"big","choices":[{"index":0,"message":{"role":"assistant","content":"';
  const tail = `"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":${completionTokens},"total_tokens":${completionTokens + 7}}}`;
  const bytes = Buffer.byteLength(head) + pieces * FILLER.length + Buffer.byteLength(tail);
  return {
    answer: { bytes, completionTokens },
    write: async (res) => {
      res.writeHead(200, { ...JSON_HEADERS, 'content-length': String(bytes) });
      if (!(await writeOrWait(res, head))) return;
      for (let i = 0; i < pieces; i++) if (!(await writeOrWait(res, FILLER))) return;
      res.end(tail);
    },
  };
}

/**
 * A server-sent-event stream of about `approxBytes`: events of 4 KiB of content each, a usage
 * chunk, then [DONE]. Returns its size and the usage it reports.
 */
export function bigSseAnswer(approxBytes: number): { answer: BigAnswer; write: (res: ServerResponse) => Promise<void> } {
  const event = Buffer.from(sseEvent(contentChunk(FILLER.subarray(0, 4096).toString())));
  const batch = Buffer.concat(Array.from({ length: 16 }, () => event));
  const batches = Math.max(1, Math.round(approxBytes / batch.length));
  const completionTokens = batches * 16;
  const end = sseEvent({ id: 'cmpl-s', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 7, completion_tokens: completionTokens } }) + sseEvent('[DONE]');
  const bytes = batches * batch.length + Buffer.byteLength(end);
  return {
    answer: { bytes, completionTokens },
    write: async (res) => {
      res.writeHead(200, SSE_HEADERS);
      for (let i = 0; i < batches; i++) if (!(await writeOrWait(res, batch))) return;
      res.end(end);
    },
  };
}
