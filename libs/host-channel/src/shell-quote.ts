/** POSIX sh quoting: what `ssh host -- CMD` needs, since ssh hands the remote shell one string. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_/.:=,@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export const shellJoin = (argv: string[]) => argv.map(shellQuote).join(' ');
