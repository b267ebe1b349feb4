/**
 * The exporters process: config → collectors sampling in the background → HTTP on :9101.
 * Every setting is read and checked before anything starts; a wrong one is one line on stderr
 * (exit 2) naming the variable and the fix, never a stack trace (issue 15).
 */
import pino from 'pino';
import { createExporter } from './lib/exporter';
import { createServer } from './lib/server';
import { SettingsError, oneLine, readSettings } from './lib/settings';

async function main(): Promise<void> {
  let settings;
  try {
    settings = await readSettings(process.env);
  } catch (error) {
    if (error instanceof SettingsError) {
      process.stderr.write(`exporters: ${oneLine(error)}\n`);
      process.exit(2);
    }
    throw error;
  }
  const { config, pve } = settings;
  const logger = pino({ level: config.logLevel, base: { service: 'exporters' } });
  const PveClient = pve ? (await import('@genesis/proxmox')).PveClient : undefined;
  const exporter = createExporter(config, logger, {
    createPveApi: pve && PveClient ? () => new PveClient(pve) : undefined,
  });
  const server = createServer(exporter, logger);
  exporter.start();
  const address = await server.listen({ host: config.host, port: config.port });
  // Tests and the benchmark start the exporter on port 0 and read the real port from this line.
  logger.info({ mode: config.mode, collectors: exporter.samplers.map((s) => s.name), port: address.port }, `exporters listening on ${address.address}:${address.port}`);
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
  // A start-up failure (the port taken, a TLS file unreadable) is one line too; the stack only on request.
  const detail = process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace' ? `\n${(error as Error).stack}` : ' (LOG_LEVEL=debug prints the stack)';
  process.stderr.write(`exporters: could not start: ${oneLine(error)}${detail}\n`);
  process.exit(1);
});
