// The app project itself (created once): package.json, project.json, fastify app with health
// endpoints and a spec, Dockerfile, and the Jest configuration (@nx/jest's generator,
// utils/jest-config.ts).
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { addJestConfiguration } from '../../../utils/jest-config';
import { bundleDir } from '../../../utils/paths';
import { renderTemplates } from '../../../utils/templates';
import * as versions from '../../../utils/versions';
import type { NormalizedService } from './normalize-options';

export async function addServiceProject(tree: Tree, service: NormalizedService): Promise<void> {
  if (service.existing) return;
  renderTemplates(
    tree,
    join(__dirname, '..', 'files'),
    service.root,
    {
      ...service,
      bundleDir: bundleDir(service.root),
      versions,
      baseImage: versions.baseImage,
      nodeVersion: versions.nodeVersion,
    },
    'createOnce',
  );
  await addJestConfiguration(tree, service.name);
}
