// Kept in step: an existing tsconfig.base.json gains the compiler options Genesis's projects
// need and lacks; the user's options (and their values) stay as they are.
import { readJson, writeJson } from '@nx/devkit';
import type { Tree } from '@nx/devkit';

export const tsconfigBasePath = 'tsconfig.base.json';

interface TsconfigBase {
  compilerOptions?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Writes `genesis` when there is no tsconfig.base.json; returns the option names it added. */
export function mergeTsconfigBase(tree: Tree, genesis: string): string[] {
  if (!tree.exists(tsconfigBasePath)) {
    tree.write(tsconfigBasePath, genesis);
    return [];
  }
  const wanted = (JSON.parse(genesis) as TsconfigBase).compilerOptions ?? {};
  const current = readJson<TsconfigBase>(tree, tsconfigBasePath);
  const options = { ...(current.compilerOptions ?? {}) };
  const added = Object.keys(wanted).filter((key) => !(key in options));
  if (added.length === 0) return [];
  for (const key of added) options[key] = wanted[key];
  writeJson(tree, tsconfigBasePath, { ...current, compilerOptions: options });
  return added;
}
