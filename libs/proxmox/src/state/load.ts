/**
 * Loads infra/genesis.yaml: YAML with positions, `${VAR}` / `${VAR:-default}` from the environment,
 * the zod schema, then the cross-checks. Any problem is a DesiredStateError listing every finding as
 * `file:line: field.path: message`; nothing is returned (so nothing is sent) unless all pass.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { crossCheck, resolveBridgeRefs, type FieldPath } from './cross-checks';
import { desiredStateSchema, type DesiredSpec } from './schema';
import { clusterCrossCheck, isClusterSpec, resolveClusterBridgeRefs, singleNodeChecks, withClusterDefaults } from './cluster';

export interface DesiredState extends DesiredSpec {
  /** Where the state was read from, for messages and for resolving relative files. */
  source: {
    file: string;
    dir: string;
    /** The line a field is written on (`['templates', 1, 'install', 'iso']`), for problems found after loading. */
    line?: (path: FieldPath) => number;
  };
}

export interface StateProblem {
  file: string;
  line: number;
  path: string;
  message: string;
}

export class DesiredStateError extends Error {
  constructor(readonly problems: StateProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the desired state; nothing was sent to the host:\n` +
        problems.map((p) => `  ${p.file}:${p.line}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
    );
    this.name = 'DesiredStateError';
  }
}

export function loadDesiredState(file: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DesiredState {
  const display = relative(cwd, resolve(cwd, file)) || file;
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(cwd, file));
  } catch (e) {
    throw new DesiredStateError([{ file: display, line: 0, path: '', message: `cannot read the file (${(e as Error).message}); pass --file PATH` }]);
  }
  return parseDesiredState(decodeUtf8(bytes, display), display, env, dirname(resolve(cwd, file)));
}

/**
 * The file's bytes as UTF-8, refusing invalid sequences: decoding leniently would send U+FFFD
 * replacement characters to the host in place of what was meant.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Find the first bad sequence: the longest prefix that still decodes ends just before it.
    const ok = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const at = ok.indexOf('\uFFFD');
    const line = at < 0 ? 1 : ok.slice(0, at).split('\n').length;
    throw new DesiredStateError([
      {
        file,
        line,
        path: keyAtLine(ok, line),
        message: 'is not valid UTF-8 (an invalid byte sequence would reach the host as replacement characters); save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)',
      },
    ]);
  }
}

/** The YAML key written on that line (`  comment: x` → comment), to name the field before parsing. */
function keyAtLine(text: string, line: number): string {
  const m = /^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:/.exec(text.split('\n')[line - 1] ?? '');
  return m ? m[1] : '';
}

/** The `yaml` library's guard against alias bombs (billion laughs): at most this many alias expansions. */
const MAX_ALIAS_COUNT = 100;

