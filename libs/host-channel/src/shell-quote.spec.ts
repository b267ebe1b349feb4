import { execFileSync } from 'node:child_process';
import { shellJoin, shellQuote } from './shell-quote';

describe('shellQuote', () => {
  it('leaves plain words alone and quotes everything else so sh reads it back verbatim', () => {
    expect(shellQuote('update-initramfs')).toBe('update-initramfs');
    expect(shellQuote('/etc/kernel/cmdline')).toBe('/etc/kernel/cmdline');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const words = ['a b', "it's", '$HOME', '`id`', 'x;y', 'back\\slash', '*', 'new\nline', ''];
    const echoed = execFileSync('sh', ['-c', `printf '%s\\0' ${shellJoin(words)}`]).toString();
    expect(echoed.split('\0').slice(0, -1)).toEqual(words);
  });
});
