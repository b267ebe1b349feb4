// Reading the schema: the official JSON (as kept in ../shared/pve-api) or a PVE host's own
// /usr/share/pve-docs/api-viewer/apidoc.js (`const apiSchema = [...];` followed by viewer
// code). Parsed and indexed once per file; a changed file (mtime/size) is read again.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { ApiSchema } from './api-schema';
import type { ApiNode } from './types';

import { DEFAULT_PVE_VERSION, PVE_RELEASES, type PveVersion } from '../model/release';

/** The default release's schema file name. */
export const SCHEMA_FILE_NAME = PVE_RELEASES[DEFAULT_PVE_VERSION].schemaFile;

/** Thrown when a schema file cannot be read or does not hold a PVE API schema. */
export class SchemaLoadError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      `Cannot load the Proxmox VE API schema from ${file}: ${reason}. ` +
        'Pass the official pve-*-apischema.json or a host\'s /usr/share/pve-docs/api-viewer/apidoc.js ' +
        '(option --schema / schemaPath, or env PVE_SCHEMA).',
    );
    this.name = 'SchemaLoadError';
  }
}

const cache = new Map<string, { mtimeMs: number; size: number; schema: ApiSchema }>();

/** The nearest ancestor of `from` that holds nx.json (the monorepo root), if any. */
function nearestNxRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where a release's schema is looked for, and which variable named that place. */
export interface SchemaLocation {
  path: string;
  /**
   * `PVE_SCHEMA`, `PVE_API_DIR` or the simulator's schema option (--schema / schemaPath) when someone named the place (a missing file is then an error);
   * undefined for the Genesis checkout's own `../shared/pve-api/`, which only its developers have.
   */
  setBy?: 'PVE_SCHEMA' | 'PVE_API_DIR' | 'the schema option';
}

/**
 * PVE_SCHEMA if set (one file, whatever the release), else that release's
 * `pve-<release>-apischema.json` in PVE_API_DIR, else in `<repo root>/../shared/pve-api/` (the
 * Genesis checkout's layout); undefined when there is no variable and no nx.json above this module
 * (a globally installed CLI).
 */
export function schemaLocation(
  env: NodeJS.ProcessEnv = process.env,
  pveVersion: PveVersion = DEFAULT_PVE_VERSION,
  from: string = __dirname,
): SchemaLocation | undefined {
  const file = PVE_RELEASES[pveVersion].schemaFile;
  if (env['PVE_SCHEMA']?.trim()) return { path: resolve(env['PVE_SCHEMA']), setBy: 'PVE_SCHEMA' };
  if (env['PVE_API_DIR']?.trim()) return { path: join(resolve(env['PVE_API_DIR']), file), setBy: 'PVE_API_DIR' };
  const root = nearestNxRoot(from);
  return root ? { path: resolve(root, '..', 'shared', 'pve-api', file) } : undefined;
}

/** schemaLocation's path, for tests and tools that need one; throws where there is none. */
export function defaultSchemaPath(env: NodeJS.ProcessEnv = process.env, pveVersion: PveVersion = DEFAULT_PVE_VERSION): string {
  const location = schemaLocation(env, pveVersion);
  if (!location) throw new Error(`No nx.json above ${__dirname} and neither PVE_SCHEMA nor PVE_API_DIR set: cannot locate the PVE API schema; set PVE_SCHEMA to the schema file.`);
  return location.path;
}

/**
 * The text of the schema array: the whole file for JSON, or the array literal assigned to
 * `apiSchema` in apidoc.js (found by bracket matching that skips over JSON strings).
 */
export function extractSchemaArrayText(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) return trimmed;
  const assignment = /\bapiSchema\s*=\s*\[/.exec(text);
  if (!assignment) throw new Error('neither a JSON array nor a script assigning `apiSchema = [...]`');
  const start = assignment.index + assignment[0].length - 1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      if (--depth === 0) return text.slice(start, i + 1);
    }
  }
  throw new Error('the `apiSchema` array is not closed');
}

function looksLikeSchema(value: unknown): value is ApiNode[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((n) => typeof n === 'object' && n !== null && typeof (n as ApiNode).path === 'string')
  );
}

/** Parses schema text (JSON or apidoc.js) without touching the cache. */
export function parseApiSchema(text: string, source: string): ApiSchema {
  let tree: unknown;
  try {
    tree = JSON.parse(extractSchemaArrayText(text));
  } catch (err) {
    throw new SchemaLoadError(source, `not parseable (${(err as Error).message})`);
  }
  if (!looksLikeSchema(tree)) {
    throw new SchemaLoadError(source, 'parsed, but it is not an array of API nodes with a `path`');
  }
  return new ApiSchema(tree, source);
}

/** Loads (once per file and version) the schema from a JSON or apidoc.js file. */
export function loadApiSchema(file: string = defaultSchemaPath()): ApiSchema {
  const path = resolve(file);
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    throw new SchemaLoadError(path, `unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.schema;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SchemaLoadError(path, `unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const schema = parseApiSchema(text, path);
  cache.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, schema });
  return schema;
}
