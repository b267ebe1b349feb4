/** The exporters process: config → collectors sampling in the background → HTTP on :9101. */
import { PveClient, pveConfigFromEnv } from '@genesis/proxmox';
import pino from 'pino';
import { ConfigError, loadConfig } from './lib/config';
import { createExporter } from './lib/exporter';
import { createServer } from './lib/server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`exporters: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'exporters' } });
  const exporter = createExporter(config, logger, {
    createPveApi: () => new PveClient(pveConfigFromEnv(process.env)),
  });
  const server = createServer(exporter, logger);
  exporter.start();
  await server.listen({ host: config.host, port: config.port });
  const address = server.addresses()[0] as { address: string; port: number } | undefined;
  // Tests and the benchmark start the exporter on port 0 and read the real port from this line.
  logger.info({ mode: config.mode, collectors: exporter.samplers.map((s) => s.name), port: address?.port }, `exporters listening on ${address?.address}:${address?.port}`);
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await server.close();
    await exporter.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`exporters: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
