import { convertPerlPattern, perlAnchoredRegex } from './perl-regex';

describe('Perl patterns from the PVE schema', () => {
  it('turns stringified qr// groups into plain groups', () => {
    expect(convertPerlPattern('(?^:^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$)')).toEqual({
      source: '(?:^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$)',
      flags: '',
    });
    expect(perlAnchoredRegex('(?^:^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$)').test('10de:2204')).toBe(true);
    expect(perlAnchoredRegex('(?^:^[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}$)').test('10de:22045')).toBe(false);
  });

  it('keeps case-insensitivity from (?^i:...)', () => {
    const tags = perlAnchoredRegex(String.raw`(?^i:[a-z0-9_][a-z0-9_\-\+\.]*)(?:;(?^i:[a-z0-9_][a-z0-9_\-\+\.]*))*`);
    expect(tags.test('GPU;llm-01')).toBe(true);
    expect(tags.test('gpu;;x')).toBe(false);
  });

  it('reads {,n} as {0,n} like Perl 5.36', () => {
    const re = perlAnchoredRegex(String.raw`[A-Za-z0-9\-_\s]{,8}`);
    expect(re.test('abc')).toBe(true);
    expect(re.test('')).toBe(true);
    expect(re.test('abcdefghi')).toBe(false);
  });

  it('anchors like m/^$pattern$/, so a top-level alternation binds ^ and $ to its ends', () => {
    const re = perlAnchoredRegex(String.raw`/dev/parport\d+|/dev/usb/lp\d+`);
    expect(re.test('/dev/parport0')).toBe(true);
    // Perl: ^/dev/parport\d+ OR /dev/usb/lp\d+$ — the second branch is not anchored at the start.
    expect(re.test('x/dev/usb/lp0')).toBe(true);
    expect(re.test('x/dev/parport0')).toBe(false);
  });

  it('accepts the Perl-only escapes JS rejects in unicode mode', () => {
    expect(perlAnchoredRegex(String.raw`[A-Za-z][A-Za-z0-9\-\_]+`).test('ACCEPT')).toBe(true);
  });
});
