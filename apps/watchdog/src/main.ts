// watchdog: the Hive's GPIO kill switch and heartbeat, run on a Raspberry Pi by systemd
// (infra/watchdog). Takes only `--config PATH`: secrets come from files or the environment.
import pino from 'pino';
import { execaRunner } from './gpio/command-runner';
import { GpioError } from './gpio/gpio-tool';
import { DEFAULT_CONFIG_FILE, loadWatchdogConfig, WatchdogConfigError } from './lib/config';
import { startDaemon, type Daemon } from './lib/daemon';

/** sysexits' EX_CONFIG: cannot run with this configuration; the unit file does not restart on it. */
const EXIT_CONFIG = 78;
const USAGE = 'usage: watchdog [--config PATH] (default WATCHDOG_CONFIG or /etc/genesis/watchdog.yaml); tokens come from the files the config names or from PVE_TOKEN_SECRET / BANKER_CONTROL_TOKEN, never from arguments';

function configPath(argv: string[], env: NodeJS.ProcessEnv): string {
  if (argv.length === 0) return env.WATCHDOG_CONFIG || DEFAULT_CONFIG_FILE;
  const [flag, value, ...rest] = argv;
  const inline = /^--config=(.+)$/.exec(flag ?? '');
  if (inline && value === undefined) return inline[1];
  if (flag === '--config' && value && rest.length === 0) return value;
  throw new WatchdogConfigError([{ file: 'command line', line: 0, field: '', message: `unexpected arguments; ${USAGE}` }]);
}

async function main(): Promise<void> {
  let daemon: Daemon;
  let log: pino.Logger;
  try {
    const config = loadWatchdogConfig(configPath(process.argv.slice(2), process.env), process.env);
    log = pino({ level: config.logLevel, base: { service: 'watchdog' } });
    daemon = await startDaemon(config, { runner: execaRunner, log });
  } catch (err) {
    if (err instanceof WatchdogConfigError || err instanceof GpioError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    daemon.stop().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err: Error) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  daemon.monitorExited.catch((err: Error) => {
    if (stopping) return;
    // Deaf to the button: exit non-zero so systemd (Restart=on-failure) starts a fresh gpiomon.
    log.fatal({ err: err.message }, 'gpiomon ended; exiting so systemd restarts the watchdog');
    process.exit(1);
  });
}

main().catch((err: Error) => {
  process.stderr.write(`watchdog: failed to start: ${err.message}\n`);
  process.exit(1);
});
