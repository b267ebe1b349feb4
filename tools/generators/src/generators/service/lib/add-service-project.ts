// The app project itself (created once): package.json, project.json, fastify app with health
// endpoints and a spec, Dockerfile.
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { genesisJestPreset } from '../../../utils/jest-preset';
import { bundleDir } from '../../../utils/paths';
import { renderTemplates } from '../../../utils/templates';
import * as versions from '../../../utils/versions';
import type { NormalizedService } from './normalize-options';

export function addServiceProject(tree: Tree, service: NormalizedService): void {
  if (service.existing) return;
  renderTemplates(
    tree,
    join(__dirname, '..', 'files'),
    service.root,
    {
      ...service,
      bundleDir: bundleDir(service.root),
      jestPreset: genesisJestPreset(tree),
      versions,
      baseImage: versions.baseImage,
      nodeVersion: versions.nodeVersion,
    },
    'createOnce',
  );
}
