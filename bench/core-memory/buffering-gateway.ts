/**
 * The baseline for bench/core-memory: a gateway that buffers each answer before passing it on,
 * as core did for JSON answers before issue 15 (`await res.arrayBuffer()`, then JSON.parse for
 * the usage object). Same fastify, same fetch, same upstream; only the buffering differs.
 * Prints `{"port":N}` once listening on 127.0.0.1.
 */
import Fastify from 'fastify';

const base = process.env.LLM_BASE_URL ?? 'http://127.0.0.1:8000/v1';

async function main(): Promise<void> {
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  app.post('/v1/chat/completions', async (request, reply) => {
    const res = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
    });
    const payload = Buffer.from(await res.arrayBuffer());
    const contentType = res.headers.get('content-type') ?? '';
    if (contentType.includes('json')) {
      const usage = (JSON.parse(payload.toString('utf8')) as { usage?: { completion_tokens?: number } }).usage;
      reply.header('x-completion-tokens', String(usage?.completion_tokens ?? ''));
    }
    return reply.code(res.status).header('content-type', contentType).send(payload);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ port: (app.server.address() as { port: number }).port })}\n`);
}

void main();
