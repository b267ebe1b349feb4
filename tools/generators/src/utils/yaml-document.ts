// Structural YAML edits that keep comments, order and the untouched entries as they are (the
// `yaml` package's Document API). Each helper adds what is missing and reports whether it did.
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import type { Document } from 'yaml';
import type { Tree } from '@nx/devkit';

/** Same quoting and width as Prettier with the workspace's `singleQuote`, so formatting is a no-op. */
const stringifyOptions = { singleQuote: true, lineWidth: 0, indentSeq: true } as const;

export function readYamlDocument(tree: Tree, path: string): Document.Parsed {
  const text = tree.read(path, 'utf-8');
  if (text === null) throw new Error(`${path} is missing: run \`nx g @genesis/repo:init\` to create it`);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new Error(
      `${path} is not valid YAML (${doc.errors[0].message}); fix it, then run the generator again`,
    );
  }
  return doc;
}

export function writeYamlDocument(tree: Tree, path: string, doc: Document): void {
  const text = doc.toString(stringifyOptions);
  if (tree.read(path, 'utf-8') !== text) tree.write(path, text);
}

/** The map at `key` of the document's root map, created (empty) when absent or null. */
export function ensureRootMap(doc: Document, path: string, key: string): YAMLMap {
  const root = doc.contents;
  if (root !== null && !isMap(root)) throw new Error(`${path}: the top level must be a mapping`);
  const existing = doc.get(key, true);
  if (isMap(existing)) return existing;
  if (existing !== undefined && existing !== null && !isNullScalar(existing)) {
    throw new Error(`${path}: "${key}" must be a mapping`);
  }
  const created = new YAMLMap();
  doc.set(key, created);
  return created;
}

/** The sequence at `key` of the document's root map, created (empty) when absent or null. */
export function ensureRootSeq(doc: Document, path: string, key: string): YAMLSeq {
  const existing = doc.get(key, true);
  if (isSeq(existing)) return existing;
  if (existing !== undefined && existing !== null && !isNullScalar(existing)) {
    throw new Error(`${path}: "${key}" must be a list`);
  }
  const created = new YAMLSeq();
  doc.set(key, created);
  return created;
}

/** Adds `key: value` to `map` unless the key is there; returns whether it added. */
export function addEntryIfMissing(doc: Document, map: YAMLMap, key: string, value: unknown): boolean {
  if (map.has(key)) return false;
  // `services: {}` in a fresh override file: the first entry turns it into a block mapping.
  if (map.flow && map.items.length === 0) map.flow = false;
  map.add(doc.createPair(key, value));
  return true;
}

function isNullScalar(node: unknown): boolean {
  return (
    typeof node === 'object' &&
    node !== null &&
    'value' in node &&
    (node as { value: unknown }).value === null
  );
}
