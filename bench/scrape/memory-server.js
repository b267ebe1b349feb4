// The limit for bench/scrape: a bare node:http server that answers every request with the same
// bytes from memory (a copy of the exporter's /metrics page, read once from SOURCE_URL). Nothing
// can serve that page faster on this machine with Node; the exporter is measured against it.
// Plain JavaScript so it starts without a compiler. Prints {"port":N} once listening.
'use strict';
const http = require('node:http');

async function main() {
  const response = await fetch(process.env.SOURCE_URL);
  const body = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? 'text/plain; version=0.0.4; charset=utf-8';
  const server = http.createServer((_request, reply) => {
    reply.writeHead(200, { 'content-type': type, 'content-length': body.length });
    reply.end(body);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port, bytes: body.length })}\n`));
}

main().catch((error) => {
  process.stderr.write(`memory-server: ${error.message}\n`);
  process.exit(1);
});
