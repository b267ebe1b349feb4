import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyWorkspace } from '../testing/tree';
import { addDockerignoreEntry, dockerignoreContent } from './dockerignore';

const read = (tree: ReturnType<typeof emptyWorkspace>) => tree.read('.dockerignore', 'utf-8');

describe('dockerignore', () => {
  it('renders the rules of the Genesis root file: exclude all, one bundle per service, no maps', () => {
    // Rules only: the repository's file is created once and its comments are the user's.
    const rules = (text: string) => text.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
    const genesisFile = join(__dirname, '..', '..', '..', '..', '.dockerignore');
    expect(rules(dockerignoreContent(['apps/core', 'apps/banker', 'apps/exporters']))).toEqual(
      rules(readFileSync(genesisFile, 'utf-8')),
    );
    expect(dockerignoreContent([]).split('\n').slice(-3)).toEqual(['*', '**/*.map', '']);
  });

  it('adds a service after the last bundle line, before the exclusions that must still apply', () => {
    const tree = emptyWorkspace();
    tree.write('.dockerignore', dockerignoreContent(['apps/core']));
    addDockerignoreEntry(tree, 'apps/trader', ['apps/core', 'apps/trader']);
    addDockerignoreEntry(tree, 'apps/trader', ['apps/core', 'apps/trader']);
    expect(read(tree)).toBe(dockerignoreContent(['apps/core', 'apps/trader']));
  });

  it('goes right after `*` when no service is listed yet, and leaves the user lines alone', () => {
    const tree = emptyWorkspace();
    tree.write('.dockerignore', '# mine\n*\n!README.md\n**/*.map\n');
    addDockerignoreEntry(tree, 'apps/trader', ['apps/trader']);
    expect(read(tree)).toBe('# mine\n*\n!dist/apps/trader/\n!README.md\n**/*.map\n');
  });

  it.each(['!dist/apps/trader', '!/dist/apps/trader/', '!dist/apps/trader/**', '  !dist/apps/trader/  '])(
    'recognises %j as the entry already there',
    (line) => {
      const tree = emptyWorkspace();
      const text = `*\n${line}\n`;
      tree.write('.dockerignore', text);
      addDockerignoreEntry(tree, 'apps/trader', ['apps/trader']);
      expect(read(tree)).toBe(text);
    },
  );

  it('appends to a deny-list file that has no `*` line', () => {
    const tree = emptyWorkspace();
    tree.write('.dockerignore', 'node_modules\n.git');
    addDockerignoreEntry(tree, 'apps/trader', ['apps/trader']);
    expect(read(tree)).toBe('node_modules\n.git\n!dist/apps/trader/\n');
  });

  it('recreates a missing file with every service, so none is shut out of the build context', () => {
    const tree = emptyWorkspace();
    addDockerignoreEntry(tree, 'apps/trader', ['apps/core']);
    expect(read(tree)).toBe(dockerignoreContent(['apps/core', 'apps/trader']));
  });
});
