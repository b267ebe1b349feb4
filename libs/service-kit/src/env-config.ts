// Owns what every service's environment parsing has in common: the error that lists every bad
// variable with its fix, the zod building blocks for env values, and the variables all services
// read (LOG_LEVEL, SHUTDOWN_TIMEOUT_MS). Each service keeps its own schema and fix texts.
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ConfigIssue {
  variable: string;
  problem: string;
  fix: string;
}

/**
 * `issues` lists every bad variable, not just the first; the message is what the process prints:
 * one line for one problem (what a log collector shows as one event), one line per problem else.
 */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly issues: ConfigIssue[],
  ) {
    const line = (i: ConfigIssue) => `${i.variable}: ${i.problem}; fix: ${i.fix}`;
    super(
      issues.length === 1
        ? `${service}: invalid configuration: ${line(issues[0])}`
        : `${service}: invalid configuration\n` + issues.map((i) => `  ${line(i)}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

// Compose writes `VAR=` for `${VAR:-}`; an empty value means "not set", not "set to empty".
export const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);

/** An integer variable within [min, max], `fallback` when unset or empty. */
export const intIn = (min: number, max: number, fallback: number) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().min(min).max(max).default(fallback));

/** Schema fields for the variables every service reads; spread into a service's z.object. */
export const commonEnvFields = {
  LOG_LEVEL: z.preprocess(unsetIfEmpty, z.enum(LOG_LEVELS).default('info')),
  SHUTDOWN_TIMEOUT_MS: intIn(100, 120_000, 10_000),
};

/** Fixes for commonEnvFields; spread into a service's fix table. */
export const COMMON_ENV_FIXES: Record<keyof typeof commonEnvFields, string> = {
  LOG_LEVEL: `set LOG_LEVEL to one of ${LOG_LEVELS.join(', ')}`,
  SHUTDOWN_TIMEOUT_MS: 'set SHUTDOWN_TIMEOUT_MS to the milliseconds allowed for a graceful stop (100..120000)',
};

export interface EnvParseOptions {
  /** Prefixes the error message, e.g. `core: invalid configuration`. */
  service: string;
  /** Per variable, the sentence that tells the operator what to set. */
  fixes: Record<string, string>;
  /** Variables whose value must never be echoed back in a problem. */
  secrets?: readonly string[];
}

/** Parses `env` with `schema`, or throws one ConfigError naming every bad variable and its fix. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, options: EnvParseOptions): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? 'environment');
    const raw = env[variable];
    const problem =
      raw === undefined || raw === ''
        ? 'is required but not set'
        : options.secrets?.includes(variable)
          ? issue.message
          : `${issue.message} (got ${JSON.stringify(raw)})`;
    return { variable, problem, fix: options.fixes[variable] ?? 'check the value' };
  });
  throw new ConfigError(options.service, issues);
}
