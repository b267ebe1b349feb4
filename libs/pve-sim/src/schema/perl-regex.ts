// PVE writes its `pattern`s as Perl regular expressions and checks a value with
// `$value =~ m/^$pattern$/`. This module turns such a pattern into a JavaScript RegExp with the
// same meaning for the constructs the PVE 8 schema uses.

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  digit: '0-9',
  xdigit: '0-9a-fA-F',
  lower: 'a-z',
  upper: 'A-Z',
  space: '\\s',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
};

const compiled = new Map<string, RegExp>();

/** Converts a Perl pattern (as found in the schema) into a JS source plus flags. */
export function convertPerlPattern(pattern: string): { source: string; flags: string } {
  let caseInsensitive = false;
  // Stringified qr// objects embed their flags: (?^:...) or (?^i:...). JS (Node 20) has no
  // scoped modifiers, so a case-insensitive part makes the whole pattern case-insensitive; the
  // schema uses (?^i:) only around character classes that already list both cases or around
  // tag names, where this widens nothing that matters.
  let source = pattern.replace(/\(\?\^([a-z]*):/g, (_m, flags: string) => {
    if (flags.includes('i')) caseInsensitive = true;
    return '(?:';
  });
  // Perl >= 5.34 (PVE 8 runs 5.36) reads {,n} as {0,n}; JS would read it literally.
  source = source.replace(/\{,(\d+)\}/g, '{0,$1}');
  source = source.replace(/\[:(\w+):\]/g, (m, name: string) => POSIX_CLASSES[name] ?? m);
  source = source.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$').replace(/\\h/g, '[ \\t]');
  return { source, flags: caseInsensitive ? 'i' : '' };
}

/**
 * The RegExp PVE effectively applies: `^` + pattern + `$`, without grouping, exactly as
 * `m/^$pattern$/` does (so a top-level alternation binds the anchors to its ends, as in Perl).
 */
export function perlAnchoredRegex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const { source, flags } = convertPerlPattern(pattern);
    re = new RegExp(`^${source}$`, flags);
    compiled.set(pattern, re);
  }
  return re;
}
