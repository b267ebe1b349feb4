// Signal wiring is exercised end to end by the services' main specs (SIGTERM to a real process);
// jest's sandboxed `process` cannot take a real signal handler.
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'node:http';
import { installGracefulShutdown } from './shutdown';

/** A service whose GET /slow streams `chunks` lines, one every `chunkDelayMs`. */
async function startSlowService(chunks: number, chunkDelayMs: number): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({ logger: false });
  app.get('/slow', async (_req, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/plain' });
    for (let i = 0; i < chunks; i++) {
      await new Promise((r) => setTimeout(r, chunkDelayMs));
      reply.raw.write(`chunk ${i}\n`);
    }
    reply.raw.end('done\n');
    return reply;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as { port: number }).port };
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('close', () => (res.complete ? undefined : reject(new Error('connection closed mid-answer'))));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('installGracefulShutdown', () => {
  it('stops accepting, lets an in-flight answer finish, then exits 0', async () => {
    const { app, port } = await startSlowService(4, 80);
    const exit = jest.fn();
    const shutdown = installGracefulShutdown(app, { timeoutMs: 5000, signals: [], exit });

    const inFlight = get(port, '/slow');
    await new Promise((r) => setTimeout(r, 100)); // the answer has started
    const stopped = shutdown('SIGTERM');
    await expect(get(port, '/slow')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('chunk 0\nchunk 1\nchunk 2\nchunk 3\ndone\n');
    await stopped;
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits 1 when in-flight work outlives the bound', async () => {
    const { app, port } = await startSlowService(10, 1000);
    const inFlight = get(port, '/slow').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const code = await new Promise<number>((resolve) => void installGracefulShutdown(app, { timeoutMs: 150, signals: [], exit: resolve })('SIGTERM'));
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    app.server.closeAllConnections();
    await inFlight;
  });

  it('stops once when a second signal arrives while stopping', async () => {
    const { app } = await startSlowService(1, 0);
    const exit = jest.fn();
    const shutdown = installGracefulShutdown(app, { timeoutMs: 5000, signals: [], exit });
    const first = shutdown('SIGTERM');
    expect(shutdown('SIGINT')).toBe(first);
    await first;
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });
});
