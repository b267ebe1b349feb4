import Fastify from 'fastify';
import { PassThrough } from 'node:stream';
import { originalQuery, serviceHttpOptions } from './http-logging';

function appWithLogs() {
  let logs = '';
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => (logs += c.toString()));
  const app = Fastify(serviceHttpOptions({ service: 'demo', level: 'info', stream }));
  return { app, logs: () => logs };
}

describe('serviceHttpOptions', () => {
  it('logs the path of a request, never its query string or Authorization header', async () => {
    const { app, logs } = appWithLogs();
    app.get('/state', async (request) => ({ query: originalQuery(request), parsed: request.query }));
    const res = await app.inject({ url: '/state?token=hunter2-query-secret', headers: { authorization: 'Bearer hunter2-header-secret' } });
    // the route still learns that a query was sent, so it can refuse it
    expect(res.json()).toEqual({ query: 'token=hunter2-query-secret', parsed: {} });
    const lines = logs().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === 'incoming request').req).toMatchObject({ method: 'GET', url: '/state', query: '[redacted]' });
    expect(logs()).not.toContain('hunter2');
    await app.close();
  });

  it('keeps the query out of the 404 answer and its log line too', async () => {
    const { app, logs } = appWithLogs();
    const res = await app.inject({ url: '/nowhere?access_token=hunter2-query-secret' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Route GET:/nowhere not found');
    expect(res.body + logs()).not.toContain('hunter2');
    await app.close();
  });

  it('marks nothing when there is no query', async () => {
    const { app, logs } = appWithLogs();
    app.get('/healthz', async (request) => ({ query: originalQuery(request) }));
    expect((await app.inject('/healthz')).json()).toEqual({ query: '' });
    expect(JSON.parse(logs().split('\n')[0]).req).not.toHaveProperty('query');
    await app.close();
  });
});
