// Root configuration files. Created once: eslint.config.mjs, Prettier, .npmrc, .dockerignore,
// README.md, CLAUDE.md. Kept in step: .gitignore (the lines Genesis needs) and tsconfig.base.json
// (missing compiler options). jest.preset.js, which the generated jest configs use: a user's own
// is kept and Genesis's is written beside it (jest.preset.genesis.js).
import { join } from 'node:path';
import { readJson } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { dockerignoreContent } from '../../../utils/dockerignore';
import { gitignorePath, mergeGitignore } from '../../../utils/gitignore';
import { writeOnce, writeOnceOrBeside } from '../../../utils/ownership';
import type { OwnedWriteOptions } from '../../../utils/ownership';
import { dockerignorePath } from '../../../utils/paths';
import { listServices } from '../../../utils/services';
import { renderToMemory } from '../../../utils/templates';
import { jestPresetPath } from '../../../utils/jest-preset';
import { nxVersion, typescriptVersion } from '../../../utils/versions';
import { mergeTsconfigBase, tsconfigBasePath } from './merge-tsconfig-base';

export function addRootFiles(tree: Tree, options: OwnedWriteOptions = {}): void {
  const workspaceName = tree.exists('package.json')
    ? (readJson(tree, 'package.json').name ?? 'genesis')
    : 'genesis';
  const files = renderToMemory(tree, join(__dirname, '..', 'files'), {
    workspaceName,
    nxVersion,
    typescriptVersion,
  });
  for (const [path, content] of files) {
    if (path === gitignorePath) {
      if (!tree.exists(path)) tree.write(path, content);
      mergeGitignore(tree);
    } else if (path === tsconfigBasePath) mergeTsconfigBase(tree, content.toString('utf-8'));
    else if (path === jestPresetPath) writeOnceOrBeside(tree, path, content, options);
    else writeOnce(tree, path, content.toString('utf-8'));
  }
  // Built from code, not a template: `service` keeps the same lines in step (utils/dockerignore.ts).
  writeOnce(tree, dockerignorePath, dockerignoreContent(listServices(tree).map((service) => service.root)));
}
