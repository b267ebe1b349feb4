import { ConfigError, loadBankerConfig } from './config';

describe('loadBankerConfig', () => {
  it('applies defaults around a valid token', () => {
    expect(loadBankerConfig({ BANKER_CONTROL_TOKEN: 'k7Qp2xZ9mW4vR8sT' })).toMatchObject({
      port: 3002,
      dataDir: '/var/lib/banker',
      initialState: 'halted',
      auditMaxBytes: 1024 * 1024,
    });
  });

  it('refuses the .env.example placeholder at start, in one line, without echoing it', () => {
    const message = (() => {
      try {
        loadBankerConfig({ BANKER_CONTROL_TOKEN: 'change-me-to-a-long-random-secret' });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toBe(
      'banker: invalid configuration: BANKER_CONTROL_TOKEN: is the placeholder from infra/compose/.env.example, not a secret; ' +
        'fix: set BANKER_CONTROL_TOKEN to a random secret of at least 16 characters shared with the watchdog, e.g. `openssl rand -hex 32`',
    );
    expect(() => loadBankerConfig({ BANKER_CONTROL_TOKEN: 'changeme-changeme' })).toThrow(/BANKER_CONTROL_TOKEN: looks like a placeholder \(it contains "changeme"\)/);
  });

  it('names a missing token, and a short one without echoing it', () => {
    expect(() => loadBankerConfig({})).toThrow(/BANKER_CONTROL_TOKEN: is required but not set; fix: set BANKER_CONTROL_TOKEN/);
    try {
      loadBankerConfig({ BANKER_CONTROL_TOKEN: 'short-secret', BANKER_INITIAL_STATE: 'paused' });
      throw new Error('expected ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toContain('BANKER_CONTROL_TOKEN: must be at least 16 characters');
      expect(message).toContain('BANKER_INITIAL_STATE');
      expect(message).not.toContain('short-secret');
    }
  });
});
