// Owns the graceful stop: on SIGTERM/SIGINT stop accepting connections, let in-flight requests
// (streams included) finish, run close hooks, exit 0; past the bound, exit 1 so an orchestrator
// never waits on a stuck process. Shared by core and banker so both stop the same way.
import type { FastifyInstance } from 'fastify';

export interface ShutdownOptions {
  timeoutMs: number;
  signals?: NodeJS.Signals[];
  exit?: (code: number) => void;
}

/** Returns the shutdown function itself so tests can call it without sending a signal. */
export function installGracefulShutdown(app: FastifyInstance, options: ShutdownOptions): (signal: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping: Promise<void> | undefined;

  const shutdown = (signal: string): Promise<void> => {
    if (stopping) return stopping;
    app.log.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down: no new connections, finishing in-flight requests');
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs: options.timeoutMs }, 'graceful shutdown exceeded SHUTDOWN_TIMEOUT_MS; exiting anyway');
      exit(1);
    }, options.timeoutMs);
    timer.unref();
    // server.close() drops idle keep-alive connections only once, when called; a connection
    // whose in-flight answer ends later would otherwise idle until keepAliveTimeout.
    const sweeper = setInterval(() => app.server.closeIdleConnections(), 100);
    sweeper.unref();
    stopping = app.close().then(
      () => {
        clearTimeout(timer);
        clearInterval(sweeper);
        app.log.info('stopped cleanly');
        exit(0);
      },
      (err: Error) => {
        clearTimeout(timer);
        clearInterval(sweeper);
        app.log.error({ err }, 'error while stopping');
        exit(1);
      },
    );
    return stopping;
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => void shutdown(signal));
  }
  return shutdown;
}
