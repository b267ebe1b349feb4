// What every Genesis service shares at run time: the graceful stop and the environment-parsing
// building blocks. Test-only helpers live under `@genesis/service-kit/testing` so they stay out of
// the service bundles.
export { installGracefulShutdown, type ShutdownOptions } from './shutdown';
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
