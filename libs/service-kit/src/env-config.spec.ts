import { z } from 'zod';
import { COMMON_ENV_FIXES, ConfigError, commonEnvFields, intIn, parseEnv, unsetIfEmpty } from './env-config';

const schema = z.object({
  NAME: z.preprocess(unsetIfEmpty, z.string({ error: 'is required' })),
  PORT: intIn(0, 65535, 3001),
  TOKEN: z.preprocess(unsetIfEmpty, z.string().min(8, 'must be at least 8 characters').optional()),
  ...commonEnvFields,
});
const options = { service: 'demo', fixes: { NAME: 'set NAME to the demo name', PORT: 'set PORT to a TCP port', ...COMMON_ENV_FIXES }, secrets: ['TOKEN'] };

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    parseEnv(schema, env, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv', () => {
  it('applies defaults and treats empty values as unset (compose writes VAR= for ${VAR:-})', () => {
    expect(parseEnv(schema, { NAME: 'x', PORT: '', LOG_LEVEL: '', SHUTDOWN_TIMEOUT_MS: '' }, options)).toEqual({
      NAME: 'x',
      PORT: 3001,
      TOKEN: undefined,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
  });

  it('lists every bad variable with the value it got and its fix', () => {
    const error = errorOf({ PORT: '70000', LOG_LEVEL: 'loud', SHUTDOWN_TIMEOUT_MS: '5' });
    expect(error.service).toBe('demo');
    expect(error.issues.map((i) => i.variable)).toEqual(['NAME', 'PORT', 'LOG_LEVEL', 'SHUTDOWN_TIMEOUT_MS']);
    expect(error.issues[0]).toEqual({ variable: 'NAME', problem: 'is required but not set', fix: 'set NAME to the demo name' });
    expect(error.issues[1].problem).toContain('(got "70000")');
    expect(error.message).toMatch(/^demo: invalid configuration\n {2}NAME: is required but not set; fix: set NAME to the demo name\n/);
    expect(error.message).toContain('LOG_LEVEL: ');
    expect(error.message).toContain('fix: set LOG_LEVEL to one of fatal, error, warn, info, debug, trace, silent');
    expect(error.message).toContain('fix: set SHUTDOWN_TIMEOUT_MS to the milliseconds allowed for a graceful stop (100..120000)');
    expect(error.name).toBe('ConfigError');
  });

  it('never echoes a secret back, and falls back to a generic fix', () => {
    const error = errorOf({ NAME: 'x', TOKEN: 'short' });
    expect(error.issues).toEqual([{ variable: 'TOKEN', problem: 'must be at least 8 characters', fix: 'check the value' }]);
    expect(error.message).not.toContain('short');
  });

  it('prints a single problem as one line', () => {
    const error = errorOf({ NAME: 'x', PORT: 'http' });
    expect(error.message).toBe('demo: invalid configuration: PORT: ' + error.issues[0].problem + '; fix: set PORT to a TCP port');
    expect(error.message).not.toContain('\n');
  });
});
