// Core's side of the graceful stop (the mechanism and its bound are specified in
// libs/service-kit): a server-sent-events answer relayed from the LLM server runs to its end.
import { installGracefulShutdown } from '@genesis/service-kit';
import { request } from 'node:http';
import { buildCoreApp } from './app';
import { FAKE_MODEL, startFakeLlm } from '../test-support/fake-llm';

/** `started` resolves with the first bytes of the answer, `done` with all of it. */
function post(port: number, body: unknown): { started: Promise<void>; done: Promise<{ status: number; body: string }> } {
  let started!: () => void;
  const startedPromise = new Promise<void>((r) => (started = r));
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
        started();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('close', () => (res.complete ? undefined : reject(new Error('connection closed mid-answer'))));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
  done.catch(() => undefined);
  return { started: startedPromise, done };
}

describe('core graceful shutdown', () => {
  jest.setTimeout(30_000);

  it('stops accepting, lets an in-flight stream finish, then exits 0', async () => {
    const llm = await startFakeLlm({ chunkDelayMs: 80 });
    const { app } = buildCoreApp({
      host: '127.0.0.1', port: 0, llmBaseUrl: llm.baseUrl, llmApiKey: undefined,
      llmTimeoutMs: 30_000, llmIdleTimeoutMs: 30_000, readyCacheMs: 0, logLevel: 'silent', shutdownTimeoutMs: 30_000,
    });
    const exit = jest.fn();
    const shutdown = installGracefulShutdown(app, { timeoutMs: 30_000, signals: [], exit });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;

    try {
      const inFlight = post(port, { model: FAKE_MODEL, stream: true });
      await inFlight.started; // the stream is flowing: a wait on a condition, not on the clock
      const stopped = shutdown('SIGTERM');
      await expect(post(port, { model: FAKE_MODEL }).done).rejects.toMatchObject({ code: expect.stringMatching(/ECONNREFUSED|ECONNRESET/) });
      const answer = await inFlight.done;
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(llm.lastStream);
      expect(answer.body.endsWith('data: [DONE]\n\n')).toBe(true);
      await stopped;
      expect(exit).toHaveBeenCalledWith(0);
    } finally {
      await app.close();
      await llm.close();
    }
  });
});
