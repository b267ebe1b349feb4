// Core's side of the graceful stop (the mechanism and its bound are specified in
// libs/service-kit): a server-sent-events answer relayed from the LLM server runs to its end.
import { installGracefulShutdown } from '@genesis/service-kit';
import { request } from 'node:http';
import { buildCoreApp } from './app';
import { FAKE_MODEL, startFakeLlm } from '../test-support/fake-llm';

function post(port: number, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
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
      llmTimeoutMs: 5000, readyCacheMs: 0, logLevel: 'silent', shutdownTimeoutMs: 5000,
    });
    const exit = jest.fn();
    const shutdown = installGracefulShutdown(app, { timeoutMs: 5000, signals: [], exit });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;

    const inFlight = post(port, { model: FAKE_MODEL, stream: true });
    await new Promise((r) => setTimeout(r, 100)); // the stream has started
    const stopped = shutdown('SIGTERM');
    await expect(post(port, { model: FAKE_MODEL })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(llm.lastStream);
    expect(answer.body.endsWith('data: [DONE]\n\n')).toBe(true);
    await stopped;
    expect(exit).toHaveBeenCalledWith(0);
    await llm.close();
  });
});
