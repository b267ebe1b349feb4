// core: "The Brain"'s gateway. Validates the environment, serves, stops gracefully.
import { ConfigError, loadCoreConfig, redactUrl } from './lib/config';
import { buildCoreApp } from './lib/app';
import { installGracefulShutdown } from '@genesis/service-kit';

/** sysexits' EX_CONFIG: the process cannot run with this configuration. */
const EXIT_CONFIG = 78;

async function main(): Promise<void> {
  let config;
  try {
    config = loadCoreConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  const { app } = buildCoreApp(config);
  installGracefulShutdown(app, { timeoutMs: config.shutdownTimeoutMs });
  await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { llmBaseUrl: redactUrl(config.llmBaseUrl), llmApiKey: config.llmApiKey ? 'set' : 'unset', llmTimeoutMs: config.llmTimeoutMs, llmIdleTimeoutMs: config.llmIdleTimeoutMs },
    'core ready to forward OpenAI-compatible requests',
  );
}

main().catch((err: Error) => {
  process.stderr.write(`core: failed to start: ${err.message}\n`);
  process.exit(1);
});
