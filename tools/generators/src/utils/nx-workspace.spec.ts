import { emptyWorkspace } from '../testing/tree';
import { assertNxWorkspace } from './nx-workspace';

describe('assertNxWorkspace', () => {
  it('explains how to get an Nx workspace when nx.json is missing', () => {
    const tree = emptyWorkspace();
    expect(() => assertNxWorkspace(tree)).not.toThrow();
    tree.delete('nx.json');
    expect(() => assertNxWorkspace(tree)).toThrow(/not an Nx workspace \(no nx.json\): create one first/);
  });
});
