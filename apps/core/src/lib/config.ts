// Owns core's configuration: every environment variable the gateway reads, validated once at
// start so a bad value stops the process with a message naming the variable and the fix.
import { COMMON_ENV_FIXES, commonEnvFields, intIn, parseEnv, unsetIfEmpty, type LogLevel } from '@genesis/service-kit';
import { z } from 'zod';

// Callers keep importing the error and its shapes from here.
export { ConfigError, type ConfigIssue, type LogLevel } from '@genesis/service-kit';

export interface CoreConfig {
  host: string;
  port: number;
  /** OpenAI-compatible base URL including the version prefix, without a trailing slash. */
  llmBaseUrl: string;
  /** Sent upstream as a bearer token; never logged. */
  llmApiKey: string | undefined;
  /** Whole request, from arrival to the answer's last byte. */
  llmTimeoutMs: number;
  /** Longest silence once the LLM server started answering (headers sent, body pending). */
  llmIdleTimeoutMs: number;
  readyCacheMs: number;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
}

const FIXES: Record<string, string> = {
  HOST: 'set HOST to the address to listen on, e.g. 0.0.0.0 in a container or 127.0.0.1 on a host',
  PORT: 'set PORT to a TCP port between 1 and 65535 (core listens on 3001 by convention; 0 picks a free port)',
  LLM_BASE_URL:
    'set LLM_BASE_URL to the LLM server\'s OpenAI-compatible base URL with its version prefix, e.g. http://10.0.1.100:8000/v1',
  LLM_API_KEY: 'leave LLM_API_KEY unset or set it to the key the LLM server expects',
  LLM_TIMEOUT_MS:
    'set LLM_TIMEOUT_MS to the milliseconds a whole answer may take, a streamed one to its last chunk (1000..3600000)',
  LLM_IDLE_TIMEOUT_MS:
    'set LLM_IDLE_TIMEOUT_MS to the longest pause, in milliseconds, allowed within an answer once the LLM server started sending it (1000..3600000)',
  LLM_READY_CACHE_MS: 'set LLM_READY_CACHE_MS to how long a readiness probe result is reused, in milliseconds (0..600000)',
  ...COMMON_ENV_FIXES,
};

const schema = z.object({
  HOST: z.preprocess(unsetIfEmpty, z.string().min(1).default('0.0.0.0')),
  PORT: intIn(0, 65535, 3001),
  LLM_BASE_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string({ error: 'is required' })
      .refine((v) => /^https?:\/\/[^/]+/.test(v) && URL.canParse(v), 'must be an http(s) URL'),
  ),
  LLM_API_KEY: z.preprocess(unsetIfEmpty, z.string().optional()),
  LLM_TIMEOUT_MS: intIn(1000, 3_600_000, 120_000),
  LLM_IDLE_TIMEOUT_MS: intIn(1000, 3_600_000, 60_000),
  LLM_READY_CACHE_MS: intIn(0, 600_000, 5_000),
  ...commonEnvFields,
});

/** Throws ConfigError listing every bad variable, not just the first. */
export function loadCoreConfig(env: NodeJS.ProcessEnv): CoreConfig {
  // The API key is the one value that must never be echoed back.
  const e = parseEnv(schema, env, { service: 'core', fixes: FIXES, secrets: ['LLM_API_KEY'] });
  return {
    host: e.HOST,
    port: e.PORT,
    llmBaseUrl: e.LLM_BASE_URL.replace(/\/+$/, ''),
    llmApiKey: e.LLM_API_KEY,
    llmTimeoutMs: e.LLM_TIMEOUT_MS,
    llmIdleTimeoutMs: e.LLM_IDLE_TIMEOUT_MS,
    readyCacheMs: e.LLM_READY_CACHE_MS,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

/** The base URL with any user:password removed, safe for logs and API answers. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/+$/, '');
}
