import { readJson } from '@nx/devkit';
import { emptyWorkspace } from '../../../testing/tree';
import { mergeTsconfigBase } from './merge-tsconfig-base';

const genesis = JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', types: ['node'] } });

describe('mergeTsconfigBase', () => {
  it("adds the missing compiler options and keeps the user's values and keys", () => {
    const tree = emptyWorkspace();
    tree.write(
      'tsconfig.base.json',
      JSON.stringify({ compilerOptions: { target: 'es2015', paths: { '@me/x': ['x'] } }, mine: 1 }),
    );
    expect(mergeTsconfigBase(tree, genesis)).toEqual(['strict', 'types']);
    expect(readJson(tree, 'tsconfig.base.json')).toEqual({
      compilerOptions: { target: 'es2015', paths: { '@me/x': ['x'] }, strict: true, types: ['node'] },
      mine: 1,
    });
    expect(mergeTsconfigBase(tree, genesis)).toEqual([]);
  });

  it('writes Genesis’s file when there is none', () => {
    const tree = emptyWorkspace();
    if (tree.exists('tsconfig.base.json')) tree.delete('tsconfig.base.json');
    mergeTsconfigBase(tree, genesis);
    expect(tree.read('tsconfig.base.json', 'utf-8')).toBe(genesis);
  });
});
