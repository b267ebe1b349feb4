/**
 * bench/core-memory: peak memory of apps/core while it relays a 200 MB answer (a JSON answer and
 * an SSE stream), against a gateway that buffers each answer before passing it on, in the same
 * run, from the same upstream; and core at a quarter of the size, to show its memory does not
 * follow the answer's size. Each measurement gets a fresh gateway process, so its peak RSS
 * (VmHWM) belongs to that one answer. Loopback only.
 *   npx nx run bench:core-memory      (SIZE_MB=200 to change the answer size)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { bigJsonAnswer, bigSseAnswer } from '../../apps/core/src/test-support/scripted-llm';

const ROOT = join(__dirname, '../..');
const SIZE_MB = Number(process.env.SIZE_MB ?? 200);
const MiB = 1024 * 1024;

interface Started {
  child: ChildProcess;
  port: number;
}

/** Spawns a TypeScript entry point and resolves once its output names the port it listens on. */
function start(name: string, script: string, env: NodeJS.ProcessEnv, portPattern: RegExp): Promise<Started> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = portPattern.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, port: Number(match[1]) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
}

function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** POSTs one chat completion and reads the answer as fast as it comes, keeping none of it. */
function fetchAnswer(port: number, stream: boolean, sizeMb: number): Promise<{ status: number; bytes: number; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, seconds: (performance.now() - started) / 1000 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ model: 'bench', stream, bench_size_mb: sizeMb, messages: [{ role: 'user', content: 'write a lot' }] }));
  });
}

type Gateway = 'core' | 'buffering';

interface Row {
  gateway: Gateway;
  stream: boolean;
  sizeMb: number;
  idle: number;
  peak: number;
  seconds: number;
  bytes: number;
  status: number;
}

async function measure(gateway: Gateway, stream: boolean, sizeMb: number, upstreamPort: number): Promise<Row> {
  const llmBaseUrl = `http://127.0.0.1:${upstreamPort}/v1`;
  const env = { PATH: process.env.PATH, LLM_BASE_URL: llmBaseUrl };
  const target =
    gateway === 'core'
      ? await start('core', 'apps/core/src/main.ts', { ...env, HOST: '127.0.0.1', PORT: '0', LLM_TIMEOUT_MS: '600000', LOG_LEVEL: 'info' }, /listening at http:\/\/127\.0\.0\.1:(\d+)/)
      : await start('buffering gateway', 'bench/core-memory/buffering-gateway.ts', env, /"port":(\d+)/);
  try {
    const pid = target.child.pid as number;
    const idle = memoryMiB(pid).rss;
    const answer = await fetchAnswer(target.port, stream, sizeMb);
    return { gateway, stream, sizeMb, idle, peak: memoryMiB(pid).peak, ...answer };
  } finally {
    target.child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const upstream = await start('upstream', 'bench/core-memory/upstream.ts', { PATH: process.env.PATH }, /"port":(\d+)/);
  const small = Math.max(1, Math.round(SIZE_MB / 4));
  const plan: Array<[Gateway, boolean, number]> = [
    ['core', false, small],
    ['core', false, SIZE_MB],
    ['buffering', false, SIZE_MB],
    ['core', true, small],
    ['core', true, SIZE_MB],
    ['buffering', true, SIZE_MB],
  ];
  const rows: Row[] = [];
  try {
    console.log(
      `bench/core-memory: one answer per gateway process (fresh, so its peak RSS is that answer's), generated on the fly by a loopback LLM server; the client reads and discards it`,
    );
    for (const [gateway, stream, sizeMb] of plan) rows.push(await measure(gateway, stream, sizeMb, upstream.port));
  } finally {
    upstream.child.kill('SIGTERM');
  }
  const kind = (stream: boolean) => (stream ? 'SSE stream' : 'JSON answer');
  const name = (g: Gateway) => (g === 'core' ? 'apps/core (streaming)' : 'buffering gateway (baseline)');
  for (const r of rows) {
    const expected = (r.stream ? bigSseAnswer : bigJsonAnswer)(r.sizeMb * MiB).answer.bytes;
    const ok = r.status === 200 && r.bytes === expected;
    console.log(
      `${kind(r.stream).padEnd(12)} ${String(r.sizeMb).padStart(4)} MB  ${name(r.gateway).padEnd(30)} idle RSS ${r.idle.toFixed(0).padStart(5)} MiB   ` +
        `peak RSS ${r.peak.toFixed(0).padStart(5)} MiB   growth ${(r.peak - r.idle).toFixed(0).padStart(5)} MiB   ` +
        `${(r.bytes / MiB / r.seconds).toFixed(0).padStart(4)} MiB/s   ${ok ? 'complete' : `INCOMPLETE (${r.status}, ${r.bytes} of ${expected} bytes)`}`,
    );
    if (!ok) process.exitCode = 1;
  }
  const growth = (r: Row) => Math.max(1, r.peak - r.idle);
  for (const stream of [false, true]) {
    const find = (g: Gateway, size: number) => rows.find((r) => r.stream === stream && r.gateway === g && r.sizeMb === size);
    const core = find('core', SIZE_MB);
    const coreSmall = find('core', small);
    const base = find('buffering', SIZE_MB);
    if (!core || !coreSmall || !base) continue;
    console.log(
      `${kind(stream)}: baseline / core at ${SIZE_MB} MB: peak RSS ${(base.peak / core.peak).toFixed(1)}x, growth ${(growth(base) / growth(core)).toFixed(1)}x, time ${(base.seconds / core.seconds).toFixed(2)}x; ` +
        `core's growth at ${SIZE_MB} MB / at ${small} MB: ${(growth(core) / growth(coreSmall)).toFixed(2)}x for a ${(SIZE_MB / small).toFixed(0)}x larger answer`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
