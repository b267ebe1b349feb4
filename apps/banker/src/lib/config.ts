// Owns banker's configuration: every environment variable it reads, validated once at start so
// a bad value stops the process with a message naming the variable and the fix.
import { COMMON_ENV_FIXES, commonEnvFields, intIn, parseEnv, unsetIfEmpty, type LogLevel } from '@genesis/service-kit';
import { z } from 'zod';
import { placeholderReason } from './placeholder-secret';

// Callers keep importing the error and its shapes from here.
export { ConfigError, type ConfigIssue, type LogLevel } from '@genesis/service-kit';

export type TradingState = 'running' | 'halted';

export interface BankerConfig {
  host: string;
  port: number;
  /** Shared with the watchdog; never logged. */
  controlToken: string;
  dataDir: string;
  /** State when the audit log is empty; halted is the fail-safe. */
  initialState: TradingState;
  /** Size at which the current audit segment is rotated. */
  auditMaxBytes: number;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
}

const MIN_TOKEN_LENGTH = 16;
const FIXES: Record<string, string> = {
  HOST: 'set HOST to the address to listen on, e.g. 0.0.0.0 in a container',
  PORT: 'set PORT to a TCP port between 1 and 65535 (banker listens on 3002 by convention; 0 picks a free port)',
  BANKER_CONTROL_TOKEN: `set BANKER_CONTROL_TOKEN to a random secret of at least ${MIN_TOKEN_LENGTH} characters shared with the watchdog, e.g. \`openssl rand -hex 32\``,
  BANKER_DATA_DIR: 'set BANKER_DATA_DIR to a writable directory for the audit log, e.g. /var/lib/banker',
  BANKER_INITIAL_STATE: 'set BANKER_INITIAL_STATE to halted or running',
  BANKER_AUDIT_MAX_BYTES:
    'set BANKER_AUDIT_MAX_BYTES to the size in bytes at which the audit log starts a new segment (4096..1073741824); older segments are kept',
  ...COMMON_ENV_FIXES,
};

const schema = z.object({
  HOST: z.preprocess(unsetIfEmpty, z.string().min(1).default('0.0.0.0')),
  PORT: intIn(0, 65535, 3002),
  BANKER_CONTROL_TOKEN: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .min(MIN_TOKEN_LENGTH, `must be at least ${MIN_TOKEN_LENGTH} characters`)
      .superRefine((value, ctx) => {
        const why = placeholderReason(value);
        if (why) ctx.addIssue({ code: 'custom', message: why });
      }),
  ),
  BANKER_DATA_DIR: z.preprocess(unsetIfEmpty, z.string().min(1).default('/var/lib/banker')),
  BANKER_INITIAL_STATE: z.preprocess(unsetIfEmpty, z.enum(['halted', 'running']).default('halted')),
  BANKER_AUDIT_MAX_BYTES: intIn(4096, 1024 * 1024 * 1024, 1024 * 1024),
  ...commonEnvFields,
});

export function loadBankerConfig(env: NodeJS.ProcessEnv): BankerConfig {
  // The control token is a secret: a problem with it is never echoed back.
  const e = parseEnv(schema, env, { service: 'banker', fixes: FIXES, secrets: ['BANKER_CONTROL_TOKEN'] });
  return {
    host: e.HOST,
    port: e.PORT,
    controlToken: e.BANKER_CONTROL_TOKEN,
    dataDir: e.BANKER_DATA_DIR,
    initialState: e.BANKER_INITIAL_STATE,
    auditMaxBytes: e.BANKER_AUDIT_MAX_BYTES,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
