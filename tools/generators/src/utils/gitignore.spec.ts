import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyWorkspace } from '../testing/tree';
import { mergeGitignore, missingIgnores, requiredIgnores } from './gitignore';

describe('mergeGitignore', () => {
  it("adds what Genesis needs to the user's .gitignore and keeps every user line", () => {
    const tree = emptyWorkspace();
    const users = '# mine\n/node_modules\n*.log\n!keep.log';
    tree.write('.gitignore', users);
    expect(mergeGitignore(tree)).toEqual([
      'dist/',
      '.nx/',
      '.genesis/',
      '*.trace.jsonl',
      'infra/compose/.env',
    ]);
    const merged = tree.read('.gitignore', 'utf-8')!;
    expect(merged.startsWith(`${users}\n`)).toBe(true);
    expect(missingIgnores(merged)).toEqual([]);
  });

  it('changes nothing on a second run', () => {
    const tree = emptyWorkspace();
    tree.write('.gitignore', 'coverage/\n');
    mergeGitignore(tree);
    const once = tree.read('.gitignore', 'utf-8');
    expect(mergeGitignore(tree)).toEqual([]);
    expect(tree.read('.gitignore', 'utf-8')).toBe(once);
  });

  it('writes the required lines when there is no .gitignore', () => {
    const tree = emptyWorkspace();
    if (tree.exists('.gitignore')) tree.delete('.gitignore');
    expect(mergeGitignore(tree)).toEqual(requiredIgnores);
  });

  it("is already satisfied by Genesis's own .gitignore template", () => {
    const template = readFileSync(
      join(__dirname, '..', 'generators', 'workspace', 'files', '__dot__gitignore__tmpl__'),
      'utf-8',
    );
    expect(missingIgnores(template)).toEqual([]);
  });
});
