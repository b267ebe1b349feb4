import { formatDuration, parseDuration } from './duration';

describe('durations in flags and environment variables', () => {
  it('reads seconds, minutes, hours and milliseconds, a bare number as seconds', () => {
    expect(['90s', '10m', '1h', '1500ms', '30', ' 2m ', '0.5s'].map((t) => parseDuration(t, '--x'))).toEqual([90_000, 600_000, 3_600_000, 1500, 30_000, 120_000, 500]);
  });

  it('refuses what is not a positive duration, naming the setting and how to write one', () => {
    for (const bad of ['0', '0s', '-5m', 'ten minutes', '', '5 d', '0ms'])
      expect(() => parseDuration(bad, 'GENESIS_REPLICATION_SYNC_TIMEOUT')).toThrow(`GENESIS_REPLICATION_SYNC_TIMEOUT: "${bad}" is not a positive duration; write it as e.g. 90s, 10m or 1h (a bare number is seconds)`);
  });

  it('writes a duration back the way it is read', () => {
    expect([600_000, 90_000, 3_600_000, 1500].map(formatDuration)).toEqual(['10m', '90s', '1h', '1500ms']);
  });
});
