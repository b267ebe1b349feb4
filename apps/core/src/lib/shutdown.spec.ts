// Core's side of the graceful stop (the mechanism and its bound are specified in
// libs/service-kit): a server-sent-events answer relayed from the LLM server runs to its end.
import { installGracefulShutdown } from '@genesis/service-kit';
import { request } from 'node:http';
import { buildCoreApp } from './app';
import { FAKE_MODEL, startFakeLlm } from '../test-support/fake-llm';

/** `onData` fires on each body chunk: the first one means the answer is in flight. */
function post(port: number, body: unknown, onData: () => void = () => undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
        onData();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('close', () => (res.complete ? undefined : reject(new Error('connection closed mid-answer'))));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('core graceful shutdown', () => {
  it('stops accepting, lets an in-flight stream finish, then exits 0', async () => {
    const llm = await startFakeLlm({ chunkDelayMs: 80 });
    const { app } = buildCoreApp({
      host: '127.0.0.1', port: 0, llmBaseUrl: llm.baseUrl, llmApiKey: undefined,
      llmTimeoutMs: 30_000, readyCacheMs: 0, logLevel: 'silent', shutdownTimeoutMs: 30_000,
    });
    const exit = jest.fn();
    const shutdown = installGracefulShutdown(app, { timeoutMs: 30_000, signals: [], exit });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;

    let streamStarted!: () => void;
    const started = new Promise<void>((r) => (streamStarted = r));
    const inFlight = post(port, { model: FAKE_MODEL, stream: true }, () => streamStarted());
    await started;
    const stopped = shutdown('SIGTERM');
    // Refused or reset: which one depends on scheduling; both mean "not accepting".
    const refused = await post(port, { model: FAKE_MODEL }).then(
      () => 'answered',
      (err: NodeJS.ErrnoException) => err.code ?? err.message,
    );
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(refused);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(llm.lastStream);
    expect(answer.body.endsWith('data: [DONE]\n\n')).toBe(true);
    await stopped;
    expect(exit).toHaveBeenCalledWith(0);
    await llm.close();
  });
});
