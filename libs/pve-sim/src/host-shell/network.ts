/**
 * The network commands the NAT step runs on a node, answered on the simulated host's directory:
 * `nft -c -f FILE` (a parse check), `nft -f FILE` (loads the file's tables), `nft list table
 * FAMILY NAME` (prints a loaded table, or fails like nft when there is none), `sysctl -q -w
 * KEY=VALUE` (writes /proc/sys) and `mv A B`. There is no kernel here: what nft loaded is kept in
 * `/.sim/nft/<family>-<name>.nft`, the table block as the file declared it (nft prints a loaded
 * table in the same layout the policy file uses: tabs, one rule a line, chains apart).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { ShellResult } from './commands';

const NFT_DIR = '/.sim/nft';

/** The `table FAMILY NAME { … }` blocks of an nft file, by `family name`, the last definition winning. */
export function nftTables(text: string): Map<string, string> {
  const tables = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^table\s+(\S+)\s+(\S+)\s*\{\s*$/.exec(lines[i]);
    if (!head) continue;
    let depth = 0;
    let j = i;
    for (; j < lines.length; j++) {
      depth += (lines[j].match(/\{/g) ?? []).length - (lines[j].match(/\}/g) ?? []).length;
      if (depth === 0) break;
    }
    if (depth !== 0) throw new Error(`${i + 1}: table ${head[1]} ${head[2]}: missing "}"`);
    tables.set(`${head[1]} ${head[2]}`, `${lines.slice(i, j + 1).join('\n')}\n`);
    i = j;
  }
  return tables;
}

export function networkHostCommand(argv: string[], root: string): ShellResult | undefined {
  const p = (path: string) => join(root, normalize(path));
  const ok = (stdout = ''): ShellResult => ({ stdout, stderr: '', exitCode: 0 });
  const fail = (stderr: string, exitCode = 1): ShellResult => ({ stdout: '', stderr, exitCode });
  const tableFile = (family: string, name: string) => p(`${NFT_DIR}/${family}-${name}.nft`);

  /** nft's parse of a file: it must exist and declare its tables in balanced braces. */
  const parse = (file: string): Map<string, string> | ShellResult => {
    if (!existsSync(p(file))) return fail(`Error: Could not process rule: No such file or directory\ninclude "${file}"\n`);
    const text = readFileSync(p(file), 'utf8');
    try {
      const tables = nftTables(text);
      if (!tables.size) return fail(`${file}: Error: no table definition (the simulated nft checks for "table <family> <name> { … }")\n`);
      return tables;
    } catch (e) {
      return fail(`${file}:${(e as Error).message}\n`);
    }
  };

  const [cmd, ...args] = argv;
  if (cmd === 'nft') {
    if (args[0] === '-c' && args[1] === '-f' && args.length === 3) {
      const parsed = parse(args[2]);
      return parsed instanceof Map ? ok() : parsed;
    }
    if (args[0] === '-f' && args.length === 2) {
      const parsed = parse(args[1]);
      if (!(parsed instanceof Map)) return parsed;
      mkdirSync(p(NFT_DIR), { recursive: true });
      for (const [key, block] of parsed) writeFileSync(tableFile(...(key.split(' ') as [string, string])), block);
      return ok();
    }
    if (args[0] === 'list' && args[1] === 'table' && args.length === 4) {
      const file = tableFile(args[2], args[3]);
      if (!existsSync(file)) return fail(`Error: No such file or directory\nlist table ${args[2]} ${args[3]}\n${' '.repeat(11 + args[2].length)}${'^'.repeat(args[3].length)}\n`);
      return ok(readFileSync(file, 'utf8'));
    }
    return fail(`Error: the simulated nft answers only -c -f FILE, -f FILE and list table FAMILY NAME (got: nft ${args.join(' ')})\n`);
  }
  if (cmd === 'sysctl') {
    const setting = /^([\w.]+)=(.*)$/.exec(args.filter((a) => !a.startsWith('-')).join(' '));
    if (!args.includes('-w') || !setting) return fail(`sysctl: the simulated sysctl answers only -w KEY=VALUE (got: sysctl ${args.join(' ')})\n`, 255);
    const path = `/proc/sys/${setting[1].replace(/\./g, '/')}`;
    mkdirSync(dirname(p(path)), { recursive: true });
    writeFileSync(p(path), `${setting[2]}\n`);
    return ok(args.includes('-q') ? '' : `${setting[1]} = ${setting[2]}\n`);
  }
  if (cmd === 'mv' && args.length === 2) {
    if (!existsSync(p(args[0]))) return fail(`mv: cannot stat '${args[0]}': No such file or directory\n`);
    mkdirSync(dirname(p(args[1])), { recursive: true });
    renameSync(p(args[0]), p(args[1]));
    return ok();
  }
  return undefined;
}
