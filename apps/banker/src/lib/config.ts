// Owns banker's configuration: every environment variable it reads, validated once at start so
// a bad value stops the process with a message naming the variable and the fix.
import { z } from 'zod';

export type TradingState = 'running' | 'halted';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface BankerConfig {
  host: string;
  port: number;
  /** Shared with the watchdog; never logged. */
  controlToken: string;
  dataDir: string;
  /** State when the audit log is empty; halted is the fail-safe. */
  initialState: TradingState;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
}

export interface ConfigIssue {
  variable: string;
  problem: string;
  fix: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super('banker: invalid configuration\n' + issues.map((i) => `  ${i.variable}: ${i.problem}; fix: ${i.fix}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const MIN_TOKEN_LENGTH = 16;
const FIXES: Record<string, string> = {
  HOST: 'set HOST to the address to listen on, e.g. 0.0.0.0 in a container',
  PORT: 'set PORT to a TCP port between 1 and 65535 (banker listens on 3002 by convention; 0 picks a free port)',
  BANKER_CONTROL_TOKEN: `set BANKER_CONTROL_TOKEN to a random secret of at least ${MIN_TOKEN_LENGTH} characters shared with the watchdog, e.g. \`openssl rand -hex 32\``,
  BANKER_DATA_DIR: 'set BANKER_DATA_DIR to a writable directory for the audit log, e.g. /var/lib/banker',
  BANKER_INITIAL_STATE: 'set BANKER_INITIAL_STATE to halted or running',
  LOG_LEVEL: 'set LOG_LEVEL to one of fatal, error, warn, info, debug, trace, silent',
  SHUTDOWN_TIMEOUT_MS: 'set SHUTDOWN_TIMEOUT_MS to the milliseconds allowed for a graceful stop (100..120000)',
};

const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const intIn = (min: number, max: number, fallback: number) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().min(min).max(max).default(fallback));

const schema = z.object({
  HOST: z.preprocess(unsetIfEmpty, z.string().min(1).default('0.0.0.0')),
  PORT: intIn(0, 65535, 3002),
  BANKER_CONTROL_TOKEN: z.preprocess(unsetIfEmpty, z.string().min(MIN_TOKEN_LENGTH, `must be at least ${MIN_TOKEN_LENGTH} characters`)),
  BANKER_DATA_DIR: z.preprocess(unsetIfEmpty, z.string().min(1).default('/var/lib/banker')),
  BANKER_INITIAL_STATE: z.preprocess(unsetIfEmpty, z.enum(['halted', 'running']).default('halted')),
  LOG_LEVEL: z.preprocess(unsetIfEmpty, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  SHUTDOWN_TIMEOUT_MS: intIn(100, 120_000, 10_000),
});

export function loadBankerConfig(env: NodeJS.ProcessEnv): BankerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        const raw = env[variable];
        const problem =
          raw === undefined || raw === ''
            ? 'is required but not set'
            : variable === 'BANKER_CONTROL_TOKEN'
              ? issue.message // a secret is never echoed back
              : `${issue.message} (got ${JSON.stringify(raw)})`;
        return { variable, problem, fix: FIXES[variable] ?? 'check the value' };
      }),
    );
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    controlToken: e.BANKER_CONTROL_TOKEN,
    dataDir: e.BANKER_DATA_DIR,
    initialState: e.BANKER_INITIAL_STATE,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
