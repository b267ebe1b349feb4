// The generators edit an Nx workspace; anywhere else they refuse before writing anything.
import type { Tree } from '@nx/devkit';

export function assertNxWorkspace(tree: Tree): void {
  if (!tree.exists('nx.json')) {
    throw new Error(
      `${tree.root} is not an Nx workspace (no nx.json): create one first ` +
        '(`npx create-nx-workspace` or an nx.json with `{}`), then run `nx g @genesis/repo:init` there',
    );
  }
}
