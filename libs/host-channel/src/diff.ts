/**
 * A unified diff of two versions of a host file (`diff -u` layout, 3 lines of context), shown in the
 * plan before a write happens. Host configuration files are short, so a plain LCS table is enough.
 */
export function unifiedDiff(path: string, before: string | undefined, after: string, context = 3): string[] {
  const a = splitLines(before ?? '');
  const b = splitLines(after);
  const ops = lineOps(a, b);
  if (ops.every((o) => o.op === ' ')) return [];
  const out = [`--- ${before === undefined ? '/dev/null' : `a${path}`}`, `+++ b${path}`];
  // Group changes into hunks with `context` unchanged lines around them.
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i].op === ' ') i++;
    if (i >= ops.length) break;
    let start = Math.max(0, i - context);
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end].op !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next].op === ' ') next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + context);
    const hunk = ops.slice(start, stop);
    const aStart = ops[start].a;
    const bStart = ops[start].b;
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const o of hunk) out.push(`${o.op}${o.text}`);
    i = stop;
    start = stop;
  }
  return out;
}

interface Op {
  op: ' ' | '-' | '+';
  text: string;
  /** 0-based line index in a / b where this op sits. */
  a: number;
  b: number;
}

function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

function range(start: number, len: number): string {
  const first = len === 0 ? start : start + 1;
  return len === 1 ? `${first}` : `${first},${len}`;
}

function lineOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: ' ', text: a[i], a: i++, b: j++ });
    else if (j < m && (i >= n || lcs[i][j + 1] > lcs[i + 1][j])) ops.push({ op: '+', text: b[j], a: i, b: j++ });
    else ops.push({ op: '-', text: a[i], a: i++, b: j });
  }
  return ops;
}
