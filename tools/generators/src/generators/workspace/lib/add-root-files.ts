// Root configuration files, created once (tsconfig.base.json, jest.preset.js, eslint.config.mjs,
// Prettier, .gitignore for Node/Docker/Python, .npmrc, .dockerignore, README.md, CLAUDE.md).
import { join } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';
import { dockerignoreContent } from '../../../utils/dockerignore';
import { writeOnce } from '../../../utils/ownership';
import { dockerignorePath } from '../../../utils/paths';
import { listServices } from '../../../utils/services';
import { renderTemplates } from '../../../utils/templates';
import { nxVersion, typescriptVersion } from '../../../utils/versions';

export function addRootFiles(tree: Tree): void {
  const workspaceName = tree.exists('package.json')
    ? (readJson(tree, 'package.json').name ?? 'genesis')
    : 'genesis';
  renderTemplates(
    tree,
    join(__dirname, '..', 'files'),
    '.',
    { workspaceName, nxVersion, typescriptVersion },
    'createOnce',
  );
  // Built from code, not a template: `service` keeps the same lines in step (utils/dockerignore.ts).
  writeOnce(tree, dockerignorePath, dockerignoreContent(listServices(tree).map((service) => service.root)));
}
