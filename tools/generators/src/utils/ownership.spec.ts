import { emptyWorkspace } from '../testing/tree';
import { ownedFiles, writeOnce, writeOwned } from './ownership';

describe('ownership', () => {
  it('overwrites only the files it owns', () => {
    const tree = emptyWorkspace();
    tree.write('Makefile', 'old\n');
    writeOwned(tree, 'Makefile', 'new\n');
    expect(tree.read('Makefile', 'utf-8')).toBe('new\n');
    expect(() => writeOwned(tree, 'README.md', 'x')).toThrow(/README.md is not in ownedFiles/);
  });

  it('creates once and then leaves the file to the user', () => {
    const tree = emptyWorkspace();
    expect(writeOnce(tree, 'README.md', 'first\n')).toBe(true);
    expect(writeOnce(tree, 'README.md', 'second\n')).toBe(false);
    expect(tree.read('README.md', 'utf-8')).toBe('first\n');
  });

  it('owns the workflows, pre-commit, Makefile and install-dependencies.sh', () => {
    expect(ownedFiles).toEqual([
      '.github/workflows/ci.yaml',
      '.github/workflows/build-images.yaml',
      '.pre-commit-config.yaml',
      'Makefile',
      'scripts/setup/install-dependencies.sh',
    ]);
  });
});
