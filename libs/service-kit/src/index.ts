// What every Genesis service shares at run time: the graceful stop, the environment-parsing
// building blocks, and HTTP logging that keeps secrets in headers and query strings out of logs.
// Test-only helpers live under `@genesis/service-kit/testing` so they stay out of the service bundles.
export { installGracefulShutdown, type ShutdownOptions } from './shutdown';
export { originalQuery, serviceHttpOptions, type ServiceHttpOptions } from './http-logging';
export {
  COMMON_ENV_FIXES,
  ConfigError,
  commonEnvFields,
  intIn,
  LOG_LEVELS,
  parseEnv,
  unsetIfEmpty,
  type ConfigIssue,
  type EnvParseOptions,
  type LogLevel,
} from './env-config';
