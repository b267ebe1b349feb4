// Signal wiring is exercised end to end by the services' main specs (SIGTERM to a real process);
// jest's sandboxed `process` cannot take a real signal handler.
// No step here waits on the clock: the slow answer is held open by a gate the test releases, and
// "not accepting" is either a refused or a reset connection (which one depends on scheduling).
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'node:http';
import { installGracefulShutdown } from './shutdown';

interface GatedService {
  app: FastifyInstance;
  port: number;
  /** Lets every held answer write its remaining chunks and end. */
  release: () => void;
}

/** A service whose GET /slow writes its first chunk, then waits for `release()` before the rest. */
async function startGatedService(): Promise<GatedService> {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const app = Fastify({ logger: false });
  app.get('/slow', async (_req, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/plain' });
    reply.raw.write('chunk 0\n');
    await gate;
    reply.raw.write('chunk 1\n');
    reply.raw.end('done\n');
    return reply;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as { port: number }).port, release };
}

interface PendingAnswer {
  /** Resolves when the first bytes of the body arrived: the answer is in flight. */
  started: Promise<void>;
  done: Promise<{ status: number; body: string }>;
}

function get(port: number, path: string): PendingAnswer {
  let started!: () => void;
  const startedPromise = new Promise<void>((r) => (started = r));
  const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
        started();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('close', () => (res.complete ? undefined : reject(new Error('connection closed mid-answer'))));
    });
    req.on('error', reject);
    req.end();
  });
  return { started: startedPromise, done };
}

const NOT_ACCEPTING = ['ECONNREFUSED', 'ECONNRESET'];

describe('installGracefulShutdown', () => {
  it('stops accepting, lets an in-flight answer finish, then exits 0', async () => {
    const { app, port, release } = await startGatedService();
    const exit = jest.fn();
    const shutdown = installGracefulShutdown(app, { timeoutMs: 30_000, signals: [], exit });

    const inFlight = get(port, '/slow');
    await inFlight.started;
    const stopped = shutdown('SIGTERM');

    const refused = await get(port, '/slow').done.then(
      () => 'answered',
      (err: NodeJS.ErrnoException) => err.code ?? err.message,
    );
    expect(NOT_ACCEPTING).toContain(refused);
    expect(exit).not.toHaveBeenCalled();

    release();
    const answer = await inFlight.done;
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('chunk 0\nchunk 1\ndone\n');
    await stopped;
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits 1 when in-flight work outlives the bound', async () => {
    const { app, port, release } = await startGatedService();
    const inFlight = get(port, '/slow');
    await inFlight.started;
    const code = await new Promise<number>((resolve) => void installGracefulShutdown(app, { timeoutMs: 150, signals: [], exit: resolve })('SIGTERM'));
    expect(code).toBe(1);
    release();
    await inFlight.done;
  });

  it('stops once when a second signal arrives while stopping', async () => {
    const { app } = await startGatedService();
    const exit = jest.fn();
    const shutdown = installGracefulShutdown(app, { timeoutMs: 30_000, signals: [], exit });
    const first = shutdown('SIGTERM');
    expect(shutdown('SIGINT')).toBe(first);
    await first;
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });
});
