import { flag, isAbsent, performanceState, quantity, text } from './values';

describe('nvidia-smi values', () => {
  it.each([
    ['24576 MiB', 'MiB', 24576 * 1024 * 1024],
    ['27.23 W', 'W', 27.23],
    ['37 C', 'C', 37],
    ['1410 MHz', 'MHz', 1.41e9],
    ['87 %', '%', 0.87],
    ['9840338777 us', 'us', 9840.338777],
    ['912.500 mV', 'mV', 0.9125],
    ['16x', 'x', 16],
  ])('%s is %d in base units', (input, unit, expected) => {
    expect(quantity(input, unit)).toBe(expected);
  });

  it.each(['N/A', '[N/A]', '[Not Supported]', 'Not Supported', 'Requested functionality has been deprecated', '[Unknown Error]', '[REDACTED]', '', undefined])(
    '%p is absent, not 0',
    (input) => {
      expect(isAbsent(input)).toBe(true);
      expect(quantity(input, 'W')).toBeUndefined();
    },
  );

  it('rejects a number in an unexpected unit rather than mis-scaling it', () => {
    expect(quantity('27 kW', 'W')).toBeUndefined();
  });

  it('reads flags and P-states', () => {
    expect([flag('Active'), flag('Not Active'), flag('Enabled'), flag('No'), flag('N/A')]).toEqual([true, false, true, false, undefined]);
    expect([performanceState('P0'), performanceState('P12'), performanceState('Requested functionality has been deprecated')]).toEqual([0, 12, undefined]);
    expect([text('None'), text('None', { keepNone: true }), text(' x ')]).toEqual([undefined, 'None', 'x']);
  });
});
