import { fingerprintsEqual, normaliseFingerprint } from './fingerprint';

const CANONICAL =
  'E6:DE:B5:81:D5:2F:75:C7:08:C5:A1:76:68:98:17:09:2B:E7:F5:9A:21:FC:A8:E3:0F:8B:1F:CE:C9:EE:63:E8';

describe('normaliseFingerprint', () => {
  it.each([
    [CANONICAL],
    [CANONICAL.toLowerCase()],
    [CANONICAL.replace(/:/g, '')],
    [CANONICAL.replace(/:/g, '').toLowerCase()],
    [`  ${CANONICAL}\n`],
  ])('accepts %s', (input) => {
    expect(normaliseFingerprint(input)).toBe(CANONICAL);
  });

  it.each([
    [''],
    ['AB:CD'],
    [CANONICAL.slice(0, -1) + 'G'],
    ['d2:c1:37:66:41:55:76:3e:a0:b2:cc:e6:f5:0b:d8:df:80:97:16:15'],
  ])('rejects %s (not 32 hex bytes; the last one is a SHA-1)', (input) => {
    expect(normaliseFingerprint(input)).toBeUndefined();
  });

  it('compares across spellings, and never equal when one side is invalid', () => {
    expect(fingerprintsEqual(CANONICAL, CANONICAL.replace(/:/g, '').toLowerCase())).toBe(true);
    expect(fingerprintsEqual(CANONICAL, CANONICAL.replace('E6', 'E7'))).toBe(false);
    expect(fingerprintsEqual('x', 'x')).toBe(false);
  });
});
