import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyWorkspace, tempDir } from '../testing/tree';
import { makeScriptsExecutable, renderTemplates } from './templates';

describe('renderTemplates', () => {
  it('strips __tmpl__, turns __dot__ into a dot, and keeps existing files when creating once', () => {
    const { dir, remove } = tempDir('genesis-templates-');
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', '__dot__env__tmpl__'), 'A=<%= a %>\n');
      writeFileSync(join(dir, 'run.sh__tmpl__'), 'echo <%= a %>\n');
      const tree = emptyWorkspace();
      tree.write('out/run.sh', 'mine\n');
      renderTemplates(tree, dir, 'out', { a: 1 }, 'createOnce');
      expect(tree.read('out/sub/.env', 'utf-8')).toBe('A=1\n');
      expect(tree.read('out/run.sh', 'utf-8')).toBe('mine\n');
      renderTemplates(tree, dir, 'out', { a: 2 }, 'owned');
      expect(tree.read('out/run.sh', 'utf-8')).toBe('echo 2\n');
      makeScriptsExecutable(tree);
      expect(tree.listChanges().find((c) => c.path === 'out/run.sh')?.options?.mode).toBe('755');
    } finally {
      remove();
    }
  });
});
