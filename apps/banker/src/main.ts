// banker: the trading service's shell. Validates the environment, restores the trading state
// from the audit log, serves, stops gracefully.
import { AuditLogError } from './lib/audit-log';
import { buildBankerApp } from './lib/app';
import { ConfigError, loadBankerConfig } from './lib/config';
import { installGracefulShutdown } from '@genesis/service-kit';

/** sysexits' EX_CONFIG: the process cannot run with this configuration or data. */
const EXIT_CONFIG = 78;

async function main(): Promise<void> {
  let config;
  let built;
  try {
    config = loadBankerConfig(process.env);
    built = await buildBankerApp(config);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AuditLogError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  const { app, tradingSwitch } = built;
  installGracefulShutdown(app, { timeoutMs: config.shutdownTimeoutMs });
  await app.listen({ host: config.host, port: config.port });
  app.log.info({ dataDir: config.dataDir, ...tradingSwitch.current() }, 'banker ready');
}

main().catch((err: Error) => {
  process.stderr.write(`banker: failed to start: ${err.message}\n`);
  process.exit(1);
});
