import { ConfigError, loadBankerConfig } from './config';

describe('loadBankerConfig', () => {
  it('applies defaults around a valid token', () => {
    expect(loadBankerConfig({ BANKER_CONTROL_TOKEN: 'x'.repeat(16) })).toMatchObject({
      port: 3002,
      dataDir: '/var/lib/banker',
      initialState: 'halted',
    });
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
