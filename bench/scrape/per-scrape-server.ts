/**
 * The baseline for bench/scrape: the naive exporter that runs `nvidia-smi -q -x` inside every
 * scrape. Same runner, parser and metric families as apps/exporters; only the timing differs.
 * Prints `{"port":N}` once listening on 127.0.0.1.
 */
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { parseNvidiaSmiXml } from '@genesis/gpu';
import { defineGpuFamilies, gpuBatch } from '../../apps/exporters/src/collectors/gpu/gpu-metrics';
import { processGroupRunner } from '../../apps/exporters/src/lib/command-runner';
import { FamilySet } from '../../apps/exporters/src/lib/snapshot-family';

async function main(): Promise<void> {
  const app = Fastify();
  app.get('/metrics', async (_request, reply) => {
    const registry = new Registry();
    const families = new FamilySet(registry);
    defineGpuFamilies(families);
    const { stdout } = await processGroupRunner.run(process.env.NVIDIA_SMI ?? 'nvidia-smi', ['-q', '-x'], { timeoutMs: 30_000 });
    families.replaceAll(gpuBatch(parseNvidiaSmiXml(stdout)));
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ port: (app.server.address() as { port: number }).port })}\n`);
}

void main();
