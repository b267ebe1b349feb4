import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_EXAMPLE_CONTROL_TOKEN, placeholderReason } from './placeholder-secret';

describe('placeholderReason', () => {
  it('knows the value infra/compose/.env.example ships', () => {
    const example = readFileSync(join(__dirname, '../../../../infra/compose/.env.example'), 'utf8');
    expect(/^BANKER_CONTROL_TOKEN=(.*)$/m.exec(example)?.[1]).toBe(ENV_EXAMPLE_CONTROL_TOKEN);
    expect(placeholderReason(ENV_EXAMPLE_CONTROL_TOKEN)).toBe('is the placeholder from infra/compose/.env.example, not a secret');
  });

  it.each(['changeme-changeme', 'CHANGE_ME_PLEASE_1234', 'my-placeholder-token', 'your-token-goes-here', 'example-secret-1234', 'dummy-token-12345'])(
    'refuses the obvious stand-in %s',
    (value) => expect(placeholderReason(value)).toMatch(/looks like a placeholder/),
  );

  it('refuses a value without the variety of a random secret', () => {
    expect(placeholderReason('x'.repeat(32))).toMatch(/fewer than 6 different characters/);
    expect(placeholderReason('abababababababab')).toMatch(/fewer than 6 different characters/);
  });

  it('accepts random secrets', () => {
    expect(placeholderReason('3f9c2a71d04be85e6a1c77f0b2d9e4a8c5f6017b3e2d9a8c4b1f0e7d6c5b4a39')).toBeUndefined();
    expect(placeholderReason('watchdog-token-0123456789')).toBeUndefined();
  });
});
