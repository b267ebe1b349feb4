/**
 * A structural check of the generated PowerShell, since PowerShell (and its parser) cannot be
 * installed here: comments, here-strings and quoted strings are removed (single-quoted: '' escapes;
 * double-quoted: backtick escapes, $( ) subexpressions kept as code), then
 *  - (), {}, [] must balance and nest,
 *  - every function name is Verb-Noun with an approved verb (Get-Verb, PowerShell 5.1),
 *  - every Verb-Noun command used is on the allow-list (the cmdlets the script may call).
 */

export const APPROVED_VERBS = new Set([
  'Add', 'Clear', 'Close', 'Copy', 'Enter', 'Exit', 'Find', 'Format', 'Get', 'Hide', 'Join', 'Lock', 'Move', 'New', 'Open', 'Optimize',
  'Pop', 'Push', 'Redo', 'Remove', 'Rename', 'Reset', 'Resize', 'Search', 'Select', 'Set', 'Show', 'Skip', 'Split', 'Step', 'Switch',
  'Undo', 'Unlock', 'Watch', 'Connect', 'Disconnect', 'Read', 'Receive', 'Send', 'Write', 'Backup', 'Checkpoint', 'Compare', 'Compress',
  'Convert', 'ConvertFrom', 'ConvertTo', 'Dismount', 'Edit', 'Expand', 'Export', 'Group', 'Import', 'Initialize', 'Limit', 'Merge',
  'Mount', 'Out', 'Publish', 'Restore', 'Save', 'Sync', 'Unpublish', 'Update', 'Approve', 'Assert', 'Build', 'Complete', 'Confirm',
  'Deny', 'Deploy', 'Disable', 'Enable', 'Install', 'Invoke', 'Register', 'Request', 'Restart', 'Resume', 'Start', 'Stop', 'Submit',
  'Suspend', 'Uninstall', 'Unregister', 'Wait', 'Debug', 'Measure', 'Ping', 'Repair', 'Resolve', 'Test', 'Trace', 'Block', 'Grant',
  'Protect', 'Revoke', 'Unblock', 'Unprotect', 'Use',
]);

export const ALLOWED_CMDLETS = new Set([
  'Get-Date', 'Add-Content', 'Write-Output', 'Get-AppxPackage', 'Get-AppxProvisionedPackage', 'Where-Object', 'Remove-AppxPackage',
  'Remove-AppxProvisionedPackage', 'Out-Null', 'Get-ScheduledTask', 'Disable-ScheduledTask', 'Get-Service', 'Stop-Service', 'Set-Service',
]);

export interface PsStructure {
  problems: string[];
  functions: string[];
  commands: string[];
}

function stripStrings(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (src.startsWith('<#', i)) {
      const end = src.indexOf('#>', i + 2);
      i = end < 0 ? src.length : end + 2;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (src.startsWith("@'", i) || src.startsWith('@"', i)) {
      const close = src[i + 1] === "'" ? "\n'@" : '\n"@';
      const end = src.indexOf(close, i + 2);
      i = end < 0 ? src.length : end + 3;
      out += "''";
    } else if (c === "'") {
      i++;
      while (i < src.length && !(src[i] === "'" && src[i + 1] !== "'")) i += src[i] === "'" ? 2 : 1;
      i++;
      out += "''";
    } else if (c === '"') {
      i++;
      out += '"';
      while (i < src.length && src[i] !== '"') {
        const drive = /^\$([A-Za-z_]\w*):(?![A-Za-z_])/.exec(src.slice(i, i + 64));
        if (drive) out += `\u00a7DRIVE(${drive[1]})\u00a7`;
        if (src[i] === '`') i += 2;
        else if (src.startsWith('$(', i)) {
          // keep the subexpression as code, up to its matching parenthesis
          let depth = 0;
          do {
            if (src[i] === '(') depth++;
            if (src[i] === ')') depth--;
            out += src[i];
            i++;
          } while (i < src.length && depth > 0);
        } else i++;
      }
      i++;
      out += '"';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function checkPowerShellStructure(src: string): PsStructure {
  const code = stripStrings(src);
  const problems: string[] = [];
  const stack: { ch: string; line: number }[] = [];
  const pairs: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
  let line = 1;
  for (const ch of code) {
    if (ch === '\n') line++;
    else if ('({['.includes(ch)) stack.push({ ch, line });
    else if (ch in pairs) {
      const open = stack.pop();
      if (!open || open.ch !== pairs[ch]) problems.push(`line ${line}: '${ch}' closes ${open ? `'${open.ch}' from line ${open.line}` : 'nothing'}`);
    }
  }
  for (const open of stack) problems.push(`line ${open.line}: '${open.ch}' is never closed`);
  // "$name:" in a double-quoted string is a (broken) scope/drive-qualified variable: write ${name}:
  for (const m of code.matchAll(/\u00a7DRIVE\((\w+)\)\u00a7/g)) problems.push(`"$${m[1]}:" in a string is parsed as a drive-qualified variable; write \${${m[1]}}:`);

  const functions = [...code.matchAll(/\bfunction\s+([A-Za-z]+-[A-Za-z]+)/g)].map((m) => m[1]);
  for (const f of functions) if (!APPROVED_VERBS.has(f.split('-')[0])) problems.push(`function ${f}: "${f.split('-')[0]}" is not an approved verb (Get-Verb)`);
  const defined = new Set(functions);
  const commands = [...new Set([...code.matchAll(/(?<![\w$.-])([A-Z][a-z]+-[A-Z][A-Za-z]+)\b/g)].map((m) => m[1]))];
  for (const cmd of commands) if (!defined.has(cmd) && !ALLOWED_CMDLETS.has(cmd)) problems.push(`${cmd}: not on the cmdlet allow-list`);
  return { problems, functions, commands };
}
