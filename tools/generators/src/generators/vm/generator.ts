// `nx g @genesis/repo:vm <name> --template ubuntu-ai --bridge vmbr1`: a VM entry in genesis.yaml,
// a linked clone of the template with the next free id. Comment-preserving (yaml Document API);
// refuses an unknown template or bridge, a taken name or id, before anything is written.
import type { Tree } from '@nx/devkit';
import { Document, isMap, isSeq, type Node, type YAMLMap } from 'yaml';
import { ensureRootSeq, readYamlDocument } from '../../utils/yaml-document';
import type { VmGeneratorSchema } from './schema';

const stringifyOptions = { singleQuote: true, lineWidth: 0, indentSeq: true } as const;

const slug = (templateName: string) => templateName.replace(/^Template-/i, '').toLowerCase();

export function addVm(tree: Tree, options: VmGeneratorSchema): { id: number } {
  const file = options.file ?? 'infra/genesis.yaml';
  const doc = readYamlDocument(tree, file);
  const entries = (key: string) =>
    ((doc.get(key, true) as { items?: unknown[] } | undefined)?.items ?? []).filter(isMap).map((m) => (m as YAMLMap).toJSON() as Record<string, unknown>);
  const templates = entries('templates');
  const vms = entries('vms');
  const bridges = entries('bridges');

  if (!/^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(options.name)) {
    throw new Error(`${file}: "${options.name}" is not a valid VM name; PVE wants a DNS name (letters, digits, -), e.g. worker1`);
  }
  if (vms.some((v) => v.name === options.name)) throw new Error(`${file}: a VM named "${options.name}" exists already; pick another name`);
  const template = templates.find((t) => String(t.id) === options.template || slug(String(t.name)) === options.template.toLowerCase());
  if (!template) {
    throw new Error(`${file}: unknown template "${options.template}"; use one of: ${templates.map((t) => `${slug(String(t.name))} (${t.id})`).join(', ')}`);
  }
  if (!bridges.some((b) => b.name === options.bridge)) {
    throw new Error(`${file}: bridge "${options.bridge}" is not declared under bridges:; use one of: ${bridges.map((b) => b.name).join(', ')}`);
  }
  const taken = new Set([...templates, ...vms].map((x) => Number(x.id)));
  let id = options.id ?? 100;
  if (options.id !== undefined && taken.has(options.id)) throw new Error(`${file}: VM id ${options.id} is taken (a VM or template uses it); leave --id out for the next free one`);
  while (taken.has(id)) id++;

  const entry = { id, name: options.name, template: Number(template.id), bridge: options.bridge, clone: 'linked' };
  const text = tree.read(file, 'utf-8') ?? '';
  const existing = doc.get('vms', true);
  if (isSeq(existing) && !existing.flow && existing.items.length > 0 && existing.range) {
    // Splice the new item's text after the last one: every other byte (comments, alignment, flow
    // maps) stays exactly as written, which a re-stringified document would not keep.
    const start = existing.range[0];
    const indent = ' '.repeat(start - (text.lastIndexOf('\n', start - 1) + 1));
    const lastEnd = (existing.items[existing.items.length - 1] as Node).range?.[1] ?? text.length;
    const lineEnd = text.indexOf('\n', lastEnd - 1);
    const at = lineEnd < 0 ? text.length : lineEnd + 1;
    const item = new Document([entry]).toString(stringifyOptions).trimEnd().split('\n').map((l) => indent + l).join('\n');
    tree.write(file, `${text.slice(0, at)}${at === text.length && !text.endsWith('\n') ? '\n' : ''}${item}\n${text.slice(at)}`);
  } else {
    ensureRootSeq(doc, file, 'vms').add(doc.createNode(entry));
    tree.write(file, doc.toString(stringifyOptions));
  }
  return { id };
}

export async function vmGenerator(tree: Tree, options: VmGeneratorSchema): Promise<void> {
  addVm(tree, options);
}

export default vmGenerator;