export function parseDesiredState(text: string, file: string, env: NodeJS.ProcessEnv, baseDir: string): DesiredState {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);

  if (doc.errors.length) {
    throw new DesiredStateError(
      doc.errors.map((e) => ({ file, line: lineOf(e.pos[0]), path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` })),
    );
  }

  const envProblems: StateProblem[] = [];
  interpolate(doc, env, (path, message, offset) => envProblems.push({ file, line: lineOf(offset), path: formatPath(path), message }));
  if (envProblems.length) throw new DesiredStateError(envProblems);

  const located = (path: FieldPath, message: string, quoteValue = true): StateProblem => {
    const { node, rest } = nearestNode(doc, path);
    const value = quoteValue && rest.length === 0 && isScalar(node) ? node.value : undefined;
    const shown = value !== undefined && value !== null ? `${clip(JSON.stringify(value))} ` : '';
    return { file, line: lineOf(isNode(node) ? node.range?.[0] : undefined), path: formatPath(path), message: shown + message };
  };

  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // "Excessive alias count indicates a resource exhaustion attack": point at the first alias.
    let offset: number | undefined;
    visit(doc, { Alias: (_key, node) => ((offset ??= node.range?.[0]), visit.BREAK) });
    throw new DesiredStateError([
      {
        file,
        line: lineOf(offset),
        path: keyAtLine(text, lineOf(offset)),
        message: `YAML aliases expand past ${MAX_ALIAS_COUNT} copies (${(e as Error).message}); write the repeated part out or use fewer nested *aliases`,
      },
    ]);
  }
  const parsed = desiredStateSchema.safeParse(withClusterDefaults(js ?? {}));
  if (!parsed.success) {
    throw new DesiredStateError(
      byLine(parsed.error.issues.map((issue) => located(issue.path as FieldPath, describeIssue(issue, doc.hasIn(issue.path as FieldPath))))),
    );
  }
  const cluster = isClusterSpec(parsed.data);
  const findings = cluster ? clusterCrossCheck(parsed.data, baseDir) : [...crossCheck(parsed.data, baseDir), ...singleNodeChecks(parsed.data)];
  if (findings.length) throw new DesiredStateError(byLine(findings.map((f) => located(f.path, f.message, false))));
  const line = (path: FieldPath) => {
    const { node } = nearestNode(doc, path);
    return lineOf(isNode(node) ? node.range?.[0] : undefined);
  };
  return { ...(cluster ? resolveClusterBridgeRefs(parsed.data) : resolveBridgeRefs(parsed.data)), source: { file, dir: baseDir, line } };
}

/** zod's generic messages, rewritten to say what to write instead. */
function describeIssue(issue: z.core.$ZodIssue, present: boolean): string {
  const field = String(issue.path[issue.path.length - 1] ?? 'the document');
  switch (issue.code) {
    case 'invalid_type':
      // A field whose own message says how to fill it in (`is missing; …`) keeps it.
      if (!present) return issue.message.startsWith('is missing') ? issue.message : `is missing; add ${field}: <${issue.expected}>`;
      return `must be ${article(issue.expected)} (${issue.message.replace(/^Invalid input: /, '')})`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove or correct the spelling`;
    case 'invalid_value':
      return issue.message.startsWith('Invalid')
        ? `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
        : issue.message;
    case 'invalid_union':
      return issue.message.startsWith('Invalid') ? 'has a shape Genesis does not know; compare with infra/genesis.yaml' : issue.message;
    default:
      return issue.message;
  }
}

/** A value quoted in a message stays readable: a 5 MB comment is shown by its start and size. */
const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 60)}…" (${s.length} characters)` : s);

const byLine = (problems: StateProblem[]) => [...problems].sort((a, b) => a.line - b.line);

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** `file:line: field.path` for a problem found after loading (plan), as the loader reports its own. */
export function fieldLocation(state: Pick<DesiredState, 'source'>, path: FieldPath): string {
  const line = state.source.line?.(path);
  return `${state.source.file}${line ? `:${line}` : ''}: ${formatPath(path)}`;
}

export function formatPath(path: FieldPath): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** The deepest YAML node on the path (a missing field reports its parent's line). */
function nearestNode(doc: Document, path: FieldPath): { node: ReturnType<Document['getIn']>; rest: FieldPath } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node)) {
      // For a map entry report the key's line: it is where the reader looks.
      if (n > 0 && (isMap(node) || isSeq(node))) {
        const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === path[n - 1]);
          if (pair && isScalar(pair.key)) return { node: pair.key, rest: path.slice(n) };
        }
      }
      return { node, rest: path.slice(n) };
    }
  }
  return { node: undefined, rest: path };
}

const ENV_REF = /\$\{([A-Z_][A-Z0-9_]*)(:-([^}]*))?\}/g;

/** Replaces `${VAR}` / `${VAR:-default}` in every scalar string; numbers come back as numbers. */
function interpolate(doc: Document, env: NodeJS.ProcessEnv, problem: (path: FieldPath, message: string, offset?: number) => void) {
  const visit = (node: unknown, path: FieldPath) => {
    if (isMap(node)) node.items.forEach((pair) => visit(pair.value, [...path, isScalar(pair.key) ? String(pair.key.value) : '?']));
    else if (isSeq(node)) node.items.forEach((item, i) => visit(item, [...path, i]));
    else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      const value = node.value.replace(ENV_REF, (_m, name: string, hasDefault: string | undefined, fallback: string | undefined) => {
        const v = env[name];
        if (v !== undefined && v !== '') return v;
        if (hasDefault !== undefined) return fallback ?? '';
        problem(path, `\${${name}} is not set; export ${name}=… or give a default: \${${name}:-value}`, node.range?.[0]);
        return '';
      });
      node.value = /^\d+$/.test(value) && !/^0\d/.test(value) ? Number(value) : value;
    }
  };
  visit(doc.contents, []);
}
