import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { emptyWorkspace } from '../../../testing/tree';
import { ownedFiles } from '../../../utils/ownership';
import { ciTemplatesDir, writeOwnedFiles } from './write-owned-files';

function templates(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? templates(full) : [full];
  });
}

describe('writeOwnedFiles', () => {
  it('has a template for each owned file and no other (ci/files holds only owned files)', () => {
    const targets = templates(ciTemplatesDir).map((file) =>
      relative(ciTemplatesDir, file)
        .replace(/__dot__/g, '.')
        .replace(/__tmpl__$/, ''),
    );
    expect(targets.sort()).toEqual([...ownedFiles].sort());
  });

  it('overwrites a hand edit of an owned file', () => {
    const tree = emptyWorkspace();
    tree.write('Makefile', 'edited by hand\n');
    writeOwnedFiles(tree);
    expect(tree.read('Makefile', 'utf-8')).toBe(
      readFileSync(join(ciTemplatesDir, 'Makefile__tmpl__'), 'utf-8'),
    );
  });
});
