import { emptyWorkspace } from '../testing/tree';
import {
  addEntryIfMissing,
  ensureRootMap,
  ensureRootSeq,
  readYamlDocument,
  writeYamlDocument,
} from './yaml-document';

describe('yaml-document', () => {
  it('adds a missing entry and keeps comments and order', () => {
    const tree = emptyWorkspace();
    tree.write('c.yml', '# head\nservices:\n  b: { image: b } # inline\n  a:\n    image: a\n');
    const doc = readYamlDocument(tree, 'c.yml');
    const services = ensureRootMap(doc, 'c.yml', 'services');
    expect(addEntryIfMissing(doc, services, 'a', { image: 'other' })).toBe(false);
    expect(addEntryIfMissing(doc, services, 'c', { ports: ['127.0.0.1:1:1'], PORT: '3' })).toBe(true);
    writeYamlDocument(tree, 'c.yml', doc);
    expect(tree.read('c.yml', 'utf-8')).toBe(
      "# head\nservices:\n  b: { image: b } # inline\n  a:\n    image: a\n  c:\n    ports:\n      - 127.0.0.1:1:1\n    PORT: '3'\n",
    );
  });

  it('creates the root key when absent or null', () => {
    const tree = emptyWorkspace();
    tree.write('p.yml', 'scrape_configs:\n');
    const doc = readYamlDocument(tree, 'p.yml');
    expect(ensureRootSeq(doc, 'p.yml', 'scrape_configs').items).toEqual([]);
  });

  it('names the file when it is missing, not YAML, or shaped wrongly', () => {
    const tree = emptyWorkspace();
    expect(() => readYamlDocument(tree, 'none.yml')).toThrow(/none.yml is missing/);
    tree.write('bad.yml', 'a: [\n');
    expect(() => readYamlDocument(tree, 'bad.yml')).toThrow(/bad.yml is not valid YAML/);
    tree.write('list.yml', 'services: [a]\n');
    expect(() => ensureRootMap(readYamlDocument(tree, 'list.yml'), 'list.yml', 'services')).toThrow(
      'list.yml: "services" must be a mapping',
    );
  });
});
