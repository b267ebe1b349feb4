// Which root jest preset the generated projects use: Genesis's jest.preset.js, or, when the
// workspace keeps its own jest.preset.js, Genesis's version beside it (jest.preset.genesis.js).
import type { Tree } from '@nx/devkit';
import { besidePath, isGenesisWritten } from './ownership';

export const jestPresetPath = 'jest.preset.js';

export function genesisJestPreset(tree: Tree): string {
  if (!tree.exists(jestPresetPath)) return jestPresetPath;
  return isGenesisWritten(tree.read(jestPresetPath, 'utf-8') ?? '')
    ? jestPresetPath
    : besidePath(jestPresetPath);
}
